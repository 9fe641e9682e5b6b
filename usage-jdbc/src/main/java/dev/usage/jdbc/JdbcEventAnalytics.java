package dev.usage.jdbc;

import dev.usage.AggregationReport;
import dev.usage.EventSort;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import dev.usage.internal.Checks;
import dev.usage.spi.AnalyticsArguments;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import dev.usage.spi.GroupTotals;
import dev.usage.spi.Grouping;
import dev.usage.spi.TimePercentiles;
import dev.usage.spi.UserRank;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@link EventAnalytics} in SQL over {@code usage_tracking}: every figure is computed by the database
 * ({@code GROUP BY}, window functions), the same way on H2, PostgreSQL and MariaDB/MySQL, and only the
 * answers travel. Percentiles are nearest rank by {@code ROW_NUMBER()} against {@code CEIL(p * n)} in
 * double precision, which is Java's arithmetic, so every backend picks the same recorded value.
 * {@link #forEachEvent} streams (see {@link StoredEvents}). Tiers come from {@code user_quotas}.
 * Obtained from {@link JdbcEventStore#analytics()}. Thread-safe.
 */
final class JdbcEventAnalytics implements EventAnalytics {

  private final Db db;
  private final JdbcAggregations aggregations;
  private final StoredEvents stored;
  private final EventGroups groups;

  JdbcEventAnalytics(Db db, JdbcAggregations aggregations) {
    this.db = db;
    this.aggregations = aggregations;
    this.stored = new StoredEvents(db);
    this.groups = new EventGroups(db);
  }

  @Override
  public List<GroupTotals> group(EventQuery query, Set<Dimension> by) {
    Checks.notNull("query", query);
    Checks.noNullElements("by", by);
    List<Dimension> dims = ordered(by);
    return db.autocommit("group events", true, h -> groups.groups(h, query, dims, Optional.empty(), 0));
  }

  /**
   * On PostgreSQL every grouping in one scan ({@code GROUPING SETS}, users counted by hashing per user where
   * asked); elsewhere one group query each (H2 and MariaDB have no grouping sets).
   */
  @Override
  public List<List<GroupTotals>> groupings(EventQuery query, List<Grouping> groupings) {
    Checks.notNull("query", query);
    Checks.noNullElements("groupings", groupings);
    if (db.dialect != JdbcDialect.POSTGRESQL) {
      return EventAnalytics.super.groupings(query, groupings);
    }
    // one statement for all but a top list it cannot rank, or one whose set another grouping names unranked
    List<Grouping> together = new ArrayList<>();
    for (Grouping g : groupings) {
      if (EventGroups.inGroupingSets(g) && together.stream().noneMatch(t -> !t.equals(g)
          && t.by().equals(g.by()) && t.countUsers() == g.countUsers())) {
        together.add(g);
      }
    }
    if (together.size() < 2 || together.stream().allMatch(g -> g.by().isEmpty())) {
      return EventAnalytics.super.groupings(query, groupings);
    }
    List<List<GroupTotals>> sets = db.autocommit("grouping sets", true, h -> groups.groupingSets(h, query, together));
    List<List<GroupTotals>> out = new ArrayList<>(groupings.size());
    for (Grouping g : groupings) {
      int i = together.indexOf(g);
      out.add(i >= 0 ? sets.get(i) : EventAnalytics.super.groupings(query, List.of(g)).get(0));
    }
    return out;
  }

  @Override
  public List<GroupTotals> top(EventQuery query, Dimension by, QuotaType orderBy, int limit) {
    AnalyticsArguments.top(query, by, orderBy, limit);
    if (limit == 0) {
      return List.of();
    }
    return db.autocommit("top groups", true, h -> groups.groups(h, query, List.of(by), Optional.of(orderBy), limit));
  }

  static List<Dimension> ordered(Set<Dimension> by) {
    List<Dimension> dims = new ArrayList<>();
    for (Dimension d : Dimension.values()) {
      if (by.contains(d)) {
        dims.add(d);
      }
    }
    return dims;
  }

  @Override
  public List<TimePercentiles> processingTimes(EventQuery query, Optional<Dimension> by, List<Double> percentiles) {
    AnalyticsArguments.processingTimes(query, by, percentiles);
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
          v[i] = Duration.ofNanos(Math.multiplyExact(JdbcEventStore.micros(rs.getBigDecimal(4)), 1_000));
        }
        return 0;
      }).list();
      List<TimePercentiles> out = new ArrayList<>(values.size());
      values.forEach((k, v) -> out.add(new TimePercentiles(k, counts.get(k), List.of(v))));
      return out;
    });
  }

  /**
   * {@link #percentileSql} on PostgreSQL: one sort per group by the ordered-set aggregate
   * {@code percentile_disc}, whose rank is the same {@code ceil(p * n)} in double precision, its array
   * unnested into the rows the generic statement gives (without the row of index -1: every group has all).
   */
  private Sql percentileDiscSql(EventSelection sel, Optional<Dimension> by, List<Double> percentiles) {
    Sql sql = new Sql().append("SELECT g.k, g.n, u.i - 1, u.v FROM (SELECT k, COUNT(*) AS n, percentile_disc(ARRAY[");
    for (int i = 0; i < percentiles.size(); i++) {
      sql.append(i == 0 ? "CAST(" : ", CAST(").param(percentiles.get(i)).append(" AS DOUBLE PRECISION)");
    }
    sql.append("]) WITHIN GROUP (ORDER BY pt) AS vs FROM (SELECT ");
    if (by.isPresent()) {
      sel.key(sql, by.get());
    } else {
      sql.append("''");
    }
    sql.append(" AS k, t.processing_time_ms AS pt");
    sel.from(sql, false, Optional.empty());
    sql.append(" AND t.processing_time_ms IS NOT NULL) e GROUP BY k) g CROSS JOIN LATERAL unnest(g.vs)"
        + " WITH ORDINALITY AS u(v, i) ORDER BY ")
        .append(by.filter(d -> d == Dimension.QUARTER_HOUR).isPresent() ? "g.k" : sel.ordinal("g.k"))
        .append(", u.i");
    return sql;
  }

  /**
   * One row per (group, asked percentile) with the group's timed-event count and the value at rank
   * {@code max(1, ceil(p * n))}, plus one row of index -1 per group (its largest value).
   */
  Sql percentileSql(EventQuery query, Optional<Dimension> by, List<Double> percentiles) {
    EventSelection sel = new EventSelection(db.dialect, query, by.filter(d -> d == Dimension.TIER).isPresent());
    if (db.dialect == JdbcDialect.POSTGRESQL && !percentiles.isEmpty()) {
      return percentileDiscSql(sel, by, percentiles);
    }
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
    // n as a double too: H2 would otherwise multiply a DOUBLE by a BIGINT exactly (DECFLOAT), giving 7 for
    // 0.07 * 100 where Java's and PostgreSQL's PERCENTILE_DISC double arithmetic give 7.000000000000001, so rank 8
    String pn = "ps.p * CAST(r.n AS " + dbl + ")";
    sql.append(") ps ON r.rn = CASE WHEN CEIL(" + pn + ") < 1 THEN 1 ELSE CEIL(" + pn + ") END ORDER BY ")
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
