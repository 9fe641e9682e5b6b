package dev.usage;

import dev.usage.internal.Checks;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * System-wide figures over a range, from {@link AnalyticsService#getSystemAnalytics}.
 *
 * @param range the range
 * @param zone the zone in which hours of day and days of week are counted
 * @param totals the sums over every event in the range ({@code users()}: active users)
 * @param byTier the sums per tier (users' current tiers), by tier name
 * @param failures events and failures per (feature, endpoint), worst error rate first, then by feature and
 *     endpoint
 * @param errorCodes failed events per error code ({@code ""} for failures without one), by code
 * @param latency processing-time percentiles per endpoint, slowest p95 first (the bottleneck view)
 * @param byHourOfDay counts per local hour of day, 24 entries from 0
 * @param byDayOfWeek counts per local day of week, 7 entries from Monday
 * @param topUsers the users with the most units of {@code topBy}, most first
 * @param topBy the quota type {@code topUsers} is ranked by
 * @param generatedAt when the figures were computed (engine clock)
 */
public record SystemAnalytics(TimeRange range, ZoneId zone, EventTotals totals, SortedMap<String, EventTotals> byTier,
    List<FailureRate> failures, SortedMap<String, Long> errorCodes, List<EndpointLatency> latency,
    List<UsageCounts> byHourOfDay, List<UsageCounts> byDayOfWeek, List<UserTotals> topUsers, QuotaType topBy,
    Instant generatedAt) {

  public SystemAnalytics {
    Checks.notNull("range", range);
    Checks.notNull("zone", zone);
    Checks.notNull("totals", totals);
    byTier = Collections.unmodifiableSortedMap(new TreeMap<>(Checks.noNullEntries("byTier", byTier)));
    failures = List.copyOf(Checks.noNullElements("failures", failures));
    errorCodes = Collections.unmodifiableSortedMap(new TreeMap<>(Checks.noNullEntries("errorCodes", errorCodes)));
    latency = List.copyOf(Checks.noNullElements("latency", latency));
    byHourOfDay = List.copyOf(Checks.noNullElements("byHourOfDay", byHourOfDay));
    byDayOfWeek = List.copyOf(Checks.noNullElements("byDayOfWeek", byDayOfWeek));
    if (byHourOfDay.size() != 24 || byDayOfWeek.size() != 7) {
      throw new InvalidUsageException("byHourOfDay", "must hold 24 hours and 7 days");
    }
    topUsers = List.copyOf(Checks.noNullElements("topUsers", topUsers));
    Checks.notNull("topBy", topBy);
    Checks.notNull("generatedAt", generatedAt);
  }

  /** The local hour of day with the most events (the earliest on a tie). */
  public int peakHour() {
    return argMax(byHourOfDay);
  }

  /** The local day of week with the most events (the earliest from Monday on a tie). */
  public DayOfWeek peakDay() {
    return DayOfWeek.of(argMax(byDayOfWeek) + 1);
  }

  private static int argMax(List<UsageCounts> counts) {
    int best = 0;
    for (int i = 1; i < counts.size(); i++) {
      if (counts.get(i).events() > counts.get(best).events()) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Failures of one (feature, endpoint).
   *
   * @param feature the feature
   * @param endpoint the endpoint, {@code ""} for events without one
   * @param events events
   * @param failedEvents failed events
   */
  public record FailureRate(String feature, String endpoint, long events, long failedEvents) {

    public FailureRate {
      Checks.notNull("feature", feature);
      Checks.notNull("endpoint", endpoint);
    }

    /** Failed over all events. */
    public double errorRate() {
      return events == 0 ? 0 : (double) failedEvents / events;
    }
  }

  /**
   * Processing-time percentiles (nearest rank) of one endpoint's timed events.
   *
   * @param endpoint the endpoint, {@code ""} for events without one
   * @param timedEvents events with a processing time
   * @param p50 the median
   * @param p95 the 95th percentile
   * @param p99 the 99th percentile
   */
  public record EndpointLatency(String endpoint, long timedEvents, Duration p50, Duration p95, Duration p99) {

    public EndpointLatency {
      Checks.notNull("endpoint", endpoint);
      Checks.notNull("p50", p50);
      Checks.notNull("p95", p95);
      Checks.notNull("p99", p99);
    }
  }

  /**
   * One user's sums.
   *
   * @param userId the user
   * @param totals the sums over their events in the range
   */
  public record UserTotals(String userId, EventTotals totals) {

    public UserTotals {
      Checks.id("userId", userId);
      Checks.notNull("totals", totals);
    }
  }
}
