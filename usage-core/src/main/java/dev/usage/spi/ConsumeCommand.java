package dev.usage.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Add {@code deltas} to one user's counters, all or nothing.
 *
 * @param userId the user
 * @param deltas one per counter, distinct keys, at least one
 * @param marker count once per key
 * @param hold hold the amounts as a reservation instead of consuming them
 * @param now the engine's clock reading: lapsed holds and expired markers are judged against it
 * @param settingsVersion when present, the version of the user's stored settings ({@code 0}: none stored)
 *     the limits were computed from; a store declaring {@link StorageCapability#CHECKS_SETTINGS_VERSION}
 *     answers {@link ConsumeOutcome.Result#STALE} and changes nothing when the stored version differs, so
 *     that an engine may cache settings; other stores ignore it
 */
public record ConsumeCommand(String userId, List<CounterDelta> deltas, Optional<IdempotencyMarker> marker,
    Optional<Hold> hold, Instant now, OptionalLong settingsVersion) {

  /** A command without a settings version. */
  public ConsumeCommand(String userId, List<CounterDelta> deltas, Optional<IdempotencyMarker> marker,
      Optional<Hold> hold, Instant now) {
    this(userId, deltas, marker, hold, now, OptionalLong.empty());
  }

  public ConsumeCommand {
    Objects.requireNonNull(userId, "userId");
    deltas = List.copyOf(deltas);
    if (deltas.isEmpty()) {
      throw new IllegalArgumentException("no deltas");
    }
    Objects.requireNonNull(marker, "marker");
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(settingsVersion, "settingsVersion");
  }
}
