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
 * Consume on embedded in-memory H2 (same JVM), a random user of {@code users} per call (one hot user at 1):
 * {@code ours} (the engine over the JDBC storage) beside {@code bare} (one conditional UPDATE, or with three
 * quotas a key INSERT and one UPDATE in a transaction), both over a HikariCP pool of {@code poolSize}
 * connections on a fresh database; {@code shape} as on PostgreSQL. No Bucket4j side: Bucket4j 8.14 ships no
 * proxy manager for H2 (its local buckets are in the in-memory suite). Threads: 8 by default, set per fork by
 * {@link JdbcSuite}. Target: single quota, 8 threads, 10,000 users, ours at least 0.5 times bare.
 *
 * <p>Warm-up is 4 x 10 s, longer than the other suites': with 8 busy threads on 2 cores the JIT compiler
 * threads get little CPU, and after 2 x 5 s both sides were still speeding up from one iteration to the
 * next (bare levelled off after ~25 s, ours after ~40 s), so the measurement mixed warm-up into the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 10)
@Measurement(iterations = 5, time = 3)
@Fork(3)
@Threads(8)
public class H2ConsumeBenchmark {

  @Param({"10000", "1"})
  public int users;

  @Param({"ONE_QUOTA", "THREE_QUOTAS_WITH_KEY"})
  public ConsumeShape shape;

  @Param("8")
  public int poolSize;

  private ConsumeSide side;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    String name = params.getBenchmark();
    side = switch (name.substring(name.lastIndexOf('.') + 1)) {
      case "ours" -> new EngineConsume(BenchDatabases.freshH2(poolSize), users, shape);
      case "bare" -> new BareConsume(BenchDatabases.freshH2(poolSize), users, shape, false);
      case "bareReadingSettings" -> new BareConsume(BenchDatabases.freshH2(poolSize), users, shape, true);
      default -> throw new IllegalArgumentException("no side for " + name);
    };
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      side.verify();
    } finally {
      side.close();
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

  /**
   * Diagnostic, not in {@link JdbcSuite}'s groups (run it with JMH directly): the bare UPDATE preceded by a settings SELECT on its own connection, the
   * shape of the engine's consume without a settings cache. Splits the gap between round trips and the rest.
   */
  @Benchmark
  public void bareReadingSettings() {
    side.consume(user());
  }
}
