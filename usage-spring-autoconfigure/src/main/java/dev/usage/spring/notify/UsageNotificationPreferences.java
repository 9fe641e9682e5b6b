package dev.usage.spring.notify;

import dev.usage.NotificationPreferences;

/**
 * A user's notification preferences (kinds opted out of, channels, locale), typically from the host's user
 * profiles. Define a bean of this type to give them to the engine; without one, every user receives every
 * kind on every channel in {@code usage.notifications.default-locale}. Called on the engine's notification
 * thread, once per notification: it should answer quickly.
 */
@FunctionalInterface
public interface UsageNotificationPreferences {

  /** The preferences of {@code userId}; {@link NotificationPreferences#defaults()} for a user without any. */
  NotificationPreferences preferences(String userId);
}
