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
 * Event ingestion into embedded in-memory H2's {@code usage_tracking} (same JVM) with the shipped schema and
 * its analytics indexes, as {@link PostgresIngestBenchmark} does on PostgreSQL ({@link IngestTrial}): batches
 * of 1,000 distinct events, one writer thread, rows per second. {@code append},
 * {@code asyncEngine} and {@code bare} (a plain JDBC batch insert into the same table); H2 has no
 * {@code COPY}. A fresh database per trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 3)
@Fork(3)
@Threads(1)
public class H2IngestBenchmark {

  @Param("10000")
  public int users;

  @Param("4")
  public int poolSize;

  private IngestTrial trial;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    String name = params.getBenchmark();
    trial = new IngestTrial(BenchDatabases.freshH2(poolSize), name.substring(name.lastIndexOf('.') + 1), users,
        () -> { });
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
}
