package dev.usage.example.api;

import dev.usage.SystemAnalytics;
import dev.usage.UsageCounts;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * System-wide figures over a range, the {@code system} part of {@code GET /api/admin/analytics}.
 *
 * @param zone the zone of hours of day and days of week
 * @param byTier sums per (current) tier
 * @param failures events and failures per feature and endpoint, worst error rate first
 * @param errorCodes failed events per error code ({@code ""}: failures without one)
 * @param latency processing-time percentiles per endpoint, slowest p95 first
 * @param byHourOfDay 24 buckets from hour 0
 * @param byDayOfWeek 7 buckets from Monday
 * @param peakHour the hour of day with the most events
 * @param peakDay the day of week with the most events, lower case
 * @param topBy the quota type {@code topUsers} is ranked by
 */
public record SystemAnalyticsView(Instant from, Instant to, String zone, TotalsView totals,
    Map<String, TotalsView> byTier, List<Failure> failures, Map<String, Long> errorCodes, List<Latency> latency,
    List<Counts> byHourOfDay, List<Counts> byDayOfWeek, int peakHour, String peakDay, List<UserTotals> topUsers,
    String topBy, Instant generatedAt) {

  public SystemAnalyticsView {
    byTier = Collections.unmodifiableMap(new TreeMap<>(byTier));
    failures = List.copyOf(failures);
    errorCodes = Collections.unmodifiableMap(new TreeMap<>(errorCodes));
    latency = List.copyOf(latency);
    byHourOfDay = List.copyOf(byHourOfDay);
    byDayOfWeek = List.copyOf(byDayOfWeek);
    topUsers = List.copyOf(topUsers);
  }

  public static SystemAnalyticsView of(SystemAnalytics a) {
    Map<String, TotalsView> tiers = new TreeMap<>();
    a.byTier().forEach((tier, t) -> tiers.put(tier, TotalsView.of(t)));
    return new SystemAnalyticsView(a.range().from(), a.range().to(), a.zone().getId(), TotalsView.of(a.totals()), tiers,
        a.failures().stream().map(f -> new Failure(f.feature(), f.endpoint(), f.events(), f.failedEvents(),
            f.errorRate())).toList(),
        a.errorCodes(),
        a.latency().stream().map(l -> new Latency(l.endpoint(), l.timedEvents(), millis(l.p50()), millis(l.p95()),
            millis(l.p99()))).toList(),
        a.byHourOfDay().stream().map(Counts::of).toList(), a.byDayOfWeek().stream().map(Counts::of).toList(),
        a.peakHour(), Units.lower(a.peakDay()),
        a.topUsers().stream().map(u -> new UserTotals(u.userId(), TotalsView.of(u.totals()))).toList(),
        a.topBy().name(), a.generatedAt());
  }

  private static double millis(java.time.Duration d) {
    return d.toNanos() / 1_000_000.0;
  }

  /** Failures of one feature at one endpoint ({@code ""}: events without one). */
  public record Failure(String feature, String endpoint, long events, long failedEvents, double errorRate) {}

  /** Processing-time percentiles of one endpoint, in milliseconds. */
  public record Latency(String endpoint, long timedEvents, double p50Millis, double p95Millis, double p99Millis) {}

  /** Events and units of one bucket of time. */
  public record Counts(long events, long failedEvents, Map<String, Long> units) {

    static Counts of(UsageCounts c) {
      return new Counts(c.events(), c.failedEvents(), Units.byName(c.units()));
    }
  }

  /** One user's sums. */
  public record UserTotals(String userId, TotalsView totals) {}
}
