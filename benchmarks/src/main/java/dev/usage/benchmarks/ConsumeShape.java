package dev.usage.benchmarks;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaType;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one consume asks for, on every side of the in-memory, JDBC and Redis consume comparisons alike (the JMH
 * parameter {@code shape}). Every JDBC and Redis limit is {@link #LIMIT} (the in-memory sides use their own, which
 * Bucket4j's local buckets take as capacity), never reached in a run, so every consume is admitted and takes the
 * full path.
 */
public enum ConsumeShape {
  /** 1 request. */
  ONE_QUOTA,
  /** 100 characters + 1 request + 25 tokens under a fresh idempotency key per call. */
  THREE_QUOTAS_WITH_KEY;

  /** The limit of every quota on every side (the engine's largest amount). */
  public static final long LIMIT = Quota.MAX_AMOUNT;
  public static final long CHARACTERS = 100;
  public static final long TOKENS = 25;

  /** Ours' consume of {@link #THREE_QUOTAS_WITH_KEY}: its three amounts under {@code key}. */
  public static Consumption threeQuotas(String user, String key) {
    return Consumption.builder(user).characters(CHARACTERS).requests(1).tokens(TOKENS).idempotencyKey(key).build();
  }

  /** Whether a consume carries an idempotency key. */
  public boolean keyed() {
    return this == THREE_QUOTAS_WITH_KEY;
  }

  /** The quotas a consume takes, in the order the glued sides take them. */
  public QuotaType[] types() {
    return this == ONE_QUOTA ? new QuotaType[] {QuotaType.REQUESTS}
        : new QuotaType[] {QuotaType.CHARACTERS, QuotaType.REQUESTS, QuotaType.TOKENS};
  }

  /** The amounts matching {@link #types}. */
  public long[] amounts() {
    return this == ONE_QUOTA ? new long[] {1} : new long[] {CHARACTERS, 1, TOKENS};
  }

  /** The units {@code admitted} consumes add up to, per quota type. */
  public Map<QuotaType, Long> units(long admitted) {
    Map<QuotaType, Long> m = new TreeMap<>();
    QuotaType[] types = types();
    long[] amounts = amounts();
    for (int q = 0; q < types.length; q++) {
      m.put(types[q], admitted * amounts[q]);
    }
    return m;
  }
}
