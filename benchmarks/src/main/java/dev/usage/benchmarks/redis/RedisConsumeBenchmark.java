package dev.usage.benchmarks.redis;

import dev.usage.benchmarks.ConsumeShape;
import dev.usage.benchmarks.ConsumeSide;
import io.lettuce.core.RedisClient;
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
 * Consume on Redis, a random user of {@code users} per call (one hot user at 1), each side through one shared
 * Lettuce connection under a key prefix of its own: {@code ours} (the engine over the Redis storage),
 * {@code bare} (one EVALSHA of a minimal conditional increment, {@link BareScriptConsume}) and {@code bucket4j}
 * (Bucket4j's Lettuce proxy, {@link Bucket4jConsume}). {@code shape}: 1 request, or characters + requests +
 * tokens under a fresh idempotency key per call, on every side. Threads: 32 by default, set per fork by
 * {@link RedisSuite} (JMH {@code -t}). Each trial ends by checking the stored counts against the admitted
 * consumes, then deletes its keys.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 3)
@Fork(3)
@Threads(32)
public class RedisConsumeBenchmark {

  @Param({"10000", "1"})
  public int users;

  @Param({"ONE_QUOTA", "THREE_QUOTAS_WITH_KEY"})
  public ConsumeShape shape;

  private RedisClient client;
  private String prefix;
  private ConsumeSide side;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    String name = params.getBenchmark();
    String method = name.substring(name.lastIndexOf('.') + 1);
    client = BenchRedis.client();
    prefix = BenchRedis.freshPrefix();
    try {
      side = switch (method) {
        case "ours" -> new EngineConsume(client, prefix, users, shape);
        case "bare" -> new BareScriptConsume(client, prefix, users, shape);
        case "bucket4j" -> Bucket4jConsume.create(client, prefix, users, shape);
        default -> throw new IllegalArgumentException("no side for " + name);
      };
    } catch (RuntimeException e) {
      cleanUp();
      throw e;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      side.verify();
    } finally {
      try {
        side.close();
      } finally {
        cleanUp();
      }
    }
  }

  private void cleanUp() {
    try {
      long deleted = BenchRedis.deleteKeys(client, prefix);
      System.out.println("redis: deleted " + deleted + " keys under " + prefix);
    } finally {
      client.shutdown();
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

  /** Bucket4j's Lettuce proxy manager, one bucket per user and quota. */
  @Benchmark
  public void bucket4j() {
    side.consume(user());
  }
}
