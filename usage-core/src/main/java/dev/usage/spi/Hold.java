package dev.usage.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * Turns a consume command into a reservation: the amounts go to the counters' {@code reserved} part
 * instead of {@code used}, under {@code reservationId}, until settled or until {@code expiresAt}.
 *
 * @param reservationId the reservation's id, unique per user
 * @param expiresAt the hold lapses at this instant (held units stop counting)
 * @param retainUntil the store remembers the reservation (to charge a late commit and to answer repeated
 *     settles) until this instant
 */
public record Hold(String reservationId, Instant expiresAt, Instant retainUntil) {
  public Hold {
    Objects.requireNonNull(reservationId, "reservationId");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(retainUntil, "retainUntil");
    if (retainUntil.isBefore(expiresAt)) {
      throw new IllegalArgumentException("retainUntil before expiresAt");
    }
  }
}
