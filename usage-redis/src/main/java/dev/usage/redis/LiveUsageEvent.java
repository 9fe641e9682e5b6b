package dev.usage.redis;

import dev.usage.QuotaType;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A newly recorded event as the live feed carries it: what a dashboard shows of the traffic of every
 * instance sharing the Redis.
 *
 * @param streamId the Redis stream entry id, increasing in publication order
 * @param userId the user
 * @param eventId the event id
 * @param occurredAt when the request happened (microsecond precision)
 * @param feature the product feature used
 * @param quantities units by quota type, zero amounts left out
 * @param success whether the request succeeded
 */
public record LiveUsageEvent(String streamId, String userId, String eventId, Instant occurredAt, String feature,
    Map<QuotaType, Long> quantities, boolean success) {

  public LiveUsageEvent {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(feature, "feature");
    quantities = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(quantities, "quantities")));
  }

  /** The units of one type, 0 when the event has none. */
  public long quantity(QuotaType type) {
    return quantities.getOrDefault(type, 0L);
  }
}
