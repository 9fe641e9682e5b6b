package dev.usage.benchmarks;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-memory single-quota consume through the public API, one hot user or spread over 10,000 users. The
 * limit is unlimited-in-practice so every call is admitted and the measured path is the full one.
 * The side-by-side suite with Bucket4j and the bare primitives comes with the benchmarks work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class InMemoryConsumeBenchmark {

  @Param({"1", "10000"})
  public int users;

  private UsageEngine engine;
  private Consumption[] requests;

  @Setup(Level.Trial)
  public void setUp() {
    engine = UsageEngine.builder()
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, Quota.MAX_AMOUNT))
        .trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false)
        .build();
    requests = new Consumption[users];
    for (int i = 0; i < users; i++) {
      requests[i] = Consumption.of("user-" + i, QuotaType.REQUESTS, 1);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
  }

  @Benchmark
  public QuotaDecision consume() {
    Consumption c = requests[users == 1 ? 0 : ThreadLocalRandom.current().nextInt(users)];
    return engine.tracking().consumeQuota(c);
  }
}
