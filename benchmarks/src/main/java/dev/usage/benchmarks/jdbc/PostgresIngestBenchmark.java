package dev.usage.benchmarks.jdbc;

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
 * plain JDBC batch insert into the same table; {@code bareCopy}: a {@code COPY} of the same rows. The table is
 * emptied before each iteration so every side meets the same index sizes ({@link IngestTrial}, shared with
 * {@link H2IngestBenchmark}). Target: ours at least 0.8 times bare.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 3)
@Fork(3)
@Threads(1)
public class PostgresIngestBenchmark {

  @Param("10000")
  public int users;

  @Param("4")
  public int poolSize;

  private IngestTrial trial;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    String name = params.getBenchmark();
    trial = new IngestTrial(BenchDatabases.freshPostgres(poolSize), name.substring(name.lastIndexOf('.') + 1), users,
        BenchDatabases::dropPostgres);
  }

  @Setup(Level.Iteration)
  public void emptyTable() {
    trial.emptyTables();
  }

  @Setup(Level.Invocation)
  public void nextBatch() {
    trial.nextBatch();
  }

  @TearDown(Level.Iteration)
  public void verify() {
    trial.verify();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    trial.close();
  }

  @Benchmark
  @OperationsPerInvocation(IngestTrial.BATCH)
  public void append() {
    trial.write();
  }

  @Benchmark
  @OperationsPerInvocation(IngestTrial.BATCH)
  public void asyncEngine() {
    trial.write();
  }

  @Benchmark
  @OperationsPerInvocation(IngestTrial.BATCH)
  public void bare() {
    trial.write();
  }

  @Benchmark
  @OperationsPerInvocation(IngestTrial.BATCH)
  public void bareCopy() {
    trial.write();
  }
}
