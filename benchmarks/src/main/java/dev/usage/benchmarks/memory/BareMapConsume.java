package dev.usage.benchmarks.memory;

import dev.usage.QuotaType;
import dev.usage.benchmarks.ConsumeShape;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bare primitive: a {@code ConcurrentHashMap<String, AtomicLong>} of counters keyed as Bucket4j's buckets
 * ({@code user-N:requests}, keys built once per user, {@code get} then {@code computeIfAbsent} per call), and a
 * limit check in a compare-and-set loop: read, refuse if the amount would pass {@link Expected#LIMIT}, else
 * {@code compareAndSet(v, v + n)}. Three quotas: three counters in order, the ones before given back on a
 * refusal, and the idempotency key in a map of seen keys, as {@link Bucket4jLocalConsume} does. Every
 * user's counters are created by one consume in the constructor.
 */
final class BareMapConsume implements LocalSide {

  private final ConcurrentHashMap<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Boolean> seenKeys = new ConcurrentHashMap<>();
  private final ConsumeShape shape;
  private final QuotaType[] types;
  private final long[] amounts;
  private final String[][] keys;
  private final LongAdder admitted = new LongAdder();

  BareMapConsume(int users, ConsumeShape shape) {
    this.shape = shape;
    this.types = shape.types();
    this.amounts = shape.amounts();
    this.keys = Expected.keys(users, types);
    for (int i = 0; i < users; i++) {
      consume(i, "setup-" + i);
    }
  }

  private AtomicLong counter(String key) {
    AtomicLong c = counters.get(key);
    return c != null ? c : counters.computeIfAbsent(key, k -> new AtomicLong());
  }

  private static boolean add(AtomicLong c, long n) {
    while (true) {
      long v = c.get();
      if (v + n > Expected.LIMIT) {
        return false;
      }
      if (c.compareAndSet(v, v + n)) {
        return true;
      }
    }
  }

  @Override
  public void consume(int user, String key) {
    if (shape == ConsumeShape.THREE_QUOTAS_WITH_KEY && seenKeys.putIfAbsent(key, Boolean.TRUE) != null) {
      throw new IllegalStateException("key " + key + " seen before");
    }
    String[] k = keys[user];
    for (int q = 0; q < k.length; q++) {
      if (!add(counter(k[q]), amounts[q])) {
        for (int back = 0; back < q; back++) {
          counter(k[back]).addAndGet(-amounts[back]);
        }
        throw new IllegalStateException("bare counter " + k[q] + " refused " + amounts[q]);
      }
    }
    admitted.increment();
  }

  /** The counters add up to the admitted consumes, per quota, and each exists; a seen key counts nothing. */
  @Override
  public void verify() {
    if (shape == ConsumeShape.THREE_QUOTAS_WITH_KEY && seenKeys.putIfAbsent("setup-0", Boolean.TRUE) == null) {
      throw new IllegalStateException("idempotency key setup-0 was not remembered");
    }
    Map<QuotaType, Long> used = new TreeMap<>();
    for (String[] user : keys) {
      for (int q = 0; q < types.length; q++) {
        AtomicLong c = counters.get(user[q]);
        if (c == null) {
          throw new IllegalStateException("no counter " + user[q]);
        }
        used.merge(types[q], c.get(), Long::sum);
      }
    }
    Map<QuotaType, Long> expected = shape.units(admitted.sum());
    if (!used.equals(expected) || counters.size() != keys.length * types.length) {
      throw new IllegalStateException("bare counters (" + counters.size() + ") hold " + used + " but "
          + admitted.sum() + " consumes were admitted (expected " + expected + ")");
    }
  }

  @Override
  public void close() {
    counters.clear();
    seenKeys.clear();
  }
}
