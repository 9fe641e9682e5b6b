package dev.usage.spi;

import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import dev.usage.internal.Checks;
import java.util.List;
import java.util.Optional;

/**
 * The argument checks every {@link EventAnalytics} makes before it reads anything, shared so that backends
 * refuse the same calls with the same {@link InvalidUsageException}.
 */
public final class AnalyticsArguments {

  private AnalyticsArguments() {}

  /** The arguments of {@link EventAnalytics#top}. */
  public static void top(EventQuery query, Dimension by, QuotaType orderBy, int limit) {
    Checks.notNull("query", query);
    Checks.notNull("by", by);
    Checks.notNull("orderBy", orderBy);
    if (by == Dimension.QUARTER_HOUR) {
      throw new InvalidUsageException("by", "must not be QUARTER_HOUR");
    }
    if (limit < 0) {
      throw new InvalidUsageException("limit", "must not be negative, was " + limit);
    }
  }

  /** The arguments of {@link EventAnalytics#processingTimes}. */
  public static void processingTimes(EventQuery query, Optional<Dimension> by, List<Double> percentiles) {
    Checks.notNull("query", query);
    Checks.notNull("by", by);
    Checks.noNullElements("percentiles", percentiles);
    for (double p : percentiles) {
      if (!(p > 0 && p <= 1)) {
        throw new InvalidUsageException("percentiles", "each must lie in (0, 1], was " + p);
      }
    }
  }
}
