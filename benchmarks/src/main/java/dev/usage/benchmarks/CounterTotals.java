package dev.usage.benchmarks;

import dev.usage.QuotaType;
import dev.usage.spi.CounterPage;
import dev.usage.spi.CounterStore;
import dev.usage.spi.StoredCounter;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a store's counters hold, read through its own scan (one page of 1,000 at a time), for the checks at
 * the end of a consume trial.
 *
 * @param used units per quota type over every counter
 * @param users the users with at least one counter
 */
public record CounterTotals(Map<QuotaType, Long> used, int users) {

  /** Scans every counter of {@code counters}. */
  public static CounterTotals scan(CounterStore counters) {
    Map<QuotaType, Long> used = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    Optional<String> cursor = Optional.empty();
    do {
      CounterPage page = counters.scan(cursor, 1_000, Instant.now());
      for (StoredCounter c : page.counters()) {
        used.merge(c.type(), c.used(), Long::sum);
        seen.add(c.userId());
      }
      cursor = page.next();
    } while (cursor.isPresent());
    return new CounterTotals(used, seen.size());
  }
}
