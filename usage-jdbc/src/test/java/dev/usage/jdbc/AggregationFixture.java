package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A storage on an empty event log and empty rollups, for tests whose statements span all users; a
 * subclass per database names the pool (server databases in a schema of their own, suffix {@code _agg}).
 */
abstract class AggregationFixture {

  static final QuotaType IMAGES = QuotaType.of("images");
  static final QuotaType PAGES = QuotaType.of("pages");
  private static final List<String> TABLES = List.of("usage_tracking_custom", "usage_tracking", "usage_aggregations",
      "usage_aggregations_custom", "usage_aggregation_dirty", "usage_period_history");

  HikariDataSource pool;
  JdbcUsageStorage storage;

  /** A pool on the database under test. */
  abstract HikariDataSource newPool();

  @BeforeEach
  void openEmptyStorage() throws SQLException {
    pool = newPool();
    storage = JdbcUsageStorage.builder(pool).build();
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      for (String t : TABLES) {
        s.executeUpdate("DELETE FROM " + t);
      }
    }
  }

  @AfterEach
  void closePool() {
    if (pool != null) {
      pool.close();
    }
  }

  JdbcAggregations aggregations() {
    return storage.aggregations();
  }

  /** Appends in batches of up to 50, as the async writer would. */
  void append(List<UsageEvent> events) {
    for (int i = 0; i < events.size(); i += 50) {
      storage.events().append(events.subList(i, Math.min(events.size(), i + 50)));
    }
  }

  /**
   * Random events of {@code users} users over {@code days} days from {@code firstDay}: several features,
   * failures, custom units, processing times to the microsecond (some missing), instants at day edges.
   */
  static List<UsageEvent> randomEvents(long seed, int count, int users, LocalDate firstDay, int days) {
    Random r = new Random(seed);
    List<UsageEvent> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Instant dayStart = firstDay.plusDays(r.nextInt(days)).atStartOfDay(ZoneOffset.UTC).toInstant();
      long micros = switch (r.nextInt(6)) {
        case 0 -> 0;
        case 1 -> 86_400_000_000L - 1;
        default -> (long) (r.nextDouble() * 86_400_000_000L);
      };
      UsageEvent.Builder b = UsageEvent.builder().eventId("e" + seed + "-" + i).userId("user-" + r.nextInt(users))
          .feature(List.of("correct", "translate", "summarize").get(r.nextInt(3)))
          .occurredAt(dayStart.plusNanos(micros * 1_000)).characters(r.nextInt(5_000)).requests(r.nextInt(3))
          .inputTokens(r.nextInt(2_000)).outputTokens(r.nextInt(900)).success(r.nextInt(5) != 0);
      if (r.nextInt(4) != 0) {
        b.processingTime(Duration.ofNanos(r.nextInt(3_000_000) * 1_000L + 1_000));
      }
      if (r.nextInt(3) == 0) {
        b.quantity(IMAGES, 1 + r.nextInt(9));
      }
      if (r.nextInt(5) == 0) {
        b.quantity(PAGES, 1 + r.nextInt(40));
      }
      out.add(b.build());
    }
    return out;
  }

  static UsageEvent at(String id, String user, String instant) {
    return UsageEvent.builder().eventId(id).userId(user).feature("correct").occurredAt(Instant.parse(instant))
        .characters(100).requests(1).inputTokens(10).outputTokens(5).processingTime(Duration.ofMillis(250))
        .quantity(IMAGES, 2).build();
  }

  /** Every row of both rollup tables (PURGE rows excluded unless asked), each column as text. */
  List<String> snapshot(boolean withPurge) throws SQLException {
    List<String> rows = new ArrayList<>();
    String filter = withPurge ? "" : " WHERE granularity <> 'PURGE'";
    for (String sql : List.of("SELECT * FROM usage_aggregations" + filter
        + " ORDER BY granularity, bucket_start, user_id, feature_used", "SELECT * FROM usage_aggregations_custom"
        + filter + " ORDER BY granularity, bucket_start, user_id, feature_used, quota_type")) {
      try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        ResultSetMetaData meta = rs.getMetaData();
        while (rs.next()) {
          StringBuilder row = new StringBuilder();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.append(meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT)).append('=').append(rs.getString(i))
                .append(' ');
          }
          rows.add(row.toString());
        }
      }
    }
    return rows;
  }

  /** A single number from {@code sql}. */
  long count(String sql) throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
