package dev.usage;

import dev.usage.internal.Checks;
import java.util.Map;
import java.util.TreeMap;

/**
 * Event and unit counts of a bucket of time (a day, an hour of day); unlike {@link EventTotals} they add up
 * across buckets.
 *
 * @param events events
 * @param failedEvents events recorded as unsuccessful
 * @param units units by quota type, zero amounts left out
 */
public record UsageCounts(long events, long failedEvents, Map<QuotaType, Long> units) {

  /** Nothing. */
  public static final UsageCounts NONE = new UsageCounts(0, 0, Map.of());

  public UsageCounts {
    if (events < 0 || failedEvents < 0 || failedEvents > events) {
      throw new InvalidUsageException("failedEvents", "must be within 0..events (" + events + "), was " + failedEvents);
    }
    units = Checks.units("units", units);
  }

  /** The counts of {@code totals}. */
  public static UsageCounts of(EventTotals totals) {
    return new UsageCounts(totals.events(), totals.failedEvents(), totals.units());
  }

  /** These counts plus {@code other}'s. */
  public UsageCounts plus(UsageCounts other) {
    Map<QuotaType, Long> sum = new TreeMap<>(units);
    other.units.forEach((t, v) -> sum.merge(t, v, Math::addExact));
    return new UsageCounts(Math.addExact(events, other.events), Math.addExact(failedEvents, other.failedEvents), sum);
  }

  /** Units of {@code type}, 0 when none. */
  public long units(QuotaType type) {
    return units.getOrDefault(type, 0L);
  }
}
