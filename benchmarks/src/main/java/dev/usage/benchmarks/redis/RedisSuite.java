package dev.usage.benchmarks.redis;

import dev.usage.benchmarks.BenchmarkGroup;
import dev.usage.benchmarks.Effort;
import dev.usage.benchmarks.Suite;

/**
 * The Redis suite: ours beside a bare Lua script and Bucket4j's Lettuce proxy over a matrix of users (10,000
 * and one hot user), shapes (one quota; three quotas + idempotency key) and threads (1, 8, 32), on the Redis at
 * {@code -Dbench.redis.uri}, run and reported by {@link Suite} (interleaved rounds, medians, ratios) into the
 * {@code <!-- redis-results:begin -->} block of RESULTS.md. By default the matrix is surveyed in one round of
 * short forks and the two target points are measured in two rounds of the annotated forks; {@code -f N} (and
 * {@code -wi}, {@code -w}, {@code -i}, {@code -r}) set every point alike. Options: see {@link Suite};
 * {@code benchmarks/run-redis.sh} builds and runs it.
 */
public final class RedisSuite {

  static final String OURS = "RedisConsumeBenchmark.ours";
  static final String BARE = "RedisConsumeBenchmark.bare";
  static final String BUCKET4J = "RedisConsumeBenchmark.bucket4j";

  static final String ONE_QUOTA_TARGET = "users=10000 shape=ONE_QUOTA threads=32";
  static final String THREE_QUOTAS_TARGET = "users=10000 shape=THREE_QUOTAS_WITH_KEY threads=32";

  static final Suite SUITE = Suite.builder("redis")
      .heading("Redis")
      .benchmarkPackage("dev.usage.benchmarks.redis")
      .group(BenchmarkGroup.of(OURS, BARE, BUCKET4J)
          .param("users", "10000", "1")
          .param("shape", "ONE_QUOTA", "THREE_QUOTAS_WITH_KEY")
          .threads(1, 8, 32)
          .effort(new Effort(1, 1, 2, 2, 2))
          .effort(Effort.rounds(2), ONE_QUOTA_TARGET)
          .effort(Effort.rounds(2), THREE_QUOTAS_TARGET))
      .target("Redis consume, 1 quota, 32 threads, 10,000 users", OURS, BARE, 0.8, ONE_QUOTA_TARGET)
      .target("Redis consume of 3 quotas + idempotency key, 32 threads, 10,000 users / the bare one-quota script",
          OURS, BARE, 0.6, THREE_QUOTAS_TARGET, "shape=ONE_QUOTA")
      .diagnostic("(diagnostic) 3 quotas + key, ours / bare's 3-counter + key script", OURS, BARE, THREE_QUOTAS_TARGET)
      .diagnostic("(diagnostic) ours / bare", OURS, BARE, "")
      .diagnostic("(diagnostic) ours / Bucket4j Lettuce proxy", OURS, BUCKET4J, "")
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
