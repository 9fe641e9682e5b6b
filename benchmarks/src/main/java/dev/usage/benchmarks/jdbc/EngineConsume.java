package dev.usage.benchmarks.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageTrackingService;
import dev.usage.benchmarks.ConsumeSide;
import dev.usage.jdbc.JdbcUsageStorage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ours: {@code engine.tracking().consumeQuota} of 1 request through the public API, SYNC mode, over
 * {@link JdbcUsageStorage} on the given pool, with the schema the library ships. Every user consumes once
 * in the constructor, so that the measured consumes find their counter rows (as the bare side finds its
 * pre-seeded rows). Nothing here depends on how many statements a consume takes.
 */
final class EngineConsume implements ConsumeSide {

  /** The limit of every user: never reached, so every consume is admitted and takes the full path. */
  static final long LIMIT = Quota.MAX_AMOUNT;

  private final HikariDataSource pool;
  private final UsageEngine engine;
  private final UsageTrackingService tracking;
  private final Consumption[] requests;
  private final LongAdder admitted = new LongAdder();

  EngineConsume(HikariDataSource pool, int users) {
    this.pool = pool;
    JdbcUsageStorage storage = JdbcUsageStorage.builder(pool).initializeSchema(true).build();
    this.engine = UsageEngine.builder()
        .storage(storage)
        .trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false)
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, LIMIT))
        .build();
    this.tracking = engine.tracking();
    this.requests = new Consumption[users];
    for (int i = 0; i < users; i++) {
      requests[i] = Consumption.builder("user-" + i).requests(1).build();
    }
    seed(pool.getMaximumPoolSize());
  }

  private void seed(int threads) {
    ExecutorService seeders = Executors.newFixedThreadPool(threads);
    try {
      Future<?>[] done = new Future<?>[threads];
      for (int t = 0; t < threads; t++) {
        int first = t;
        done[t] = seeders.submit(() -> {
          for (int i = first; i < requests.length; i += threads) {
            consume(i);
          }
        });
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("seeding the users failed", e);
    } finally {
      seeders.shutdown();
    }
  }

  @Override
  public void consume(int user) {
    QuotaDecision d = tracking.consumeQuota(requests[user]);
    if (!d.allowed() || d.degraded()) {
      throw new IllegalStateException("consume not admitted: " + d);
    }
    admitted.increment();
  }

  @Override
  public void verify() {
    long stored = BenchDatabases.queryLong(pool, "SELECT COALESCE(SUM(used), 0) FROM usage_counters");
    long rows = BenchDatabases.queryLong(pool, "SELECT COUNT(*) FROM usage_counters");
    if (stored != admitted.sum() || rows != requests.length) {
      throw new IllegalStateException("counters hold " + stored + " units in " + rows + " rows, but "
          + admitted.sum() + " consumes of " + requests.length + " users were admitted");
    }
  }

  @Override
  public void close() {
    engine.close();
    pool.close();
  }
}
