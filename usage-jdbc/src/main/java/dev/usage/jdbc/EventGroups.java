package dev.usage.jdbc;

import dev.usage.EventTotals;
import dev.usage.QuotaType;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventQuery;
import dev.usage.spi.GroupTotals;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * The group and top-list queries of {@link JdbcEventAnalytics}: the events' values of the dimensions
 * (columns {@code k0, k1, ...} of a derived table, so that an expression with a bound value, the default
 * tier, is grouped by as one column), sums of the built-in units in one statement and of custom units per
 * type in a second. Thread-safe.
 */
final class EventGroups {

  /** Keys of the top groups above which their custom units are read for all groups and the rest dropped. */
  private static final int MAX_KEYS_BOUND = 1_000;

  private final Db db;

  EventGroups(Db db) {
    this.db = db;
  }

  /**
   * The groups of {@code dims} in key order; or, with {@code orderBy}, the {@code limit} groups with most
   * of it (largest first, ties by key). Built-in units in one statement, custom units in a second.
   */
  List<GroupTotals> groups(Handle h, EventQuery query, List<Dimension> dims, Optional<QuotaType> orderBy,
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

  /** The statement of a group query's built-in sums. */
  Sql groupSql(EventQuery query, Set<Dimension> by) {
    List<Dimension> dims = JdbcEventAnalytics.ordered(by);
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
      micros = JdbcEventStore.micros(rs.getBigDecimal(offset + 8));
    }

    EventTotals totals() {
      return new EventTotals(events, failed, users, units, timed, Duration.ofNanos(Math.multiplyExact(micros, 1_000)));
    }
  }

}
