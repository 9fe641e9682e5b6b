package dev.usage.jdbc;

import dev.usage.AggregationReport;
import dev.usage.EventSort;
import dev.usage.EventTotals;
import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import dev.usage.internal.Checks;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import dev.usage.spi.GroupTotals;
import dev.usage.spi.TimePercentiles;
import dev.usage.spi.UserRank;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/**
 * {@link EventAnalytics} in SQL over {@code usage_tracking}: every figure is computed by the database
 * ({@code GROUP BY}, window functions), the same way on H2, PostgreSQL and MariaDB/MySQL, and only the
 * answers travel. Percentiles are nearest rank by {@code ROW_NUMBER()} against {@code CEIL(p * n)} in
 * double precision, which is Java's arithmetic, so every backend picks the same recorded value.
 * {@link #forEachEvent} streams (see {@link StoredEvents}). Tiers come from {@code user_quotas}.
 * Obtained from {@link JdbcEventStore#analytics()}. Thread-safe.
 */
final class JdbcEventAnalytics implements EventAnalytics {

  /** Keys of the top groups above which their custom units are read for all groups and the rest dropped. */
  private static final int MAX_KEYS_BOUND = 1_000;

  private final Db db;
  private final JdbcAggregations aggregations;
  private final StoredEvents stored;

  JdbcEventAnalytics(Db db, JdbcAggregations aggregations) {
    this.db = db;
    this.aggregations = aggregations;
    this.stored = new StoredEvents(db);
  }

  @Override
  public List<GroupTotals> group(EventQuery query, Set<Dimension> by) {
    Checks.notNull("query", query);
    Checks.noNullElements("by", by);
    List<Dimension> dims = ordered(by);
    return db.autocommit("group events", true, h -> groups(h, query, dims, Optional.empty(), 0));
  }

  @Override
  public List<GroupTotals> top(EventQuery query, Dimension by, QuotaType orderBy, int limit) {
    Checks.notNull("query", query);
    Checks.notNull("by", by);
    Checks.notNull("orderBy", orderBy);
    if (by == Dimension.QUARTER_HOUR) {
      throw new InvalidUsageException("by", "must not be QUARTER_HOUR");
    }
    if (limit < 0) {
      throw new InvalidUsageException("limit", "must not be negative, was " + limit);
    }
    if (limit == 0) {
      return List.of();
    }
    return db.autocommit("top groups", true, h -> groups(h, query, List.of(by), Optional.of(orderBy), limit));
  }

  private static List<Dimension> ordered(Set<Dimension> by) {
    List<Dimension> dims = new ArrayList<>();
    for (Dimension d : Dimension.values()) {
      if (by.contains(d)) {
        dims.add(d);
      }
    }
    return dims;
  }

  /**
   * The groups of {@code dims} in key order; or, with {@code orderBy}, the {@code limit} groups with most
   * of it (largest first, ties by key). Built-in units in one statement, custom units in a second.
   */
  private List<GroupTotals> groups(Handle h, EventQuery query, List<Dimension> dims, Optional<QuotaType> orderBy,
      int limit) {
    EventSelection sel = new EventSelection(db.dialect, query, EventSelection.needsTier(dims));
    Sql sql = groupSql(sel, dims, orderBy, limit);
    Map<List<String>, Row> rows = new LinkedHashMap<>();
    db.bind(h.createQuery(sql.text()), sql.args()).map((rs, ctx) -> {
      List<String> key = key(rs, dims);
      rows.put(key, new Row(key, rs, dims.size()));
      return key;
    }).list();
    if (rows.isEmpty()) {
      return dims.isEmpty() ? List.of(new GroupTotals(Map.of(), EventTotals.NONE)) : List.of();
    }
    customUnits(h, sel, dims, orderBy.isPresent() && rows.size() <= MAX_KEYS_BOUND
        ? Optional.of(rows.keySet()) : Optional.empty(), rows);
    List<GroupTotals> out = new ArrayList<>(rows.size());
    for (Row r : rows.values()) {
      Map<Dimension, String> key = new EnumMap<>(Dimension.class);
      for (int i = 0; i < dims.size(); i++) {
        key.put(dims.get(i), r.key.get(i));
      }
      out.add(new GroupTotals(key, r.totals()));
    }
    return out;
  }

