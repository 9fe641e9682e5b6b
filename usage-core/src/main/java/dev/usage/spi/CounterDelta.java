package dev.usage.spi;

import dev.usage.Quota;
import dev.usage.QuotaType;
import java.time.Instant;
import java.util.Objects;

/**
 * One counter's part of a consumption or hold.
 *
 * @param type the quota type
 * @param periodId the period (see {@link CounterKey})
 * @param periodStart the period's first instant; stored with the counter when it is created, so that
 *     the reset job closes the period the counter was made for even if the user's zone or anchor change
 * @param periodEnd the first instant after the period; stored likewise
 * @param amount units to add, {@code 1..Quota.MAX_AMOUNT}
 * @param limit refuse the whole command if {@code used + reserved + amount > limit};
 *     {@link Quota#UNLIMITED} to never refuse
 * @param counterExpiresAt after this instant the counter is no longer read and may be dropped
 *     (a TTL in stores that have them)
 */
public record CounterDelta(QuotaType type, String periodId, Instant periodStart, Instant periodEnd, long amount,
    long limit, Instant counterExpiresAt) {
  public CounterDelta {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(periodId, "periodId");
    Objects.requireNonNull(periodStart, "periodStart");
    Objects.requireNonNull(periodEnd, "periodEnd");
    Objects.requireNonNull(counterExpiresAt, "counterExpiresAt");
    if (amount < 1 || amount > Quota.MAX_AMOUNT) {
      throw new IllegalArgumentException("amount out of range: " + amount);
    }
    if (limit < 0) {
      throw new IllegalArgumentException("negative limit: " + limit);
    }
  }

  public CounterKey key() {
    return new CounterKey(type, periodId);
  }

  public CounterPeriod period() {
    return new CounterPeriod(type, periodId, periodStart, periodEnd, counterExpiresAt);
  }

  public boolean isLimited() {
    return limit != Quota.UNLIMITED;
  }
}
