package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * System usage for the coming months, by {@link AnalyticsService#forecastCapacity}: a least-squares line
 * through each quota type's daily totals of the recent past, summed over the days of each coming month
 * (days where the line is below zero count zero).
 *
 * @param zone the zone of the days
 * @param historyFrom the first day of the history fitted: the first day with events within the look-back
 * @param historyTo the day after the last day fitted (today, which is not complete, is left out)
 * @param trends the fitted line per quota type, by type
 * @param months the projected units per type of each coming month, in order
 * @param generatedAt when it was made (engine clock)
 */
public record CapacityForecast(ZoneId zone, LocalDate historyFrom, LocalDate historyTo, List<Trend> trends,
    List<MonthProjection> months, Instant generatedAt) {

  public CapacityForecast {
    Checks.notNull("zone", zone);
    Checks.notNull("historyFrom", historyFrom);
    Checks.notNull("historyTo", historyTo);
    trends = List.copyOf(Checks.noNullElements("trends", trends));
    months = List.copyOf(Checks.noNullElements("months", months));
    Checks.notNull("generatedAt", generatedAt);
  }

  /** Days of history fitted. */
  public long historyDays() {
    return historyTo.toEpochDay() - historyFrom.toEpochDay();
  }

  /** The line of one type. */
  public Optional<Trend> trend(QuotaType type) {
    return trends.stream().filter(t -> t.type().equals(type)).findFirst();
  }

  /**
   * A fitted line, {@code units per day = intercept + slopePerDay × (day - historyFrom)}.
   *
   * @param type the quota type
   * @param intercept units per day on {@code historyFrom}, by the line
   * @param slopePerDay the daily change of units per day
   * @param rSquared how much of the daily variation the line explains, 0 to 1 (1 when there is none to explain)
   * @param meanPerDay the mean of the daily totals
   */
  public record Trend(QuotaType type, double intercept, double slopePerDay, double rSquared, double meanPerDay) {}

  /**
   * One coming month.
   *
   * @param month the month
   * @param units the projected units per type
   */
  public record MonthProjection(YearMonth month, Map<QuotaType, Long> units) {

    public MonthProjection {
      Checks.notNull("month", month);
      units = Collections.unmodifiableMap(new TreeMap<>(Checks.noNullEntries("units", units)));
    }

    /** Projected units of {@code type}, 0 when none. */
    public long units(QuotaType type) {
      return units.getOrDefault(type, 0L);
    }
  }
}
