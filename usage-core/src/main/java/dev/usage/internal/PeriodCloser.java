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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reset job: writes one history row per (user, quota type, period) for every finished period whose
 * counter is still kept. Periods reset by themselves at their boundary (counters are keyed by period),
 * so closing never touches live counters and usage recorded after a boundary is never erased. Rows are
 * stored insert-if-absent, so reruns and concurrent runs on every instance close each period once.
 * Thread-safe.
 */
public final class PeriodCloser {

  private static final int PAGE = 500;

  private final CounterStore counters;
  private final PeriodHistoryStore history;
  private final QuotaEngine engine;
  private final Clock clock;

  public PeriodCloser(CounterStore counters, PeriodHistoryStore history, QuotaEngine engine, Clock clock) {
    this.counters = counters;
    this.history = history;
    this.engine = engine;
    this.clock = clock;
  }

  /** Closes every period that ended at or before now. */
  public ResetReport closeFinishedPeriods() {
    Instant now = clock.instant();
    long scanned = 0;
    long closed = 0;
    long already = 0;
    Optional<String> cursor = Optional.empty();
    do {
      Optional<String> from = cursor;
      CounterPage page = QuotaEngine.store(() -> counters.scan(from, PAGE, now));
      Map<String, UserQuota> users = new HashMap<>();
      List<PeriodUsage> rows = new ArrayList<>();
      for (StoredCounter c : page.counters()) {
        scanned++;
        UserQuota user = users.computeIfAbsent(c.userId(), engine::userQuota);
        PeriodWindow w = Periods.ofId(c.periodId(), user.zone(), user.billingAnchorDay());
        if (w.end().isAfter(now)) {
          continue;
        }
        // a type no longer in the user's plan is still closed, with no limit
        long limit = Optional.ofNullable(engine.plan().effective(user).get(c.type())).map(Quota::limit)
            .orElse(Quota.UNLIMITED);
        rows.add(new PeriodUsage(c.userId(), c.type(), Periods.kindOf(c.periodId()), w.start(), w.end(), limit,
            c.used(), 0, now));
      }
      if (!rows.isEmpty()) {
        int stored = QuotaEngine.store(() -> history.close(rows)).size();
        closed += stored;
        already += rows.size() - stored;
      }
      cursor = page.next();
    } while (cursor.isPresent());
    return new ResetReport(now, scanned, closed, already);
  }
}
