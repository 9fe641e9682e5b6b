package dev.usage.benchmarks.memory;

import dev.usage.QuotaType;
import dev.usage.benchmarks.ConsumeShape;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The peer: Bucket4j 8.14's local buckets ({@code Bucket.builder()}, its default lock-free synchronization),
 * one bucket per user and quota in a {@code ConcurrentHashMap} keyed {@code user-N:requests}, as an
 * application would glue it: the keys are built once per user (as ours gets a user id), looked up per call
 * ({@code get}, then {@code computeIfAbsent}). A bucket holds {@link Expected#LIMIT} tokens refilled in full
 * every 30 days, the nearest Bucket4j has to a monthly limit; nothing refills during a run, so the tokens
 * taken are exactly the consumes. Three quotas: the three buckets are tried in order and, if one refused,
 * the tokens taken from the ones before are given back ({@code addTokens}); the idempotency key is
 * remembered in a {@code ConcurrentHashMap} of seen keys ({@code putIfAbsent} first, a key seen again
 * counts nothing). The keys of a run are unique across users, so one map stands in for a map per user.
 * Every user's buckets are created by one consume in the constructor.
 */
final class Bucket4jLocalConsume implements LocalSide {

  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Boolean> seenKeys = new ConcurrentHashMap<>();
  private final ConsumeShape shape;
  private final QuotaType[] types;
  private final long[] amounts;
  private final String[][] keys;
  private final LongAdder admitted = new LongAdder();

  Bucket4jLocalConsume(int users, ConsumeShape shape) {
    this.shape = shape;
    this.types = shape.types();
    this.amounts = shape.amounts();
    this.keys = Expected.keys(users, types);
    for (int i = 0; i < users; i++) {
      consume(i, "setup-" + i);
    }
  }

  private static Bucket newBucket(String key) {
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(Expected.LIMIT).refillIntervally(Expected.LIMIT, Duration.ofDays(30)).build())
        .build();
  }

  private Bucket bucket(String key) {
    Bucket b = buckets.get(key);
    return b != null ? b : buckets.computeIfAbsent(key, Bucket4jLocalConsume::newBucket);
  }

  @Override
  public void consume(int user, String key) {
    if (shape == ConsumeShape.THREE_QUOTAS_WITH_KEY && seenKeys.putIfAbsent(key, Boolean.TRUE) != null) {
      throw new IllegalStateException("key " + key + " seen before");
    }
    String[] k = keys[user];
    for (int q = 0; q < k.length; q++) {
      if (!bucket(k[q]).tryConsume(amounts[q])) {
        for (int back = 0; back < q; back++) {
          bucket(k[back]).addTokens(amounts[back]);
        }
        throw new IllegalStateException("bucket4j refused " + amounts[q] + " tokens of " + k[q]);
      }
    }
    admitted.increment();
  }

  /** The tokens missing from the buckets add up to the admitted consumes, per quota; a seen key counts nothing. */
  @Override
  public void verify() {
    if (shape == ConsumeShape.THREE_QUOTAS_WITH_KEY && seenKeys.putIfAbsent("setup-0", Boolean.TRUE) == null) {
      throw new IllegalStateException("idempotency key setup-0 was not remembered");
    }
    Map<QuotaType, Long> taken = new TreeMap<>();
    for (String[] user : keys) {
      for (int q = 0; q < types.length; q++) {
        Bucket b = buckets.get(user[q]);
        if (b == null) {
          throw new IllegalStateException("no bucket " + user[q]);
        }
        taken.merge(types[q], Expected.LIMIT - b.getAvailableTokens(), Long::sum);
      }
    }
    Map<QuotaType, Long> expected = shape.units(admitted.sum());
    if (!taken.equals(expected) || buckets.size() != keys.length * types.length) {
      throw new IllegalStateException("bucket4j buckets (" + buckets.size() + ") lack " + taken + " tokens but "
          + admitted.sum() + " consumes were admitted (expected " + expected + ")");
    }
  }

  @Override
  public void close() {
    buckets.clear();
    seenKeys.clear();
  }
}
