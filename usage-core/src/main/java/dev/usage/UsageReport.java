package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One user's usage over a range, from {@link AnalyticsService#generateUsageReport}.
 *
 * @param userId the user
 * @param tier the user's current tier
 * @param zone the user's zone, in which {@code byDay} counts days
 * @param range the range reported on
 * @param totals the sums over the user's events in the range
 * @param byFeature the sums per feature, by feature name
 * @param byDay the counts of every local day that the range touches (days without events included)
 * @param periods utilisation of each of the user's quotas in each period that overlaps the range: closed
 *     periods from the history, then the current one; by type, then start
 * @param vsTier the user against the other active users of their tier, per quota type
 * @param trend this range against the range of the same length just before it, per quota type
 * @param generatedAt when the report was made (engine clock)
 */
public record UsageReport(String userId, String tier, ZoneId zone, TimeRange range, EventTotals totals,
    SortedMap<String, EventTotals> byFeature, SortedMap<LocalDate, UsageCounts> byDay, List<PeriodUtilisation> periods,
    List<TierComparison> vsTier, List<Trend> trend, Instant generatedAt) {

  public UsageReport {
    Checks.id("userId", userId);
    Checks.name("tier", tier);
    Checks.notNull("zone", zone);
    Checks.notNull("range", range);
    Checks.notNull("totals", totals);
    byFeature = Collections.unmodifiableSortedMap(new TreeMap<>(Checks.noNullEntries("byFeature", byFeature)));
    byDay = Collections.unmodifiableSortedMap(new TreeMap<>(Checks.noNullEntries("byDay", byDay)));
    periods = List.copyOf(Checks.noNullElements("periods", periods));
    vsTier = List.copyOf(Checks.noNullElements("vsTier", vsTier));
    trend = List.copyOf(Checks.noNullElements("trend", trend));
    Checks.notNull("generatedAt", generatedAt);
  }

  /**
   * How much of one quota one period used.
   *
   * @param type the quota type
   * @param period the period kind
   * @param start the period's first instant
   * @param end the first instant after it
   * @param limit its limit with the units carried into it, as {@link QuotaStatus#limit()} ({@link Quota#UNLIMITED}
   *     for none)
   * @param used units used (for the current period: so far, units held by open reservations not included)
   * @param closed whether the reset job has closed it (its figures are final)
   */
  public record PeriodUtilisation(QuotaType type, QuotaPeriod period, Instant start, Instant end, long limit, long used,
      boolean closed) {

    public PeriodUtilisation {
      Checks.notNull("type", type);
      Checks.notNull("period", period);
      Checks.notNull("start", start);
      Checks.notNull("end", end);
    }

    /** Used over limit; 0 for unlimited quotas; may exceed 1. */
    public double utilisation() {
      if (limit == Quota.UNLIMITED) {
        return 0;
      }
      return limit == 0 ? (used > 0 ? 1.0 : 0) : (double) used / limit;
    }
  }

  /**
   * The user against the active users of their tier (users with at least one event in the range).
   *
   * @param type the quota type
   * @param units the user's units in the range
   * @param tierUsers active users of the tier, the user included when active
   * @param tierAverage the tier's units over its active users (0 without any)
   * @param percentileRank the user's percentile rank among them, 0..100 (equal totals count half)
   */
  public record TierComparison(QuotaType type, long units, long tierUsers, double tierAverage, double percentileRank) {

    public TierComparison {
      Checks.notNull("type", type);
    }
  }

  /**
   * Units of one quota type in the range against the range just before it.
   *
   * @param type the quota type
   * @param previous units in the previous range
   * @param current units in this range
   */
  public record Trend(QuotaType type, long previous, long current) {

    public Trend {
      Checks.notNull("type", type);
    }

    /** {@code (current - previous) / previous}; empty when there was nothing before. */
    public Optional<Double> change() {
      return previous == 0 ? Optional.empty() : Optional.of((double) (current - previous) / previous);
    }
  }

  /** The units of {@code type} in the range. */
  public long units(QuotaType type) {
    return totals.units(type);
  }

  /** The comparison with the tier for {@code type}. */
  public Optional<TierComparison> vsTier(QuotaType type) {
    return vsTier.stream().filter(c -> c.type().equals(type)).findFirst();
  }

  /** The trend of {@code type}. */
  public Optional<Trend> trend(QuotaType type) {
    return trend.stream().filter(t -> t.type().equals(type)).findFirst();
  }

  /** The totals of one feature (none when it was not used). */
  public EventTotals feature(String name) {
    return byFeature.getOrDefault(name, EventTotals.NONE);
  }

  /** Total units per quota type, for convenience. */
  public Map<QuotaType, Long> units() {
    return totals.units();
  }
}
