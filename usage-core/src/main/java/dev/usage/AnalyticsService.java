package dev.usage;

import java.time.Instant;
import java.time.ZoneId;

/**
 * Reports, system analytics and aggregations over the recorded events, computed by the storage where the
 * events live. Every method needs a storage whose event store offers analytics (in-memory, JDBC) and throws
 * {@link AnalyticsUnavailableException} otherwise; {@link UsageStorageException} when the store fails;
 * {@link InvalidUsageException} naming the field for bad arguments. Thread-safe.
 */
public interface AnalyticsService {

  /** Totals over every user's recorded events in {@code [from, to)}. */
  SystemUsage getSystemUsage(Instant from, Instant to);

  /**
   * One user's usage over {@code range}: totals per quota type, per feature and per local day (in the
   * user's zone), utilisation of each period overlapping the range, the user against their tier's active
   * users (average and percentile rank), and the trend against the range just before.
   */
  UsageReport generateUsageReport(String userId, TimeRange range);

  /**
   * System-wide figures over {@code range}, hours and days in the engine's default zone, top 10 users by
   * characters.
   */
  SystemAnalytics getSystemAnalytics(TimeRange range);

  /**
   * System-wide figures over {@code range}: totals and active users, usage per tier, error rates per feature
   * and endpoint with the failures per error code, processing-time p50/p95/p99 per endpoint, events per
   * hour of day and day of week in {@code zone}, and the {@code topUsers} users with the most {@code topBy}.
   */
  SystemAnalytics getSystemAnalytics(TimeRange range, ZoneId zone, QuotaType topBy, int topUsers);

  /**
   * Rebuilds the stored daily, weekly and monthly rollups of the UTC days that {@code range} touches;
   * idempotent (re-running a day rewrites identical rows). Stores that answer from raw events report nothing
   * rebuilt.
   */
  AggregationReport calculateAggregations(TimeRange range);
}
