package dev.usage.spring.aop;

import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.UsageStorageException;
import dev.usage.UsageTrackingService;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits of reservations that the store failed after the guarded method had done its work: the work is done, so
 * its charge is retried in the background, with backoff, until a commit succeeds, the hold is gone (it lapsed at
 * its TTL, or was settled: a commit of a settled hold with the same amounts is a replay, so a retry never charges
 * twice), or {@value #ATTEMPTS} attempts (about two and a half minutes) have failed. Those still pending when the
 * context closes are tried once more then, before the engine closes (this bean depends on the tracking service).
 * Thread-safe.
 */
public final class PendingCommits implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PendingCommits.class);

  /** Attempts in the background, the first {@value #FIRST_DELAY_MS} ms after the failure. */
  static final int ATTEMPTS = 12;
  static final long FIRST_DELAY_MS = 100;
  private static final long MAX_DELAY_MS = 30_000;

  private record Pending(Reservation reservation, Map<QuotaType, Long> actual, String where) {}

  private final UsageTrackingService tracking;
  private final Set<Pending> pending = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "usage-pending-commits");
    t.setDaemon(true);
    return t;
  });

  public PendingCommits(UsageTrackingService tracking) {
    this.tracking = tracking;
  }

  /** Retries the commit of {@code actual} under {@code reservation} in the background. */
  void retry(Reservation reservation, Map<QuotaType, Long> actual, String where, UsageStorageException failure) {
    Pending p = new Pending(reservation, Map.copyOf(actual), where);
    pending.add(p);
    log.warn("{}: committing reservation {} failed after the call ({}); retrying in the background", where,
        reservation.id(), failure.getMessage());
    schedule(p, 1, FIRST_DELAY_MS);
  }

  /** Commits still being retried. */
  public int pending() {
    return pending.size();
  }

  private void schedule(Pending p, int attempt, long delayMs) {
    try {
      executor.schedule(() -> attempt(p, attempt, delayMs), delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      // closing: close() tries it once more
    }
  }

  private void attempt(Pending p, int attempt, long delayMs) {
    if (!pending.contains(p)) {
      return;
    }
    if (settled(p)) {
      pending.remove(p);
    } else if (attempt >= ATTEMPTS) {
      pending.remove(p);
      lost(p, attempt + " attempts failed");
    } else {
      schedule(p, attempt + 1, Math.min(delayMs * 2, MAX_DELAY_MS));
    }
  }

  /** Whether the commit is settled one way or the other: committed, or refused for good (logged). */
  private boolean settled(Pending p) {
    try {
      tracking.commitReservation(p.reservation(), p.actual());
      log.info("{}: reservation {} committed after an earlier failure", p.where(), p.reservation().id());
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

  /** Stops the retries, and tries each pending commit once more. */
  @Override
  public void close() {
    executor.shutdownNow();
    for (Pending p : pending) {
      if (!settled(p)) {
        lost(p, "the store still failed when the application stopped");
      }
    }
    pending.clear();
  }
}
