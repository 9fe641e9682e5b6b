package dev.usage.spi;

import java.util.List;
import java.util.Objects;

/**
 * What a commit or release did.
 *
 * @param result settled, replayed, conflicting or not found
 * @param counters the reservation's counters after the command, in type order; empty when not found
 */
public record SettleOutcome(Result result, List<CounterValue> counters) {

  /** The kinds of outcome. */
  public enum Result {
    /** The reservation was held (or had lapsed) and is now settled as asked. */
    SETTLED,
    /** It was already settled the same way (a commit with the same amounts, or a release); nothing changed. */
    REPLAYED,
    /** It was already settled the other way, or committed with other amounts; nothing changed. */
    CONFLICT,
    /** No such reservation is remembered; nothing changed. */
    NOT_FOUND
  }

  public SettleOutcome {
    Objects.requireNonNull(result, "result");
    counters = List.copyOf(counters);
  }
}
