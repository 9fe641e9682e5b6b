package dev.usage.internal;

import dev.usage.EventFilter;
import dev.usage.QuotaType;
import dev.usage.TimeRange;
import dev.usage.UnusualUsageAlert;
import dev.usage.UnusualUsagePolicy;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import dev.usage.spi.GroupTotals;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Finds users whose usage in one UTC hour is far above their own active hours before it (see
 * {@link UnusualUsageAlert}), from the analytics of the event store: one grouped query for the hour, and one
 * per hundred candidate users for their baselines. Remembers, in this process, the hour of each user's last
 * alert. Thread-safe.
 */
final class UnusualUsageDetector {

  private static final Duration HOUR = Duration.ofHours(1);
  /** 1 / Φ⁻¹(3/4): turns a median absolute deviation into a standard deviation's scale. */
  private static final double MAD_SCALE = 0.6745;
  /** √(π/2): the same for a mean absolute deviation. */
  private static final double MEAN_AD_SCALE = 1.253314;
  private static final int FORGET_AFTER = 100_000;
  /**
   * Candidate users whose baselines one query reads: each brings up to 96 quarter-hours a day of the baseline
   * (1,344 groups over 14 days, 8,640 over 90), all held until the chunk is scored.
   */
  private static final int BASELINE_USERS = 100;

  private final UnusualUsagePolicy policy;
  private final Map<String, Instant> lastAlertHour = new ConcurrentHashMap<>();

  UnusualUsageDetector(UnusualUsagePolicy policy) {
    this.policy = policy;
  }

  /** The alerts of the hour starting at {@code hourStart}, at most one per user, each user's highest score. */
  List<UnusualUsageAlert> detect(EventAnalytics a, Function<EventFilter, EventQuery> query, Instant hourStart,
      Instant now) {
    TimeRange hour = TimeRange.of(hourStart, hourStart.plus(HOUR));
    Map<String, Map<QuotaType, Long>> candidates = new TreeMap<>();
    for (GroupTotals g : a.group(query.apply(EventFilter.of(hour)), Set.of(Dimension.USER))) {
      String user = g.key(Dimension.USER);
      Map<QuotaType, Long> enough = new TreeMap<>();
      g.totals().units().forEach((t, v) -> {
        if (v >= policy.minimumUnits(t)) {
          enough.put(t, v);
        }
      });
      if (!enough.isEmpty() && !suppressed(user, hourStart)) {
        candidates.put(user, enough);
      }
    }
    List<UnusualUsageAlert> alerts = new ArrayList<>();
    TimeRange baseline = TimeRange.of(hourStart.minus(policy.baseline()), hourStart);
    List<String> users = new ArrayList<>(candidates.keySet());
    for (int i = 0; i < users.size(); i += BASELINE_USERS) {
      List<String> chunk = users.subList(i, Math.min(users.size(), i + BASELINE_USERS));
      Map<String, Map<QuotaType, Map<Instant, Long>>> hourly = new HashMap<>();
      for (GroupTotals g : a.group(query.apply(EventFilter.builder(baseline).users(chunk).build()),
          Set.of(Dimension.USER, Dimension.QUARTER_HOUR))) {
        Instant h = g.slot().truncatedTo(ChronoUnit.HOURS);
        Map<QuotaType, Map<Instant, Long>> byType = hourly.computeIfAbsent(g.key(Dimension.USER), u -> new HashMap<>());
        g.totals().units().forEach((t, v) -> byType.computeIfAbsent(t, x -> new HashMap<>()).merge(h, v, Long::sum));
      }
      for (String user : chunk) {
        UnusualUsageAlert worst = null;
        for (Map.Entry<QuotaType, Long> e : candidates.get(user).entrySet()) {
          Map<Instant, Long> hours = hourly.getOrDefault(user, Map.of()).getOrDefault(e.getKey(), Map.of());
          UnusualUsageAlert alert = score(user, e.getKey(), hourStart, e.getValue(), hours.values(), now);
          if (alert != null && (worst == null || alert.score() > worst.score())) {
            worst = alert;
          }
        }
        if (worst != null && claim(user, hourStart)) {
          alerts.add(worst);
        }
      }
    }
    return alerts;
  }

  /** The alert for {@code units} against the baseline hours, or null when it is not unusual. */
  private UnusualUsageAlert score(String user, QuotaType type, Instant hourStart, long units,
      java.util.Collection<Long> baselineHours, Instant now) {
    if (baselineHours.size() < policy.minBaselineHours()) {
      return null;
    }
    double[] values = baselineHours.stream().mapToDouble(Long::doubleValue).sorted().toArray();
    double median = median(values);
    if (units <= median) {
      return null;
    }
    double[] deviations = Arrays.stream(values).map(v -> Math.abs(v - median)).sorted().toArray();
    double mad = median(deviations);
    double deviation;
    if (mad > 0) {
      deviation = mad / MAD_SCALE;
    } else {
      deviation = MEAN_AD_SCALE * Arrays.stream(deviations).average().orElse(0);
    }
    // usage is counted: a count of about n varies by about its square root from hour to hour (and by at least a
    // unit) however flat the baseline looked, so a smaller spread would make a few units more than a flat
    // baseline (54 after hours of 50), or a value the baseline often had, score as far out
    deviation = Math.max(deviation, Math.max(1, Math.sqrt(median)));
    double score = (units - median) / deviation;
    if (score < policy.threshold()) {
      return null;
    }
    return new UnusualUsageAlert(user, type, hourStart, units, median, deviation, values.length, score, now);
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Whether the user's latest alert was for an hour less than the alert window away from this one. */
  private boolean suppressed(String user, Instant hourStart) {
    return near(lastAlertHour.get(user), hourStart);
  }

  private boolean near(Instant last, Instant hourStart) {
    return last != null && Duration.between(last, hourStart).abs().compareTo(window()) < 0;
  }

  /** Records an alert for the user's hour unless another caller just did (one alert per user per window). */
  private boolean claim(String user, Instant hourStart) {
    boolean[] claimed = new boolean[1];
    lastAlertHour.compute(user, (u, last) -> {
      if (near(last, hourStart)) {
        return last;
      }
      claimed[0] = true;
      return last != null && last.isAfter(hourStart) ? last : hourStart;
    });
    if (lastAlertHour.size() > FORGET_AFTER) {
      lastAlertHour.values().removeIf(last -> last.plus(window()).isBefore(hourStart));
    }
    return claimed[0];
  }

  /** The alert window, at least the hour itself: the same hour never alerts twice. */
  private Duration window() {
    return policy.alertWindow().compareTo(HOUR) < 0 ? HOUR : policy.alertWindow();
  }
}
