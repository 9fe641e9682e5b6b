package dev.usage;

/**
 * What one aggregation run rebuilt (see {@link AnalyticsService#calculateAggregations}).
 *
 * @param days distinct UTC days whose rollups were rebuilt
 * @param userDays (day, user) slices rebuilt, each in its own transaction
 */
public record AggregationReport(int days, int userDays) {

  public AggregationReport {
    if (days < 0 || userDays < days) {
      throw new InvalidUsageException("userDays", "must be at least days (" + days + "), was " + userDays);
    }
  }
}
