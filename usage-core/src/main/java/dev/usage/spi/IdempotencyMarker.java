package dev.usage.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * Makes a consuming command count once per user and key. A store keeps the marker, atomically with the
 * counters it admitted, until {@code expiresAt}; a later command with the same key and the same
 * fingerprint is a replay, with another fingerprint a conflict. Rejected commands leave no marker.
 *
 * @param key the caller's idempotency key (scoped to the user)
 * @param fingerprint a canonical text of the payload, at most 512 chars
 * @param expiresAt when the store may forget the marker
 */
public record IdempotencyMarker(String key, String fingerprint, Instant expiresAt) {
  public IdempotencyMarker {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
