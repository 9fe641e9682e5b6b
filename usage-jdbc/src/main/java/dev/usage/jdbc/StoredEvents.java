package dev.usage.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.usage.EventSort;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import dev.usage.UsageStorageException;
import dev.usage.spi.EventQuery;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Streams the events of a query out of {@code usage_tracking} in a chosen order, one row at a time, as they
 * were stored (custom units from {@code quota_consumed}, which holds every type's units). Memory stays
 * bounded whatever the count: the result set is read with a fetch size of {@value #FETCH_SIZE} rows.
 * PostgreSQL: inside a read-only transaction (pgjdbc fetches in batches only with auto-commit off).
 * MariaDB Connector/J 3.x: a positive fetch size makes the result set streaming, read from the socket as the
 * consumer advances (the connection serves nothing else meanwhile; closing early drains the rest). H2 (embedded):
 * a result that needs sorting holds at most {@code MAX_MEMORY_ROWS} rows in the heap and the rest in a
 * temporary file (an in-memory database keeps that in the heap too, as it does its tables).
 *
 * <p>The statement timeout covers the execution of the query (on PostgreSQL and H2 until the first rows are
 * there; MariaDB's server-side timeout would also cut a long stream, so an export has none there), not the
 * time the consumer takes. Thread-safe.
 */
final class StoredEvents {

  /** Rows per round trip while streaming. */
  static final int FETCH_SIZE = 1_000;

  private static final TypeReference<LinkedHashMap<String, Long>> UNITS = new TypeReference<>() {};
  private static final TypeReference<LinkedHashMap<String, String>> METADATA = new TypeReference<>() {};

  private final Db db;

  StoredEvents(Db db) {
    this.db = db;
  }

  /** Passes the events of {@code query} to {@code sink} in {@code sort} order; how many. */
  long forEach(EventQuery query, EventSort sort, Consumer<? super UsageEvent> sink) {
    Sql sql = sql(query, sort);
    return db.streaming("export events", c -> {
      try (PreparedStatement ps = c.prepareStatement(sql.text(), ResultSet.TYPE_FORWARD_ONLY,
          ResultSet.CONCUR_READ_ONLY)) {
        ps.setFetchSize(FETCH_SIZE);
        Object[] args = sql.args();
        for (int i = 0; i < args.length; i++) {
          bind(ps, i + 1, args[i]);
        }
        long n = 0;
        try (ResultSet rs = db.executeQuery(ps)) {
          while (rs.next()) {
            sink.accept(event(rs));
            n++;
          }
        }
        return n;
      }
    });
  }

  /** The statement of {@link #forEach}. */
  Sql sql(EventQuery query, EventSort sort) {
    Sql sql = new Sql().append("SELECT ").append(prefixed());
    new EventSelection(db.dialect, query, false).from(sql, false, Optional.empty());
    EventSelection.orderBy(sql, sort);
    return sql;
  }

  private static String prefixed() {
    StringBuilder b = new StringBuilder();
    for (String column : JdbcEventStore.COLUMNS.split(",\\s*")) {
      b.append(b.length() == 0 ? "" : ", ").append("t.").append(column);
    }
    return b.toString();
  }

  private void bind(PreparedStatement ps, int position, Object value) throws SQLException {
    if (value instanceof Instant t) {
      db.setInstant(ps, position, t);
    } else if (value instanceof String s) {
      ps.setString(position, s);
    } else if (value instanceof Long n) {
      ps.setLong(position, n);
    } else {
      throw new IllegalArgumentException("cannot bind " + value.getClass() + " at " + position);
    }
  }

  /** The event of the current row, as {@link JdbcEventStore} wrote it. */
  private UsageEvent event(ResultSet rs) throws SQLException {
    UsageEvent.Builder b = UsageEvent.builder()
        .userId(rs.getString("user_id"))
        .eventId(rs.getString("event_id"))
        .occurredAt(db.instant(rs, "occurred_at"))
        .feature(rs.getString("feature_used"))
        .endpoint(rs.getString("endpoint"))
        .characters(rs.getLong("characters"))
        .requests(rs.getLong("requests"))
        .inputTokens(rs.getLong("input_tokens"))
        .outputTokens(rs.getLong("output_tokens"))
        .sessionId(rs.getString("session_id"))
        .ipAddress(rs.getString("ip_address"))
        .userAgent(rs.getString("user_agent"))
        .errorCode(rs.getString("error_code"))
        .success(rs.getBoolean("success"));
    // quota_consumed holds every type's units; the built-in ones are columns of their own
    read(rs.getString("quota_consumed"), UNITS).forEach((type, units) -> {
      QuotaType t = QuotaType.of(type);
      if (!t.isBuiltIn()) {
        b.quantity(t, units);
      }
    });
    BigDecimal millis = rs.getBigDecimal("processing_time_ms");
    if (millis != null) {
      b.processingTime(Duration.ofNanos(Math.multiplyExact(JdbcEventStore.micros(millis), 1_000)));
    }
    String metadata = rs.getString("metadata");
    if (metadata != null) {
      b.metadata(read(metadata, METADATA));
    }
    return b.build();
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return JdbcEventStore.JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new UsageStorageException("an event row holds JSON that cannot be read (" + e.getOriginalMessage() + ")", e);
    }
  }
}