  /** The statement of {@link #group}'s built-in sums. */
  Sql groupSql(EventQuery query, Set<Dimension> by) {
    List<Dimension> dims = ordered(by);
    return groupSql(new EventSelection(db.dialect, query, EventSelection.needsTier(dims)), dims, Optional.empty(), 0);
  }

  /**
   * The statement of {@link #groups}: built-in sums per group of {@code dims} in key order, or with
   * {@code orderBy} the top {@code limit} groups by it.
   */
  Sql groupSql(EventSelection sel, List<Dimension> dims, Optional<QuotaType> orderBy, int limit) {
    Sql sql = new Sql().append("SELECT ");
    for (int i = 0; i < dims.size(); i++) {
      sql.append("k" + i + ", ");
    }
    sql.append("COUNT(*), SUM(failed), COUNT(DISTINCT user_id), SUM(characters), SUM(requests), SUM(tokens),"
        + " COUNT(pt), SUM(pt) FROM (SELECT ");
    keys(sql, sel, dims);
    sql.append("t.user_id AS user_id, CASE WHEN t.success THEN 0 ELSE 1 END AS failed, t.characters AS characters,"
        + " t.requests AS requests, t.input_tokens + t.output_tokens AS tokens, t.processing_time_ms AS pt");
    orderBy.ifPresent(type -> sql.append(", ").append(EventSelection.units(type)).append(" AS ord"));
    sel.from(sql, false, orderBy);
    sql.append(") e");
    groupBy(sql, dims);
    if (orderBy.isPresent()) {
      sql.append(" HAVING SUM(ord) > 0 ORDER BY SUM(ord) DESC, ").append(order(sel, dims)).append(" LIMIT ")
          .param(limit);
    } else if (!dims.isEmpty()) {
      sql.append(" ORDER BY ").append(order(sel, dims));
    }
    return sql;
  }

  /** Adds the custom units of the groups in {@code rows} (of those in {@code only} when given). */
  private void customUnits(Handle h, EventSelection sel, List<Dimension> dims, Optional<Set<List<String>>> only,
      Map<List<String>, Row> rows) {
    Sql sql = customSql(sel, dims, only);
    db.bind(h.createQuery(sql.text()), sql.args()).map((rs, ctx) -> {
      Row r = rows.get(key(rs, dims));
      if (r != null) {
        r.units.merge(QuotaType.of(rs.getString(dims.size() + 1)), rs.getLong(dims.size() + 2), Math::addExact);
      }
      return 0;
    }).list();
  }

  /** Custom units per group of {@code dims} and custom type (of the groups in {@code only} when given). */
  Sql customSql(EventSelection sel, List<Dimension> dims, Optional<Set<List<String>>> only) {
    Sql sql = new Sql().append("SELECT ");
    for (int i = 0; i < dims.size(); i++) {
      sql.append("k" + i + ", ");
    }
    sql.append("quota_type, SUM(amount) FROM (SELECT ");
    keys(sql, sel, dims);
    sql.append("c.quota_type AS quota_type, c.amount AS amount");
    sel.from(sql, true, Optional.empty());
    only.ifPresent(keys -> {
      // top() groups by one dimension: its values of the groups kept
      sql.append(" AND ");
      sel.key(sql, dims.get(0));
      sql.append(" IN ").list(keys.stream().map(k -> k.get(0)).toList());
    });
    sql.append(") e");
    groupBy(sql, dims);
    sql.append(dims.isEmpty() ? " GROUP BY quota_type" : ", quota_type");
    return sql;
  }

