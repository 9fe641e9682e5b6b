package dev.usage.benchmarks.jdbc;

import dev.usage.TrackingMode;
import dev.usage.TrackingStats;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UsageTrackingService;
import dev.usage.jdbc.JdbcUsageStorage;
import dev.usage.spi.EventStore;
import dev.usage.spi.ForwardingEventStore;
import dev.usage.spi.UsageStorage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * Ours, through the engine: {@code trackUsage} of every event in ASYNC mode (batch size 1,000), then
 * waiting until the engine's writer has stored all of them, so one operation is "1,000 events durable"
 * as on the other sides. The writer batches as it does in production: it drains whatever the buffer holds.
 */
final class AsyncEngineIngest implements IngestSide {

  private final UsageEngine engine;
  private final UsageTrackingService tracking;
  private final CountingEvents appends;

  AsyncEngineIngest(DataSource pool, int batchSize) {
    JdbcUsageStorage jdbc = JdbcUsageStorage.builder(pool).initializeSchema(true).build();
    this.appends = new CountingEvents(jdbc.events());
    UsageStorage storage = UsageStorage.composite(jdbc.counters(), appends, jdbc.userQuotas(), jdbc.history(),
        jdbc.capabilities());
    this.engine = UsageEngine.builder()
        .storage(storage)
        .trackingMode(TrackingMode.ASYNC)
        .batchSize(batchSize)
        .bufferCapacity(Math.max(10_000, 4 * batchSize))
        .flushInterval(Duration.ofMillis(100))
        .closeOnShutdown(false)
        .build();
    this.tracking = engine.tracking();
  }

  @Override
  public void write(List<UsageEvent> batch) {
    for (UsageEvent e : batch) {
      tracking.trackUsage(e);
    }
    long target = tracking.trackingStats().accepted();
    while (true) {
      TrackingStats s = tracking.trackingStats();
      if (s.failed() > 0 || s.dropped() > 0) {
        throw new IllegalStateException("the engine lost events: " + s);
      }
      if (s.written() >= target) {
        return;
      }
      LockSupport.parkNanos(20_000);
    }
  }

  @Override
  public void close() {
    engine.close();
    // how the writer cut the stream: the mean batch size explains much of this side's score
    System.out.printf("%nasyncEngine: %,d events in %,d appends (%.1f events per append)%n", appends.events.sum(),
        appends.calls.sum(), appends.events.sum() / (double) Math.max(1, appends.calls.sum()));
  }

  /** The storage's event store, counting the writer's appends and their sizes. */
  private static final class CountingEvents extends ForwardingEventStore {
    final LongAdder calls = new LongAdder();
    final LongAdder events = new LongAdder();

    CountingEvents(EventStore delegate) {
      super(delegate);
    }

    @Override
    public int append(List<UsageEvent> batch) {
      calls.increment();
      events.add(batch.size());
      return super.append(batch);
    }
  }
}
