package dev.usage;

import dev.usage.internal.Checks;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * How {@link AnalyticsService#detectUnusualUsage} decides that an hour is unusual for a user: the hour's
 * units of a type, compared with the user's active hours in the {@code baseline} before it, score at least
 * {@code threshold} (see {@link UnusualUsageAlert} for the score), are above the baseline median and at
 * least the type's minimum; the baseline holds at least {@code minBaselineHours} active hours; and the user
 * had no alert in the last {@code alertWindow}.
 *
 * @param baseline how far back the baseline reaches before the examined hour, 1 hour to 90 days
 * @param minBaselineHours fewest active hours that make a baseline, 1 to 2160
 * @param threshold the least score that alerts, positive (3.5 is the usual choice)
 * @param minimumUnits per type, the fewest units an hour needs to alert (types not listed: 1)
 * @param alertWindow at most one alert per user per this window (in this engine), zero to 90 days
 */
public record UnusualUsagePolicy(Duration baseline, int minBaselineHours, double threshold,
    Map<QuotaType, Long> minimumUnits, Duration alertWindow) {

  private static final Duration MAX = Duration.ofDays(90);

  /** Baseline 14 days, at least 24 active hours, threshold 3.5, no minimums, one alert per user per day. */
  public static final UnusualUsagePolicy DEFAULT =
      new UnusualUsagePolicy(Duration.ofDays(14), 24, 3.5, Map.of(), Duration.ofDays(1));

  public UnusualUsagePolicy {
    Checks.notNull("baseline", baseline);
    if (baseline.compareTo(Duration.ofHours(1)) < 0 || baseline.compareTo(MAX) > 0) {
      throw new InvalidUsageException("baseline", "must be within PT1H.." + MAX + ", was " + baseline);
    }
    if (minBaselineHours < 1 || minBaselineHours > 2160) {
      throw new InvalidUsageException("minBaselineHours", "must be within 1..2160, was " + minBaselineHours);
    }
    if (!(threshold > 0) || Double.isInfinite(threshold)) {
      throw new InvalidUsageException("threshold", "must be a positive finite number, was " + threshold);
    }
    Map<QuotaType, Long> minimums = new TreeMap<>();
    Checks.noNullEntries("minimumUnits", minimumUnits).forEach((t, v) -> {
      if (v < 1) {
        throw new InvalidUsageException("minimumUnits." + t.name(), "must be at least 1, was " + v);
      }
      minimums.put(t, v);
    });
    minimumUnits = java.util.Collections.unmodifiableMap(minimums);
    Checks.notNull("alertWindow", alertWindow);
    if (alertWindow.isNegative() || alertWindow.compareTo(MAX) > 0) {
      throw new InvalidUsageException("alertWindow", "must be within 0.." + MAX + ", was " + alertWindow);
    }
  }

  /** The fewest units of {@code type} an hour needs to alert. */
  public long minimumUnits(QuotaType type) {
    return minimumUnits.getOrDefault(type, 1L);
  }
}
