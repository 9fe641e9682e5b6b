package dev.usage.redis;

import dev.usage.QuotaType;
import java.time.Instant;
import java.util.Objects;

/**
 * A user's quota standing as published to the live feed by {@link RedisLiveFeed#publishQuotaChange}.
 *
 * @param streamId the Redis stream entry id, increasing in publication order
 * @param userId the user
 * @param type the quota type
 * @param used units taken in the current period: used, and held by open reservations (this storage publishes
 *     a standing at every admitted consume, not at a commit or release)
 * @param limit the limit of the current period ({@link dev.usage.Quota#UNLIMITED} when there is none)
 * @param publishedAt when Redis received it (from the stream id, millisecond precision)
 */
public record LiveQuotaChange(String streamId, String userId, QuotaType type, long used, long limit,
    Instant publishedAt) {

  public LiveQuotaChange {
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(publishedAt, "publishedAt");
  }
}
