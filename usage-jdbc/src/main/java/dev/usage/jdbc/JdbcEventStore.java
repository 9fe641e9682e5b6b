package dev.usage.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageEvent;
import dev.usage.spi.EventStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The event log in {@code usage_tracking} (custom quota units in {@code usage_tracking_custom}). Appends
 * are idempotent by (user, event id), written as prepared batches in one transaction; a batch that failed
 * may be appended again. Thread-safe.
 */
public final class JdbcEventStore implements EventStore {

  private static final ObjectMapper JSON = new ObjectMapper();

  static final String COLUMNS = "user_id, event_id, occurred_at, feature_used, endpoint, characters, requests,"
      + " input_tokens, output_tokens, quota_consumed, processing_time_ms, session_id, ip_address, user_agent,"
      + " error_code, success, metadata";
  private static final String PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

  private final Db db;
  private final DirtyDays dirtyDays;

  JdbcEventStore(Db db) {
    this.db = db;
    this.dirtyDays = new DirtyDays(db);
  }

  @Override
  public int append(List<UsageEvent> events) {
    if (events.isEmpty()) {
      return 0;
    }
    if (db.dialect == JdbcDialect.H2) {
      // H2 has no insert-or-ignore outside its compatibility modes: one statement per row
      return db.autocommit("append events", true, h -> {
        int added = 0;
        for (UsageEvent e : events) {
          if (db.insertIfAbsent(h, "INSERT INTO usage_tracking (" + COLUMNS + ") VALUES (" + PLACEHOLDERS + ")",
              row(e))) {
            added++;
          }
          for (Map.Entry<QuotaType, Long> c : e.customQuantities().entrySet()) {
            db.insertIfAbsent(h, "INSERT INTO usage_tracking_custom (user_id, event_id, quota_type, occurred_at, amount)"
                + " VALUES (?, ?, ?, ?, ?)", e.userId(), e.eventId(), c.getKey().name(), e.occurredAt(), c.getValue());
          }
        }
        // aggregation: the appended events' (day, user) slices become stale (see DirtyDays)
        dirtyDays.mark(h, events);
        return added;
      });
    }
    return db.transaction("append events", true, h -> appendBatch(h, events));
  }

  private int appendBatch(Handle h, List<UsageEvent> events) {
    PreparedBatch batch = h.prepareBatch(db.insertIgnoring("usage_tracking (" + COLUMNS + ")",
        "VALUES (" + PLACEHOLDERS + ")"));
    PreparedBatch custom = h.prepareBatch(db.insertIgnoring("usage_tracking_custom (user_id, event_id, quota_type,"
        + " occurred_at, amount)", "VALUES (?, ?, ?, ?, ?)"));
    for (UsageEvent e : events) {
      db.bind(batch, row(e)).add();
      for (Map.Entry<QuotaType, Long> c : e.customQuantities().entrySet()) {
        db.bind(custom, e.userId(), e.eventId(), c.getKey().name(), e.occurredAt(), c.getValue()).add();
      }
    }
    int added = 0;
    for (int n : batch.execute()) {
      added += Math.max(n, 0);
    }
    if (custom.size() > 0) {
      custom.execute();
    }
    // aggregation: the appended events' (day, user) slices become stale, last so their locks are brief
    dirtyDays.mark(h, events);
    return added;
  }

  private Object[] row(UsageEvent e) {
    return new Object[] {e.userId(), e.eventId(), e.occurredAt(), e.feature(), text(e.endpoint().orElse(null)),
        e.characters(), e.requests(), e.inputTokens(), e.outputTokens(), json(quantities(e)),
        e.processingTime().map(JdbcEventStore::millis).map(Object.class::cast).orElse(db.nullDecimal()),
        text(e.sessionId().orElse(null)), text(e.ipAddress().orElse(null)), text(e.userAgent().orElse(null)),
        text(e.errorCode().orElse(null)), e.success(), e.metadata().isEmpty() ? db.nullString() : json(e.metadata())};
  }

  private Object text(String value) {
    return value == null ? db.nullString() : value;
  }

  private static Map<String, Long> quantities(UsageEvent e) {
    Map<String, Long> out = new LinkedHashMap<>();
    e.quantities().forEach((t, v) -> out.put(t.name(), v));
    return out;
  }

  /** Milliseconds with three decimals: the duration to the microsecond. */
  static BigDecimal millis(Duration d) {
    return BigDecimal.valueOf(d.toNanos() / 1_000, 3);
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value, e);
    }
  }

  @Override
  public SystemUsage systemUsage(Instant from, Instant to) {
    return db.autocommit("system usage", true, h -> {
      Map<QuotaType, Long> totals = new TreeMap<>();
      long[] counts = db.bind(h.createQuery("SELECT COUNT(*), COALESCE(SUM(CASE WHEN success THEN 0 ELSE 1 END), 0),"
          + " COUNT(DISTINCT user_id), COALESCE(SUM(characters), 0), COALESCE(SUM(requests), 0),"
          + " COALESCE(SUM(input_tokens + output_tokens), 0) FROM usage_tracking WHERE occurred_at >= ? AND occurred_at < ?"),
          from, to).map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
              rs.getLong(5), rs.getLong(6)}).one();
      putPositive(totals, QuotaType.CHARACTERS, counts[3]);
      putPositive(totals, QuotaType.REQUESTS, counts[4]);
      putPositive(totals, QuotaType.TOKENS, counts[5]);
      customTotals(h, "", List.of(from, to), totals);
      return new SystemUsage(from, to, counts[0], counts[1], counts[2], totals);
    });
  }

  @Override
  public Map<QuotaType, Long> userTotals(String userId, Instant from, Instant to) {
    return db.autocommit("user totals", true, h -> {
      Map<QuotaType, Long> totals = new TreeMap<>();
      long[] sums = db.bind(h.createQuery("SELECT COALESCE(SUM(characters), 0), COALESCE(SUM(requests), 0),"
          + " COALESCE(SUM(input_tokens + output_tokens), 0) FROM usage_tracking"
          + " WHERE user_id = ? AND occurred_at >= ? AND occurred_at < ?"), userId, from, to)
          .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).one();
      putPositive(totals, QuotaType.CHARACTERS, sums[0]);
      putPositive(totals, QuotaType.REQUESTS, sums[1]);
      putPositive(totals, QuotaType.TOKENS, sums[2]);
      customTotals(h, "user_id = ? AND ", List.of(userId, from, to), totals);
      return totals;
    });
  }

  private void customTotals(Handle h, String filter, List<Object> args, Map<QuotaType, Long> totals) {
    db.bind(h.createQuery("SELECT quota_type, SUM(amount) FROM usage_tracking_custom WHERE " + filter
        + "occurred_at >= ? AND occurred_at < ? GROUP BY quota_type"), args.toArray())
        .map((rs, ctx) -> Map.entry(QuotaType.of(rs.getString(1)), rs.getLong(2)))
        .forEach(e -> putPositive(totals, e.getKey(), e.getValue()));
  }

  private static void putPositive(Map<QuotaType, Long> totals, QuotaType type, long value) {
    if (value > 0) {
      totals.put(type, value);
    }
  }
}
