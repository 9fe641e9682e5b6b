package dev.usage.spi;

import dev.usage.EventTotals;
import dev.usage.InvalidUsageException;
import dev.usage.internal.Checks;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The totals of one group of events.
 *
 * @param key the group's value of each dimension grouped by ({@link Dimension#QUARTER_HOUR}: epoch seconds)
 * @param totals the sums over the group's events
 */
public record GroupTotals(Map<Dimension, String> key, EventTotals totals) {

  /** The key of events without an endpoint or error code. */
  public static final String NONE = "";

  public GroupTotals {
    Checks.noNullEntries("key", key);
    key = Collections.unmodifiableMap(key.isEmpty() ? new EnumMap<>(Dimension.class) : new EnumMap<>(key));
    Checks.notNull("totals", totals);
  }

  /** The same group with its distinct users not counted (0). */
  public GroupTotals withoutUsers() {
    EventTotals t = totals;
    return new GroupTotals(key, new EventTotals(t.events(), t.failedEvents(), 0, t.units(), t.timedEvents(),
        t.processingTime()));
  }

  /** The group's value of {@code d}. */
  public String key(Dimension d) {
    String v = key.get(d);
    if (v == null) {
      throw new InvalidUsageException("dimension", "not grouped by " + d);
    }
    return v;
  }

  /** The first instant of the group's {@link Dimension#QUARTER_HOUR} slot. */
  public Instant slot() {
    return Instant.ofEpochSecond(Long.parseLong(key(Dimension.QUARTER_HOUR)));
  }
}
