package dev.usage.jdbc;

import dev.usage.AuditEntry;
import dev.usage.AuditFilter;
import dev.usage.AuditOrder;
import dev.usage.QuotaType;
import dev.usage.UserQuota;
import dev.usage.spi.SpiCodec;
import dev.usage.spi.UserQuotaStore;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/**
 * Users' settings in {@code user_quotas} and the audit trail in {@code usage_audit}. A save is one
 * transaction: a compare-and-set on the version and the audit row, together; on PostgreSQL it also takes
 * the user's row lock and marks the user's counters as not consumed under the new version (so that a
 * consume computed from cached settings cannot pass the one-statement path). Thread-safe.
 *
 * <p>A request id is checked in the same transaction, before anything is written: a row of the user with that
 * request id makes the save write nothing. The unique index {@code usage_audit_request} (user_id, request_id)
 * backs the check: a racing transaction that inserted the same id first makes this one's insert fail, the
 * transaction is rolled back and run again, and then finds the row.
 */
public final class JdbcUserQuotaStore implements UserQuotaStore {

  /** {@link #auditTrail}'s query; argument user. Backed by {@code usage_audit_user}. */
  static final String AUDIT_TRAIL_SQL = "SELECT " + AuditRows.COLUMNS + " FROM usage_audit WHERE user_id = ? ORDER BY id";

  private final Db db;
  private final AuditRows rows;

  JdbcUserQuotaStore(Db db) {
    this.db = db;
    this.rows = new AuditRows(db);
  }

  @Override
  public Optional<UserQuota> find(String userId) {
    return db.autocommit("find quota settings", true, h -> db.bind(h.createQuery(
        "SELECT tier, overrides, zone, billing_anchor_day, version, scheduled_tier, usage_resets, earlier_settings"
        + " FROM user_quotas WHERE user_id = ?"), userId)
        .map((rs, ctx) -> new UserQuota(userId, rs.getString("tier"),
            SpiCodec.decodeOverrides(rs.getString("overrides")), ZoneId.of(rs.getString("zone")),
            rs.getInt("billing_anchor_day"), rs.getLong("version"),
            SpiCodec.decodeScheduled(rs.getString("scheduled_tier")),
            SpiCodec.decodeResets(rs.getString("usage_resets")),
            SpiCodec.decodeEarlier(rs.getString("earlier_settings"))))
        .findFirst());
  }

  @Override
  public Optional<UserQuota> save(UserQuota next, AuditEntry entry) {
    // not retried after a commit whose outcome is unknown: the caller re-reads and decides
    return db.transaction("save quota settings", false, h -> {
      if (db.postgres()) {
        // serializes with usage_consume, which reads the settings version under this lock and records it
        // on the counters it writes
        db.update(h, "INSERT INTO usage_user_state (user_id) VALUES (?) ON CONFLICT DO NOTHING", next.userId());
        db.bind(h.createQuery("SELECT user_id FROM usage_user_state WHERE user_id = ? FOR UPDATE"), next.userId())
            .mapTo(String.class).one();
      }
      if (entry.requestId().isPresent() && db.bind(h.createQuery(
          "SELECT 1 FROM usage_audit WHERE user_id = ? AND request_id = ?"), entry.userId(), entry.requestId().get())
          .mapTo(Integer.class).findFirst().isPresent()) {
        return Optional.<UserQuota>empty();
      }
      boolean stored = next.version() == 0 ? insert(h, next, entry) : update(h, next, entry);
      if (!stored) {
        return Optional.<UserQuota>empty();
      }
      if (db.postgres()) {
        // the one-statement consume admits only while a counter records the caller's settings version:
        // from now on none does, until usage_consume has checked the new version
        db.update(h, "UPDATE usage_counters SET settings_version = -1 WHERE user_id = ?", next.userId());
      }
      db.update(h, "INSERT INTO usage_audit (user_id, at, actor, action, quota_type, old_value, new_value, reason,"
          + " request_id, previous_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entry.userId(),
          entry.at(), entry.actor(), entry.action(), nullable(entry.quotaType().map(QuotaType::name)),
          entry.oldValue(), entry.newValue(), entry.reason(), nullable(entry.requestId()),
          nullable(entry.previousHash()), nullable(entry.hash()));
      return Optional.of(next.withVersion(next.version() + 1));
    });
  }

  private boolean insert(Handle h, UserQuota next, AuditEntry entry) {
    String sql = db.insertUnlessKeyExists("user_quotas", "user_id, tier, overrides, zone, billing_anchor_day, version,"
        + " updated_at, scheduled_tier, usage_resets, earlier_settings", "?, ?, ?, ?, ?, 1, ?, ?, ?, ?", 1);
    return db.update(h, sql, db.keyed(new Object[] {next.userId(), next.tier(),
        SpiCodec.encodeOverrides(next.overrides()), next.zone().getId(), next.billingAnchorDay(), entry.at(),
        SpiCodec.encodeScheduled(next.scheduled()), SpiCodec.encodeResets(next.resets()),
        SpiCodec.encodeEarlier(next.earlier())}, 1)) == 1;
  }


  private boolean update(Handle h, UserQuota next, AuditEntry entry) {
    return db.update(h, "UPDATE user_quotas SET tier = ?, overrides = ?, zone = ?, billing_anchor_day = ?,"
        + " version = version + 1, updated_at = ?, scheduled_tier = ?, usage_resets = ?, earlier_settings = ?"
        + " WHERE user_id = ? AND version = ?", next.tier(), SpiCodec.encodeOverrides(next.overrides()),
        next.zone().getId(), next.billingAnchorDay(), entry.at(), SpiCodec.encodeScheduled(next.scheduled()),
        SpiCodec.encodeResets(next.resets()), SpiCodec.encodeEarlier(next.earlier()), next.userId(),
        next.version()) == 1;
  }

  private Object nullable(Optional<String> value) {
    return value.map(Object.class::cast).orElse(db.nullString());
  }

  @Override
  public List<AuditEntry> auditTrail(String userId) {
    return db.autocommit("read audit trail", true, h -> db.bind(h.createQuery(AUDIT_TRAIL_SQL), userId)
        .map((rs, ctx) -> rows.entry(rs)).list());
  }

  /** {@inheritDoc} One row, by {@code usage_audit_user}. */
  @Override
  public Optional<AuditEntry> lastAuditEntry(String userId) {
    return db.autocommit("read last audit entry", true, h -> db.bind(h.createQuery("SELECT " + AuditRows.COLUMNS
        + " FROM usage_audit WHERE user_id = ? ORDER BY id DESC LIMIT 1"), userId)
        .map((rs, ctx) -> rows.entry(rs)).findFirst());
  }

  /** {@inheritDoc} One indexed query, streamed; never retried once rows have been handed on. */
  @Override
  public long forEachAuditEntry(AuditFilter filter, AuditOrder order, long offset, long limit,
      Consumer<AuditEntry> sink) {
    return rows.forEach(filter, order, offset, limit, sink);
  }

  /** {@inheritDoc} In the database's order of user ids (its collation), by {@code usage_audit_user}. */
  @Override
  public List<String> auditedUsers(Optional<String> after, int limit) {
    Sql sql = new Sql().append("SELECT DISTINCT user_id FROM usage_audit");
    after.ifPresent(a -> sql.append(" WHERE user_id > ").param(a));
    sql.append(" ORDER BY user_id LIMIT ").param(limit);
    return db.autocommit("list audited users", true, h -> db.bind(h.createQuery(sql.text()), sql.args())
        .mapTo(String.class).list());
  }
}
