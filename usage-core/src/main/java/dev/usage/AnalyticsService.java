package dev.usage;

import java.io.OutputStream;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;

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

  /**
   * Writes the events of {@code filter}, oldest first, to {@code out} as CSV or JSON (see
   * {@link UsageExports} for the layout and the CSV formula escaping), streamed from the store: memory stays
   * bounded whatever the count. {@code out} is flushed, not closed. When the store or {@code out} fails
   * part-way, the document is left unfinished (a JSON export then does not parse; a CSV one ends in a quoted cell
   * never closed, on which CSV readers fail), never completed without the events it lacks.
   *
   * @return how many events were written
   * @throws UsageExportException writing to {@code out} failed
   * @throws UsageStorageException the store failed
   */
  long exportUsageData(EventFilter filter, ExportFormat format, OutputStream out);

  /**
   * As {@link #exportUsageData(EventFilter, ExportFormat, OutputStream)}, in {@code sort} order (one
   * allow-listed field, ties broken by time, user and event id).
   */
  long exportUsageData(EventFilter filter, EventSort sort, ExportFormat format, OutputStream out);

  /**
   * Examines the last whole UTC hour before now for unusual usage; see {@link #detectUnusualUsage(Instant)}.
   * Run it a few minutes past each hour, once buffered events have been written.
   */
  List<UnusualUsageAlert> detectUnusualUsage();

  /**
   * Finds users whose usage of a quota type in the UTC hour starting at {@code hourStart} is unusual for them
   * by the engine's {@link UnusualUsagePolicy}, tells the listeners ({@link UsageListener#onUnusualUsage})
   * and returns the alerts: at most one per user (their highest score) and none for a user who had one in
   * this engine for an hour within the alert window, so running it again for the same hour alerts nobody.
   *
   * @throws InvalidUsageException {@code hourStart} is not the start of a UTC hour
   */
  List<UnusualUsageAlert> detectUnusualUsage(Instant hourStart);

  /**
   * Revenue of a calendar month in the engine's default zone, priced by {@code pricing}: each tier's users
   * active in the month (with events in it, on the tier they are on now) times the tier's price; overage on
   * each monthly quota of a tier with an overage price, for the units of the user's events in the month past
   * their effective limit; and upgrade candidates, users of unpaid tiers whose events reached
   * {@value RevenueReport#UPGRADE_UTILISATION} of a monthly limit in this month and the one before. Reads
   * the settings of each active user of a tier with overage prices or without a price.
   */
  RevenueReport revenue(YearMonth month, Pricing pricing);

  /**
   * Where each of the user's quotas is heading in its current period: usage so far continued at the same
   * average rate, the projected usage at the period's end and when the limit will be reached. After an admin
   * reset of the period ({@link QuotaManagementService#resetUsage}), the rate is that of the units used since
   * the reset, over the time since it.
   */
  UsageForecast forecastUsage(String userId);

  /** {@link #forecastCapacity(int)} for the next three months. */
  CapacityForecast forecastCapacity();

  /**
   * The system's usage per quota type in each of the next {@code months} calendar months (1 to 24), from a
   * least-squares line through the daily totals of the last {@value #CAPACITY_LOOK_BACK_DAYS} whole days in the
   * engine's default zone, starting at the first of them with events.
   */
  CapacityForecast forecastCapacity(int months);

  /** How many whole days before today {@link #forecastCapacity(int)} fits its line to. */
  int CAPACITY_LOOK_BACK_DAYS = 90;
}
