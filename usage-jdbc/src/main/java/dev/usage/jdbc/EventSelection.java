package dev.usage.jdbc;

import dev.usage.EventFilter;
import dev.usage.EventSort;
import dev.usage.QuotaType;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventQuery;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL of the events one {@link EventQuery} selects, over {@code usage_tracking t}: the joins it needs,
 * its {@code WHERE} clause, and the expressions of dimensions, units and sort fields. Text comes only from the
 * allow-listed enums ({@link Dimension}, {@link EventSort.Field}, the built-in {@link QuotaType}s); every
 * value of the filter (ids, features, endpoints, tiers, custom quota types, instants) is a bound parameter.
 *
 * <p>Every statement filters on {@code occurred_at} (index {@code usage_tracking_time}); a user filter is
 * served by {@code usage_tracking_user_time}, a feature filter by {@code usage_tracking_feature_time}, an
 * endpoint filter by {@code usage_tracking_endpoint_time}; tiers are read from {@code user_quotas} by its
 * key, custom units from {@code usage_tracking_custom} by its key or, when the database starts from them,
 * by {@code usage_tracking_custom_time} / {@code usage_tracking_custom_user_time}.
 */
final class EventSelection {

  private final JdbcDialect dialect;
  private final EventQuery query;
  private final boolean tiers;

  /** The events of {@code query}; {@code tierNeeded}: a tier is selected as well (user_quotas joined). */
  EventSelection(JdbcDialect dialect, EventQuery query, boolean tierNeeded) {
    this.dialect = dialect;
    this.query = query;
    this.tiers = tierNeeded || !query.filter().tiers().isEmpty();
  }

  /** Whether any of {@code dims} needs the users' tiers. */
  static boolean needsTier(Iterable<Dimension> dims) {
    for (Dimension d : dims) {
      if (d == Dimension.TIER) {
        return true;
      }
    }
    return false;
  }

  /** Appends the value of {@code d} for the event {@code t}, as text (QUARTER_HOUR: a whole number). */
  void key(Sql sql, Dimension d) {
    switch (d) {
      case USER -> sql.append("t.user_id");
      case FEATURE -> sql.append("t.feature_used");
      case ENDPOINT -> sql.append("COALESCE(t.endpoint, '')");
      case ERROR_CODE -> sql.append("COALESCE(t.error_code, '')");
      case TIER -> tier(sql);
      case QUARTER_HOUR -> sql.append(quarterHour());
    }
  }

  private void tier(Sql sql) {
    sql.append("COALESCE(q.tier, ").param(query.defaultTier()).append(")");
  }

  /** The event's slot start in epoch seconds; instants are UTC in every dialect's column. */
  private String quarterHour() {
    return dialect.isMysqlFamily()
        // DATETIME(6) holds UTC: plain arithmetic, no session time zone involved (UNIX_TIMESTAMP would apply one)
        ? "CAST(FLOOR(TIMESTAMPDIFF(SECOND, TIMESTAMP '1970-01-01 00:00:00', t.occurred_at) / 900) AS SIGNED) * 900"
        : "CAST(FLOOR(EXTRACT(EPOCH FROM t.occurred_at) / 900) AS BIGINT) * 900";
  }

  /**
   * The units of {@code type} an event holds: a column of {@code t} for the built-in types, else the amount
   * of the row joined as {@code o} by {@link #from} (0 without one).
   */
  static String units(QuotaType type) {
    if (type.equals(QuotaType.CHARACTERS)) {
      return "t.characters";
    }
    if (type.equals(QuotaType.REQUESTS)) {
      return "t.requests";
    }
    if (type.equals(QuotaType.TOKENS)) {
      return "(t.input_tokens + t.output_tokens)";
    }
    return "COALESCE(o.amount, 0)";
  }

