package dev.usage.jdbc;

import java.time.LocalDate;
import org.jdbi.v3.core.Handle;

/**
 * Rebuilds one user's rollups for one UTC day, in SQL, on the caller's transaction: the DAY rows from
 * the raw events plus the day's PURGE rows (sums of raw events retention deleted), then that user's WEEK
 * and MONTH rows containing the day from the DAY rows. Deleting and re-inserting makes it idempotent;
 * every statement is keyed by the user and so runs on the user index of its table.
 */
final class DayRollup {

  static final String FIGURES = "events, failed_events, characters, requests, input_tokens, output_tokens,"
      + " processing_time_ms_total, processing_time_ms_max";
  private static final String SUM_FIGURES = "SUM(events), SUM(failed_events), SUM(characters), SUM(requests),"
      + " SUM(input_tokens), SUM(output_tokens), SUM(processing_time_ms_total), MAX(processing_time_ms_max)";
  private static final String INSERT = "INSERT INTO usage_aggregations (granularity, bucket_start, user_id,"
      + " feature_used, " + FIGURES + ") ";
  private static final String INSERT_CUSTOM = "INSERT INTO usage_aggregations_custom (granularity, bucket_start,"
      + " user_id, feature_used, quota_type, units) ";

  /** Raw figures of one user's day per feature, as the columns of {@code usage_aggregations}. */
  static final String RAW_DAY = "SELECT feature_used, COUNT(*) AS events,"
      + " SUM(CASE WHEN success THEN 0 ELSE 1 END) AS failed_events, SUM(characters) AS characters,"
      + " SUM(requests) AS requests, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,"
      + " COALESCE(SUM(processing_time_ms), 0) AS processing_time_ms_total,"
      + " MAX(processing_time_ms) AS processing_time_ms_max"
      + " FROM usage_tracking WHERE user_id = ? AND occurred_at >= ? AND occurred_at < ? GROUP BY feature_used";
  static final String DELETE = "DELETE FROM usage_aggregations WHERE granularity = ? AND bucket_start = ? AND user_id = ?";
  static final String DELETE_CUSTOM = "DELETE FROM usage_aggregations_custom"
      + " WHERE granularity = ? AND bucket_start = ? AND user_id = ?";
  static final String DAY = INSERT + "SELECT 'DAY', CAST(? AS DATE), ?, feature_used, " + SUM_FIGURES + " FROM ("
      + RAW_DAY + " UNION ALL SELECT feature_used, " + FIGURES + " FROM usage_aggregations"
      + " WHERE granularity = 'PURGE' AND bucket_start = ? AND user_id = ?) s GROUP BY feature_used";
  static final String DAY_CUSTOM = INSERT_CUSTOM + "SELECT 'DAY', CAST(? AS DATE), ?, feature_used, quota_type,"
      + " SUM(units) FROM (SELECT t.feature_used, c.quota_type, SUM(c.amount) AS units FROM usage_tracking_custom c"
      + " JOIN usage_tracking t ON t.user_id = c.user_id AND t.event_id = c.event_id"
      + " WHERE c.user_id = ? AND c.occurred_at >= ? AND c.occurred_at < ? GROUP BY t.feature_used, c.quota_type"
      + " UNION ALL SELECT feature_used, quota_type, units FROM usage_aggregations_custom"
      + " WHERE granularity = 'PURGE' AND bucket_start = ? AND user_id = ?) s GROUP BY feature_used, quota_type";
  static final String ROLLUP = INSERT + "SELECT ?, CAST(? AS DATE), user_id, feature_used, " + SUM_FIGURES
      + " FROM usage_aggregations WHERE user_id = ? AND granularity = 'DAY' AND bucket_start >= ? AND bucket_start < ?"
      + " GROUP BY user_id, feature_used";
  static final String ROLLUP_CUSTOM = INSERT_CUSTOM + "SELECT ?, CAST(? AS DATE), user_id, feature_used, quota_type,"
      + " SUM(units) FROM usage_aggregations_custom WHERE user_id = ? AND granularity = 'DAY'"
      + " AND bucket_start >= ? AND bucket_start < ? GROUP BY user_id, feature_used, quota_type";

  private final Db db;

  DayRollup(Db db) {
    this.db = db;
  }

  /** Rebuilds {@code userId}'s DAY rows of {@code day} and the WEEK and MONTH rows that contain it. */
  void rebuild(Handle h, LocalDate day, String userId) {
    Object date = Days.date(day);
    Object from = Days.start(day);
    Object to = Days.start(day.plusDays(1));
    String g = Granularity.DAY.name();
    db.update(h, DELETE, g, date, userId);
    db.update(h, DAY, date, userId, userId, from, to, date, userId);
    db.update(h, DELETE_CUSTOM, g, date, userId);
    db.update(h, DAY_CUSTOM, date, userId, userId, from, to, date, userId);
    for (Granularity coarse : new Granularity[] {Granularity.WEEK, Granularity.MONTH}) {
      LocalDate start = coarse.bucketStart(day);
      Object s = Days.date(start);
      Object e = Days.date(coarse.bucketEnd(start));
      db.update(h, DELETE, coarse.name(), s, userId);
      db.update(h, ROLLUP, coarse.name(), s, userId, s, e);
      db.update(h, DELETE_CUSTOM, coarse.name(), s, userId);
      db.update(h, ROLLUP_CUSTOM, coarse.name(), s, userId, s, e);
    }
  }
}
