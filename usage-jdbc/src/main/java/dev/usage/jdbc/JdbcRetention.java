package dev.usage.jdbc;

import dev.usage.AggregationReport;
import dev.usage.InvalidUsageException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * Retention of the raw event log: deletes old events in bounded batches while every aggregate and the
 * period history stay as they were.
 *
 * <p>Before deleting, the stale days up to the cutoff are aggregated. Each batch then, in one short
 * transaction, locks up to {@code batchSize} of one day's oldest events by key, adds their sums to that
 * day's PURGE rows in {@code usage_aggregations} and deletes them (with their custom-unit rows). A DAY
 * row always equals its PURGE row plus the remaining raw events, so a day may be rebuilt, or receive late
 * events, after its raw events are gone. Concurrent purges lock different events (or wait and skip the
 * ones deleted meanwhile); nothing is counted twice.
 *
 * <p>Obtained from {@link JdbcUsageStorage#retention()}. Thread-safe; safe across processes. An event
 * appended again (same id) after its raw row was purged would be counted again: keep the retention period
 * far longer than the time within which a writer retries an append.
 */
public final class JdbcRetention {

  /** Events deleted per transaction unless told otherwise. */
  public static final int DEFAULT_BATCH_SIZE = 500;
  /** Largest accepted batch size. */
  public static final int MAX_BATCH_SIZE = 5_000;
  private static final Instant LAST = Days.start(Days.AFTER_ALL);

  static final String OLDEST = "SELECT MIN(occurred_at) AS oldest FROM usage_tracking WHERE occurred_at < ?";
  static final String KEYS = "SELECT user_id, event_id FROM usage_tracking WHERE occurred_at >= ? AND occurred_at < ?"
      + " ORDER BY occurred_at LIMIT %d FOR UPDATE";
  static final String PURGED_EVENTS = "SELECT 'PURGE' AS v1, CAST(? AS DATE) AS v2, user_id AS v3,"
      + " feature_used AS v4, COUNT(*) AS v5, SUM(CASE WHEN success THEN 0 ELSE 1 END) AS v6, SUM(characters) AS v7,"
      + " SUM(requests) AS v8, SUM(input_tokens) AS v9, SUM(output_tokens) AS v10,"
      + " COALESCE(SUM(processing_time_ms), 0) AS v11, MAX(processing_time_ms) AS v12 FROM usage_tracking"
      + " WHERE (user_id, event_id) IN (%s) GROUP BY user_id, feature_used";
  static final String PURGED_CUSTOM = "SELECT 'PURGE' AS v1, CAST(? AS DATE) AS v2, c.user_id AS v3,"
      + " t.feature_used AS v4, c.quota_type AS v5, SUM(c.amount) AS v6 FROM usage_tracking_custom c"
      + " JOIN usage_tracking t ON t.user_id = c.user_id AND t.event_id = c.event_id"
      + " WHERE (c.user_id, c.event_id) IN (%s) GROUP BY c.user_id, t.feature_used, c.quota_type";
  static final String DELETE_CUSTOM = "DELETE FROM usage_tracking_custom WHERE (user_id, event_id) IN (%s)";
  static final String DELETE_EVENTS = "DELETE FROM usage_tracking WHERE (user_id, event_id) IN (%s)";

  private final Db db;
  private final JdbcAggregations aggregations;

  JdbcRetention(Db db, JdbcAggregations aggregations) {
    this.db = db;
    this.aggregations = aggregations;
  }

  /** As {@link #purgeEventsBefore(Instant, int)} with {@link #DEFAULT_BATCH_SIZE}. */
  public PurgeReport purgeEventsBefore(Instant cutoff) {
    return purgeEventsBefore(cutoff, DEFAULT_BATCH_SIZE);
  }

  /**
   * Deletes the raw events (and their custom-unit rows) that occurred before {@code cutoff}, after
   * aggregating every stale day up to the cutoff's day; aggregates and period history are kept.
   *
   * @param cutoff events strictly before it are deleted; within 1970-01-01..9999-12-31 UTC
   * @param batchSize events per transaction, 1..{@value #MAX_BATCH_SIZE}
   */
  public PurgeReport purgeEventsBefore(Instant cutoff, int batchSize) {
    if (cutoff == null) {
      throw new InvalidUsageException("cutoff", "must not be null");
    }
    if (cutoff.isBefore(Instant.EPOCH) || cutoff.isAfter(LAST)) {
      throw new InvalidUsageException("cutoff", "must be within 1970-01-01..9999-12-31 UTC, was " + cutoff);
    }
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new InvalidUsageException("batchSize", "must be within 1.." + MAX_BATCH_SIZE + ", was " + batchSize);
    }
    AggregationReport aggregated = aggregations.aggregatePendingBefore(Days.of(cutoff).plusDays(1));
    long deleted = 0;
    Optional<Instant> oldest;
    while ((oldest = db.autocommit("find oldest event", true, h -> db.bind(h.createQuery(OLDEST), cutoff)
        .map((rs, ctx) -> Optional.ofNullable(db.instant(rs, "oldest"))).one())).isPresent()) {
      LocalDate day = Days.of(oldest.get());
      Instant dayEnd = Days.start(day.plusDays(1));
      Instant end = dayEnd.isBefore(cutoff) ? dayEnd : cutoff;
      deleted += db.transaction("purge events", true, h -> batch(h, day, end, batchSize));
    }
    return new PurgeReport(cutoff, deleted, aggregated.days());
  }

  private int batch(Handle h, LocalDate day, Instant end, int batchSize) {
    db.readCommitted(h);
    List<Object> keys = new ArrayList<>();
    db.bind(h.createQuery(String.format(KEYS, batchSize)), Days.start(day), end).map((rs, ctx) -> {
      keys.add(rs.getString("user_id"));
      keys.add(rs.getString("event_id"));
      return 0;
    }).list();
    if (keys.isEmpty()) {
      return 0;
    }
    String in = keyList(keys.size() / 2);
    List<Object> args = new ArrayList<>();
    args.add(Days.date(day));
    args.addAll(keys);
    db.update(h, AddingUpsert.sql(db.dialect, "usage_aggregations",
        List.of("granularity", "bucket_start", "user_id", "feature_used"), List.of("events", "failed_events",
            "characters", "requests", "input_tokens", "output_tokens", "processing_time_ms_total"),
        "processing_time_ms_max", String.format(PURGED_EVENTS, in)), args.toArray());
    db.update(h, AddingUpsert.sql(db.dialect, "usage_aggregations_custom",
        List.of("granularity", "bucket_start", "user_id", "feature_used", "quota_type"), List.of("units"), null,
        String.format(PURGED_CUSTOM, in)), args.toArray());
    db.update(h, String.format(DELETE_CUSTOM, in), keys.toArray());
    return db.update(h, String.format(DELETE_EVENTS, in), keys.toArray());
  }

  static String keyList(int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> "(?, ?)").collect(Collectors.joining(", "));
  }
}
