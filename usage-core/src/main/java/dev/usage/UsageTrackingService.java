package dev.usage;

import java.time.Instant;
import java.util.Map;

/**
 * Records what users do and checks and counts it against their quotas. Thread-safe.
 *
 * <p>Consuming calls ({@link #consumeQuota(Consumption)}, {@link #reserveQuota}) are atomic in the store:
 * all amounts of one request are counted together or not at all, and a HARD quota never admits a unit
 * past its limit however many threads or processes share the store. With an idempotency key (or an
 * event id) the same request counts once; the same key with another payload throws
 * {@link IdempotencyConflictException}. Keys are scoped to the user. The payload is what counts: the
 * operation (consume or reserve) and the amounts. For events, the descriptive fields (feature, outcome,
 * timing, metadata) are not part of it: the first version recorded under an event id is kept and later
 * ones are skipped, as metering services do.
 *
 * <p>Typical use for a request whose cost is known only afterwards: {@link #reserveQuota} with the
 * request id as key before the work, {@link #commitReservation} with the actual amounts after it, then
 * {@link #trackUsage} with the outcome under the same id.
 */
public interface UsageTrackingService {

  /**
   * Records an event of work already done. The event is not checked against quotas and does not move
   * quota counters (use {@link #consumeQuota(UsageEvent)} for that). In {@link TrackingMode#ASYNC} the
   * call only validates and buffers the event; in {@link TrackingMode#SYNC} it is stored before the
   * call returns. Recording the same event id twice stores it once.
   *
   * @throws InvalidUsageException the event is invalid; nothing is recorded
   * @throws TrackingRejectedException the buffer is full under the FAIL or BLOCK policy, or the engine is closed
   * @throws UsageStorageException in SYNC mode, the store failed
   */
  void trackUsage(UsageEvent event);

  /**
   * A builder for an event of {@code userId}, stamped with the engine clock's current instant.
   */
  UsageEvent.Builder event(String userId);

  /**
   * Whether {@code request} would be admitted now, without counting anything. Advisory only: another
   * request may take the room before this one consumes. The idempotency key is not looked at.
   */
  QuotaDecision checkQuota(Consumption request);

  /**
   * Counts {@code request} against the user's quotas if every HARD quota has room, all or nothing.
   * A denied decision counted nothing. Never throws for a denial; see
   * {@link QuotaManagementService#enforceQuotaLimits} for the throwing form.
   *
   * @throws InvalidUsageException bad input (unknown quota type, no positive amount, ...); nothing counted
   * @throws IdempotencyConflictException the key was used for another payload
   * @throws UsageStorageException the store failed and the engine is fail-closed
   */
  QuotaDecision consumeQuota(Consumption request);

  /**
   * Counts the event's quantities (characters, requests, input + output tokens, custom amounts) under
   * its event id, in the current period whatever the event's {@code occurredAt}, and when allowed records
   * the event as {@link #trackUsage} does. If recording fails after counting (event store down, buffer
   * full), the decision stands, the failure is logged and counted in {@link #trackingStats()}, and
   * consuming the same event again records it without counting it twice.
   */
  QuotaDecision consumeQuota(UsageEvent event);

  /**
   * Holds {@code request}'s amounts until {@link #commitReservation} or {@link #releaseReservation}, or
   * until the engine's reservation TTL passes. Held units count against the limit like used ones. An
   * allowed decision carries the {@link Reservation}, except a degraded one (store unreachable,
   * fail-open), which holds nothing. A replay of the same key returns the first reservation as it was
   * made, even if it has since been settled or has lapsed.
   */
  QuotaDecision reserveQuota(Consumption request);

  /**
   * Charges the actual amounts of a reservation (types left out are charged zero) and frees the hold.
   * The charge is unconditional, because the work was done: it may take usage past the limit, after
   * which HARD quotas refuse further requests. A reservation that lapsed is still charged. Committing
   * again with the same amounts changes nothing. The decision's statuses are empty when the user's settings
   * could not be read after the charge (the charge stands).
   *
   * @throws InvalidUsageException an actual type was not reserved, or an amount is invalid
   * @throws ReservationException unknown reservation, or already released, or committed with other amounts
   */
  QuotaDecision commitReservation(Reservation reservation, Map<QuotaType, Long> actual);

  /**
   * Gives a reservation's units back. Releasing twice, or after it lapsed, changes nothing.
   *
   * @throws ReservationException unknown reservation, or already committed
   */
  void releaseReservation(Reservation reservation);

  /** The user's tier and the status of each of their quotas in the current period. */
  UserUsage getUserUsage(String userId);

  /** Totals over every user's recorded events in {@code [from, to)}. */
  SystemUsage getSystemUsage(Instant from, Instant to);

  /** Counters of the tracking pipeline. */
  TrackingStats trackingStats();
}
