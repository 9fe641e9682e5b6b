package dev.usage.spi;

import dev.usage.QuotaType;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Settle one reservation: commit with actual amounts, or release.
 *
 * @param userId the user the reservation belongs to
 * @param reservationId the reservation
 * @param actual for a commit, the units to charge per reserved type (missing types charge zero); ignored
 *     for a release
 * @param now the engine's clock reading
 */
public record SettleCommand(String userId, String reservationId, Map<QuotaType, Long> actual, Instant now) {
  public SettleCommand {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(reservationId, "reservationId");
    actual = Map.copyOf(actual);
    Objects.requireNonNull(now, "now");
  }
}
