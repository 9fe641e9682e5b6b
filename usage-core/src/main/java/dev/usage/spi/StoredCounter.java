package dev.usage.spi;

import dev.usage.QuotaType;
import java.time.Instant;
import java.util.Objects;

/**
 * A counter as found by a scan, with its owner.
 *
 * @param userId the user
 * @param type the quota type
 * @param periodId the period (see {@link CounterKey})
 * @param periodStart the period's first instant, as stored when the counter was created
 * @param periodEnd the first instant after the period, as stored when the counter was created
 * @param used units consumed or committed
 * @param reserved units held by reservations that have not lapsed
 */
public record StoredCounter(String userId, QuotaType type, String periodId, Instant periodStart, Instant periodEnd,
    long used, long reserved) {
  public StoredCounter {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(periodId, "periodId");
    Objects.requireNonNull(periodStart, "periodStart");
    Objects.requireNonNull(periodEnd, "periodEnd");
  }
}
