package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
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
      h.execute("ANALYZE");
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
  void auditTrailUsesTheUserIndex() {
    assertThat(plan(JdbcUserQuotaStore.AUDIT_TRAIL_SQL, "user-42")).contains("usage_audit_user");
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

  private static String plan(String sql, Object... args) {
    String plan = db.autocommit("explain", true, h -> db.bind(h.createQuery("EXPLAIN " + sql), args)
        .mapTo(String.class).list()).stream().collect(Collectors.joining("\n"));
    assertThat(plan).as("plan of %s", sql).isNotBlank();
    return plan;
  }
}
