package dev.usage.jdbc;

import dev.usage.QuotaType;
import dev.usage.jdbc.CounterRows.Row;
import dev.usage.jdbc.HoldRows.Reservation;
import dev.usage.jdbc.HoldRows.State;
import dev.usage.spi.CounterDelta;
import dev.usage.spi.CounterKey;
import dev.usage.spi.CounterPage;
import dev.usage.spi.StoredCounter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The counter store's housekeeping: lapsing holds whose time is up, purging expired rows, and paging
 * through live counters for the reset job.
 */
final class CounterMaintenance {

  private static final int PURGE_BATCH = 1_000;

  private final Db db;
  private final CounterRows counters;
  private final HoldRows holds;

  CounterMaintenance(Db db, CounterRows counters, HoldRows holds) {
    this.db = db;
    this.counters = counters;
    this.holds = holds;
  }

  /**
   * With the user's row locked: takes every lapsed hold's units off its counters, marks it lapsed and
   * stores the next lapse, which it returns (empty: no hold left). Rows in {@code locked} are kept in step.
   */
  Optional<Instant> lapseHolds(Handle h, String user, Instant now, Map<CounterKey, Row> locked) {
    Instant next = null;
    for (Reservation r : holds.held(h, user)) {
      if (now.isBefore(r.expiresAt())) {
        next = next == null || r.expiresAt().isBefore(next) ? r.expiresAt() : next;
        continue;
      }
      for (CounterDelta d : r.deltas()) {
        counters.adjust(h, user, d.key(), 0, -d.amount());
        Row row = locked.get(d.key());
        if (row != null && !row.expired) {
          row.reserved -= d.amount();
        }
      }
      holds.setState(h, user, r.id(), State.LAPSED, Map.of());
    }
    counters.setNextExpiry(h, user, next);
    return Optional.ofNullable(next);
  }

  /** Lapses the user's due holds in a transaction of its own; whether any lapse was due. */
  boolean lapseDueHolds(String user, Instant now) {
    // a look without the lock first: a read of a counter with holds that are not due takes no lock
    Optional<Instant> next = db.autocommit("release lapsed holds", true, h -> db.bind(h.createQuery(
        "SELECT next_expiry FROM usage_user_state WHERE user_id = ?"), user)
        .map((rs, ctx) -> Optional.ofNullable(db.instant(rs, "next_expiry"))).findOne().flatMap(n -> n));
    if (next.isEmpty() || now.isBefore(next.get())) {
      return false;
    }
    return db.transaction("release lapsed holds", true, h -> {
      Optional<Optional<Instant>> state = counters.lockUserIfPresent(h, user);
      if (state.isEmpty() || state.get().isEmpty() || now.isBefore(state.get().get())) {
        return false;
      }
      lapseHolds(h, user, now, Map.of());
      return true;
    });
  }

  /** Lapses the due holds of every user whose next lapse has come. */
  void lapseAllDueHolds(Instant now) {
    List<String> due = db.autocommit("find lapsed holds", true, h -> db.bind(h.createQuery(
        "SELECT user_id FROM usage_user_state WHERE next_expiry <= ?"), now).mapTo(String.class).list());
    for (String user : due) {
      lapseDueHolds(user, now);
    }
  }

  /** Deletes expired markers, forgotten reservations and expired counters, in batches. */
  void purgeExpired(Instant now) {
    purge("usage_idempotency", "user_id, idem_key", "expires_at <= ?", now);
    purge("usage_reservations", "user_id, reservation_id", "retain_until <= ? AND state <> 'HELD'", now);
    purge("usage_counters", "user_id, quota_type, period_id", "expires_at <= ?", now);
  }

  private void purge(String table, String key, String condition, Instant now) {
    // PostgreSQL rechecks a row changed meanwhile against the outer WHERE only, so the condition is
    // repeated there: a counter restarted by a consume since the inner select is not deleted
    String sql = switch (db.dialect) {
      case POSTGRESQL -> "DELETE FROM " + table + " WHERE (" + key + ") IN (SELECT " + key + " FROM " + table
          + " WHERE " + condition + " LIMIT " + PURGE_BATCH + ") AND " + condition;
      default -> "DELETE FROM " + table + " WHERE " + condition + " LIMIT " + PURGE_BATCH;
    };
    Object[] args = db.postgres() ? new Object[] {now, now} : new Object[] {now};
    int deleted;
    do {
      // MariaDB/MySQL: at READ COMMITTED the range delete takes no gap locks that consumes could meet
      deleted = db.transaction("purge " + table, true, h -> {
        db.readCommitted(h);
        return db.update(h, sql, args);
      });
    } while (deleted >= PURGE_BATCH);
  }

  /**
   * One page of live counters with something used or reserved, ordered by user; a page holds whole users
   * and the cursor is the last user's id.
   */
  CounterPage page(Optional<String> cursor, int limit, Instant now) {
    return db.autocommit("scan counters", true, h -> {
      String after = cursor.orElse("");
      List<StoredCounter> rows = db.bind(h.createQuery(pageSql(limit)), after, now)
          .map((rs, ctx) -> stored(rs)).list();
      if (rows.size() < limit) {
        return new CounterPage(rows, Optional.empty());
      }
      String last = rows.get(rows.size() - 1).userId();
      List<StoredCounter> page = new ArrayList<>(rows.stream().filter(c -> !c.userId().equals(last)).toList());
      page.addAll(db.bind(h.createQuery(PAGE_REST_SQL), last, now).map((rs, ctx) -> stored(rs)).list());
      return new CounterPage(page, Optional.of(last));
    });
  }

  private static final String SELECT =
      "SELECT user_id, quota_type, period_id, period_start, period_end, used, reserved FROM usage_counters";

  /** A scan page; arguments: after user, now. Backed by the primary key (user_id first), in its order. */
  static String pageSql(int limit) {
    return SELECT + " WHERE user_id > ? AND expires_at > ? AND (used <> 0 OR reserved <> 0)"
        + " ORDER BY user_id, quota_type, period_id LIMIT " + limit;
  }

  /** The rest of a page's last user; arguments: user, now. Backed by the primary key. */
  static final String PAGE_REST_SQL = SELECT + " WHERE user_id = ? AND expires_at > ? AND (used <> 0 OR reserved <> 0)";

  private StoredCounter stored(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new StoredCounter(rs.getString("user_id"), QuotaType.of(rs.getString("quota_type")),
        rs.getString("period_id"), db.instant(rs, "period_start"), db.instant(rs, "period_end"), rs.getLong("used"),
        rs.getLong("reserved"));
  }
}
