package dev.usage.jdbc;

import dev.usage.InvalidUsageException;
import java.time.Instant;

/**
 * What one retention run did.
 *
 * @param cutoff raw events that occurred before this instant were deleted
 * @param eventsDeleted raw events deleted (with their custom-unit rows)
 * @param daysAggregated UTC days whose pending rollups were rebuilt before deleting
 */
public record PurgeReport(Instant cutoff, long eventsDeleted, int daysAggregated) {

  public PurgeReport {
    if (cutoff == null) {
      throw new InvalidUsageException("cutoff", "must not be null");
    }
    if (eventsDeleted < 0 || daysAggregated < 0) {
      throw new InvalidUsageException("eventsDeleted", "counts must not be negative");
    }
  }
}
