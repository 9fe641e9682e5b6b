package dev.usage;

/**
 * Reports, system analytics, aggregations and export over the recorded events. The query methods
 * ({@code generateUsageReport}, {@code getSystemAnalytics}, {@code calculateAggregations},
 * {@code exportUsageData}) arrive with the analytics work; until then this service offers the system
 * totals that {@link UsageTrackingService#getSystemUsage} computes.
 */
public interface AnalyticsService {

  /** Totals over every user's recorded events in {@code [from, to)}. */
  SystemUsage getSystemUsage(java.time.Instant from, java.time.Instant to);
}
