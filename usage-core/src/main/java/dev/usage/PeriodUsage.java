package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.util.List;

/**
 * One closed period of one quota of one user, as kept in the period history.
 *
 * <p>With a carrying {@link RolloverPolicy}, the period's allowance was {@code limit + carriedIn}, and the
 * units left unused that the policy lets carry on are {@code rolledOver}; {@code rolledOverParts} splits
 * them by the period they were first unused in (index 0: this period's own limit, index 1: the period
 * before, and so on), which is what lets carried units expire after a number of periods. Carried units are
 * used before the period's own limit, oldest first.
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
 * @param carriedIn units carried into this period from earlier ones (0 without a rollover policy)
 * @param rolledOverParts {@code rolledOver} by age, youngest first; empty when nothing rolled over
 */
public record PeriodUsage(String userId, QuotaType type, QuotaPeriod period, Instant periodStart, Instant periodEnd,
    long limit, long used, long rolledOver, Instant closedAt, long carriedIn, List<Long> rolledOverParts) {

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
    Checks.amount("carriedIn", carriedIn);
    Checks.amount("rolledOver", rolledOver);
    rolledOverParts = List.copyOf(Checks.notNull("rolledOverParts", rolledOverParts));
    long sum = 0;
    for (Long part : rolledOverParts) {
      sum = Math.addExact(sum, Checks.amount("rolledOverParts", part));
    }
    if (sum != rolledOver) {
      throw new InvalidUsageException("rolledOverParts", "must add up to rolledOver (" + rolledOver + "), was " + sum);
    }
  }

  /** A period closed without rollover: nothing carried in, {@code rolledOver} carried on as one part. */
  public PeriodUsage(String userId, QuotaType type, QuotaPeriod period, Instant periodStart, Instant periodEnd,
      long limit, long used, long rolledOver, Instant closedAt) {
    this(userId, type, period, periodStart, periodEnd, limit, used, rolledOver, closedAt, 0,
        rolledOver == 0 ? List.of() : List.of(rolledOver));
  }

  /** The period's allowance: its limit plus the units carried into it ({@link Quota#UNLIMITED} for none). */
  public long allowance() {
    return limit == Quota.UNLIMITED ? Quota.UNLIMITED : Math.min(Quota.MAX_AMOUNT, limit + carriedIn);
  }
}
