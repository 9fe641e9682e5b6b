package dev.usage.spi;

import dev.usage.internal.Checks;
import java.time.Duration;
import java.util.List;

/**
 * Processing-time percentiles of one group of events, by nearest rank: the value at position
 * {@code ceil(p * n)} (at least 1) of the group's {@code n} timed events in ascending order, which is SQL's
 * {@code PERCENTILE_DISC}. Every value is one that was recorded.
 *
 * @param key the group's key ({@link GroupTotals#NONE}-style empty string for events without an endpoint;
 *     empty when not grouped)
 * @param timedEvents events with a processing time in the group
 * @param values one per asked percentile, in the order asked
 */
public record TimePercentiles(String key, long timedEvents, List<Duration> values) {

  public TimePercentiles {
    Checks.notNull("key", key);
    values = List.copyOf(Checks.noNullElements("values", values));
  }
}
