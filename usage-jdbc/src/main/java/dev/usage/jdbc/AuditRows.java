package dev.usage.jdbc;

import dev.usage.AuditEntry;
import dev.usage.AuditFilter;
import dev.usage.AuditOrder;
import dev.usage.QuotaType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The audit trail's reads from {@code usage_audit}: one row into an {@link AuditEntry}, and the query over every
 * user. Each filter is a {@code WHERE} condition backed by an index ({@code usage_audit_user},
 * {@code usage_audit_time}, {@code usage_audit_actor_time}, {@code usage_audit_type_time},
 * {@code usage_audit_request}). Thread-safe.
 */
final class AuditRows {

  /** The columns every audit read selects. */
  static final String COLUMNS = "user_id, at, actor, action, quota_type, old_value, new_value, reason, request_id,"
      + " previous_hash, entry_hash";

  private static final int FETCH_SIZE = 500;

  private final Db db;

  AuditRows(Db db) {
    this.db = db;
  }

  /** The entry of the current row. */
  AuditEntry entry(ResultSet rs) throws SQLException {
    return new AuditEntry(db.instant(rs, "at"), rs.getString("actor"), rs.getString("user_id"),
        rs.getString("action"), Optional.ofNullable(rs.getString("quota_type")).map(QuotaType::of),
        rs.getString("old_value"), rs.getString("new_value"), rs.getString("reason"),
        Optional.ofNullable(rs.getString("request_id")), Optional.ofNullable(rs.getString("previous_hash")),
        Optional.ofNullable(rs.getString("entry_hash")));
  }

  /** Streams the entries of {@code filter} in {@code order} (time, user, id) to {@code sink}. */
  long forEach(AuditFilter filter, AuditOrder order, long offset, long limit, Consumer<AuditEntry> sink) {
    Sql sql = sql(filter, order, offset, limit);
    return db.streaming("read audit entries", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.text(), ResultSet.TYPE_FORWARD_ONLY,
          ResultSet.CONCUR_READ_ONLY)) {
        ps.setFetchSize(FETCH_SIZE);
        Object[] args = sql.args();
        for (int i = 0; i < args.length; i++) {
          if (args[i] instanceof Instant t) {
            db.setInstant(ps, i + 1, t);
          } else if (args[i] instanceof Long n) {
            ps.setLong(i + 1, n);
          } else {
            ps.setString(i + 1, (String) args[i]);
          }
        }
        long n = 0;
        try (ResultSet rs = db.executeQuery(ps)) {
          while (rs.next()) {
            sink.accept(entry(rs));
            n++;
          }
        }
        return n;
      }
    });
  }

  /** The statement of {@link #forEach}. */
  static Sql sql(AuditFilter filter, AuditOrder order, long offset, long limit) {
    Sql sql = new Sql().append("SELECT " + COLUMNS + " FROM usage_audit WHERE 1 = 1");
    filter.range().ifPresent(r -> sql.append(" AND at >= ").param(r.from()).append(" AND at < ").param(r.to()));
    in(sql, "user_id", filter.users());
    in(sql, "actor", filter.actors());
    in(sql, "action", filter.actions());
    in(sql, "quota_type", filter.quotaTypes().stream().map(QuotaType::name).toList());
    in(sql, "request_id", filter.requestIds());
    String dir = order == AuditOrder.OLDEST_FIRST ? "" : " DESC";
    sql.append(" ORDER BY at" + dir + ", user_id" + dir + ", id" + dir);
    // every dialect takes LIMIT ... OFFSET ...; MySQL's LIMIT goes beyond Long.MAX_VALUE, so "all" is that
    sql.append(" LIMIT ").param(limit).append(" OFFSET ").param(offset);
    return sql;
  }

  private static void in(Sql sql, String column, java.util.Collection<String> values) {
    if (!values.isEmpty()) {
      sql.append(" AND " + column + " IN ").list(values);
    }
  }
}
