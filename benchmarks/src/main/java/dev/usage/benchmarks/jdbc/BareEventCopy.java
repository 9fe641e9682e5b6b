package dev.usage.benchmarks.jdbc;

import dev.usage.UsageEvent;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * The second bare baseline on PostgreSQL: one {@code COPY ... FROM STDIN (FORMAT csv)} of the rows and a
 * commit per 1,000, into the shipped {@code usage_tracking} table itself; PostgreSQL's fastest way in, with
 * none of the duplicate handling our append needs (a retried event id must not make a second row).
 */
final class BareEventCopy implements IngestSide {

  private static final String COPY = "COPY usage_tracking (user_id, event_id, occurred_at, feature_used, endpoint,"
      + " characters, requests, input_tokens, output_tokens, quota_consumed, processing_time_ms, session_id,"
      + " ip_address, user_agent, error_code, success, metadata) FROM STDIN (FORMAT csv)";

  private final DataSource pool;

  BareEventCopy(DataSource pool) {
    this.pool = pool;
    dev.usage.jdbc.JdbcSchema.create(pool);
  }

  @Override
  public void write(List<UsageEvent> batch) {
    StringBuilder csv = new StringBuilder(batch.size() * 160);
    for (UsageEvent e : batch) {
      field(csv, e.userId()).append(',');
      field(csv, e.eventId()).append(',');
      csv.append(e.occurredAt()).append(',');
      field(csv, e.feature()).append(',');
      field(csv, e.endpoint().orElse(null)).append(',');
      csv.append(e.characters()).append(',').append(e.requests()).append(',').append(e.inputTokens()).append(',')
          .append(e.outputTokens()).append(',');
      field(csv, BareEventInsert.json(e.quantities())).append(',');
      csv.append(e.processingTime().map(d -> BigDecimal.valueOf(d.toNanos() / 1_000, 3).toPlainString()).orElse(""))
          .append(',');
      field(csv, e.sessionId().orElse(null)).append(',');
      field(csv, e.ipAddress().orElse(null)).append(',');
      field(csv, e.userAgent().orElse(null)).append(',');
      field(csv, e.errorCode().orElse(null)).append(',');
      csv.append(e.success() ? 't' : 'f').append(",\n");
    }
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new StringReader(csv.toString()));
      c.commit();
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A CSV field, quoted (doubling quotes); null as the unquoted empty field COPY reads as NULL. */
  private static StringBuilder field(StringBuilder csv, String value) {
    if (value == null) {
      return csv;
    }
    csv.append('"');
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      csv.append(ch == '"' ? "\"\"" : String.valueOf(ch));
    }
    return csv.append('"');
  }

  @Override
  public void close() {}
}
