package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Totals over the recorded events of all users in {@code [from, to)}.
 *
 * @param from start, inclusive
 * @param to end, exclusive
 * @param events events recorded
 * @param failedEvents events recorded as unsuccessful
 * @param activeUsers distinct users with at least one event
 * @param totals units by quota type
 */
public record SystemUsage(Instant from, Instant to, long events, long failedEvents, long activeUsers,
    Map<QuotaType, Long> totals) {

  public SystemUsage {
    Checks.notNull("from", from);
    Checks.notNull("to", to);
    totals = java.util.Collections.unmodifiableMap(new TreeMap<>(Checks.noNullEntries("totals", totals)));
  }

  public long total(QuotaType type) {
    return totals.getOrDefault(type, 0L);
  }
}
