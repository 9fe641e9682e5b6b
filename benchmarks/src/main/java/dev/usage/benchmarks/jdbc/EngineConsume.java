package dev.usage.benchmarks.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageTrackingService;
import dev.usage.benchmarks.ConsumeShape;
import dev.usage.benchmarks.ConsumeSide;
import dev.usage.benchmarks.CounterTotals;
import dev.usage.benchmarks.IdempotencyKeys;
import dev.usage.benchmarks.Parallel;
import dev.usage.jdbc.JdbcUsageStorage;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ours: {@code engine.tracking().consumeQuota} through the public API, SYNC mode, over {@link JdbcUsageStorage}
 * on the given pool, with the schema the library ships and a monthly default quota of each type the shape
 * takes. Either 1 request ({@link ConsumeShape#ONE_QUOTA}), or characters + requests + tokens under a fresh
 * idempotency key per call ({@link ConsumeShape#THREE_QUOTAS_WITH_KEY}). Every user consumes once in the
 * constructor, so that the measured consumes find their counter rows (as the bare side finds its pre-seeded
 * rows). Nothing here depends on how many statements a consume takes.
 */
final class EngineConsume implements ConsumeSide {

  private final HikariDataSource pool;
  private final JdbcUsageStorage storage;
  private final UsageEngine engine;
  private final UsageTrackingService tracking;
  private final ConsumeShape shape;
  private final String[] users;
  private final Consumption[] requests;
  private final IdempotencyKeys keys = new IdempotencyKeys();
  private final LongAdder admitted = new LongAdder();

  EngineConsume(HikariDataSource pool, int users, ConsumeShape shape) {
    this.pool = pool;
    this.shape = shape;
    this.storage = JdbcUsageStorage.builder(pool).initializeSchema(true).build();
    UsageEngine.Builder builder = UsageEngine.builder()
        .storage(storage)
        .trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false);
    for (QuotaType type : shape.types()) {
      builder.defaultQuota(Quota.monthly(type, ConsumeShape.LIMIT));
    }
    this.engine = builder.build();
    this.tracking = engine.tracking();
    this.users = new String[users];
    this.requests = new Consumption[users];
    for (int i = 0; i < users; i++) {
      this.users[i] = "user-" + i;
      requests[i] = Consumption.builder(this.users[i]).requests(1).build();
    }
    Parallel.forEach(users, pool.getMaximumPoolSize(), this::consume);
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
   * Every admitted consume is in the counters exactly once, per quota type, one counter row per user and type
   * (read through the storage's own counter scan); with idempotency keys, the first key sent again (for the
   * user it went to) is answered as a replay and counts nothing.
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
    long rows = BenchDatabases.queryLong(pool, "SELECT COUNT(*) FROM usage_counters");
    long n = admitted.sum();
    Map<QuotaType, Long> expected = shape.units(n);
    if (!totals.used().equals(expected) || totals.users() != users.length
        || rows != (long) users.length * shape.types().length) {
      throw new IllegalStateException("counters hold " + totals.used() + " for " + totals.users() + " users in "
          + rows + " rows, but " + n + " consumes of " + users.length + " users were admitted (expected " + expected
          + ")");
    }
  }

  @Override
  public void close() {
    engine.close();
    pool.close();
  }
}
