package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every statement the rollups and retention run is planned on an index on PostgreSQL: with sequential
 * scans priced out ({@code enable_seqscan = off}, after ANALYZE), the plan must scan the expected index
 * (or one of the expected ones, where two fit the key equally) and contain no sequential scan.
 */
class PostgresAggregationPlanIT {

  private static final LocalDate DAY = LocalDate.of(2024, 3, 4);
  private static final Instant FROM = Days.start(DAY);
  private static final Instant TO = Days.start(DAY.plusDays(1));
  private static HikariDataSource pool;
  private static Db db;

  @BeforeAll
  static void loadSomeRows() {
    // a schema of its own, new at every run: the planner must see these rows only, in tables and indexes
    // without the dead rows of earlier runs (which moved its choice between two fitting indexes)
    pool = TestDatabases.freshPostgres(2, "_aggplan");
    db = new Db(pool, JdbcDialect.POSTGRESQL, Duration.ofSeconds(10), 1);
    JdbcUsageStorage storage = JdbcUsageStorage.builder(pool).build();
    storage.events().append(AggregationFixture.randomEvents(99, 200, 5, DAY.minusDays(3), 7));
    storage.aggregations().aggregatePending();
    db.jdbi.useHandle(TestDatabases::analyzeCurrentSchema);
  }

  @AfterAll
  static void close() {
    if (pool != null) {
      pool.close();
    }
  }

  private static final String ANY_ROLLUP_KEY = "usage_aggregations_pkey|usage_aggregations_user";
  private static final String ANY_CUSTOM_KEY = "usage_aggregations_custom_pkey|usage_aggregations_custom_user";
  // a purge names events by key; depending on the statistics the planner reaches them through the primary
  // key or through the user's (user_id, occurred_at) index: both are index scans
  private static final String ANY_EVENT_KEY = "usage_tracking_pkey|usage_tracking_user_time";
  private static final String ANY_CUSTOM_EVENT_KEY = "usage_tracking_custom_pkey|usage_tracking_custom_user_time";

  static Stream<Arguments> statements() {
    Object d = Days.date(DAY);
    Object d2 = Days.date(DAY.plusDays(7));
    String keys = JdbcRetention.keyList(2);
    // keys of events that exist, so that the planner weighs a user's many events against one event's key
    Object[] keyArgs = AggregationFixture.randomEvents(99, 2, 5, DAY.minusDays(3), 7).stream()
        .flatMap(e -> Stream.of(e.userId(), e.eventId())).toArray();
    List<Arguments> all = new ArrayList<>(List.of(
        plan("usage_aggregation_dirty_slice", DirtyDays.NEXT_DAY, d, d2),
        plan("usage_aggregation_dirty_slice", DirtyDays.PG_USERS + " LIMIT 500", d, ""),
        plan("usage_aggregation_dirty_slice", DirtyDays.CLEAR, d, "user-1"),
        plan(ANY_ROLLUP_KEY, DayRollup.DELETE, "DAY", d, "user-1"),
        plan(ANY_CUSTOM_KEY, DayRollup.DELETE_CUSTOM, "DAY", d, "user-1"),
        plan("usage_tracking_user_time", DayRollup.DAY, d, "user-1", "user-1", FROM, TO, d, "user-1"),
        plan("usage_tracking_custom_user_time", DayRollup.DAY_CUSTOM, d, "user-1", "user-1", FROM, TO, d, "user-1"),
        plan("usage_aggregations_user", DayRollup.ROLLUP, "WEEK", d, "user-1", d, d2),
        plan("usage_aggregations_custom_user", DayRollup.ROLLUP_CUSTOM, "WEEK", d, "user-1", d, d2),
        plan("usage_aggregations_user", AggregateQueries.ROWS_USER, "user-1", "DAY", d, d2),
        plan("usage_aggregations_pkey", AggregateQueries.ROWS_ALL, "DAY", d, d2),
        plan("usage_aggregations_custom_user", AggregateQueries.CUSTOM_USER, "user-1", "DAY", d, d2),
        plan("usage_aggregations_custom_pkey", AggregateQueries.CUSTOM_ALL, "DAY", d, d2),
        plan("usage_aggregations_user", AggregateQueries.TOTALS_USER, "user-1", "DAY", d, d2),
        plan("usage_aggregations_pkey", AggregateQueries.TOTALS_ALL, "DAY", d, d2),
        plan("usage_aggregations_custom_user", AggregateQueries.CUSTOM_TOTALS_USER, "user-1", "DAY", d, d2),
        plan("usage_aggregations_custom_pkey", AggregateQueries.CUSTOM_TOTALS_ALL, "DAY", d, d2),
        plan("usage_tracking_time", JdbcAggregations.RAW_USERS, FROM, TO),
        plan("usage_aggregations_pkey", JdbcAggregations.ROLLUP_USERS, "DAY", d),
        plan("usage_tracking_time", JdbcRetention.OLDEST, TO),
        plan("usage_tracking_time", String.format(JdbcRetention.KEYS, 500), FROM, TO),
        plan(ANY_EVENT_KEY, String.format(JdbcRetention.PURGED_EVENTS, keys), concat(d, keyArgs)),
        plan(ANY_CUSTOM_EVENT_KEY, String.format(JdbcRetention.PURGED_CUSTOM, keys), concat(d, keyArgs)),
        plan(ANY_CUSTOM_EVENT_KEY, String.format(JdbcRetention.DELETE_CUSTOM, keys), keyArgs),
        plan(ANY_EVENT_KEY, String.format(JdbcRetention.DELETE_EVENTS, keys), keyArgs)));
    return all.stream();
  }

  private static Object[] concat(Object first, Object[] rest) {
    return Stream.concat(Stream.of(first), Stream.of(rest)).toArray();
  }

  private static Arguments plan(String index, String sql, Object... args) {
    return Arguments.of(index, sql, args);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("statements")
  void runsOnAnIndex(String index, String sql, Object[] args) {
    String plan = db.jdbi.withHandle(h -> {
      h.execute("SET enable_seqscan = off");
      return String.join("\n", db.bind(h.createQuery("EXPLAIN " + sql), args).mapTo(String.class).list());
    });
    assertThat(plan).as(plan).containsPattern("(Index Scan using|Index Only Scan using|Bitmap Index Scan on) (" + index
        + ") ").doesNotContain("Seq Scan");
  }
}
