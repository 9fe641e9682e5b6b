package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import dev.usage.EventFilter;
import dev.usage.EventSort;
import dev.usage.QuotaType;
import dev.usage.TimeRange;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventQuery;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every query an analytics call or an export runs is backed by an index: on PostgreSQL, with a realistic
 * volume (hundreds of thousands of events, a thousand users) and fresh statistics, the planner's plan for
 * each statement the stores run names the index meant for it. The statements are the stores' own constants.
 */
class PostgresIndexIT {

  private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
  private static final int USERS = 1_000;
  private static final int EVENTS = 300_000;

  private static HikariDataSource pool;
  private static Db db;

  @BeforeAll
  static void load() {
    pool = TestDatabases.postgres(2, "_index");
    db = new Db(pool, JdbcDialect.POSTGRESQL, Duration.ofSeconds(120), 1);
    db.autocommit("load", false, h -> {
      long events = h.createQuery("SELECT COUNT(*) FROM usage_tracking").mapTo(Long.class).one();
      if (events != EVENTS) {
        fill(h);
      }
      TestDatabases.analyzeCurrentSchema(h);
      return null;
    });
  }

  /** A year of events of a thousand users, with custom units, audit rows, history and counters. */
  private static void fill(Handle h) {
    h.execute("TRUNCATE usage_tracking, usage_tracking_custom, usage_audit, usage_period_history, usage_counters");
    h.execute("INSERT INTO usage_tracking (" + JdbcEventStore.COLUMNS + ") SELECT 'user-' || (i % " + USERS + "),"
        + " 'e-' || i, TIMESTAMPTZ '2025-01-01 00:00:00+00' + (i * INTERVAL '105 seconds'), 'feature-' || (i % 7),"
        + " '/v1/correct', 1200, 1, 300, 280, '{}', 120.5, 's-' || (i % 500), '203.0.113.7', 'agent', NULL, true, NULL"
        + " FROM generate_series(1, " + EVENTS + ") AS i");
    h.execute("INSERT INTO usage_tracking_custom (user_id, event_id, quota_type, occurred_at, amount)"
        + " SELECT user_id, event_id, 'images', occurred_at, 2 FROM usage_tracking WHERE characters > 0"
        + " AND event_id LIKE '%3'");
    h.execute("INSERT INTO usage_audit (user_id, at, actor, action, quota_type, old_value, new_value, reason)"
        + " SELECT 'user-' || (i % " + USERS + "), TIMESTAMPTZ '2025-01-01 00:00:00+00' + i * INTERVAL '5 minutes',"
        + " 'admin', 'update', 'characters', '100', '200', 'test' FROM generate_series(1, 100000) AS i");
    h.execute("INSERT INTO usage_period_history (user_id, quota_type, period_start, period_kind, period_end,"
        + " quota_limit, used, rolled_over, closed_at) SELECT 'user-' || u, t, TIMESTAMPTZ '2020-01-01 00:00:00+00'"
        + " + m * INTERVAL '1 month', 'MONTH', TIMESTAMPTZ '2020-02-01 00:00:00+00' + m * INTERVAL '1 month', 100, 5,"
        + " 0, TIMESTAMPTZ '2030-01-01 00:00:00+00' FROM generate_series(1, " + USERS + ") AS u,"
        + " unnest(ARRAY['characters', 'requests', 'tokens']) AS t, generate_series(0, 35) AS m");
    h.execute("INSERT INTO usage_counters (user_id, quota_type, period_id, period_start, period_end, used, reserved,"
        + " expires_at) SELECT 'user-' || u, t, '2025-' || LPAD(m::text, 2, '0'), TIMESTAMPTZ '2025-01-01 00:00:00+00',"
        + " TIMESTAMPTZ '2025-02-01 00:00:00+00', 5, 0, TIMESTAMPTZ '2030-01-01 00:00:00+00'"
        + " FROM generate_series(1, " + USERS + ") AS u, unnest(ARRAY['characters', 'requests', 'tokens']) AS t,"
        + " generate_series(1, 12) AS m");
  }

  @AfterAll
  static void close() {
    if (pool != null) {
      pool.close();
    }
  }

  private static final Instant DAY = START.plus(Duration.ofDays(100));
  private static final Instant MONTH_END = START.plus(Duration.ofDays(31));

  @Test
  void systemUsageUsesTheTimeIndexes() {
    assertThat(plan(JdbcEventStore.SYSTEM_TOTALS_SQL, DAY, DAY.plus(Duration.ofDays(1))))
        .contains("usage_tracking_time");
    assertThat(plan(JdbcEventStore.SYSTEM_CUSTOM_TOTALS_SQL, DAY, DAY.plus(Duration.ofDays(1))))
        .contains("usage_tracking_custom_time");
  }

  @Test
  void userTotalsUseTheUserTimeIndexes() {
    assertThat(plan(JdbcEventStore.USER_TOTALS_SQL, "user-42", START, MONTH_END)).contains("usage_tracking_user_time");
    assertThat(plan(JdbcEventStore.USER_CUSTOM_TOTALS_SQL, "user-42", START, MONTH_END))
        .contains("usage_tracking_custom_user_time");
  }

  @Test
  void auditTrailUsesAnIndexOnTheUser() {
    // usage_audit_user (user_id, id) or the request-id index (user_id, request_id), whose leading column is the
    // same: the planner picks either by its statistics, and either reads only the user's entries
    assertThat(plan(JdbcUserQuotaStore.AUDIT_TRAIL_SQL, "user-42")).containsPattern("usage_audit_(user|request)")
        .contains("Index Cond: ((user_id)::text = 'user-42'::text)").doesNotContain("Seq Scan");
  }

