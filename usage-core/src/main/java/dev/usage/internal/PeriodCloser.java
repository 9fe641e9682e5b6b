package dev.usage.internal;

import dev.usage.PeriodUsage;
import dev.usage.Quota;
import dev.usage.ResetReport;
import dev.usage.UserQuota;
import dev.usage.spi.CounterPage;
import dev.usage.spi.CounterStore;
import dev.usage.spi.PeriodHistoryStore;
import dev.usage.spi.StoredCounter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reset job: writes one history row per (user, quota type, period) for every finished period whose
 * counter is still kept. Periods reset by themselves at their boundary (counters are keyed by period),
 * so closing never touches live counters and usage recorded after a boundary is never erased. Rows are
 * stored insert-if-absent, so reruns and concurrent runs on every instance close each period once.
 *
 * <p>A quota with a carrying {@link dev.usage.RolloverPolicy} is closed by {@link Rollovers}, in order, each
 * period from the stored row of the one before.
 *
 * <p>A period is closed only once nothing can be charged to it any more: a reservation made just before
 * its end may be committed until its TTL and then the idempotency window have passed, so a period is
 * closed {@code reservationTtl + idempotencyWindow} after it ends. Thread-safe.
 */
public final class PeriodCloser {

  private static final int PAGE = 500;

  /** A carrying quota of one user, to close through its latest finished period seen in a page. */
  private record Carrying(UserQuota user, Quota quota, PeriodWindow target, int counters) {}

  private final CounterStore counters;
  private final PeriodHistoryStore history;
  private final QuotaEngine engine;
  private final Clock clock;
  private final Duration settleDelay;
  private final Duration counterRetention;
  private final Optional<Duration> reminderLead;
  private final java.util.function.Consumer<UserQuota> dueChanges;

  /**
   * @param reminderLead with a lead, each run also tells the engine's listeners of every user whose monthly
   *     period (with a counter) ends within it ({@link QuotaEngine#tellResetApproaching})
   * @param dueChanges given, at the end of a run, the stored settings of a user met whose scheduled tier change is
   *     due, once every period before it is closed, to record the change
   */
  public PeriodCloser(CounterStore counters, PeriodHistoryStore history, QuotaEngine engine, EngineSettings settings,
      Optional<Duration> reminderLead, java.util.function.Consumer<UserQuota> dueChanges) {
    this.reminderLead = reminderLead;
    this.dueChanges = dueChanges;
    this.counters = counters;
    this.history = history;
    this.engine = engine;
    this.clock = settings.clock();
    this.settleDelay = settleDelay(settings);
    this.counterRetention = settings.counterRetention();
  }

  /** How long after its end a period may still be charged by a late reservation commit. */
  public static Duration settleDelay(EngineSettings settings) {
    return settings.reservationTtl().plus(settings.idempotencyWindow());
  }

  /**
   * Records the tier changes that are due of the users met, once every period of the user's quotas that began before
   * the change has been final at the run's start ({@code endedBy}) and is closed: each of those is closed with the
   * tier it had, which the stored settings tell until the change is recorded. A carrying quota's chain is closed
   * through its period before the change here, as it may have no counter there. A change whose periods are not
   * final yet is recorded by a later run.
   *
   * @return the rows stored on the way
   */
  private long recordDueChanges(Map<String, UserQuota> due, Instant endedBy, Instant now) {
    long closed = 0;
    for (UserQuota stored : due.values()) {
      try {
        Instant at = stored.scheduled().orElseThrow().effectiveAt();
        // the plan before the change (before any immediate change made since: the periods closed here ended by it)
        Map<dev.usage.QuotaType, Quota> before = engine.plan().effective(stored.forPeriodEndingAt(at));
        if (!closedBy(stored, before, at, endedBy, now)) {
          continue;
        }
        List<PeriodUsage> rows = new ArrayList<>();
        try {
          for (Quota q : before.values()) {
            if (q.rollover().carry() && !q.isUnlimited()) {
              rows.addAll(engine.rollovers().closeThrough(stored, q, lastBefore(stored, q, at), now).stored());
            }
          }
        } finally {
          // the user's rows told at once (a month's confirmation lists every quota), even after a failure
          engine.tellPeriodsClosed(rows);
          closed += rows.size();
        }
        dueChanges.accept(stored);
      } catch (RuntimeException e) {
        // the engine applies a due change whether or not it is recorded; the next run tries again
        org.slf4j.LoggerFactory.getLogger(PeriodCloser.class).warn("Recording the due tier change of {} failed: {}",
            stored.userId(), e.toString());
      }
    }
    return closed;
  }

  /**
   * Whether the user's last period of each of {@code before}'s quotas that began before {@code at} was final at
   * {@code endedBy}, or, for a quota without rollover, has nothing counted (it gets no row; waiting for a user who
   * is idle would keep their change unrecorded once the job no longer meets them).
   */
  private boolean closedBy(UserQuota stored, Map<dev.usage.QuotaType, Quota> before, Instant at, Instant endedBy,
      Instant now) {
    List<dev.usage.spi.CounterPeriod> open = new ArrayList<>();
    for (Quota q : before.values()) {
      PeriodWindow last = lastBefore(stored, q, at);
      if (!last.end().isAfter(endedBy)) {
        continue;
      }
      if (q.rollover().carry() && !q.isUnlimited()) {
        return false;
      }
      open.add(last.counter(q.type(), counterRetention));
    }
    return open.isEmpty() || QuotaEngine.store(() -> counters.readPeriods(stored.userId(), open, now)).stream()
        .allMatch(v -> v.used() == 0 && v.reserved() == 0);
  }

