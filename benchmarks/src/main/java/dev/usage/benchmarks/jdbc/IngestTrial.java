package dev.usage.benchmarks.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.UsageEvent;
import java.util.List;

/**
 * What the ingestion benchmarks share, whatever the database: the side named by the benchmark method on a
 * fresh pool, batches of {@link #BATCH} distinct events, an empty {@code usage_tracking} before each
 * iteration (so every side meets the same index sizes), and the check after it that the table holds exactly
 * the rows written. Driven by one JMH thread; not thread-safe.
 */
final class IngestTrial implements AutoCloseable {

  static final int BATCH = 1_000;

  private final HikariDataSource pool;
  private final IngestSide side;
  private final EventBatches events;
  private final Runnable dropDatabase;
  private List<UsageEvent> batch;
  private long written;

  /**
   * @param method the benchmark method: {@code append}, {@code asyncEngine}, {@code bare} or {@code bareCopy}
   * @param dropDatabase run after the pool is closed (PostgreSQL drops its schema)
   */
  IngestTrial(HikariDataSource pool, String method, int users, Runnable dropDatabase) {
    this.pool = pool;
    this.dropDatabase = dropDatabase;
    this.side = switch (method) {
      case "append" -> new EventStoreAppend(pool);
      case "asyncEngine" -> new AsyncEngineIngest(pool, BATCH);
      case "bare" -> new BareEventInsert(pool);
      case "bareCopy" -> new BareEventCopy(pool);
      default -> throw new IllegalArgumentException("no ingestion side " + method);
    };
    this.events = new EventBatches(users);
  }

  /** Before each iteration: both event tables emptied. */
  void emptyTables() {
    BenchDatabases.execute(pool, "TRUNCATE TABLE usage_tracking");
    BenchDatabases.execute(pool, "TRUNCATE TABLE usage_tracking_custom");
    written = 0;
  }

  /** Before each invocation, outside the timed call: the next batch of distinct events. */
  void nextBatch() {
    batch = events.next(BATCH);
  }

  /** The measured operation: the batch stored durably by the side. */
  void write() {
    side.write(batch);
    written += batch.size();
  }

  /** After each iteration: the table holds exactly the rows written. */
  void verify() {
    long stored = BenchDatabases.queryLong(pool, "SELECT COUNT(*) FROM usage_tracking");
    if (stored != written) {
      throw new IllegalStateException("usage_tracking holds " + stored + " rows, " + written + " were written");
    }
  }

  @Override
  public void close() {
    try {
      side.close();
    } finally {
      pool.close();
      dropDatabase.run();
    }
  }
}
