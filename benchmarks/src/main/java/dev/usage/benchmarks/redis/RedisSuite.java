package dev.usage.benchmarks.redis;

import dev.usage.benchmarks.Suite;

/**
 * The Redis suite: ours beside a bare Lua script (and Bucket4j's Lettuce proxy) on the Redis at
 * {@code -Dbench.redis.uri}, run and reported by {@link Suite} (interleaved rounds, medians, ratios) into the
 * {@code <!-- redis-results:begin -->} block of RESULTS.md. Options: see {@link Suite};
 * {@code benchmarks/run-redis.sh} builds and runs it.
 */
public final class RedisSuite {

  static final Suite SUITE = Suite.builder("redis")
      .heading("Redis")
      .benchmarkPackage("dev.usage.benchmarks.redis")
      .group("RedisConsumeBenchmark.ours", "RedisConsumeBenchmark.oursThreeQuotas", "RedisConsumeBenchmark.bare",
          "RedisConsumeBenchmark.bucket4j")
      .target("Redis consume, 32 threads, 10,000 users", "RedisConsumeBenchmark.ours", "RedisConsumeBenchmark.bare",
          0.8)
      .target("Redis consume of 3 quotas + idempotency key, 32 threads, 10,000 users",
          "RedisConsumeBenchmark.oursThreeQuotas", "RedisConsumeBenchmark.bare", 0.6)
      .diagnostic("(diagnostic) Bucket4j Lettuce proxy, tryConsume(1)", "RedisConsumeBenchmark.bucket4j",
          "RedisConsumeBenchmark.bare")
      .software(RedisSuite::software)
      .build();

  private RedisSuite() {}

  public static void main(String[] args) throws Exception {
    SUITE.run(args);
  }

  private static String software() {
    return BenchRedis.server()
        + ", Lettuce " + Suite.mavenVersion("io.lettuce", "lettuce-core")
        + ", Bucket4j " + Suite.mavenVersion("com.bucket4j", "bucket4j_jdk17-lettuce");
  }
}