  /** The period of {@code quota} that ends at or spans {@code at}: the last that began before it. */
  private static PeriodWindow lastBefore(UserQuota user, Quota quota, Instant at) {
    return Periods.compute(quota.period(), at.minusNanos(1), user.zone(), user.billingAnchorDay());
  }

  /** Whether {@code c} is of a monthly period that is not over and ends within the reminder lead. */
  private boolean endsSoon(StoredCounter c, Instant now) {
    return reminderLead.isPresent() && Periods.kindOf(c.periodId()) == dev.usage.QuotaPeriod.MONTH
        && c.periodEnd().isAfter(now) && !c.periodEnd().minus(reminderLead.get()).isAfter(now);
  }

  /** Closes every period that ended at least the settle delay ago. */
  public ResetReport closeFinishedPeriods() {
    Instant now = clock.instant();
    Instant endedBy = now.minus(settleDelay);
    long scanned = 0;
    long closed = 0;
    long already = 0;
    Set<String> ending = new LinkedHashSet<>();
    // users met with a tier change that is due: recorded once every page is closed
    Map<String, UserQuota> due = new LinkedHashMap<>();
    Optional<String> cursor = Optional.empty();
    do {
      Optional<String> from = cursor;
      CounterPage page = QuotaEngine.store(() -> counters.scan(from, PAGE, now));
      Map<String, UserQuota> users = new HashMap<>();
      List<PeriodUsage> rows = new ArrayList<>();
      // carrying quotas close through their latest finished period in this page, oldest first
      Map<List<Object>, Carrying> carrying = new LinkedHashMap<>();
      List<Map.Entry<Quota, StoredCounter>> otherCycle = new ArrayList<>();
      for (StoredCounter c : page.counters()) {
        scanned++;
        if (c.periodEnd().isAfter(endedBy)) {
          if (endsSoon(c, now)) {
            ending.add(c.userId());
          }
          continue;
        }
        UserQuota stored = users.computeIfAbsent(c.userId(), engine::storedUserQuota);
        if (stored.scheduled().filter(t -> !t.effectiveAt().isAfter(now)).isPresent()) {
          due.putIfAbsent(stored.userId(), stored);
        }
        PeriodWindow w = Periods.ofId(c.periodId(), stored.zone(), stored.billingAnchorDay());
        // the plan the period had: before any immediate change made since it ended (found as a look-up finds it, from
        // the period of the current cycle, or from the counter's own end for a period of a cycle left), and with the
        // tier of its own start (a tier change scheduled for a later boundary is not yet made)
        UserQuota user = (w.id().equals(c.periodId()) ? Periods.settingsOf(stored, w)
            : stored.forPeriodEndingAt(c.periodEnd())).asOf(c.periodStart());
        Quota quota = engine.plan().effective(user).get(c.type());
        if (quota != null && quota.rollover().carry() && !quota.isUnlimited()
            && Periods.kindOf(c.periodId()) == quota.period()) {
          if (!w.id().equals(c.periodId())) {
            // a period of the cycle before an anchor change: closed on its own bounds (with the rows of the page)
            otherCycle.add(Map.entry(quota, c));
            continue;
          }
          // with the stored settings, each period of the chain is closed with the tier it had at its start
          carrying.merge(List.of(c.userId(), c.type()), new Carrying(stored, quota, w, 1), (a, b) -> {
            Carrying later = a.target().start().isAfter(b.target().start()) ? a : b;
            return new Carrying(later.user(), later.quota(), later.target(), a.counters() + b.counters());
          });
          continue;
        }
        // a type no longer in the user's plan is still closed, with no limit
        long limit = quota == null ? Quota.UNLIMITED : quota.limit();
        rows.add(new PeriodUsage(c.userId(), c.type(), Periods.kindOf(c.periodId()), c.periodStart(), c.periodEnd(),
            limit, c.used(), 0, now));
      }
      List<PeriodUsage> stored = new ArrayList<>();
      try {
        if (!rows.isEmpty()) {
          stored.addAll(QuotaEngine.store(() -> history.close(rows)));
          already += rows.size() - stored.size();
        }
        for (Map.Entry<Quota, StoredCounter> c : otherCycle) {
          List<PeriodUsage> row = engine.rollovers().closeOfAnotherCycle(users.get(c.getValue().userId()), c.getKey(),
              c.getValue(), now);
          stored.addAll(row);
          already += 1 - row.size();
        }
        for (Carrying c : carrying.values()) {
          List<PeriodUsage> chain = engine.rollovers().closeThrough(c.user(), c.quota(), c.target(), now).stored();
          stored.addAll(chain);
          already += Math.max(0, c.counters() - chain.size());
        }
        // a carrying quota with no counter in a period closed here is closed with it: listeners hear of it whole
        Map<String, List<PeriodUsage>> byUser = new LinkedHashMap<>();
        stored.forEach(r -> byUser.computeIfAbsent(r.userId(), k -> new ArrayList<>()).add(r));
        for (Map.Entry<String, List<PeriodUsage>> e : byUser.entrySet()) {
          try {
            engine.rollovers().closeAlongside(users.get(e.getKey()), e.getValue(), false, now, stored);
          } catch (dev.usage.UsageStorageException ex) {
            // as a consume's look-up would: those periods are closed later, by the chain or the next run
            org.slf4j.LoggerFactory.getLogger(PeriodCloser.class).warn(
                "Carrying quotas of {} were not closed with their other periods: {}", e.getKey(), ex.getMessage());
          }
        }
      } finally {
        // what was stored is told, even when a later step of the page failed
        closed += stored.size();
        engine.tellPeriodsClosed(stored);
      }
      cursor = page.next();
    } while (cursor.isPresent());
    closed += recordDueChanges(due, endedBy, now);
    ending.forEach(engine::tellResetApproaching);
    return new ResetReport(now, scanned, closed, already);
  }
}
