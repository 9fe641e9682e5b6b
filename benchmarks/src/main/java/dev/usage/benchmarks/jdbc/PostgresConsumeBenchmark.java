package dev.usage.benchmarks.jdbc;

import dev.usage.benchmarks.ConsumeSide;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
 * Single-quota consume on PostgreSQL, 32 threads, a random user of 10,000 per call: {@code ours} (the
 * engine over the JDBC storage) beside {@code bare} (one conditional UPDATE), both over a HikariCP pool of
 * {@code poolSize} connections in a freshly created schema. Target: ours at least 0.8 times bare.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 3)
@Fork(3)
@Threads(32)
public class PostgresConsumeBenchmark {

  @Param("10000")
  public int users;

  @Param("16")
  public int poolSize;

  private ConsumeSide side;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    String name = params.getBenchmark();
    if (name.endsWith(".ours")) {
      side = new EngineConsume(BenchDatabases.freshPostgres(poolSize), users);
    } else {
      side = new BareConsume(BenchDatabases.freshPostgres(poolSize), users, name.endsWith(".bareReadingSettings"));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      side.verify();
    } finally {
      side.close();
      BenchDatabases.dropPostgres();
    }
  }

  @Benchmark
  public void ours() {
    side.consume(ThreadLocalRandom.current().nextInt(users));
  }

  @Benchmark
  public void bare() {
    side.consume(ThreadLocalRandom.current().nextInt(users));
  }

  /**
   * Diagnostic, not a target: the bare UPDATE preceded by a settings SELECT on its own connection, the
   * shape of the engine's consume without a settings cache. Splits the gap between round trips and the rest.
   */
  @Benchmark
  public void bareReadingSettings() {
    side.consume(ThreadLocalRandom.current().nextInt(users));
  }
}