  @Test
  void historyUsesThePrimaryKey() {
    assertThat(plan(JdbcPeriodHistoryStore.HISTORY_SQL, "user-42")).contains("usage_period_history_pkey");
  }

  @Test
  void counterScanPagesUseThePrimaryKeyInItsOrder() {
    String first = plan(CounterMaintenance.pageSql(500), "", START);
    assertThat(first).contains("usage_counters_pkey").doesNotContain("Sort");
    assertThat(plan(CounterMaintenance.pageSql(500), "user-500", START)).contains("usage_counters_pkey");
    assertThat(plan(CounterMaintenance.PAGE_REST_SQL, "user-42", START)).contains("usage_counters_pkey");
  }

  private static JdbcEventAnalytics analytics() {
    return new JdbcEventAnalytics(db, new JdbcAggregations(db, new DirtyDays(db)));
  }

  private static EventQuery query(Instant from, Instant to, java.util.function.Consumer<EventFilter.Builder> filter) {
    EventFilter.Builder b = EventFilter.builder(TimeRange.of(from, to));
    filter.accept(b);
    return new EventQuery(b.build(), "free");
  }

  private static String plan(Sql sql) {
    String plan = plan(sql.text(), sql.args());
    // neither event table is read whole: every analytics statement starts from an index of its filter
    assertThat(plan).as("plan of %s", sql).doesNotContainPattern("Seq Scan on usage_tracking(_custom)? ");
    return plan;
  }

  @Test
  void theGroupQueryOfOneUserOverAMonthUsesTheUserTimeIndex() {
    long rows = db.autocommit("count", true, h -> h.createQuery("SELECT COUNT(*) FROM usage_tracking").mapTo(Long.class)
        .one());
    assertThat(rows).isGreaterThanOrEqualTo(50_000);
    EventQuery month = query(START, MONTH_END, f -> f.user("user-42"));
    for (Set<Dimension> by : List.of(Set.<Dimension>of(), Set.of(Dimension.FEATURE), Set.of(Dimension.QUARTER_HOUR))) {
      assertThat(plan(new EventGroups(db).groupSql(month, by))).as("group by %s", by).contains("usage_tracking_user_time");
    }
    // the same statement without the user filter, over the whole year, does read the table whole: the check can fail
    Sql year = new EventGroups(db).groupSql(query(START, START.plus(Duration.ofDays(365)), f -> { }), Set.of());
    assertThat(plan(year.text(), year.args())).contains("Seq Scan on usage_tracking");
  }

  @Test
  void everyAnalyticsStatementStartsFromAnIndex() {
    JdbcEventAnalytics a = analytics();
    EventGroups g = new EventGroups(db);
    EventQuery day = query(DAY, DAY.plus(Duration.ofDays(1)), f -> { });
    EventQuery userMonth = query(START, MONTH_END, f -> f.user("user-42"));
    EventSelection userSel = new EventSelection(JdbcDialect.POSTGRESQL, userMonth, false);
    // from either side of the join: the events' or the custom rows' (user, time) index
    assertThat(plan(g.customSql(userSel, List.of(Dimension.FEATURE), Optional.empty())))
        .containsPattern("usage_tracking(_custom)?_user_time");
    assertThat(plan(g.groupSql(new EventSelection(JdbcDialect.POSTGRESQL, day, false), List.of(Dimension.USER),
        Optional.of(QuotaType.CHARACTERS), 10))).contains("usage_tracking_time");
    assertThat(plan(g.groupSql(new EventSelection(JdbcDialect.POSTGRESQL, day, false), List.of(Dimension.USER),
        Optional.of(QuotaType.of("images")), 10))).contains("usage_tracking_time");
    assertThat(plan(a.percentileSql(day, Optional.of(Dimension.ENDPOINT), List.of(0.5, 0.95, 0.99))))
        .contains("usage_tracking_time");
    assertThat(plan(a.rankSql(query(START, MONTH_END, f -> f.user("user-1", "user-2", "user-3")), QuotaType.TOKENS, 10)))
        .contains("usage_tracking_user_time");
    assertThat(plan(a.rankSql(query(DAY, DAY.plus(Duration.ofDays(1)), f -> f.tier("premium")), QuotaType.CHARACTERS, 10)))
        .contains("usage_tracking_time");
    assertThat(plan(a.exportSql(day, EventSort.OLDEST_FIRST))).contains("usage_tracking_time");
    assertThat(plan(a.exportSql(userMonth, new EventSort(EventSort.Field.CHARACTERS, true))))
        .contains("usage_tracking_user_time");
    // a seventh of the month's events: the planner may prefer the time index to the feature one; either is an index
    assertThat(plan(g.groupSql(query(START, MONTH_END, f -> f.feature("feature-3")), Set.of(Dimension.USER))))
        .containsPattern("usage_tracking_(feature_)?time");
    assertThat(plan(g.groupSql(query(START, MONTH_END, f -> f.quotaType(QuotaType.of("images")).user("user-7")),
        Set.of()))).containsPattern("usage_tracking(_custom)?_user_time");
  }

  @Test
  void anEndpointFilterUsesTheEndpointIndexOfVersionTwo() {
    assertThat(plan(analytics().percentileSql(query(START, MONTH_END, f -> f.endpoint("/v1/rare")),
        Optional.of(Dimension.ENDPOINT), List.of(0.95)))).contains("usage_tracking_endpoint_time");
  }

  private static String plan(String sql, Object... args) {
    String plan = db.autocommit("explain", true, h -> db.bind(h.createQuery("EXPLAIN " + sql), args)
        .mapTo(String.class).list()).stream().collect(Collectors.joining("\n"));
    assertThat(plan).as("plan of %s", sql).isNotBlank();
    return plan;
  }
}
