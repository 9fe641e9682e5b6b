package dev.usage.jdbc;

import dev.usage.PeriodUsage;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.spi.PeriodHistoryStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Closed periods in {@code usage_period_history}, one row per (user, quota type, period kind, period start)
 * (schema V6; before it, per (user, quota type, period start)); each row is inserted unless present, in its own
 * statement, so concurrent closers store it exactly once. Thread-safe and safe across processes.
 */
public final class JdbcPeriodHistoryStore implements PeriodHistoryStore {

  private static final String COLUMNS = "user_id, quota_type, period_start, period_kind, period_end, quota_limit,"
      + " used, rolled_over, closed_at, carried_in, rolled_over_parts";

  /** {@link #history}'s query; argument user. Backed by the row key's index (user_id first). */
  static final String HISTORY_SQL = "SELECT " + COLUMNS + " FROM usage_period_history WHERE user_id = ?";

  private final Db db;

  JdbcPeriodHistoryStore(Db db) {
    this.db = db;
  }

  @Override
  public List<PeriodUsage> close(List<PeriodUsage> rows) {
    String sql = db.insertIgnoring("usage_period_history (" + COLUMNS + ")", "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    // each row on its own, idempotently: a retry after a lost answer stores nothing twice (but may not
    // report a row it stored the first time)
    return db.autocommit("close periods", true, h -> {
      List<PeriodUsage> stored = new ArrayList<>();
      for (PeriodUsage r : rows) {
        if (db.insertIfAbsent(h, sql, r.userId(), r.type().name(), r.periodStart(), r.period().name(), r.periodEnd(),
            r.limit(), r.used(), r.rolledOver(), r.closedAt(), r.carriedIn(), parts(r.rolledOverParts()))) {
          stored.add(r);
        }
      }
      return stored;
    });
  }

  @Override
  public List<PeriodUsage> history(String userId) {
    List<PeriodUsage> rows = db.autocommit("read history", true, h -> db.bind(h.createQuery(HISTORY_SQL), userId)
        .map((rs, ctx) -> new PeriodUsage(userId, QuotaType.of(rs.getString("quota_type")),
            QuotaPeriod.valueOf(rs.getString("period_kind")), db.instant(rs, "period_start"),
            db.instant(rs, "period_end"), rs.getLong("quota_limit"), rs.getLong("used"), rs.getLong("rolled_over"),
            db.instant(rs, "closed_at"), rs.getLong("carried_in"), parts(rs.getString("rolled_over_parts"))))
        .list());
    return rows.stream().sorted(PeriodHistoryStore.OLDEST_FIRST).toList();
  }

  /** {@code rolled_over_parts}: decimal numbers joined by commas, youngest first ({@code ""}: none). */
  static String parts(List<Long> parts) {
    return parts.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
  }

  static List<Long> parts(String stored) {
    if (stored == null || stored.isEmpty()) {
      return List.of();
    }
    List<Long> out = new ArrayList<>();
    for (String part : stored.split(",")) {
      out.add(Long.parseLong(part));
    }
    return out;
  }
}
