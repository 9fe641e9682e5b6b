package dev.usage.benchmarks.redis;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageStorageException;
import dev.usage.UsageTrackingService;
import dev.usage.benchmarks.ConsumeShape;
import dev.usage.benchmarks.ConsumeSide;
import dev.usage.benchmarks.CounterTotals;
import dev.usage.benchmarks.IdempotencyKeys;
import dev.usage.benchmarks.Parallel;
import dev.usage.redis.RedisUsageStorage;
import io.lettuce.core.RedisClient;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ours: {@code engine.tracking().consumeQuota} through the public API, SYNC mode, over
 * {@link RedisUsageStorage} (one shared Lettuce connection, as the storage opens it) with a key prefix of
 * its own. Either 1 request ({@link ConsumeShape#ONE_QUOTA}), or characters + requests + tokens under a fresh
 * idempotency key per call ({@link ConsumeShape#THREE_QUOTAS_WITH_KEY}). Every user consumes once in the
 * constructor, so that the measured consumes find their counters (as the bare side finds its keys).
 * Nothing here depends on how many commands a consume takes.
 */
final class EngineConsume implements ConsumeSide {

  private final RedisUsageStorage storage;
  private final UsageEngine engine;
  private final UsageTrackingService tracking;
  private final ConsumeShape shape;
  private final String[] users;
  private final Consumption[] requests;
  private final IdempotencyKeys keys = new IdempotencyKeys();
  private final LongAdder admitted = new LongAdder();

  EngineConsume(RedisClient client, String keyPrefix, int users, ConsumeShape shape) {
    this.shape = shape;
    this.storage = start(client, keyPrefix);
    this.engine = UsageEngine.builder()
        .storage(storage)
        .trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false)
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, ConsumeShape.LIMIT))
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, ConsumeShape.LIMIT))
        .defaultQuota(Quota.monthly(QuotaType.TOKENS, ConsumeShape.LIMIT))
        .build();
    this.tracking = engine.tracking();
    this.users = new String[users];
    this.requests = new Consumption[users];
    for (int i = 0; i < users; i++) {
      this.users[i] = "user-" + i;
      requests[i] = Consumption.of(this.users[i], QuotaType.REQUESTS, 1);
    }
    Parallel.forEach(users, 16, this::consume);
  }

  /**
   * Builds the storage with its defaults. Its start-up check pipelines one EXISTS per Cluster slot (16,384),
   * each within the 1 s command timeout, which a cold JVM on a loaded 2-core machine can miss; then the
   * prefix is emptied and the start tried again (at most 3 times), and a line says so.
   */
  private static RedisUsageStorage start(RedisClient client, String keyPrefix) {
    for (int attempt = 1; ; attempt++) {
      try {
        return RedisUsageStorage.builder(client).keyPrefix(keyPrefix).build();
      } catch (UsageStorageException e) {
        if (attempt == 3) {
          throw e;
        }
        System.out.println("redis: storage start-up failed, retrying on an emptied prefix: " + e.getMessage());
        BenchRedis.deleteKeys(client, keyPrefix);
      }
    }
  }

  @Override
  public void consume(int user) {
    Consumption c = shape.keyed() ? ConsumeShape.threeQuotas(users[user], keys.next(user)) : requests[user];
    QuotaDecision d = tracking.consumeQuota(c);
    if (!d.allowed() || d.degraded() || d.replayed()) {
      throw new IllegalStateException("consume not admitted and counted: " + d);
    }
    admitted.increment();
  }

  /**
   * Every admitted consume is in the counters exactly once, one counter per user (read through the
   * storage's own counter scan); with idempotency keys, the first key sent again (for the user it went to) is
   * answered as a replay and counts nothing.
   */
  @Override
  public void verify() {
    if (shape.keyed()) {
      QuotaDecision again = tracking.consumeQuota(ConsumeShape.threeQuotas(users[keys.firstUser()], IdempotencyKeys.FIRST));
      if (!again.allowed() || !again.replayed()) {
        throw new IllegalStateException("idempotency key k1 sent again was not replayed: " + again);
      }
    }
    CounterTotals totals = CounterTotals.scan(storage.counters());
    Map<QuotaType, Long> used = totals.used();
    long n = admitted.sum();
    Map<QuotaType, Long> expected = shape.units(n);
    if (!used.equals(expected) || totals.users() != users.length) {
      throw new IllegalStateException("counters hold " + used + " for " + totals.users() + " users, but " + n
          + " consumes of " + users.length + " users were admitted (expected " + expected + ")");
    }
  }

  /** Closes the engine, which closes the storage (the client stays open for the clean-up). */
  @Override
  public void close() {
    engine.close();
  }
}
