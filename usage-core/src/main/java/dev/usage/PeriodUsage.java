package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;

/**
 * One closed period of one quota of one user, as kept in the period history.
 *
 * @param userId the user
 * @param type the quota type
 * @param period the period kind
 * @param periodStart the period's first instant
 * @param periodEnd the first instant after the period
 * @param limit the limit that applied when the period was closed ({@link Quota#UNLIMITED} for none)
 * @param used units used in the period
 * @param rolledOver units carried into the next period by the rollover policy (0 without one)
 * @param closedAt when the reset job closed the period
 */
public record PeriodUsage(String userId, QuotaType type, QuotaPeriod period, Instant periodStart, Instant periodEnd,
    long limit, long used, long rolledOver, Instant closedAt) {

  public PeriodUsage {
    Checks.id("userId", userId);
    Checks.notNull("quotaType", type);
    Checks.notNull("period", period);
    Checks.notNull("periodStart", periodStart);
    Checks.notNull("periodEnd", periodEnd);
    Checks.notNull("closedAt", closedAt);
    if (!periodEnd.isAfter(periodStart)) {
      throw new InvalidUsageException("periodEnd", "must be after periodStart");
    }
  }
}
