package dev.usage;

import dev.usage.internal.Checks;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Sums over a set of recorded events.
 *
 * @param events events
 * @param failedEvents events recorded as unsuccessful
 * @param users distinct users among them
 * @param units units by quota type (tokens are input plus output), zero amounts left out
 * @param timedEvents events that carry a processing time
 * @param processingTime the sum of those processing times (to the microsecond)
 */
public record EventTotals(long events, long failedEvents, long users, Map<QuotaType, Long> units, long timedEvents,
    Duration processingTime) {

  /** No events. */
  public static final EventTotals NONE = new EventTotals(0, 0, 0, Map.of(), 0, Duration.ZERO);

  public EventTotals {
    if (events < 0 || failedEvents < 0 || failedEvents > events) {
      throw new InvalidUsageException("failedEvents", "must be within 0..events (" + events + "), was " + failedEvents);
    }
    if (users < 0 || users > events) {
      throw new InvalidUsageException("users", "must be within 0..events (" + events + "), was " + users);
    }
    if (timedEvents < 0 || timedEvents > events) {
      throw new InvalidUsageException("timedEvents", "must be within 0..events (" + events + "), was " + timedEvents);
    }
    Checks.notNull("processingTime", processingTime);
    units = Checks.units("units", units);
  }

  /** Units of {@code type}, 0 when none. */
  public long units(QuotaType type) {
    return units.getOrDefault(type, 0L);
  }

  /** Failed events over events; 0 without events. */
  public double errorRate() {
    return events == 0 ? 0 : (double) failedEvents / events;
  }

  /** The mean processing time of the timed events, empty when none was timed. */
  public Optional<Duration> meanProcessingTime() {
    return timedEvents == 0 ? Optional.empty() : Optional.of(processingTime.dividedBy(timedEvents));
  }
}
