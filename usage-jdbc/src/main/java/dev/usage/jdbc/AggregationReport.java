package dev.usage.jdbc;

import dev.usage.InvalidUsageException;

/**
 * What one aggregation run rebuilt.
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
