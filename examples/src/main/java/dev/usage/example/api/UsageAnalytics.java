package dev.usage.example.api;

import dev.usage.Quota;
import dev.usage.UsageForecast;
import dev.usage.UsageReport;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The answer of {@code GET /api/usage/analytics}: one user's report over a range of days and where their
 * quotas are heading.
 *
 * @param from the first day reported on (UTC)
 * @param to the last day reported on, inclusive
 * @param totals sums over the user's events in the range
 * @param byFeature sums per feature name
 * @param trend the range against the range of the same length before it, per quota type
 * @param vsTier the user against the active users of their tier, per quota type
 * @param periods utilisation of each quota period overlapping the range
 * @param forecast each quota's current period continued at its rate so far
 */
public record UsageAnalytics(String userId, String tier, String zone, LocalDate from, LocalDate to, TotalsView totals,
    Map<String, TotalsView> byFeature, List<Trend> trend, List<VsTier> vsTier, List<Period> periods,
    List<Forecast> forecast, Instant generatedAt) {

  public UsageAnalytics {
    byFeature = Collections.unmodifiableMap(new TreeMap<>(byFeature));
    trend = List.copyOf(trend);
    vsTier = List.copyOf(vsTier);
    periods = List.copyOf(periods);
    forecast = List.copyOf(forecast);
  }

  static UsageAnalytics of(UsageReport r, DayRange days, UsageForecast f) {
    Map<String, TotalsView> features = new TreeMap<>();
    r.byFeature().forEach((name, t) -> features.put(name, TotalsView.of(t)));
    return new UsageAnalytics(r.userId(), r.tier(), r.zone().getId(), days.from(), days.to(), TotalsView.of(r.totals()),
        features,
        r.trend().stream().map(t -> new Trend(t.type().name(), t.previous(), t.current(), t.change())).toList(),
        r.vsTier().stream().map(c -> new VsTier(c.type().name(), c.units(), c.tierUsers(), c.tierAverage(),
            c.percentileRank())).toList(),
        r.periods().stream().map(p -> new Period(p.type().name(), Units.lower(p.period()), p.start(), p.end(),
            p.limit(), p.used(), p.utilisation(), p.closed())).toList(),
        f.quotas().stream().map(q -> new Forecast(q.type().name(), q.limit(), q.used(), q.reserved(), q.periodStart(),
            q.periodEnd(), q.projected(), q.runsOutAt(), q.exhausted())).toList(),
        r.generatedAt());
  }

  /**
   * Units of one type in the range against the range before.
   *
   * @param change {@code (current - previous) / previous}; absent when there was nothing before
   */
  public record Trend(String type, long previous, long current, Optional<Double> change) {}

  /**
   * The user against their tier's active users.
   *
   * @param percentileRank 0 to 100
   */
  public record VsTier(String type, long units, long tierUsers, double tierAverage, double percentileRank) {}

  /**
   * One quota period overlapping the range.
   *
   * @param limit the limit ({@value Quota#UNLIMITED} for none)
   * @param closed whether the period is closed and its figures final
   */
  public record Period(String type, String period, Instant start, Instant end, long limit, long used,
      double utilisation, boolean closed) {}

  /**
   * One quota's current period, continued at its rate so far.
   *
   * @param projected the units the period will have used at its end
   * @param runsOutAt when the limit will be reached, if before the period ends
   * @param exhausted whether the limit is reached already
   */
  public record Forecast(String type, long limit, long used, long reserved, Instant periodStart, Instant periodEnd,
      long projected, Optional<Instant> runsOutAt, boolean exhausted) {}
}
