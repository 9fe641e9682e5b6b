package dev.usage.jdbc;

import dev.usage.QuotaType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Reads of {@code usage_aggregations} (and its custom-unit rows): per user and feature, or summed per
 * bucket. With a user the statements run on the user index, without one on the primary key.
 */
final class AggregateQueries {

  private static final String RANGE = "granularity = ? AND bucket_start >= ? AND bucket_start < ?";
  static final String ROWS_USER = "SELECT bucket_start, user_id, feature_used, " + DayRollup.FIGURES
      + " FROM usage_aggregations WHERE user_id = ? AND " + RANGE + " ORDER BY bucket_start, feature_used";
  static final String ROWS_ALL = "SELECT bucket_start, user_id, feature_used, " + DayRollup.FIGURES
      + " FROM usage_aggregations WHERE " + RANGE + " ORDER BY bucket_start, user_id, feature_used";
  static final String CUSTOM_USER = "SELECT bucket_start, user_id, feature_used, quota_type, units"
      + " FROM usage_aggregations_custom WHERE user_id = ? AND " + RANGE;
  static final String CUSTOM_ALL = "SELECT bucket_start, user_id, feature_used, quota_type, units"
      + " FROM usage_aggregations_custom WHERE " + RANGE;
  private static final String TOTAL_FIGURES = "SUM(events) AS events, SUM(failed_events) AS failed_events,"
      + " SUM(characters) AS characters, SUM(requests) AS requests, SUM(input_tokens) AS input_tokens,"
      + " SUM(output_tokens) AS output_tokens, SUM(processing_time_ms_total) AS processing_time_ms_total,"
      + " MAX(processing_time_ms_max) AS processing_time_ms_max";
  static final String TOTALS_USER = "SELECT bucket_start, " + TOTAL_FIGURES + " FROM usage_aggregations"
      + " WHERE user_id = ? AND " + RANGE + " GROUP BY bucket_start ORDER BY bucket_start";
  static final String TOTALS_ALL = "SELECT bucket_start, " + TOTAL_FIGURES + " FROM usage_aggregations"
      + " WHERE " + RANGE + " GROUP BY bucket_start ORDER BY bucket_start";
  static final String CUSTOM_TOTALS_USER = "SELECT bucket_start, quota_type, SUM(units) AS units"
      + " FROM usage_aggregations_custom WHERE user_id = ? AND " + RANGE + " GROUP BY bucket_start, quota_type";
  static final String CUSTOM_TOTALS_ALL = "SELECT bucket_start, quota_type, SUM(units) AS units"
      + " FROM usage_aggregations_custom WHERE " + RANGE + " GROUP BY bucket_start, quota_type";

  private final Db db;

  AggregateQueries(Db db) {
    this.db = db;
  }

  List<UsageAggregate> rows(Handle h, Granularity g, Optional<String> userId, LocalDate from, LocalDate to) {
    Object[] args = args(g, userId, from, to);
    Map<List<Object>, Map<QuotaType, Long>> custom = new HashMap<>();
    db.bind(h.createQuery(userId.isPresent() ? CUSTOM_USER : CUSTOM_ALL), args).map((rs, ctx) -> {
      custom.computeIfAbsent(List.of(rs.getObject("bucket_start", LocalDate.class), rs.getString("user_id"),
          rs.getString("feature_used")), k -> new HashMap<>()).put(QuotaType.of(rs.getString("quota_type")),
          rs.getLong("units"));
      return 0;
    }).list();
    return db.bind(h.createQuery(userId.isPresent() ? ROWS_USER : ROWS_ALL), args).map((rs, ctx) -> {
      LocalDate start = rs.getObject("bucket_start", LocalDate.class);
      String user = rs.getString("user_id");
      String feature = rs.getString("feature_used");
      return aggregate(rs, g, start, Optional.of(user), Optional.of(feature),
          custom.getOrDefault(List.of(start, user, feature), Map.of()));
    }).list();
  }

  List<UsageAggregate> totals(Handle h, Granularity g, Optional<String> userId, LocalDate from, LocalDate to) {
    Object[] args = args(g, userId, from, to);
    Map<LocalDate, Map<QuotaType, Long>> custom = new HashMap<>();
    db.bind(h.createQuery(userId.isPresent() ? CUSTOM_TOTALS_USER : CUSTOM_TOTALS_ALL), args).map((rs, ctx) -> {
      custom.computeIfAbsent(rs.getObject("bucket_start", LocalDate.class), k -> new LinkedHashMap<>())
          .put(QuotaType.of(rs.getString("quota_type")), rs.getLong("units"));
      return 0;
    }).list();
    return db.bind(h.createQuery(userId.isPresent() ? TOTALS_USER : TOTALS_ALL), args).map((rs, ctx) -> {
      LocalDate start = rs.getObject("bucket_start", LocalDate.class);
      return aggregate(rs, g, start, userId, Optional.empty(), custom.getOrDefault(start, Map.of()));
    }).list();
  }

  private static Object[] args(Granularity g, Optional<String> userId, LocalDate from, LocalDate to) {
    List<Object> args = new ArrayList<>();
    userId.ifPresent(args::add);
    args.add(g.name());
    args.add(Days.date(from));
    args.add(Days.date(to));
    return args.toArray();
  }

  private static UsageAggregate aggregate(ResultSet rs, Granularity g, LocalDate start, Optional<String> user,
      Optional<String> feature, Map<QuotaType, Long> custom) throws SQLException {
    BigDecimal max = rs.getBigDecimal("processing_time_ms_max");
    return new UsageAggregate(g, start, user, feature, rs.getLong("events"), rs.getLong("failed_events"),
        rs.getLong("characters"), rs.getLong("requests"), rs.getLong("input_tokens"), rs.getLong("output_tokens"),
        duration(rs.getBigDecimal("processing_time_ms_total")), Optional.ofNullable(max).map(AggregateQueries::duration),
        custom);
  }

  /** Milliseconds with three decimals (microseconds) as an exact duration. */
  static Duration duration(BigDecimal millis) {
    BigInteger[] secondsAndNanos = millis.movePointRight(6).toBigIntegerExact()
        .divideAndRemainder(BigInteger.valueOf(1_000_000_000L));
    return Duration.ofSeconds(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValue());
  }
}
