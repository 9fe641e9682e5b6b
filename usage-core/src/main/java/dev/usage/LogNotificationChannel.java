package dev.usage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each notification as one INFO line to the logger {@code dev.usage.notifications}: the default
 * channel, so that a new installation sees what would be sent before it configures e-mail.
 */
public final class LogNotificationChannel implements NotificationChannel {

  /** The channel's name. */
  public static final String NAME = "log";

  private static final Logger log = LoggerFactory.getLogger("dev.usage.notifications");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void send(Notification n) {
    log.info("notification {} to {}: {} (period {} to {}{})", n.kind(), n.userId(), n.subject(), n.periodStart(),
        n.periodEnd(), n.status().map(s -> ", used " + s.used() + " of " + s.limit()).orElse(""));
  }

  @Override
  public String toString() {
    return "LogNotificationChannel";
  }
}