  /**
   * Appends {@code FROM ... WHERE ...}: {@code usage_tracking t}; {@code user_quotas q} when tiers are needed;
   * {@code customRows}: inner join of every custom-unit row of the event as {@code c} (one row per event and
   * custom type); {@code amountOf}, a custom type: its row joined as {@code o} (at most one per event).
   * The caller may append further {@code AND} conditions.
   */
  void from(Sql sql, boolean customRows, Optional<QuotaType> amountOf) {
    sql.append(" FROM usage_tracking t");
    if (customRows) {
      sql.append(" JOIN usage_tracking_custom c ON c.user_id = t.user_id AND c.event_id = t.event_id");
    }
    if (tiers) {
      sql.append(" LEFT JOIN user_quotas q ON q.user_id = t.user_id");
    }
    EventFilter f = query.filter();
    // custom rows repeat their event's instant: the range lets the database read them by their own indexes
    amountOf.filter(type -> !type.isBuiltIn()).ifPresent(type -> sql.append(" LEFT JOIN usage_tracking_custom o ON"
        + " o.user_id = t.user_id AND o.event_id = t.event_id AND o.quota_type = ").param(type.name())
        .append(" AND o.occurred_at >= ").param(f.range().from()).append(" AND o.occurred_at < ").param(f.range().to()));
    sql.append(" WHERE t.occurred_at >= ").param(f.range().from()).append(" AND t.occurred_at < ").param(f.range().to());
    if (customRows) {
      sql.append(" AND c.occurred_at >= ").param(f.range().from()).append(" AND c.occurred_at < ").param(f.range().to());
    }
    in(sql, "t.user_id", f.users());
    in(sql, "t.feature_used", f.features());
    in(sql, "t.endpoint", f.endpoints());
    if (!f.tiers().isEmpty()) {
      sql.append(" AND ");
      tier(sql);
      sql.append(" IN ").list(f.tiers());
    }
    quotaTypes(sql, f);
    switch (f.outcome()) {
      case ANY -> { }
      case SUCCEEDED -> sql.append(" AND t.success = TRUE");
      case FAILED -> sql.append(" AND t.success = FALSE");
    }
  }

  private static void in(Sql sql, String column, Set<String> values) {
    if (!values.isEmpty()) {
      sql.append(" AND ").append(column).append(" IN ").list(values);
    }
  }

  /** Events with a positive amount of at least one of {@code types} (custom amounts are stored only when positive). */
  private static void quotaTypes(Sql sql, EventFilter f) {
    Set<QuotaType> types = f.quotaTypes();
    if (types.isEmpty()) {
      return;
    }
    sql.append(" AND (");
    String sep = "";
    List<String> custom = types.stream().filter(t -> !t.isBuiltIn()).map(QuotaType::name).toList();
    for (QuotaType t : types) {
      if (t.isBuiltIn()) {
        sql.append(sep).append(units(t)).append(" > 0");
        sep = " OR ";
      }
    }
    if (!custom.isEmpty()) {
      sql.append(sep).append("EXISTS (SELECT 1 FROM usage_tracking_custom x WHERE x.user_id = t.user_id"
          + " AND x.event_id = t.event_id AND x.amount > 0 AND x.occurred_at >= ").param(f.range().from())
          .append(" AND x.occurred_at < ").param(f.range().to()).append(" AND x.quota_type IN ").list(custom).append(")");
    }
    sql.append(")");
  }

  /**
   * Appends {@code ORDER BY} for {@code sort}: the field (absent values before present ones ascending, after
   * them descending), then occurrence time, user id and event id ascending.
   */
  static void orderBy(Sql sql, EventSort sort) {
    String dir = sort.descending() ? " DESC" : "";
    sql.append(" ORDER BY ");
    switch (sort.field()) {
      case OCCURRED_AT -> sql.append("t.occurred_at").append(dir);
      case USER_ID -> sql.append("t.user_id").append(dir);
      case FEATURE -> sql.append("t.feature_used").append(dir);
      case ENDPOINT -> nullable(sql, "t.endpoint", dir);
      case CHARACTERS -> sql.append("t.characters").append(dir);
      case REQUESTS -> sql.append("t.requests").append(dir);
      case TOKENS -> sql.append("(t.input_tokens + t.output_tokens)").append(dir);
      case PROCESSING_TIME -> nullable(sql, "t.processing_time_ms", dir);
    }
    // a column sorted on already adds nothing (and H2's on-disk sort of a large result rejects it twice)
    for (String tieBreaker : List.of("t.occurred_at", "t.user_id", "t.event_id")) {
      if (!(sort.field() == EventSort.Field.OCCURRED_AT && tieBreaker.equals("t.occurred_at"))
          && !(sort.field() == EventSort.Field.USER_ID && tieBreaker.equals("t.user_id"))) {
        sql.append(", ").append(tieBreaker);
      }
    }
  }

  // the dialects disagree on where NULL sorts (and MariaDB has no NULLS FIRST): say it explicitly
  private static void nullable(Sql sql, String column, String dir) {
    sql.append("CASE WHEN ").append(column).append(" IS NULL THEN 0 ELSE 1 END").append(dir).append(", ")
        .append(column).append(dir);
  }

  /** {@code column} compared as Java compares strings (code point order) where the dialect's collation may not. */
  String ordinal(String column) {
    return dialect == JdbcDialect.POSTGRESQL ? column + " COLLATE \"C\"" : column;
  }
}
