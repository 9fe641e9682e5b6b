package dev.usage.example.api;

import dev.usage.EventTotals;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Sums over a set of events.
 *
 * @param users distinct users among the events
 * @param errorRate failed over all events, 0 without events
 * @param units units by quota type name
 * @param meanProcessingMillis the mean processing time of the timed events; absent when none was timed
 */
public record TotalsView(long events, long failedEvents, long users, double errorRate, Map<String, Long> units,
    Optional<Double> meanProcessingMillis) {

  public TotalsView {
    units = Collections.unmodifiableMap(new TreeMap<>(units));
    if (meanProcessingMillis == null) {
      throw new IllegalArgumentException("meanProcessingMillis: must not be null");
    }
  }

  public static TotalsView of(EventTotals t) {
    return new TotalsView(t.events(), t.failedEvents(), t.users(), t.errorRate(), Units.byName(t.units()),
        t.meanProcessingTime().map(d -> d.toNanos() / 1_000_000.0));
  }
}
