package dev.usage.internal;

import dev.usage.TrackingRejectedException;
import dev.usage.TrackingStats;
import dev.usage.UsageEvent;
import dev.usage.spi.EventStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes each event before returning; store failures reach the caller as typed errors. {@link #close} waits,
 * within the close timeout, for the writes under way, so none of them meets a store that is closing.
 */
final class SyncEventRecorder implements EventRecorder {

  private final EventStore store;
  private final Duration closeTimeout;
  private final LongAdder accepted = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  /** Calls of {@link #record} under way: counted before they look at {@code closed}. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object idle = new Object();
  private volatile boolean closed;

  SyncEventRecorder(EventStore store, Duration closeTimeout) {
    this.store = store;
    this.closeTimeout = closeTimeout;
  }

  @Override
  public void record(UsageEvent event) {
    // counted first: a close() that finds none under way has set closed before this call looks at it
    inFlight.incrementAndGet();
    try {
      if (closed) {
        rejected.increment();
        throw new TrackingRejectedException("the usage engine is closed");
      }
      accepted.increment();
      try {
        QuotaEngine.store(() -> store.append(List.of(event)));
      } catch (RuntimeException | Error e) {
        failed.increment();
        throw e;
      }
      written.increment();
    } finally {
      if (inFlight.decrementAndGet() == 0 && closed) {
        synchronized (idle) {
          idle.notifyAll();
        }
      }
    }
  }

  @Override
  public TrackingStats stats() {
    long f = failed.sum();
    long w = written.sum();
    return new TrackingStats(accepted.sum(), w, 0, f, Math.max(0, accepted.sum() - w - f), rejected.sum());
  }

  /** Refuses further events and waits, up to the close timeout, for the writes under way. */
  @Override
  public void close() {
    closed = true;
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    boolean interrupted = false;
    synchronized (idle) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          idle.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
