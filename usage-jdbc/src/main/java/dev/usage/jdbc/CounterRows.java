package dev.usage.jdbc;

import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.spi.CounterDelta;
import dev.usage.spi.CounterKey;
import dev.usage.spi.CounterValue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/**
 * Statements on {@code usage_counters} and {@code usage_user_state}. Every statement names rows by their
 * full primary key, so that no dialect takes range or gap locks (MariaDB's REPEATABLE READ would
 * otherwise make new users' inserts deadlock).
 */
final class CounterRows {

  /** A counter row as locked or read; {@code used}/{@code reserved} count as zero once it has expired. */
  static final class Row {
    final CounterKey key;
    long used;
    long reserved;
    final boolean expired;

    Row(CounterKey key, long used, long reserved, boolean expired) {
      this.key = key;
      this.used = expired ? 0 : used;
      this.reserved = expired ? 0 : reserved;
      this.expired = expired;
    }

    CounterValue value() {
      return new CounterValue(key.type(), key.periodId(), used, reserved);
    }
  }

  /** Thrown inside a transaction when a row it must lock does not exist yet; the caller creates it and retries. */
  static final class MissingRows extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient List<CounterDelta> counters;

    MissingRows(List<CounterDelta> counters) {
      super(null, null, false, false);
      this.counters = counters;
    }
  }

  private final Db db;

  CounterRows(Db db) {
    this.db = db;
  }

  /** Locks the user's state row: the earliest lapse of a hold, or empty for none. Throws MissingRows when absent. */
  Optional<Instant> lockUser(Handle h, String user) {
    List<Optional<Instant>> found = db.bind(h.createQuery(
        "SELECT next_expiry FROM usage_user_state WHERE user_id = ? FOR UPDATE"), user)
        .map((rs, ctx) -> Optional.ofNullable(db.instant(rs, "next_expiry"))).list();
    if (found.isEmpty()) {
      throw new MissingRows(List.of());
    }
    return found.get(0);
  }

  /** Whether the user state row exists; locks it when it does. */
  Optional<Optional<Instant>> lockUserIfPresent(Handle h, String user) {
    try {
      return Optional.of(lockUser(h, user));
    } catch (MissingRows e) {
      return Optional.empty();
    }
  }

  void setNextExpiry(Handle h, String user, Instant next) {
    db.update(h, "UPDATE usage_user_state SET next_expiry = ? WHERE user_id = ?", db.nullableInstant(next), user);
  }

  /**
   * Locks the counters of {@code deltas}, each by its full key, in one statement (so in index order, not
   * the order given: harmless, since the caller holds the user's row lock, which every other multi-row
   * writer of these rows takes first). Throws MissingRows naming those that do not exist.
   */
  Map<CounterKey, Row> lock(Handle h, String user, List<CounterDelta> deltas, Instant now) {
    Map<CounterKey, Row> rows = select(h, user, deltas.stream().map(CounterDelta::key).toList(), now, true);
    List<CounterDelta> missing = deltas.stream().filter(d -> !rows.containsKey(d.key())).toList();
    if (!missing.isEmpty()) {
      throw new MissingRows(missing);
    }
    return rows;
  }

  /** Reads the counters of {@code keys} that exist, without locks. */
  Map<CounterKey, Row> read(Handle h, String user, Collection<CounterKey> keys, Instant now) {
    return select(h, user, keys, now, false);
  }

  private Map<CounterKey, Row> select(Handle h, String user, Collection<CounterKey> keys, Instant now, boolean lock) {
    StringBuilder sql = new StringBuilder(
        "SELECT quota_type, period_id, used, reserved, expires_at FROM usage_counters WHERE user_id = ? AND (");
    List<Object> args = new ArrayList<>(1 + 2 * keys.size());
    args.add(user);
    int i = 0;
    for (CounterKey k : keys) {
      sql.append(i++ == 0 ? "" : " OR ").append("(quota_type = ? AND period_id = ?)");
      args.add(k.type().name());
      args.add(k.periodId());
    }
    sql.append(lock ? ") FOR UPDATE" : ")");
    Query q = db.bind(h.createQuery(sql.toString()), args.toArray());
    Map<CounterKey, Row> rows = new HashMap<>();
    q.map((rs, ctx) -> {
      CounterKey key = new CounterKey(QuotaType.of(rs.getString("quota_type")), rs.getString("period_id"));
      Instant expires = db.instant(rs, "expires_at");
      return new Row(key, rs.getLong("used"), rs.getLong("reserved"), !now.isBefore(expires));
    }).forEach(r -> rows.put(r.key, r));
    return rows;
  }

  /**
   * Adds each delta to its locked row ({@code used}, or {@code reserved} for a hold); an expired row
   * starts over for the delta's period. Updates {@code rows} to the values written.
   */
  void add(Handle h, String user, List<CounterDelta> deltas, Map<CounterKey, Row> rows, boolean hold) {
    String column = hold ? "reserved" : "used";
    PreparedBatch grow = h.prepareBatch("UPDATE usage_counters SET " + column + " = " + column
        + " + ?, expires_at = GREATEST(expires_at, ?) WHERE user_id = ? AND quota_type = ? AND period_id = ?");
    PreparedBatch restart = h.prepareBatch("UPDATE usage_counters SET used = ?, reserved = ?, period_start = ?,"
        + " period_end = ?, expires_at = ? WHERE user_id = ? AND quota_type = ? AND period_id = ?");
    for (CounterDelta d : deltas) {
      Row r = rows.get(d.key());
      if (hold) {
        r.reserved += d.amount();
      } else {
        r.used += d.amount();
      }
      if (r.expired) {
        db.bind(restart, r.used, r.reserved, d.periodStart(), d.periodEnd(), d.counterExpiresAt(), user,
            d.type().name(), d.periodId()).add();
      } else {
        db.bind(grow, d.amount(), d.counterExpiresAt(), user, d.type().name(), d.periodId()).add();
      }
    }
    if (grow.size() > 0) {
      grow.execute();
    }
    if (restart.size() > 0) {
      restart.execute();
    }
  }

  /** Adds {@code usedDelta} and {@code reservedDelta} to one existing row. */
  void adjust(Handle h, String user, CounterKey key, long usedDelta, long reservedDelta) {
    db.update(h, "UPDATE usage_counters SET used = used + ?, reserved = reserved + ? WHERE user_id = ? AND quota_type = ?"
        + " AND period_id = ?", usedDelta, reservedDelta, user, key.type().name(), key.periodId());
  }

  /**
   * Creates, in auto-commit mode, the user's state row and any of {@code counters} missing, at zero. Safe
   * to run concurrently with itself and with everything else.
   */
  void ensure(Handle h, String user, List<CounterDelta> counters) {
    db.insertIfAbsent(h, db.insertIgnoring("usage_user_state (user_id)", "VALUES (?)"), user);
    for (CounterDelta d : counters) {
      db.insertIfAbsent(h, db.insertIgnoring("usage_counters (user_id, quota_type, period_id, period_start, period_end,"
          + " used, reserved, expires_at)", "VALUES (?, ?, ?, ?, ?, 0, 0, ?)"), user, d.type().name(), d.periodId(),
          d.periodStart(), d.periodEnd(), d.counterExpiresAt());
    }
  }

  /**
   * The one-statement consume of a single counter, without marker or hold, where the dialect has one:
   * the counter after the add, or empty when the statement did not add (no room, no counter yet, an
   * expired row, or settings of another version): the caller then takes the transactional path (on
   * PostgreSQL the {@code usage_consume} function), which creates counters and releases lapsed holds
   * before judging.
   */
  Optional<CounterValue> addInOneStatement(Connection c, String user, CounterDelta d, Instant now,
      OptionalLong settingsVersion) throws SQLException {
    long limit = Math.min(d.limit(), Quota.MAX_AMOUNT);
    // with a settings version, the add happens only if the user's stored settings are still that version:
    // on PostgreSQL as recorded on the counter row itself (see JdbcUserQuotaStore.save), elsewhere read from
    // user_quotas in the same statement
    String current = settingsVersion.isEmpty() ? ""
        : db.postgres() ? " AND c.settings_version = ?"
        : " AND COALESCE((SELECT q.version FROM user_quotas q WHERE q.user_id = ?), 0) = ?";
    List<Object> args = new ArrayList<>(14);
    String sql;
    switch (db.dialect) {
      case POSTGRESQL -> {
        // the counter exists but for the first request of its period (the function creates it then)
        sql = "UPDATE usage_counters c SET used = c.used + ?, expires_at = GREATEST(c.expires_at, ?)"
            + " WHERE c.user_id = ? AND c.quota_type = ? AND c.period_id = ? AND c.used + c.reserved + ? <= ?"
            + " AND c.expires_at > ?" + current + " RETURNING c.used, c.reserved";
        args.addAll(List.of(d.amount(), d.counterExpiresAt(), user, d.type().name(), d.periodId(), d.amount(), limit,
            now));
        settingsVersion.ifPresent(args::add);
      }
      case H2 -> {
        sql = "SELECT used, reserved FROM FINAL TABLE (UPDATE usage_counters SET used = used + ?,"
            + " expires_at = GREATEST(expires_at, ?) WHERE user_id = ? AND quota_type = ? AND period_id = ?"
            + " AND used + reserved + ? <= ? AND expires_at > ?" + current + ")";
        args.addAll(List.of(d.amount(), d.counterExpiresAt(), user, d.type().name(), d.periodId(), d.amount(), limit,
            now));
        addVersion(args, user, settingsVersion);
      }
      default -> {
        return Optional.empty();
      }
    }
    // plain JDBC: this is the hottest statement, and a JDBI handle per call costs more client CPU than it
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) {
        Object v = args.get(i);
        if (v instanceof Instant t) {
          db.setInstant(ps, i + 1, t);
        } else if (v instanceof Long n) {
          ps.setLong(i + 1, n);
        } else {
          ps.setString(i + 1, (String) v);
        }
      }
      try (ResultSet rs = db.executeQuery(ps)) {
        return rs.next() ? Optional.of(new CounterValue(d.type(), d.periodId(), rs.getLong(1), rs.getLong(2)))
            : Optional.empty();
      }
    }
  }

  private static void addVersion(List<Object> args, String user, OptionalLong version) {
    if (version.isPresent()) {
      args.add(user);
      args.add(version.getAsLong());
    }
  }

  /** The version of the user's stored settings; 0 when none are stored. */
  long settingsVersion(Handle h, String user) {
    return db.bind(h.createQuery("SELECT version FROM user_quotas WHERE user_id = ?"), user).mapTo(Long.class)
        .findFirst().orElse(0L);
  }
}
