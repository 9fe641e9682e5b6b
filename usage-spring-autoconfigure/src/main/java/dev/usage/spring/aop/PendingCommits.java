package dev.usage.spring.aop;

import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.UsageStorageException;
import dev.usage.UsageTrackingService;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits of reservations that the store failed after the guarded method had done its work: the work is done, so
 * its charge is retried in the background. A round commits the pending ones oldest first and stops at the first
 * store failure (the store is still down); the next round follows with backoff (from the first delay, doubling,
 * at most 30 s). A retry never charges twice: a commit the store did apply before failing is replayed. A hold that
 * lapsed at its TTL is still charged until its idempotency window is over. A commit is given up (logged, with its
 * amounts) once it has been pending for {@link #MAX_AGE}, when the store refuses it for good, or when more than
 * {@value #MAX_PENDING} are pending (the caller then gets the store's error, as without this). When the context
 * closes, before the engine (this bean depends on the tracking service), the pending ones are tried once more,
 * for at most {@link #CLOSE_DEADLINE}. Thread-safe.
 */
public final class PendingCommits implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PendingCommits.class);

  /** The most commits pending at once. */
  public static final int MAX_PENDING = 10_000;
  /** How long a commit is retried. */
  public static final Duration MAX_AGE = Duration.ofMinutes(10);
  /** How long the commits pending at close are tried. */
  public static final Duration CLOSE_DEADLINE = Duration.ofSeconds(5);
  private static final long MAX_DELAY_MS = 30_000;

  private record Pending(Reservation reservation, Map<QuotaType, Long> actual, String where, long since) {}

  private final UsageTrackingService tracking;
  private final long firstDelayMs;
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  /** Whether a round is scheduled or running. */
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile boolean closed;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "usage-pending-commits");
    t.setDaemon(true);
    return t;
  });

  public PendingCommits(UsageTrackingService tracking) {
    this(tracking, 100);
  }

  /** @param firstDelayMs the delay before the first round after a failure (tests lengthen it) */
  PendingCommits(UsageTrackingService tracking, long firstDelayMs) {
    this.tracking = tracking;
    this.firstDelayMs = firstDelayMs;
  }

  /**
   * Takes the commit of {@code actual} under {@code reservation}, which the store failed with {@code failure}, to
   * retry in the background.
   *
   * @throws UsageStorageException {@code failure}, when too many are pending already or this is closed (a commit
   *     is then tried once more on the calling thread first)
   */
  void retry(Reservation reservation, Map<QuotaType, Long> actual, String where, UsageStorageException failure) {
    Pending p = new Pending(reservation, Map.copyOf(actual), where, System.nanoTime());
    if (closed) {
      commitNowOrThrow(p, failure);
      return;
    }
    if (size.incrementAndGet() > MAX_PENDING) {
      size.decrementAndGet();
      throw failure;
    }
    pending.add(p);
    if (closed) { // closed meanwhile: its last round may have missed this one
      remove(p);
      commitNowOrThrow(p, failure);
      return;
    }
    if (draining.compareAndSet(false, true)) {
      // the first of an outage (or of a round's backoff): logged once, not once per call
      log.warn("{}: committing reservation {} failed after the call ({}); retrying in the background", where,
          reservation.id(), failure.getMessage());
      schedule(firstDelayMs);
    }
  }

  /** Once this is closed: one more attempt on the calling thread, then {@code failure}. */
  private void commitNowOrThrow(Pending p, UsageStorageException failure) {
    if (!settled(p)) {
      throw failure;
    }
  }

  /** Commits still to be retried. */
  public int pending() {
    return size.get();
  }

  private void schedule(long delayMs) {
    try {
      executor.schedule(() -> round(delayMs), delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopped) {
      draining.set(false); // closing: close() tries the pending ones
    }
  }

  /** Commits the pending ones, oldest first, until the store fails again; then backs off. */
  private void round(long delayMs) {
    Pending p;
    int committed = 0;
    while ((p = pending.peek()) != null && !closed) {
      if (System.nanoTime() - p.since() > MAX_AGE.toNanos()) {
        remove(p);
        lost(p, "the store failed for " + MAX_AGE);
        continue;
      }
      if (!settled(p)) {
        schedule(Math.min(delayMs * 2, MAX_DELAY_MS));
        return;
      }
      remove(p);
      committed++;
    }
    if (committed > 0) {
      log.info("Committed {} reservations after the store's earlier failure", committed);
    }
    draining.set(false);
    if (!pending.isEmpty() && !closed && draining.compareAndSet(false, true)) {
      schedule(firstDelayMs); // one added as this round ended
    }
  }

  private void remove(Pending p) {
    if (pending.remove(p)) {
      size.decrementAndGet();
    }
  }

  /** Whether the commit is settled one way or the other: committed, or refused for good (logged). */
  private boolean settled(Pending p) {
    try {
      tracking.commitReservation(p.reservation(), p.actual());
      return true;
    } catch (UsageStorageException e) {
      return false;
    } catch (RuntimeException e) {
      lost(p, e.toString());
      return true;
    }
  }

  private static void lost(Pending p, String why) {
    log.error("{}: the work of reservation {} of user {} is not charged ({}): {}", p.where(), p.reservation().id(),
        p.reservation().userId(), p.actual(), why);
  }

  /** Stops the retries, and tries the pending commits once more, until the store fails or the deadline passes. */
  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    try {
      executor.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long deadline = System.nanoTime() + CLOSE_DEADLINE.toNanos();
    Pending p;
    while ((p = pending.peek()) != null) {
      if (System.nanoTime() > deadline || !settled(p)) {
        break;
      }
      remove(p);
    }
    int left = size.get();
    if (left > 0) {
      log.error("{} reservations whose work was done are not charged: the store still failed when the application"
          + " stopped", left);
      while ((p = pending.poll()) != null) {
        size.decrementAndGet();
        lost(p, "the store still failed when the application stopped");
      }
    }
  }
}
