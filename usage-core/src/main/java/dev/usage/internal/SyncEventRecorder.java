package dev.usage.internal;

import dev.usage.TrackingRejectedException;
import dev.usage.TrackingStats;
import dev.usage.UsageEvent;
import dev.usage.spi.EventStore;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** Writes each event before returning; store failures reach the caller as typed errors. */
final class SyncEventRecorder implements EventRecorder {

  private final EventStore store;
  private final LongAdder accepted = new LongAdder();
  private final LongAdder written = new LongAdder();
  private volatile boolean closed;

  SyncEventRecorder(EventStore store) {
    this.store = store;
  }

  @Override
  public void record(UsageEvent event) {
    if (closed) {
      throw new TrackingRejectedException("the usage engine is closed");
    }
    accepted.increment();
    QuotaEngine.store(() -> store.append(List.of(event)));
    written.increment();
  }

  @Override
  public TrackingStats stats() {
    return new TrackingStats(accepted.sum(), written.sum(), 0, accepted.sum() - written.sum(), 0);
  }

  @Override
  public void close() {
    closed = true;
  }
}
