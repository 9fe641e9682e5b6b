package dev.usage.jdbc;

import dev.usage.EventTotals;
import dev.usage.QuotaType;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventQuery;
import dev.usage.spi.GroupTotals;
import dev.usage.spi.Grouping;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
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

  /**
   * Several groupings of the same events in one scan, by {@code GROUPING SETS} (PostgreSQL): each answer as
   * {@link #groups} gives it for that grouping alone (users 0 where not counted). Built-in units in one
   * statement, custom units in a second.
   */
  List<List<GroupTotals>> groupingSets(Handle h, EventQuery query, List<Grouping> groupings) {
    List<Dimension> all = new ArrayList<>();
    for (Dimension d : Dimension.values()) {
      if (groupings.stream().anyMatch(g -> g.by().contains(d))) {
        all.add(d);
      }
    }
    EventSelection sel = new EventSelection(db.dialect, query, EventSelection.needsTier(all));
    // each distinct grouping once in the SQL (a set named twice there would be summed twice)
    Map<Integer, Grouping> distinct = new LinkedHashMap<>();
    for (Grouping g : groupings) {
      distinct.putIfAbsent(mask(all, g), g);
    }
    Map<Integer, Map<List<String>, Row>> bySet = new LinkedHashMap<>();
    distinct.keySet().forEach(m -> bySet.put(m, new LinkedHashMap<>()));
    Sql sql = groupingSetsSql(sel, all, List.copyOf(distinct.values()));
    db.bind(h.createQuery(sql.text()), sql.args()).map((rs, ctx) -> {
      int mask = rs.getInt(1);
      List<String> key = setKey(rs, all, mask >> 1, 1);
      bySet.get(mask).put(key, new Row(key, rs, all.size() + 1));
      return 0;
    }).list();
    Sql custom = customGroupingSetsSql(sel, all, List.copyOf(distinct.values()));
    db.bind(h.createQuery(custom.text()), custom.args()).map((rs, ctx) -> {
      int dimsMask = rs.getInt(1);
      List<String> key = setKey(rs, all, dimsMask, 1);
      for (int users = 0; users <= 1; users++) {
        Map<List<String>, Row> rows = bySet.get((dimsMask << 1) | users);
        Row r = rows == null ? null : rows.get(key);
        if (r != null) {
          r.units.merge(QuotaType.of(rs.getString(all.size() + 2)), rs.getLong(all.size() + 3), Math::addExact);
        }
      }
      return 0;
    }).list();
    List<List<GroupTotals>> out = new ArrayList<>(groupings.size());
    for (Grouping g : groupings) {
      List<Dimension> dims = JdbcEventAnalytics.ordered(g.by());
      Map<List<String>, Row> rows = bySet.get(mask(all, g));
      if (rows.isEmpty() && dims.isEmpty()) {
        out.add(List.of(new GroupTotals(Map.of(), EventTotals.NONE)));
        continue;
      }
      List<GroupTotals> groups = new ArrayList<>(rows.size());
      for (Row r : rows.values()) {
        Map<Dimension, String> key = new EnumMap<>(Dimension.class);
        for (int d = 0; d < dims.size(); d++) {
          key.put(dims.get(d), r.key.get(d));
        }
        groups.add(new GroupTotals(key, r.totals()));
      }
      out.add(groups);
    }
    return out;
  }

  /**
   * {@code GROUPING(k0, ..., user_id)} of a grouping: a bit (most significant first) for each column it leaves
   * out, the last for the user (set when users are not counted).
   */
  private static int mask(List<Dimension> all, Grouping g) {
    return (dimsMask(all, g.by()) << 1) | (g.countUsers() ? 0 : 1);
  }

  /** {@code GROUPING(k0, ...)} of a set of dimensions. */
  private static int dimsMask(List<Dimension> all, Set<Dimension> by) {
    int m = 0;
    for (Dimension d : all) {
      m = (m << 1) | (by.contains(d) ? 0 : 1);
    }
    return m;
  }

  /** The key of a grouping-sets row: the values of the columns its set groups by, in dimension order. */
  private static List<String> setKey(ResultSet rs, List<Dimension> all, int dimsMask, int offset) throws SQLException {
    List<String> key = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if ((dimsMask & (1 << (all.size() - 1 - i))) == 0) {
        key.add(all.get(i) == Dimension.QUARTER_HOUR ? Long.toString(rs.getLong(offset + 1 + i))
            : rs.getString(offset + 1 + i));
      }
    }
    return key;
  }

  /**
   * The statement of {@link #groupingSets}' built-in sums, ordered by set, then key. Two levels, both by
   * hashing: sums per set and key (and user, where users are counted), then per set and key, where the
   * number of user rows is the number of distinct users ({@code COUNT(DISTINCT)} would make PostgreSQL sort
   * the events once per set).
   */
  Sql groupingSetsSql(EventSelection sel, List<Dimension> all, List<Grouping> groupings) {
    StringBuilder keys = new StringBuilder();
    for (int i = 0; i < all.size(); i++) {
      keys.append(", k").append(i);
    }
    List<Grouping> tops = groupings.stream().filter(Grouping::isTop).toList();
    Sql sql = new Sql();
    if (!tops.isEmpty()) {
      // top lists: each set's groups ranked by its unit in the same statement, the rest of its groups dropped
      sql.append("SELECT * FROM (");
    }
    sql.append("SELECT g").append(keys.toString())
        .append(", SUM(n) AS n, SUM(failed) AS failed, CASE WHEN MOD(g, 2) = 0 THEN COUNT(*) ELSE 0 END AS users,"
            + " SUM(characters) AS characters, SUM(requests) AS requests, SUM(tokens) AS tokens, SUM(timed) AS timed,"
            + " SUM(pt) AS pt");
    if (!tops.isEmpty()) {
      sql.append(", ROW_NUMBER() OVER (PARTITION BY g ORDER BY CASE g");
      for (Grouping t : tops) {
        sql.append(" WHEN " + mask(all, t) + " THEN SUM(" + builtInColumn(t.orderBy().get()) + ")");
      }
      sql.append(" END DESC, ").append(order(sel, all)).append(") AS rn");
    }
    sql.append(" FROM (SELECT ")
        .append(grouping(all, "user_id")).append(" AS g").append(keys.toString())
        .append(", COUNT(*) AS n, SUM(failed) AS failed, SUM(characters) AS characters, SUM(requests) AS requests,"
            + " SUM(tokens) AS tokens, COUNT(pt) AS timed, SUM(pt) AS pt FROM (SELECT ");
    keys(sql, sel, all);
    sql.append("t.user_id AS user_id, CASE WHEN t.success THEN 0 ELSE 1 END AS failed, t.characters AS characters,"
        + " t.requests AS requests, t.input_tokens + t.output_tokens AS tokens, t.processing_time_ms AS pt");
    sel.from(sql, false, Optional.empty());
    sql.append(") e GROUP BY GROUPING SETS (");
    for (int s = 0; s < groupings.size(); s++) {
      Grouping g = groupings.get(s);
      sql.append(s == 0 ? "" : ", ").append(set(all, g.by(), g.countUsers() ? "user_id" : ""));
    }
    sql.append(")) u GROUP BY g").append(keys.toString());
    if (!tops.isEmpty()) {
      sql.append(") r WHERE ");
      for (int t = 0; t < tops.size(); t++) {
        Grouping top = tops.get(t);
        sql.append(t == 0 ? "" : " AND ").append("(g <> " + mask(all, top) + " OR (rn <= ").param(top.limit())
            .append(" AND " + builtInColumn(top.orderBy().get()) + " > 0))");
      }
      // rn: a top list's rank, any other set's key order
      return sql.append(" ORDER BY g, rn");
    }
    sql.append(" ORDER BY g");
    if (!all.isEmpty()) {
      sql.append(", ").append(order(sel, all));
    }
    return sql;
  }

  /**
   * Whether {@link #groupingSets} answers {@code g}: any grouping but a top list by a custom unit (whose
   * amounts are in another table) or of no groups.
   */
  static boolean inGroupingSets(Grouping g) {
    return !g.isTop() || g.orderBy().get().isBuiltIn() && g.limit() > 0;
  }

  /** The column of {@link #groupingSetsSql}'s sums holding a built-in unit. */
  private static String builtInColumn(QuotaType type) {
    if (type.equals(QuotaType.CHARACTERS)) {
      return "characters";
    }
    if (type.equals(QuotaType.REQUESTS)) {
      return "requests";
    }
    if (type.equals(QuotaType.TOKENS)) {
      return "tokens";
    }
    throw new IllegalArgumentException("not a built-in unit: " + type);
  }

  /** Custom units per set of dimensions (each once), key and custom type. */
  Sql customGroupingSetsSql(EventSelection sel, List<Dimension> all, List<Grouping> groupings) {
    Sql sql = new Sql().append("SELECT ").append(grouping(all, ""));
    for (int i = 0; i < all.size(); i++) {
      sql.append(", k" + i);
    }
    sql.append(", quota_type, SUM(amount) FROM (SELECT ");
    keys(sql, sel, all);
    sql.append("c.quota_type AS quota_type, c.amount AS amount");
    sel.from(sql, true, Optional.empty());
    sql.append(") e GROUP BY GROUPING SETS (");
    List<Set<Dimension>> sets = groupings.stream().map(Grouping::by).distinct().toList();
    for (int s = 0; s < sets.size(); s++) {
      sql.append(s == 0 ? "" : ", ").append(set(all, sets.get(s), "quota_type"));
    }
    return sql.append(")");
  }

  /** {@code GROUPING(k0, ..., extra)}. */
  private static String grouping(List<Dimension> all, String extra) {
    StringBuilder b = new StringBuilder("GROUPING(");
    for (int i = 0; i < all.size(); i++) {
      b.append(i == 0 ? "" : ", ").append("k" + i);
    }
    if (!extra.isEmpty()) {
      b.append(all.isEmpty() ? "" : ", ").append(extra);
    }
    return b.append(")").toString();
  }

  /** {@code (k0, k2, extra)}: the columns of {@code by}, plus {@code extra} when given. */
  private static String set(List<Dimension> all, Set<Dimension> by, String extra) {
    StringBuilder b = new StringBuilder("(");
    boolean first = true;
    for (int i = 0; i < all.size(); i++) {
      if (by.contains(all.get(i))) {
        b.append(first ? "" : ", ").append("k" + i);
        first = false;
      }
    }
    if (!extra.isEmpty()) {
      b.append(first ? "" : ", ").append(extra);
    }
    return b.append(")").toString();
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
      return new EventTotals(events, failed, users, units, timed, Duration.of(micros, ChronoUnit.MICROS));
    }
  }

}
