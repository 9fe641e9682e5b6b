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
  private final LongAdder failed = new LongAdder();
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
    try {
      QuotaEngine.store(() -> store.append(List.of(event)));
    } catch (RuntimeException e) {
      failed.increment();
      throw e;
    }
    written.increment();
  }

  @Override
  public TrackingStats stats() {
    long f = failed.sum();
    long w = written.sum();
    return new TrackingStats(accepted.sum(), w, 0, f, Math.max(0, accepted.sum() - w - f));
  }

  @Override
  public void close() {
    closed = true;
  }
}
