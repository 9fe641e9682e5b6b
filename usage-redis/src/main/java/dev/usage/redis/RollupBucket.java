package dev.usage.redis;

import dev.usage.QuotaType;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The totals of one UTC hour or day, from the live rollups.
 *
 * @param start the bucket's start (a whole UTC hour or day)
 * @param length one hour or one day
 * @param events events recorded
 * @param failedEvents events recorded as unsuccessful
 * @param activeUsers distinct users with events in the bucket (1 in a user's own buckets)
 * @param totals units by quota type, zero totals left out
 */
public record RollupBucket(Instant start, Duration length, long events, long failedEvents, long activeUsers,
    Map<QuotaType, Long> totals) {

  public RollupBucket {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(length, "length");
    totals = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(totals, "totals")));
  }

  /** The units of one type, 0 when there are none. */
  public long total(QuotaType type) {
    return totals.getOrDefault(type, 0L);
  }
}
