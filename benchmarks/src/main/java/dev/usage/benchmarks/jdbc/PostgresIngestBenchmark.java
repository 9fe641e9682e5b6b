package dev.usage.benchmarks.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.UsageEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Event ingestion into PostgreSQL's {@code usage_tracking} with the shipped schema and its analytics
 * indexes: batches of 1,000 distinct events, one writer thread. The score is rows per second
 * ({@link OperationsPerInvocation}). {@code append}: {@code JdbcUsageStorage.events().append};
 * {@code asyncEngine}: the engine in ASYNC mode, until its writer has flushed the batch; {@code bare}: a
 * plain JDBC batch insert into the same table. The table is emptied before each iteration so every side
 * meets the same index sizes. Target: ours at least 0.8 times bare.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 3)
@Fork(3)
@Threads(1)
public class PostgresIngestBenchmark {

  static final int BATCH = 1_000;

  @Param("10000")
  public int users;

  @Param("4")
  public int poolSize;

  private HikariDataSource pool;
  private IngestSide side;
  private EventBatches events;
  private List<UsageEvent> batch;
  private long written;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    pool = BenchDatabases.freshPostgres(poolSize);
    String name = params.getBenchmark();
    if (name.endsWith(".bare")) {
      side = new BareEventInsert(pool);
    } else if (name.endsWith(".bareCopy")) {
      side = new BareEventCopy(pool);
    } else if (name.endsWith(".asyncEngine")) {
      side = new AsyncEngineIngest(pool, BATCH);
    } else {
      side = new EventStoreAppend(pool);
    }
    events = new EventBatches(users);
  }

  @Setup(Level.Iteration)
  public void emptyTable() {
    BenchDatabases.execute(pool, "TRUNCATE usage_tracking, usage_tracking_custom");
    written = 0;
  }

  @Setup(Level.Invocation)
  public void nextBatch() {
    batch = events.next(BATCH);
  }

  @TearDown(Level.Iteration)
  public void verify() {
    long stored = BenchDatabases.queryLong(pool, "SELECT COUNT(*) FROM usage_tracking");
    if (stored != written) {
      throw new IllegalStateException("usage_tracking holds " + stored + " rows, " + written + " were written");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      side.close();
    } finally {
      pool.close();
      BenchDatabases.dropPostgres();
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void append() {
    write();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void asyncEngine() {
    write();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void bare() {
    write();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void bareCopy() {
    write();
  }

  private void write() {
    side.write(batch);
    written += batch.size();
  }
}
