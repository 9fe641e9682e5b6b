package dev.usage.example.api;

import dev.usage.SystemUsage;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer of {@code GET /api/admin/usage/system}: totals over every user's events in {@code [from, to)}.
 *
 * @param activeUsers distinct users with at least one event
 * @param totals units by quota type name
 */
public record SystemUsageView(Instant from, Instant to, long events, long failedEvents, long activeUsers,
    Map<String, Long> totals) {

  public SystemUsageView {
    totals = Collections.unmodifiableMap(new TreeMap<>(totals));
  }

  public static SystemUsageView of(SystemUsage s) {
    return new SystemUsageView(s.from(), s.to(), s.events(), s.failedEvents(), s.activeUsers(),
        Units.byName(s.totals()));
  }
}
