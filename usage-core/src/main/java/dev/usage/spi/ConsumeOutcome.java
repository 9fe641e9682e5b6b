package dev.usage.spi;

import dev.usage.QuotaType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link ConsumeCommand} did.
 *
 * @param result admitted, rejected, replayed, conflicting or stale
 * @param counters the counters of the command's deltas, in the same order, as they are after the
 *     command (unchanged unless admitted); empty for STALE
 * @param rejected the types whose limit refused the command (REJECTED only)
 * @param hold for an admitted or replayed hold, the hold the first command made
 */
public record ConsumeOutcome(Result result, List<CounterValue> counters, List<QuotaType> rejected,
    Optional<Hold> hold) {

  /** The kinds of outcome. */
  public enum Result {
    /** Every delta was added (and the marker and hold stored). */
    ADMITTED,
    /** At least one limited counter had no room; nothing changed. */
    REJECTED,
    /** The marker's key was already stored with the same fingerprint; nothing changed. */
    REPLAYED,
    /** The marker's key was already stored with another fingerprint; nothing changed. */
    CONFLICT,
    /**
     * The command's settings version is not the stored one (see {@link ConsumeCommand#settingsVersion()});
     * nothing changed. Only stores declaring {@link StorageCapability#CHECKS_SETTINGS_VERSION} answer it.
     */
    STALE
  }

  public ConsumeOutcome {
    Objects.requireNonNull(result, "result");
    counters = List.copyOf(counters);
    rejected = List.copyOf(rejected);
    Objects.requireNonNull(hold, "hold");
  }
}
