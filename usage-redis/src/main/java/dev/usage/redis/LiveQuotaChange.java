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
 * @param used units taken in the current period: used (since the last admin reset of the period), and held by
 *     open reservations
 * @param limit the limit of the current period, with what was carried into it ({@link dev.usage.Quota#UNLIMITED}
 *     when there is none): as {@link dev.usage.QuotaStatus#limit()}
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
