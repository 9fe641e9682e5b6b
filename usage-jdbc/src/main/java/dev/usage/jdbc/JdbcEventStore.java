package dev.usage.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageEvent;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;

/**
 * The event log in {@code usage_tracking} (custom quota units in {@code usage_tracking_custom}).
 *
 * <p>Appends are idempotent by (user, event id): an id already stored is skipped and its first version kept
 * (also within one batch), custom units included: those of a skipped version are never written. A batch
 * is written in one transaction: on PostgreSQL with {@code COPY} into a staging table and one
 * {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING} (pgjdbc; any other driver gets
 * the prepared batch); on MariaDB/MySQL as prepared batches of at most about 1 MiB of values each, which
 * Connector/J 3.x sends as one bulk command ({@code COM_STMT_BULK_EXECUTE}); on H2 as a prepared batch of
 * inserts guarded by {@code NOT EXISTS}. A batch that failed may be appended again.
 *
 * <p>{@link #append}'s count of new events is exact on H2 and PostgreSQL, and on MariaDB while
 * {@code max_allowed_packet} is at least 1 MiB (server defaults: 16 MiB MariaDB, 64 MiB MySQL): a bulk
 * command reports only its total, and a driver that split one into several would report one part.
 *
 * <p>With {@link JdbcUsageStorage.Builder#ipTruncation} IP addresses are truncated before they are written
 * (IPv4 /24, IPv6 /48). Instants are stored to the microsecond (nanoseconds are truncated). Thread-safe.
 */
public final class JdbcEventStore implements EventStore {

  static final ObjectMapper JSON = new ObjectMapper();

  static final String COLUMNS = "user_id, event_id, occurred_at, feature_used, endpoint, characters, requests,"
      + " input_tokens, output_tokens, quota_consumed, processing_time_ms, session_id, ip_address, user_agent,"
      + " error_code, success, metadata";
  private static final String PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
  private static final String CUSTOM_COLUMNS = "user_id, event_id, quota_type, occurred_at, amount";

