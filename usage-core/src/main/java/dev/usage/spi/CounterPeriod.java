package dev.usage.spi;

import dev.usage.QuotaType;
import java.time.Instant;
import java.util.Objects;

/**
 * Names one counter of one user together with its period's bounds and expiry: what a store that can lose
 * counters needs to rebuild one (see {@link CounterStore#readPeriods}).
 *
 * @param type the quota type
 * @param periodId the period (see {@link CounterKey})
 * @param periodStart the period's first instant
 * @param periodEnd the first instant after the period
 * @param counterExpiresAt after this instant the counter is no longer read (see {@link CounterDelta})
 */
public record CounterPeriod(QuotaType type, String periodId, Instant periodStart, Instant periodEnd,
    Instant counterExpiresAt) {
  public CounterPeriod {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(periodId, "periodId");
    Objects.requireNonNull(periodStart, "periodStart");
    Objects.requireNonNull(periodEnd, "periodEnd");
    Objects.requireNonNull(counterExpiresAt, "counterExpiresAt");
  }

  public CounterKey key() {
    return new CounterKey(type, periodId);
  }
}
