package dev.usage.example.api;

import dev.usage.CapacityForecast;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * System usage projected for the coming months, the {@code capacity} part of {@code GET /api/admin/analytics}.
 *
 * @param historyFrom the first day of the history the lines are fitted to
 * @param historyTo the day after the last day fitted
 * @param trends the fitted line per quota type
 * @param months the projected units per quota type of each coming month
 */
public record CapacityView(String zone, LocalDate historyFrom, LocalDate historyTo, List<Trend> trends,
    List<Month> months, Instant generatedAt) {

  public CapacityView {
    trends = List.copyOf(trends);
    months = List.copyOf(months);
  }

  public static CapacityView of(CapacityForecast f) {
    return new CapacityView(f.zone().getId(), f.historyFrom(), f.historyTo(),
        f.trends().stream().map(t -> new Trend(t.type().name(), t.intercept(), t.slopePerDay(), t.rSquared(),
            t.meanPerDay())).toList(),
        f.months().stream().map(m -> new Month(m.month(), Units.byName(m.units()))).toList(), f.generatedAt());
  }

  /** A fitted line: units per day = intercept + slopePerDay × days since {@code historyFrom}. */
  public record Trend(String type, double intercept, double slopePerDay, double rSquared, double meanPerDay) {}

  /** One coming month's projected units by quota type name. */
  public record Month(YearMonth month, Map<String, Long> units) {

    public Month {
      units = Collections.unmodifiableMap(new TreeMap<>(units));
    }
  }
}
