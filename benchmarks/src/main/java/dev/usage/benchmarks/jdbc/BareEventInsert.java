package dev.usage.benchmarks.jdbc;

import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The bare baseline: a plain JDBC {@code INSERT} batch of the rows (one {@code executeBatch} and one commit
 * per 1,000) into the shipped {@code usage_tracking} table itself, so shape and indexes are identical.
 */
final class BareEventInsert implements IngestSide {

  private static final String INSERT = "INSERT INTO usage_tracking (user_id, event_id, occurred_at, feature_used,"
      + " endpoint, characters, requests, input_tokens, output_tokens, quota_consumed, processing_time_ms, session_id,"
      + " ip_address, user_agent, error_code, success, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final DataSource pool;

  BareEventInsert(DataSource pool) {
    this.pool = pool;
    dev.usage.jdbc.JdbcSchema.create(pool);
  }

  @Override
  public void write(List<UsageEvent> batch) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement s = c.prepareStatement(INSERT)) {
        for (UsageEvent e : batch) {
          s.setString(1, e.userId());
          s.setString(2, e.eventId());
          s.setObject(3, OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC));
          s.setString(4, e.feature());
          s.setString(5, e.endpoint().orElse(null));
          s.setLong(6, e.characters());
          s.setLong(7, e.requests());
          s.setLong(8, e.inputTokens());
          s.setLong(9, e.outputTokens());
          s.setString(10, json(e.quantities()));
          s.setBigDecimal(11, e.processingTime().map(d -> BigDecimal.valueOf(d.toNanos() / 1_000, 3)).orElse(null));
          s.setString(12, e.sessionId().orElse(null));
          s.setString(13, e.ipAddress().orElse(null));
          s.setString(14, e.userAgent().orElse(null));
          s.setString(15, e.errorCode().orElse(null));
          s.setBoolean(16, e.success());
          s.setNull(17, Types.VARCHAR);
          s.addBatch();
        }
        s.executeBatch();
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The quantities as the {@code quota_consumed} JSON column holds them. */
  static String json(Map<QuotaType, Long> quantities) {
    StringBuilder b = new StringBuilder("{");
    quantities.forEach((t, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(t.name()).append("\":").append(v));
    return b.append('}').toString();
  }

  @Override
  public void close() {}
}
