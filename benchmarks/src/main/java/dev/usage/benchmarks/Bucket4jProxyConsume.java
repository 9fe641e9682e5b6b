package dev.usage.benchmarks;

import dev.usage.QuotaType;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * The peer on a server: Bucket4j's buckets behind one of its proxy managers (the Lettuce one on Redis, the
 * PostgreSQL one over JDBC), glued per user and quota as an application would, so that every backend's
 * Bucket4j side does the same thing and only the proxy manager differs. One bucket per user and quota
 * (its key from {@link Keys}), built once; a bucket holds {@link #CAPACITY} tokens refilled in full only after
 * 3,650 days, so nothing is refused and the tokens taken are exactly the consumes. One quota:
 * {@code tryConsume(1)}. Three quotas: the idempotency key is remembered first in the same server
 * ({@code rememberKey}, false when it was seen: refused), then the three buckets are tried in order and, if one
 * refuses, the tokens taken from the ones before are given back ({@code addTokens}). Every user's buckets are
 * created by one consume in the constructor. Thread-safe.
 *
 * @param <K> the proxy manager's key type
 */
public final class Bucket4jProxyConsume<K> implements ConsumeSide {

  /** The buckets' capacity: far above what a trial consumes. */
  public static final long CAPACITY = 1_000_000_000_000L;

  /** The key of user {@code user}'s bucket for the {@code quota}-th quota of the shape. */
  @FunctionalInterface
  public interface Keys<K> {
    K key(int user, int quota);
  }

  private final ConsumeShape shape;
  private final QuotaType[] types;
  private final long[] amounts;
  private final BucketProxy[][] buckets;
  private final Predicate<String> rememberKey;
  private final AutoCloseable onClose;
  private final IdempotencyKeys keys = new IdempotencyKeys();
  private final LongAdder admitted = new LongAdder();

  /**
   * @param rememberKey stores an idempotency key in the server, true when it was new (three quotas only)
   * @param onClose closes what the caller opened for the proxy manager (connection, pool)
   */
  public Bucket4jProxyConsume(ProxyManager<K> proxies, Keys<K> bucketKeys, int users, ConsumeShape shape,
      Predicate<String> rememberKey, AutoCloseable onClose) {
    this.shape = shape;
    this.types = shape.types();
    this.amounts = shape.amounts();
    this.rememberKey = rememberKey;
    this.onClose = onClose;
    BucketConfiguration configuration = BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(CAPACITY).refillIntervally(CAPACITY, Duration.ofDays(3_650)).build())
        .build();
    this.buckets = new BucketProxy[users][types.length];
    for (int i = 0; i < users; i++) {
      for (int q = 0; q < types.length; q++) {
        buckets[i][q] = proxies.builder().build(bucketKeys.key(i, q), () -> configuration);
      }
    }
    Parallel.forEach(users, 16, this::consume);
  }

  @Override
  public void consume(int user) {
    if (shape.keyed()) {
      String key = keys.next(user);
      if (!rememberKey.test(key)) {
        throw new IllegalStateException("idempotency key " + key + " seen before");
      }
    }
    BucketProxy[] b = buckets[user];
    for (int q = 0; q < b.length; q++) {
      if (!b[q].tryConsume(amounts[q])) {
        for (int back = 0; back < q; back++) {
          b[back].addTokens(amounts[back]);
        }
        throw new IllegalStateException("bucket4j refused " + amounts[q] + " tokens of user-" + user + " " + types[q]);
      }
    }
    admitted.increment();
  }

  /**
   * The tokens missing from the buckets add up to the admitted consumes, per quota; with keys, the first key
   * sent again is refused.
   */
  @Override
  public void verify() {
    if (shape.keyed() && rememberKey.test(IdempotencyKeys.FIRST)) {
      throw new IllegalStateException("idempotency key " + IdempotencyKeys.FIRST + " was not remembered");
    }
    LongAdder[] taken = new LongAdder[types.length];
    for (int q = 0; q < types.length; q++) {
      taken[q] = new LongAdder();
    }
    Parallel.forEach(buckets.length, 16, i -> {
      for (int q = 0; q < types.length; q++) {
        taken[q].add(CAPACITY - buckets[i][q].getAvailableTokens());
      }
    });
    Map<QuotaType, Long> lacking = new TreeMap<>();
    for (int q = 0; q < types.length; q++) {
      lacking.put(types[q], taken[q].sum());
    }
    Map<QuotaType, Long> expected = shape.units(admitted.sum());
    if (!lacking.equals(expected)) {
      throw new IllegalStateException("bucket4j buckets lack " + lacking + " tokens but " + admitted.sum()
          + " consumes were admitted (expected " + expected + ")");
    }
  }

  @Override
  public void close() {
    try {
      onClose.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing the bucket4j side failed", e);
    }
  }
}
