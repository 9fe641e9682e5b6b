package dev.usage.spi;

import dev.usage.QuotaType;
import java.util.Objects;

/**
 * A counter as found by a scan, with its owner.
 *
 * @param userId the user
 * @param type the quota type
 * @param periodId the period (see {@link CounterKey})
 * @param used units consumed or committed
 * @param reserved units held by reservations that have not lapsed
 */
public record StoredCounter(String userId, QuotaType type, String periodId, long used, long reserved) {
  public StoredCounter {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(periodId, "periodId");
  }
}
