package dev.usage.benchmarks.redis;

import dev.usage.benchmarks.ConsumeSide;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Diagnostic peer: Bucket4j's Lettuce proxy manager (compare-and-swap based, the one Bucket4j ships for
 * Lettuce), one bucket per user ({@code <prefix>:{user-N}:b4j}) on one shared connection with the storage's
 * timeout, {@code tryConsume(1)} per call. The bucket's capacity is far above what a trial consumes and it
 * refills only after ten years, so nothing is refused and the tokens taken are exactly the consumes. Every
 * user's bucket is created by one consume in the constructor.
 */
final class Bucket4jConsume implements ConsumeSide {

  static final long CAPACITY = 1_000_000_000_000L;

  private final StatefulRedisConnection<String, byte[]> connection;
  private final BucketProxy[] buckets;
  private final LongAdder admitted = new LongAdder();

  Bucket4jConsume(RedisClient client, String keyPrefix, int users) {
    this.connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    connection.setTimeout(BenchRedis.TIMEOUT);
    LettuceBasedProxyManager<String> proxies = Bucket4jLettuce.casBasedBuilder(connection)
        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
        .build();
    BucketConfiguration configuration = BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(CAPACITY).refillIntervally(CAPACITY, Duration.ofDays(3_650)).build())
        .build();
    this.buckets = new BucketProxy[users];
    for (int i = 0; i < users; i++) {
      buckets[i] = proxies.builder().build(keyPrefix + ":{user-" + i + "}:b4j", () -> configuration);
    }
    BenchRedis.forEach(users, 16, this::consume);
  }

  @Override
  public void consume(int user) {
    if (!buckets[user].tryConsume(1)) {
      throw new IllegalStateException("bucket4j refused a token of user-" + user);
    }
    admitted.increment();
  }

  /** The tokens missing from the buckets add up to the admitted consumes. */
  @Override
  public void verify() {
    LongAdder taken = new LongAdder();
    BenchRedis.forEach(buckets.length, 16, i -> taken.add(CAPACITY - buckets[i].getAvailableTokens()));
    if (taken.sum() != admitted.sum()) {
      throw new IllegalStateException("bucket4j buckets lack " + taken.sum() + " tokens but " + admitted.sum()
          + " consumes were admitted");
    }
  }

  @Override
  public void close() {
    connection.close();
  }
}
