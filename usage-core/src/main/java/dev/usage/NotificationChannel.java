package dev.usage;

/**
 * Delivers notifications: e-mail, a chat hook, a log. Register channels with
 * {@link NotificationSettings.Builder#channel}. The engine calls {@link #send} on a thread of the channel's
 * own (never a caller's), one notification at a time per channel, so an implementation need not be
 * thread-safe; a slow channel delays only itself.
 */
public interface NotificationChannel {

  /**
   * The channel's name, unique within an engine; users choose channels by it
   * ({@link NotificationPreferences#channels()}). Letters, digits, {@code . _ -}.
   */
  String name();

  /**
   * Delivers one notification. Throwing means not delivered: the engine tries again with backoff, up to
   * {@link NotificationSettings#maxAttempts()} times, and then gives up on this channel for this
   * notification (it is counted in {@link NotificationStats#failed()}).
   *
   * @throws Exception anything the transport throws
   */
  void send(Notification notification) throws Exception;
}
