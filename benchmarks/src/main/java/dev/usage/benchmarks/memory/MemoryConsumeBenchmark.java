package dev.usage.benchmarks.memory;

import dev.usage.benchmarks.ConsumeShape;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * In-memory consume, a random user of {@code users} per call (one hot user at 1), the same distribution on
 * every side: {@code ours} (the engine over the in-memory storage), {@code bucket4jLocal} (Bucket4j local
 * buckets glued per user and quota) and {@code bareChm} (a map of atomic counters with a limit check).
 * {@code shape}: 1 request, or 3 quotas under a fresh idempotency key per call (keys made per thread, the same
 * way on every side). Threads: set per fork by {@link MemorySuite} (JMH {@code -t}). Each trial ends by
 * checking the counters against the admitted consumes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(3)
public class MemoryConsumeBenchmark {

  @Param({"1", "10000"})
  public int users;

  @Param({"ONE_QUOTA", "THREE_QUOTAS_WITH_KEY"})
  public ConsumeShape shape;

  private LocalSide side;
  private final AtomicInteger threadIds = new AtomicInteger();

  /** Idempotency keys of one thread: {@code t<thread>-<n>}, unique within the trial. */
  @State(Scope.Thread)
  public static class Keys {
    private String prefix;
    private long n;

    @Setup(Level.Trial)
    public void setUp(MemoryConsumeBenchmark b) {
      prefix = "t" + b.threadIds.getAndIncrement() + "-";
    }

    String next(ConsumeShape shape) {
      return shape == ConsumeShape.ONE_QUOTA ? null : prefix + n++;
    }
  }

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    String name = params.getBenchmark();
    side = switch (name.substring(name.lastIndexOf('.') + 1)) {
      case "ours" -> new EngineConsume(users, shape, false);
      case "oursSettingsCached" -> new EngineConsume(users, shape, true);
      case "bucket4jLocal" -> new Bucket4jLocalConsume(users, shape);
      case "bareChm" -> new BareMapConsume(users, shape);
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
  public void ours(Keys keys) {
    side.consume(user(), keys.next(shape));
  }

  /**
   * Diagnostic, not in {@link MemorySuite}'s groups (run it with JMH directly): ours with the engine's settings
   * cache turned on over the same in-memory stores (see {@link EngineConsume}).
   */
  @Benchmark
  public void oursSettingsCached(Keys keys) {
    side.consume(user(), keys.next(shape));
  }

  @Benchmark
  public void bucket4jLocal(Keys keys) {
    side.consume(user(), keys.next(shape));
  }

  @Benchmark
  public void bareChm(Keys keys) {
    side.consume(user(), keys.next(shape));
  }
}
