package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Quota held for work whose cost is known only afterwards (LLM tokens). Settle it with
 * {@link UsageTrackingService#commitReservation} or {@link UsageTrackingService#releaseReservation};
 * unsettled, the hold lapses at {@link #expiresAt()}.
 *
 * @param id the reservation id
 * @param userId the user it was made for
 * @param amounts the units held, by type
 * @param expiresAt when the hold lapses by itself
 */
public record Reservation(String id, String userId, Map<QuotaType, Long> amounts, Instant expiresAt) {

  public Reservation {
    Checks.id("reservationId", id);
    Checks.id("userId", userId);
    Checks.noNullEntries("amounts", amounts);
    amounts = java.util.Collections.unmodifiableMap(new TreeMap<>(amounts));
    Checks.notNull("expiresAt", expiresAt);
  }
}