  private static void keys(Sql sql, EventSelection sel, List<Dimension> dims) {
    for (int i = 0; i < dims.size(); i++) {
      sel.key(sql, dims.get(i));
      sql.append(" AS k" + i + ", ");
    }
  }

  private static void groupBy(Sql sql, List<Dimension> dims) {
    for (int i = 0; i < dims.size(); i++) {
      sql.append(i == 0 ? " GROUP BY " : ", ").append("k" + i);
    }
  }

  private static String order(EventSelection sel, List<Dimension> dims) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < dims.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(dims.get(i) == Dimension.QUARTER_HOUR ? "k" + i : sel.ordinal("k" + i));
    }
    return b.toString();
  }

  private static List<String> key(ResultSet rs, List<Dimension> dims) throws SQLException {
    List<String> key = new ArrayList<>(dims.size());
    for (int i = 0; i < dims.size(); i++) {
      key.add(dims.get(i) == Dimension.QUARTER_HOUR ? Long.toString(rs.getLong(i + 1)) : rs.getString(i + 1));
    }
    return key;
  }

  /** One group's sums as read. */
  private static final class Row {
    final List<String> key;
    final long events;
    final long failed;
    final long users;
    final long timed;
    final long micros;
    final Map<QuotaType, Long> units = new TreeMap<>();

    Row(List<String> key, ResultSet rs, int offset) throws SQLException {
      this.key = key;
      events = rs.getLong(offset + 1);
      failed = rs.getLong(offset + 2);
      users = rs.getLong(offset + 3);
      units.put(QuotaType.CHARACTERS, rs.getLong(offset + 4));
      units.put(QuotaType.REQUESTS, rs.getLong(offset + 5));
      units.put(QuotaType.TOKENS, rs.getLong(offset + 6));
      timed = rs.getLong(offset + 7);
      micros = micros(rs.getBigDecimal(offset + 8));
    }

    EventTotals totals() {
      return new EventTotals(events, failed, users, units, timed, Duration.ofNanos(Math.multiplyExact(micros, 1_000)));
    }
  }

  /** Milliseconds to three decimals (the column's scale) as whole microseconds; null: 0. */
  static long micros(BigDecimal millis) {
    return millis == null ? 0 : millis.movePointRight(3).longValueExact();
  }

  @Override
  public List<TimePercentiles> processingTimes(EventQuery query, Optional<Dimension> by, List<Double> percentiles) {
    Checks.notNull("query", query);
    Checks.notNull("by", by);
    Checks.noNullElements("percentiles", percentiles);
    for (double p : percentiles) {
      if (!(p > 0 && p <= 1)) {
        throw new InvalidUsageException("percentiles", "each must lie in (0, 1], was " + p);
      }
    }
    Sql sql = percentileSql(query, by, percentiles);
    boolean slots = by.filter(d -> d == Dimension.QUARTER_HOUR).isPresent();
    return db.autocommit("processing-time percentiles", true, h -> {
      Map<String, Duration[]> values = new LinkedHashMap<>();
      Map<String, Long> counts = new HashMap<>();
      db.bind(h.createQuery(sql.text()), sql.args()).map((rs, ctx) -> {
        String k = slots ? Long.toString(rs.getLong(1)) : rs.getString(1);
        counts.put(k, rs.getLong(2));
        Duration[] v = values.computeIfAbsent(k, x -> new Duration[percentiles.size()]);
        int i = rs.getInt(3);
        if (i >= 0) {
          v[i] = Duration.ofNanos(Math.multiplyExact(micros(rs.getBigDecimal(4)), 1_000));
        }
        return 0;
      }).list();
      List<TimePercentiles> out = new ArrayList<>(values.size());
      values.forEach((k, v) -> out.add(new TimePercentiles(k, counts.get(k), List.of(v))));
      return out;
    });
  }

  /**
   * One row per (group, asked percentile) with the group's timed-event count and the value at rank
   * {@code max(1, ceil(p * n))}, plus one row of index -1 per group (its largest value).
   */
  Sql percentileSql(EventQuery query, Optional<Dimension> by, List<Double> percentiles) {
    EventSelection sel = new EventSelection(db.dialect, query, by.filter(d -> d == Dimension.TIER).isPresent());
    String dbl = db.dialect.isMysqlFamily() ? "DOUBLE" : "DOUBLE PRECISION";
    Sql sql = new Sql().append("SELECT r.k, r.n, ps.i, r.pt FROM (SELECT k, pt, ROW_NUMBER() OVER (")
        .append(by.isPresent() ? "PARTITION BY k " : "").append("ORDER BY pt) AS rn, COUNT(*) OVER (")
        .append(by.isPresent() ? "PARTITION BY k" : "").append(") AS n FROM (SELECT ");
    if (by.isPresent()) {
      sel.key(sql, by.get());
    } else {
      sql.append("''");
    }
    sql.append(" AS k, t.processing_time_ms AS pt");
    sel.from(sql, false, Optional.empty());
    sql.append(" AND t.processing_time_ms IS NOT NULL) e) r JOIN (SELECT -1 AS i, CAST(1 AS ").append(dbl)
        .append(") AS p");
    // index -1 (p = 1, the last rank) makes every group appear, whatever the percentiles asked
    for (int i = 0; i < percentiles.size(); i++) {
      sql.append(" UNION ALL SELECT " + i + ", CAST(").param(percentiles.get(i)).append(" AS " + dbl + ")");
    }
    sql.append(") ps ON r.rn = CASE WHEN CEIL(ps.p * r.n) < 1 THEN 1 ELSE CEIL(ps.p * r.n) END ORDER BY ")
        .append(by.filter(d -> d == Dimension.QUARTER_HOUR).isPresent() ? "r.k" : sel.ordinal("r.k"))
        .append(", ps.i");
    return sql;
  }

  @Override
  public UserRank userRank(EventQuery query, QuotaType type, long value) {
    Checks.notNull("query", query);
    Checks.notNull("type", type);
    Sql sql = rankSql(query, type, value);
    return db.autocommit("rank a user", true, h -> db.bind(h.createQuery(sql.text()), sql.args())
        .map((rs, ctx) -> new UserRank(rs.getLong(1), rs.getLong(2), rs.getLong(3))).one());
  }

  /** Users with events, users whose total of {@code type} is below {@code value}, and users equal to it. */
  Sql rankSql(EventQuery query, QuotaType type, long value) {
    EventSelection sel = new EventSelection(db.dialect, query, false);
    Sql sql = new Sql().append("SELECT COUNT(*), SUM(CASE WHEN u.total < ").param(value)
        .append(" THEN 1 ELSE 0 END), SUM(CASE WHEN u.total = ").param(value)
        .append(" THEN 1 ELSE 0 END) FROM (SELECT t.user_id AS user_id, SUM(").append(EventSelection.units(type))
        .append(") AS total");
    sel.from(sql, false, Optional.of(type));
    sql.append(" GROUP BY t.user_id) u");
    return sql;
  }

  @Override
  public long forEachEvent(EventQuery query, EventSort sort, Consumer<? super UsageEvent> sink) {
    Checks.notNull("query", query);
    Checks.notNull("sort", sort);
    Checks.notNull("sink", sink);
    return stored.forEach(query, sort, sink);
  }

  /** The export's statement (see {@link StoredEvents}). */
  Sql exportSql(EventQuery query, EventSort sort) {
    return stored.sql(query, sort);
  }

  /** Rebuilds through {@link JdbcAggregations#aggregate}. */
  @Override
  public AggregationReport rebuildAggregations(LocalDate from, LocalDate toExclusive) {
    return aggregations.aggregate(from, toExclusive);
  }
}
