package dev.usage.benchmarks.redis;

import dev.usage.benchmarks.Bucket4jProxyConsume;
import dev.usage.benchmarks.ConsumeShape;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * The peer on Redis: Bucket4j's Lettuce proxy manager (compare-and-swap based, the one Bucket4j ships for
 * Lettuce) glued by {@link Bucket4jProxyConsume}, one bucket per user and quota
 * ({@code <prefix>:{user-N}:b4j:requests}) on one shared connection with the storage's timeout. Three quotas:
 * the idempotency key is a {@code SET <prefix>:{user-N}:b4jk:<key> NX PX 1 day} on the same connection (the
 * user's hash tag is not known to the glue, so the key goes under user 0's; a standalone server does not care).
 */
final class Bucket4jConsume {

  private Bucket4jConsume() {}

  static Bucket4jProxyConsume<String> create(RedisClient client, String keyPrefix, int users, ConsumeShape shape) {
    StatefulRedisConnection<String, byte[]> connection =
        client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    connection.setTimeout(BenchRedis.TIMEOUT);
    try {
      LettuceBasedProxyManager<String> proxies = Bucket4jLettuce.casBasedBuilder(connection)
          .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
          .build();
      String[] quotas = new String[shape.types().length];
      for (int q = 0; q < quotas.length; q++) {
        quotas[q] = shape.types()[q].name().toLowerCase(Locale.ROOT);
      }
      RedisCommands<String, byte[]> sync = connection.sync();
      byte[] one = "1".getBytes(StandardCharsets.US_ASCII);
      SetArgs nx = SetArgs.Builder.nx().px(Duration.ofDays(1).toMillis());
      return new Bucket4jProxyConsume<>(proxies, (user, q) -> keyPrefix + ":{user-" + user + "}:b4j:" + quotas[q],
          users, shape, key -> "OK".equals(sync.set(keyPrefix + ":{user-0}:b4jk:" + key, one, nx)), connection::close);
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }
}
