package dev.usage.benchmarks.memory;

import dev.usage.benchmarks.BenchmarkGroup;
import dev.usage.benchmarks.Effort;
import dev.usage.benchmarks.Suite;

/**
 * The in-memory suite: ours beside Bucket4j's local buckets and a bare map of atomic counters (users 1 and
 * 10,000; one quota, and three quotas with an idempotency key; 1, 2, 8 and 32 threads), the caller-side cost
 * of {@code trackUsage} in ASYNC mode, and (in a fresh JVM, after the benchmarks) the heap per tracked user.
 * Run and reported by {@link Suite} into the {@code <!-- memory-results:begin -->} block of RESULTS.md; options:
 * see {@link Suite}, and {@code -Dbench.memory.heap=false} skips the heap measurement. By default the consume
 * matrix is surveyed in one round of short forks (2 x 1 s warm-up, 3 x 1 s measured) and its target point is
 * measured in three rounds of the annotated forks, {@code trackUsage} in two; {@code -f N} (and {@code -wi},
 * {@code -w}, {@code -i}, {@code -r}) set every point alike.
 * {@code benchmarks/run-memory.sh} builds and runs it.
 */
public final class MemorySuite {

  static final String OURS = "MemoryConsumeBenchmark.ours";
  static final String BUCKET4J = "MemoryConsumeBenchmark.bucket4jLocal";
  static final String BARE = "MemoryConsumeBenchmark.bareChm";

  static final Suite SUITE = Suite.builder("memory")
      .heading("In memory")
      .benchmarkPackage("dev.usage.benchmarks.memory")
      .group(BenchmarkGroup.of(OURS, BUCKET4J, BARE)
          .param("users", "10000", "1")
          .param("shape", "ONE_QUOTA", "THREE_QUOTAS_WITH_KEY")
          .threads(1, 2, 8, 32)
          .effort(new Effort(1, 2, 1, 3, 1))
          .effort(Effort.rounds(3), "users=10000 shape=ONE_QUOTA threads=2"))
      .group(BenchmarkGroup.of("TrackUsageBenchmark.trackUsage", "TrackUsageBenchmark.bareQueue")
          .effort(Effort.rounds(2)))
      .target("In-memory consume, 1 quota, 2 threads, 10,000 users: ours / Bucket4j local", OURS, BUCKET4J, 2,
          "users=10000 shape=ONE_QUOTA threads=2")
      .diagnostic("(diagnostic) ours / Bucket4j local", OURS, BUCKET4J, "")
      .diagnostic("(diagnostic) ours / bare map", OURS, BARE, "")
      .p99Limit("trackUsage, ASYNC, caller thread", "TrackUsageBenchmark.trackUsage", 2)
      .appendix(MemorySuite::heap)
      .software(() -> "Bucket4j " + Suite.mavenVersion("com.bucket4j", "bucket4j_jdk17-core"))
      .build();

  private MemorySuite() {}

  public static void main(String[] args) throws Exception {
    SUITE.run(args);
  }

  private static String heap() {
    return Boolean.parseBoolean(System.getProperty("bench.memory.heap", "true")) ? HeapPerUser.measureInFreshJvm()
        : "";
  }
}
