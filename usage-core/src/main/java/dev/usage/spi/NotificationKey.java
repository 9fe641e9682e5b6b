package dev.usage.spi;

import dev.usage.Notification;
import dev.usage.NotificationKind;
import dev.usage.QuotaType;
import dev.usage.internal.Checks;
import java.time.Instant;

/**
 * What makes a notification the same one: (user, kind, quota type, threshold, period start). The ledger
 * keeps one entry per key.
 *
 * @param userId the user
 * @param kind the kind
 * @param quotaType the quota type's name, or {@code ""} for a notification about no single quota
 * @param threshold the threshold in percent, or 0
 * @param periodStart the start of the period the notification is about
 */
public record NotificationKey(String userId, NotificationKind kind, String quotaType, int threshold,
    Instant periodStart) {

  public NotificationKey {
    Checks.id("userId", userId);
    Checks.notNull("kind", kind);
    Checks.notNull("quotaType", quotaType);
    if (!quotaType.isEmpty()) {
      QuotaType.of(quotaType);
    }
    if (threshold < 0) {
      throw new dev.usage.InvalidUsageException("threshold", "must not be negative, was " + threshold);
    }
    Checks.notNull("periodStart", periodStart);
  }

  /** The key of {@code n}. */
  public static NotificationKey of(Notification n) {
    return new NotificationKey(n.userId(), n.kind(), n.quotaType().map(QuotaType::name).orElse(""),
        n.thresholdPercent(), n.periodStart());
  }
}
