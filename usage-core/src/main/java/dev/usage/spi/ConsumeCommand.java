package dev.usage.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Add {@code deltas} to one user's counters, all or nothing.
 *
 * @param userId the user
 * @param deltas one per counter, distinct keys, at least one
 * @param marker count once per key
 * @param hold hold the amounts as a reservation instead of consuming them
 * @param now the engine's clock reading: lapsed holds and expired markers are judged against it
 */
public record ConsumeCommand(String userId, List<CounterDelta> deltas, Optional<IdempotencyMarker> marker,
    Optional<Hold> hold, Instant now) {
  public ConsumeCommand {
    Objects.requireNonNull(userId, "userId");
    deltas = List.copyOf(deltas);
    if (deltas.isEmpty()) {
      throw new IllegalArgumentException("no deltas");
    }
    Objects.requireNonNull(marker, "marker");
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(now, "now");
  }
}
