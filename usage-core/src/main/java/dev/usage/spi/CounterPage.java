package dev.usage.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a counter scan.
 *
 * @param counters the counters of this page, in no promised order
 * @param next the cursor of the next page; empty when the scan is complete
 */
public record CounterPage(List<StoredCounter> counters, Optional<String> next) {
  public CounterPage {
    counters = List.copyOf(counters);
    Objects.requireNonNull(next, "next");
  }
}
