package dev.usage.benchmarks.memory;

import dev.usage.OverflowPolicy;
import dev.usage.TrackingMode;
import dev.usage.TrackingStats;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UsageTrackingService;
import dev.usage.memory.InMemoryUsageStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The caller-side cost of {@code engine.tracking().trackUsage(event)} in ASYNC mode, sample mode (JMH times
 * single calls): an engine with the in-memory storage (event log bounded at 100,000 events), its defaults
 * otherwise (buffer of 10,000 events, batches of 500, written by the engine's own writer thread), except
 * the overflow policy DROP, so that a full buffer is counted instead of waited for. The events are built
 * before the trial (65,536 distinct events of 10,000 users, used in turn: the store skips an id it holds,
 * the caller's path is the same). The caller is paced to at most one call per {@link #PERIOD_NANOS} (200,000
 * events/s), spinning in an invocation-level setup, which JMH runs outside the timed call: unpaced, a caller
 * offers ~1.3 million events/s, several times what the writer stores into the in-memory log, and the
 * buffer fills. The buffer must never have been full: each trial ends by closing the engine and checking that
 * every call was accepted and written, none dropped or failed. {@code bareQueue}, a diagnostic, is the same
 * calls on the primitive beneath, {@link BareQueue}, paced alike.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(3)
@Threads(1)
public class TrackUsageBenchmark {

  private static final int EVENTS = 1 << 16;
  static final long PERIOD_NANOS = 5_000;

  private BareQueue bare;
  private UsageEngine engine;
  private UsageTrackingService tracking;
  private UsageEvent[] events;
  private int next;
  private long calls;
  private long nextAt;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) {
    Instant at = Instant.now();
    events = new UsageEvent[EVENTS];
    for (int i = 0; i < EVENTS; i++) {
      events[i] = UsageEvent.builder().userId("user-" + (i % 10_000)).feature("chat").endpoint("/v1/chat")
          .occurredAt(at).characters(100).requests(1).processingTime(Duration.ofMillis(12)).build();
    }
    if (params.getBenchmark().endsWith(".bareQueue")) {
      bare = new BareQueue();
      return;
    }
    engine = UsageEngine.builder()
        .storage(InMemoryUsageStorage.withEventCapacity(100_000))
        .trackingMode(TrackingMode.ASYNC)
        .overflowPolicy(OverflowPolicy.DROP)
        .closeTimeout(Duration.ofSeconds(30))
        .closeOnShutdown(false)
        .build();
    tracking = engine.tracking();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (bare != null) {
      bare.close();
      return;
    }
    engine.close();
    TrackingStats s = tracking.trackingStats();
    System.out.printf("%ntrackUsage: %,d calls, %s%n", calls, s);
    if (s.accepted() != calls || s.written() != calls || s.dropped() != 0 || s.failed() != 0) {
      throw new IllegalStateException("the buffer did not keep up or events were lost: " + calls + " calls, " + s);
    }
  }

  /** Waits, spinning, until the next call is due. */
  @Setup(Level.Invocation)
  public void pace() {
    long now;
    while ((now = System.nanoTime()) < nextAt) {
      Thread.onSpinWait();
    }
    nextAt = Math.max(now, nextAt) + PERIOD_NANOS;
  }

  @Benchmark
  public void trackUsage() {
    tracking.trackUsage(events[next]);
    next = (next + 1) & (EVENTS - 1);
    calls++;
  }

  /** Diagnostic: the same paced calls offered to a bare queue with a writer waiting as the engine's does. */
  @Benchmark
  public void bareQueue() {
    bare.offer(events[next]);
    next = (next + 1) & (EVENTS - 1);
  }
}
