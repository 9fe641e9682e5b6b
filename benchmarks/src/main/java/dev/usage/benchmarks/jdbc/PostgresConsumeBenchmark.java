package dev.usage.benchmarks.jdbc;

import dev.usage.benchmarks.ConsumeShape;
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
 * Consume on PostgreSQL, a random user of {@code users} per call (one hot user at 1): {@code ours} (the engine
 * over the JDBC storage, {@link EngineConsume}) beside {@code bare} (one conditional UPDATE, {@link BareConsume})
 * and {@code bucket4j} (Bucket4j's PostgreSQL proxy, {@link Bucket4jPostgresConsume}), each over a HikariCP pool
 * of {@code poolSize} connections in a freshly created schema. {@code shape}: 1 request, or characters +
 * requests + tokens under a fresh idempotency key per call, on every side. Threads: 32 by default, set per fork
 * by {@link JdbcSuite} (JMH {@code -t}). Target: single quota, 32 threads, 10,000 users, ours at least 0.8 times
 * bare. Each trial ends by checking the stored counts against the admitted consumes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 3)
@Fork(3)
@Threads(32)
public class PostgresConsumeBenchmark {

  @Param({"10000", "1"})
  public int users;

  @Param({"ONE_QUOTA", "THREE_QUOTAS_WITH_KEY"})
  public ConsumeShape shape;

  @Param("16")
  public int poolSize;

  private ConsumeSide side;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    String name = params.getBenchmark();
    side = switch (name.substring(name.lastIndexOf('.') + 1)) {
      case "ours" -> new EngineConsume(BenchDatabases.freshPostgres(poolSize), users, shape);
      case "bare" -> new BareConsume(BenchDatabases.freshPostgres(poolSize), users, shape, false);
      case "bareReadingSettings" -> new BareConsume(BenchDatabases.freshPostgres(poolSize), users, shape, true);
      case "bucket4j" -> Bucket4jPostgresConsume.create(BenchDatabases.freshPostgres(poolSize), users, shape);
      default -> throw new IllegalArgumentException("no side for " + name);
    };
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

  private int user() {
    return users == 1 ? 0 : ThreadLocalRandom.current().nextInt(users);
  }

  @Benchmark
  public void ours() {
    side.consume(user());
  }

  @Benchmark
  public void bare() {
    side.consume(user());
  }

  /** Bucket4j's PostgreSQL proxy manager (select-for-update), one bucket per user and quota. */
  @Benchmark
  public void bucket4j() {
    side.consume(user());
  }

  /**
   * Diagnostic, not in {@link JdbcSuite}'s groups (run it with JMH directly): the bare UPDATE preceded by a settings SELECT on its own connection, the
   * shape of the engine's consume without a settings cache. Splits the gap between round trips and the rest.
   */
  @Benchmark
  public void bareReadingSettings() {
    side.consume(user());
  }
}