  /** {@link #systemUsage}'s totals; arguments from, to. Backed by {@code usage_tracking_time}. */
  static final String SYSTEM_TOTALS_SQL = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN success THEN 0 ELSE 1 END), 0),"
      + " COUNT(DISTINCT user_id), COALESCE(SUM(characters), 0), COALESCE(SUM(requests), 0),"
      + " COALESCE(SUM(input_tokens + output_tokens), 0) FROM usage_tracking WHERE occurred_at >= ? AND occurred_at < ?";
  /** {@link #userTotals}'s totals; arguments user, from, to. Backed by {@code usage_tracking_user_time}. */
  static final String USER_TOTALS_SQL = "SELECT COALESCE(SUM(characters), 0), COALESCE(SUM(requests), 0),"
      + " COALESCE(SUM(input_tokens + output_tokens), 0) FROM usage_tracking"
      + " WHERE user_id = ? AND occurred_at >= ? AND occurred_at < ?";
  /** Custom units of all users; arguments from, to. Backed by {@code usage_tracking_custom_time}. */
  static final String SYSTEM_CUSTOM_TOTALS_SQL = customTotals("");
  /** Custom units of one user; arguments user, from, to. Backed by {@code usage_tracking_custom_user_time}. */
  static final String USER_CUSTOM_TOTALS_SQL = customTotals("user_id = ? AND ");

  /** Values per MariaDB/MySQL batch, so that each goes out as one bulk command whose count is the batch's. */
  private static final int MAX_BULK_BYTES = 1 << 20;
  private static final String SAVEPOINT = "usage_bulk";

  private final Db db;
  private final Db analyticsDb;
  private final boolean truncateIps;
  private final DirtyDays dirtyDays;
  private final JdbcEventAnalytics analytics;

  /**
   * @param db the hot path's statements (appends)
   * @param analyticsDb analytics statements, under their own timeout
   */
  JdbcEventStore(Db db, Db analyticsDb, boolean truncateIps, JdbcAggregations aggregations) {
    this.db = db;
    this.analyticsDb = analyticsDb;
    this.truncateIps = truncateIps;
    this.dirtyDays = new DirtyDays(db);
    this.analytics = new JdbcEventAnalytics(analyticsDb, aggregations);
  }

  /**
   * Analytics computed in SQL on this log (see {@link EventAnalytics}): groups, top groups, nearest-rank
   * processing-time percentiles and user ranks by {@code GROUP BY} and window functions, a streamed export
   * with bounded memory, and rollup rebuilds through {@link JdbcAggregations#aggregate}.
   */
  @Override
  public Optional<EventAnalytics> analytics() {
    return Optional.of(analytics);
  }

  @Override
  public int append(List<UsageEvent> events) {
    if (events.isEmpty()) {
      return 0;
    }
    // a retry after a lost commit inserts nothing twice
    return db.transaction("append events", true, h -> {
      List<Object[]> rows = new ArrayList<>(events.size());
      for (UsageEvent e : events) {
        rows.add(row(e));
      }
      // custom units are written for the rows this append stored only, never for a skipped version
      BitSet stored = new BitSet(rows.size());
      int added = db.postgres() && PgCopy.usable(h) ? PgCopy.insert(h, db, rows, stored)
          : insertBatches(h, rows, events, stored);
      insertCustom(h, events, stored);
      // the appended events' (day, user) rollups become stale in the same transaction (see DirtyDays)
      dirtyDays.mark(h, events);
      return added;
    });
  }

  /**
   * Inserts the rows as prepared batches; sets in {@code stored} the rows inserted, surely those whose events
   * carry custom units (see {@link #insertBatch}). Later versions of an id in the batch are not sent: they
   * would be skipped anyway, and on H2 a version right after another fails on the key (its guard misses
   * the row the batch has just inserted).
   */
  private int insertBatches(Handle h, List<Object[]> rows, List<UsageEvent> events, BitSet stored) {
    String sql = db.insertUnlessKeyExists("usage_tracking", COLUMNS, PLACEHOLDERS, 2);
    List<Integer> first = firstVersions(rows).stream().boxed().toList();
    List<Object[]> sent = first.stream().map(rows::get).toList();
    int added = 0;
    int from = 0;
    while (from < sent.size()) {
      int to = db.dialect.isMysqlFamily() ? bulkEnd(sent, from) : sent.size();
      added += insertBatch(h, sql, rows, first.subList(from, to), events, stored);
      from = to;
    }
    return added;
  }

  /**
   * Inserts the rows at indexes {@code at} in one batch; how many it inserted. Sets in {@code stored} those
   * it inserted, from the driver's per-row counts; a bulk command (MariaDB/MySQL) reports only its total,
   * which tells which rows were new only when it is none or all of them. So when some of the rows carry
   * custom units the batch runs under a savepoint, and any other total is rolled back and the rows are
   * inserted one statement each, whose counts tell.
   */
  private int insertBatch(Handle h, String sql, List<Object[]> rows, List<Integer> at, List<UsageEvent> events,
      BitSet stored) {
    // H2 always counts per row
    boolean mustKnow = db.dialect != JdbcDialect.H2
        && at.stream().anyMatch(i -> !events.get(i).customQuantities().isEmpty());
    if (mustKnow) {
      h.savepoint(SAVEPOINT);
    }
    PreparedBatch batch = h.prepareBatch(sql);
    for (int i : at) {
      db.bind(batch, db.keyed(rows.get(i), 2)).add();
    }
    int added = executeCounting(batch, at, stored);
    if (mustKnow && stored.get(at.get(0), at.get(at.size() - 1) + 1).cardinality() != added) {
      h.rollbackToSavepoint(SAVEPOINT);
      added = 0;
      for (int i : at) {
        if (db.bind(h.createUpdate(sql), db.keyed(rows.get(i), 2)).execute() > 0) {
          stored.set(i);
          added++;
        }
      }
    } else if (mustKnow) {
      h.releaseSavepoint(SAVEPOINT);
    }
    return added;
  }

  private void insertCustom(Handle h, List<UsageEvent> events, BitSet stored) {
    // keyed by (user_id, event_id, quota_type): an event may carry several custom types
    PreparedBatch custom = h.prepareBatch(db.insertUnlessKeyExists("usage_tracking_custom", CUSTOM_COLUMNS,
        "?, ?, ?, ?, ?", 3));
    for (int i = stored.nextSetBit(0); i >= 0; i = stored.nextSetBit(i + 1)) {
      UsageEvent e = events.get(i);
      for (Map.Entry<QuotaType, Long> c : e.customQuantities().entrySet()) {
        db.bind(custom, db.keyed(new Object[] {e.userId(), e.eventId(), c.getKey().name(), e.occurredAt(),
            c.getValue()}, 3))
            .add();
      }
    }
    if (custom.size() > 0) {
      custom.execute();
    }
  }

  /** The end of a MariaDB/MySQL batch starting at {@code from}: at most {@link #MAX_BULK_BYTES} of values. */
  private static int bulkEnd(List<Object[]> rows, int from) {
    long bytes = 0;
    int i = from;
    while (i < rows.size()) {
      long size = 0;
      for (Object v : rows.get(i)) {
        // utf8mb4 takes up to 4 bytes a char; numbers and instants a few bytes each
        size += v instanceof String s ? 4L * s.length() + 4 : 16;
      }
      if (i > from && bytes + size > MAX_BULK_BYTES) {
        break;
      }
      bytes += size;
      i++;
    }
    return i;
  }

  /**
   * Runs the batch of the rows at indexes {@code at}; how many rows it inserted: the sum of the driver's
   * per-row counts, or, where the driver reports none (a MariaDB bulk command answers {@code SUCCESS_NO_INFO}
   * per row), the statement's total. Sets in {@code stored} the rows inserted where that is known: from the
   * per-row counts, or all of them when the total is their number.
   */
  private static int executeCounting(PreparedBatch batch, List<Integer> at, BitSet stored) {
    long[] total = {-1};
    batch.addCustomizer(new StatementCustomizer() {
      @Override
      public void afterExecution(PreparedStatement stmt, StatementContext ctx) throws SQLException {
        total[0] = stmt.getLargeUpdateCount();
      }
    });
    int added = 0;
    boolean noInfo = false;
    int[] counts = batch.execute();
    for (int j = 0; j < counts.length; j++) {
      if (counts[j] == Statement.SUCCESS_NO_INFO) {
        noInfo = true;
      } else if (counts[j] > 0) {
        added += counts[j];
        stored.set(at.get(j));
      }
    }
    if (!noInfo) {
      return added;
    }
    int inserted = (int) Math.max(total[0], 0);
    if (inserted == at.size()) {
      at.forEach(stored::set);
    }
    return inserted;
  }

  /** The rows that are the first of their (user, event id) in the batch: the only ones an append may store. */
  static BitSet firstVersions(List<Object[]> rows) {
    BitSet first = new BitSet(rows.size());
    Set<String> seen = new HashSet<>(rows.size() * 2);
    for (int i = 0; i < rows.size(); i++) {
      if (seen.add(key(rows.get(i)))) {
        first.set(i);
      }
    }
    return first;
  }

  /** A row's (user, event id) as one string. */
  static String key(Object[] row) {
    // user ids and event ids never contain control characters: a newline is a safe separator
    return row[0] + "\n" + row[1];
  }

  private Object[] row(UsageEvent e) {
    return new Object[] {e.userId(), e.eventId(), e.occurredAt(), e.feature(), text(e.endpoint().orElse(null)),
        e.characters(), e.requests(), e.inputTokens(), e.outputTokens(), json(quantities(e)),
        e.processingTime().map(JdbcEventStore::millis).map(Object.class::cast).orElse(db.nullDecimal()),
        text(e.sessionId().orElse(null)), text(e.ipAddress().map(this::ip).orElse(null)), text(e.userAgent().orElse(null)),
        text(e.errorCode().orElse(null)), e.success(), e.metadata().isEmpty() ? db.nullString() : json(e.metadata())};
  }

  private String ip(String address) {
    return truncateIps ? IpAddresses.truncate(address) : address;
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

  /** Milliseconds to three decimals (the column's scale) as whole microseconds, as {@link #millis} wrote them; null: 0. */
  static long micros(BigDecimal millis) {
    return millis == null ? 0 : millis.movePointRight(3).longValueExact();
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
    return analyticsDb.autocommit("system usage", true, h -> {
      Map<QuotaType, Long> totals = new TreeMap<>();
      long[] counts = analyticsDb.bind(h.createQuery(SYSTEM_TOTALS_SQL), from, to).map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
              rs.getLong(5), rs.getLong(6)}).one();
      putPositive(totals, QuotaType.CHARACTERS, counts[3]);
      putPositive(totals, QuotaType.REQUESTS, counts[4]);
      putPositive(totals, QuotaType.TOKENS, counts[5]);
      customTotals(h, SYSTEM_CUSTOM_TOTALS_SQL, List.of(from, to), totals);
      return new SystemUsage(from, to, counts[0], counts[1], counts[2], totals);
    });
  }

  @Override
  public Map<QuotaType, Long> userTotals(String userId, Instant from, Instant to) {
    return db.autocommit("user totals", true, h -> {
      Map<QuotaType, Long> totals = new TreeMap<>();
      long[] sums = db.bind(h.createQuery(USER_TOTALS_SQL), userId, from, to)
          .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).one();
      putPositive(totals, QuotaType.CHARACTERS, sums[0]);
      putPositive(totals, QuotaType.REQUESTS, sums[1]);
      putPositive(totals, QuotaType.TOKENS, sums[2]);
      customTotals(h, USER_CUSTOM_TOTALS_SQL, List.of(userId, from, to), totals);
      return totals;
    });
  }

  private static String customTotals(String filter) {
    return "SELECT quota_type, SUM(amount) FROM usage_tracking_custom WHERE " + filter
        + "occurred_at >= ? AND occurred_at < ? GROUP BY quota_type";
  }

  private void customTotals(Handle h, String sql, List<Object> args, Map<QuotaType, Long> totals) {
    db.bind(h.createQuery(sql), args.toArray())
        .map((rs, ctx) -> Map.entry(QuotaType.of(rs.getString(1)), rs.getLong(2)))
        .forEach(e -> putPositive(totals, e.getKey(), e.getValue()));
  }

  private static void putPositive(Map<QuotaType, Long> totals, QuotaType type, long value) {
    if (value > 0) {
      totals.put(type, value);
    }
  }
}
