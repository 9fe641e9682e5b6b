package dev.usage.internal;

import dev.usage.OverflowPolicy;
import dev.usage.TrackingRejectedException;
import dev.usage.TrackingStats;
import dev.usage.UsageEvent;
import dev.usage.spi.EventStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded buffer drained by one writer thread in batches. The caller pays for validation and one
 * queue offer. A batch the store refuses is retried with exponential backoff, then counted as failed
 * and logged with its event ids; the writer carries on with the next batch. Every accepted event ends
 * up written or counted as failed.
 *
 * <p>The writer never waits on the queue itself: a caller whose offer found a waiting writer would have to
 * wake it, a system call on the caller's thread for nearly every event while the writer lingers over a short
 * batch. It parks instead, and a caller unparks it only when it is idle (parked for want of any event) or
 * when the caller's event completes the batch the writer lingers over; otherwise the writer wakes by itself
 * at the linger's end.
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
  /** Drops counted one by one, for a warning every 10,000 (a LongAdder's sum may skip the first). */
  private final java.util.concurrent.atomic.AtomicLong dropWarnings = new java.util.concurrent.atomic.AtomicLong();
  private final LongAdder failed = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  /**
   * Events queued and not yet taken by the writer; counted just after the offer, so briefly low (even
   * negative) when the writer takes an event before its caller counts it.
   */
  private final AtomicInteger pending = new AtomicInteger();
  /** Set by the writer before it parks for want of any event; a caller that finds it set wakes the writer. */
  private volatile boolean idle;
  /** While the writer lingers over a short batch: the pending count that would fill it; otherwise MAX_VALUE. */
  private volatile int wanted = Integer.MAX_VALUE;
  private volatile boolean closed;
  /** System.nanoTime() by which close() must be done; set before {@code closed}. */
  private volatile long closeDeadline;

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
    try {
      offer(event);
    } catch (TrackingRejectedException e) {
      rejected.increment();
      throw e;
    }
  }

  private void offer(UsageEvent event) {
    if (closed) {
      throw new TrackingRejectedException("the usage engine is closed");
    }
    if (queue.offer(event)) {
      accepted(event);
      return;
    }
    LockSupport.unpark(writer); // a full buffer is more than a full batch
    OverflowPolicy policy = settings.overflowPolicy();
    switch (policy) {
      case DROP -> {
        dropped.increment();
        if (dropWarnings.incrementAndGet() % 10_000 == 1) {
          long n = dropped.sum();
          log.warn("Event buffer full ({} events): {} usage events dropped so far (overflow policy DROP)",
              settings.bufferCapacity(), n);
        }
      }
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
    int n = pending.incrementAndGet();
    // the offer and the count come before these reads: a writer that went idle, or began to linger, after
    // its last look at the queue or the count is seen here; one that looked later saw the event
    if (idle || n == wanted) {
      LockSupport.unpark(writer);
    }
  }

  /** The writer's loop; it ends only when close() asks, whatever a step throws. */
  private void drainLoop() {
    List<UsageEvent> batch = new ArrayList<>(Math.min(settings.batchSize(), 1_024));
    while (true) {
      try {
        if (!step(batch)) {
          return;
        }
      } catch (Throwable t) {
        // a writer that died would leave every later event in the buffer while callers are told it was accepted
        int lost = batch.size();
        failed.add(lost);
        batch.clear();
        try {
          log.error("The usage event writer hit an unexpected error; {} events of its batch counted as failed,"
              + " carrying on", lost, t);
        } catch (Throwable ignored) {
          // logging itself failed: the writer carries on all the same
        }
        if (closed) {
          return;
        }
        LockSupport.parkNanos(this, settings.flushInterval().toNanos()); // no tight loop if it keeps happening
      }
    }
  }

  /** Takes, fills and writes one batch, or idles; false when the writer is to end. */
  private boolean step(List<UsageEvent> batch) {
    if (Thread.interrupted() && closed) {
      return false; // close() gave up waiting; it writes or counts what is left (any other interrupt is not ours)
    }
    take(batch, settings.batchSize());
    if (batch.isEmpty()) {
      if (closed) {
        return false;
      }
      idle = true;
      if (queue.isEmpty() && !closed) {
        LockSupport.parkNanos(this, settings.flushInterval().toNanos());
      }
      idle = false;
      return true;
    }
    if (fill(batch)) {
      // close() is past its deadline: it counts what is left in the buffer, this batch is ours to count
      fail(batch, "the close timeout of " + settings.closeTimeout(), null);
      return false;
    }
    write(batch);
    batch.clear();
    return true;
  }

  /** Moves up to {@code max - batch.size()} queued events into {@code batch}. */
  private void take(List<UsageEvent> batch, int max) {
    int n = queue.drainTo(batch, max - batch.size());
    if (n > 0) {
      pending.addAndGet(-n);
    }
  }

  /**
   * Adds queued events to {@code batch} up to the batch size, waiting up to the batch linger for more while
   * it is short, unless the engine is closing. A caller that fills the batch wakes the writer early.
   *
   * @return whether the writer was interrupted (close() gave up waiting)
   */
  private boolean fill(List<UsageEvent> batch) {
    int size = settings.batchSize();
    long deadline = System.nanoTime() + settings.batchLinger().toNanos();
    while (true) {
      take(batch, size);
      long left = deadline - System.nanoTime();
      if (batch.size() >= size || closed || left <= 0) {
        return false;
      }
      int need = size - batch.size();
      wanted = need;
      if (pending.get() < need) {
        LockSupport.parkNanos(this, left);
      }
      wanted = Integer.MAX_VALUE;
      if (Thread.interrupted() && closed) {
        return true;
      }
    }
  }

  /**
   * Stores a batch, retrying with exponential backoff; after the last attempt, or once close() is past
   * its deadline, or when interrupted, the batch is counted as failed and its ids are logged. Whatever the
   * store throws, an {@code Error} included (a class that failed to load, memory short for one batch), the
   * batch is retried or counted and the writer goes on: a writer thread that died would leave every later
   * event in the buffer, unwritten, while callers are still told it was accepted.
   */
  private void write(List<UsageEvent> batch) {
    long backoffMillis = 50;
    for (int attempt = 1; ; attempt++) {
      try {
        store.append(List.copyOf(batch));
        written.add(batch.size());
        return;
      } catch (RuntimeException | Error e) {
        // closed first: close() sets the deadline before it (a deadline read first may be the 0 before close())
        boolean closing = closed;
        long left = closeDeadline - System.nanoTime();
        if (attempt >= settings.writeAttempts() || (closing && left <= 0)) {
          fail(batch, attempt + " failed attempts", e);
          return;
        }
        log.warn("Storing {} usage events failed (attempt {} of {}), retrying in {} ms: {}", batch.size(), attempt,
            settings.writeAttempts(), backoffMillis, e.toString());
        try {
          Thread.sleep(closing ? Math.max(1, Math.min(backoffMillis, left / 1_000_000)) : backoffMillis);
        } catch (InterruptedException interrupted) {
          if (closed) {
            // close() gave up waiting
            Thread.currentThread().interrupt();
            fail(batch, "interruption while retrying", e);
            return;
          }
          // not close(): not ours (a store that left its thread's flag set); the retry goes on
        }
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      }
    }
  }

  /** Counts {@code batch} as failed and logs it; a logging failure is not a second failure of the batch. */
  private void fail(List<UsageEvent> batch, String why, Throwable cause) {
    failed.add(batch.size());
    try {
      log.error("Dropping {} usage events after {}; first ids: {}", batch.size(), why,
          batch.stream().limit(10).map(UsageEvent::eventId).toList(), cause);
    } catch (RuntimeException | Error logging) {
      // counted above; the writer goes on
    }
  }

  @Override
  public TrackingStats stats() {
    long a = accepted.sum();
    long w = written.sum();
    long f = failed.sum();
    return new TrackingStats(a, w, dropped.sum(), f, Math.max(0, a - w - f), rejected.sum());
  }

  /**
   * Stops accepting events, wakes the writer and waits for it to empty the buffer, all within the
   * close timeout; then writes (or, past the deadline, counts as failed) whatever is left, in batches. Only
   * the deadline ends the wait: a caller already interrupted (cleanup in a {@code finally} after an
   * interrupt) still gets its buffered events written, and its interrupt status back afterwards.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closeDeadline = System.nanoTime() + settings.closeTimeout().toNanos();
    closed = true;
    LockSupport.unpark(writer);
    boolean interrupted = Thread.interrupted();
    try {
      interrupted |= join(closeDeadline);
      if (writer.isAlive()) {
        writer.interrupt();
        interrupted |= join(System.nanoTime() + 1_000_000_000L);
      }
      List<UsageEvent> rest = new ArrayList<>();
      queue.drainTo(rest);
      for (int from = 0; from < rest.size(); from += settings.batchSize()) {
        List<UsageEvent> chunk = rest.subList(from, Math.min(rest.size(), from + settings.batchSize()));
        if (System.nanoTime() - closeDeadline > 0) {
          fail(chunk, "the close timeout of " + settings.closeTimeout(), null);
        } else {
          write(chunk);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for the writer to end, until {@code deadline} (System.nanoTime()); returns whether interrupted. */
  private boolean join(long deadline) {
    boolean interrupted = false;
    while (writer.isAlive()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        writer.join(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    return interrupted;
  }
}
