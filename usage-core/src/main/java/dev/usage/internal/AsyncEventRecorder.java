package dev.usage.internal;

import dev.usage.OverflowPolicy;
import dev.usage.TrackingRejectedException;
import dev.usage.TrackingStats;
import dev.usage.UsageEvent;
import dev.usage.spi.EventStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded buffer drained by one writer thread in batches. The caller pays for validation and one
 * queue offer. A batch the store refuses is retried with exponential backoff, then counted as failed
 * and logged with its event ids; the writer carries on with the next batch.
 */
final class AsyncEventRecorder implements EventRecorder {

  private static final Logger log = LoggerFactory.getLogger(AsyncEventRecorder.class);

  private final EventStore store;
  private final ArrayBlockingQueue<UsageEvent> queue;
  private final EngineSettings settings;
  private final Thread writer;
  private final LongAdder accepted = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private volatile boolean closed;

  AsyncEventRecorder(EventStore store, EngineSettings settings) {
    this.store = store;
    this.settings = settings;
    this.queue = new ArrayBlockingQueue<>(settings.bufferCapacity());
    this.writer = new Thread(this::drainLoop, "usage-event-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  @Override
  public void record(UsageEvent event) {
    if (closed) {
      throw new TrackingRejectedException("the usage engine is closed");
    }
    if (queue.offer(event)) {
      accepted(event);
      return;
    }
    OverflowPolicy policy = settings.overflowPolicy();
    switch (policy) {
      case DROP -> dropped.increment();
      case FAIL -> throw new TrackingRejectedException("event buffer full (" + settings.bufferCapacity() + " events)");
      case BLOCK -> {
        try {
          if (!queue.offer(event, settings.offerTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
            throw new TrackingRejectedException("event buffer still full after " + settings.offerTimeout());
          }
          accepted(event);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new TrackingRejectedException("interrupted while waiting for room in the event buffer");
        }
      }
      default -> throw new IllegalStateException(String.valueOf(policy));
    }
  }

  /**
   * Counts an event just put in the buffer, unless close() has meanwhile taken its last look at the
   * buffer: then the event is taken back and refused, so that no accepted event is left behind.
   */
  private void accepted(UsageEvent event) {
    if (closed && queue.remove(event)) {
      throw new TrackingRejectedException("the usage engine is closed");
    }
    accepted.increment();
  }

  private void drainLoop() {
    List<UsageEvent> batch = new ArrayList<>(settings.batchSize());
    long waitNanos = settings.flushInterval().toNanos();
    while (!closed || !queue.isEmpty()) {
      try {
        UsageEvent first = queue.poll(waitNanos, TimeUnit.NANOSECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, settings.batchSize() - 1);
        write(batch);
        batch.clear();
      } catch (InterruptedException e) {
        // close() interrupts only after its timeout; what is left is written by close() itself
        return;
      }
    }
  }

  private void write(List<UsageEvent> batch) throws InterruptedException {
    long backoffMillis = 50;
    for (int attempt = 1; ; attempt++) {
      try {
        store.append(List.copyOf(batch));
        written.add(batch.size());
        return;
      } catch (RuntimeException e) {
        if (attempt >= settings.writeAttempts()) {
          failed.add(batch.size());
          log.error("Dropping {} usage events after {} failed attempts to store them; first ids: {}", batch.size(),
              attempt, batch.stream().limit(10).map(UsageEvent::eventId).toList(), e);
          return;
        }
        log.warn("Storing {} usage events failed (attempt {} of {}), retrying in {} ms: {}", batch.size(), attempt,
            settings.writeAttempts(), backoffMillis, e.toString());
        Thread.sleep(backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      }
    }
  }

  @Override
  public TrackingStats stats() {
    long a = accepted.sum();
    long w = written.sum();
    long f = failed.sum();
    return new TrackingStats(a, w, dropped.sum(), f, Math.max(0, a - w - f));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Duration timeout = settings.closeTimeout();
    try {
      writer.join(Math.max(1, timeout.toMillis()));
      if (writer.isAlive()) {
        writer.interrupt();
        writer.join(1_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // events offered concurrently with close, or left behind by an interrupted writer
    List<UsageEvent> rest = new ArrayList<>();
    queue.drainTo(rest);
    if (!rest.isEmpty()) {
      try {
        write(rest);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed.add(rest.size());
        log.error("Interrupted while storing the last {} usage events at close", rest.size());
      }
    }
  }
}
