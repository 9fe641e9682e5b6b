package dev.usage;

import dev.usage.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The answer to a quota check, consumption or reservation.
 *
 * @param allowed whether the request may proceed (and, for consuming calls, was counted)
 * @param statuses the status of every quota the request involved, after the call (none for a degraded decision,
 *     nor for a settled reservation whose user's settings could not be read after the store settled it; for a
 *     settled reservation, only the quotas the user still has with the same period)
 * @param violated the HARD quotas that refused the request; empty when allowed
 * @param retryAfter time until the latest reset among the violated quotas; zero when allowed
 * @param degraded the store could not be reached and the engine allowed the request by its fail-open
 *     policy; {@code statuses} is empty. Nothing was counted, unless the store applied the request and its answer
 *     was lost (a timeout after the write): a retry under the same idempotency key counts it once either way
 * @param replayed an earlier call with the same idempotency key was admitted; this one counted nothing
 * @param reservation the reservation made, for an allowed reservation request; empty when degraded
 * @param beyondLimit the violated quotas whose next period cannot allow the amount asked for even when unused: it
 *     exceeds that period's limit plus the most its rollover policy carries in, with the user's settings then (a
 *     tier change scheduled for the boundary applied); waiting does not help; a subset of {@code violated}
 */
public record QuotaDecision(boolean allowed, List<QuotaStatus> statuses, List<QuotaType> violated, Duration retryAfter,
    boolean degraded, boolean replayed, Optional<Reservation> reservation, List<QuotaType> beyondLimit) {

  public QuotaDecision {
    statuses = List.copyOf(Checks.noNullElements("statuses", statuses));
    violated = List.copyOf(Checks.noNullElements("violated", violated));
    Checks.notNull("retryAfter", retryAfter);
    Checks.notNull("reservation", reservation);
    beyondLimit = List.copyOf(Checks.noNullElements("beyondLimit", beyondLimit));
    if (allowed && !violated.isEmpty()) {
      throw new InvalidUsageException("violated", "an allowed decision violates nothing");
    }
    if (!violated.containsAll(beyondLimit)) {
      throw new InvalidUsageException("beyondLimit", "must be among the violated quotas");
    }
  }

  /** A decision with no quota beyond its limit. */
  public QuotaDecision(boolean allowed, List<QuotaStatus> statuses, List<QuotaType> violated, Duration retryAfter,
      boolean degraded, boolean replayed, Optional<Reservation> reservation) {
    this(allowed, statuses, violated, retryAfter, degraded, replayed, reservation, List.of());
  }

  /**
   * Whether waiting may let the same request through: the violated quotas reset after {@link #retryAfter()} (units
   * carried into their next period arrive once the period before is final); false when it asks for more than one of
   * them can ever allow ({@link #beyondLimit()}); true for an allowed decision.
   */
  public boolean retryable() {
    return beyondLimit.isEmpty();
  }

  /** The status of one involved quota. */
  public Optional<QuotaStatus> status(QuotaType type) {
    for (QuotaStatus s : statuses) {
      if (s.type().equals(type)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Remaining units of one involved quota, if it was involved. */
  public Optional<Long> remaining(QuotaType type) {
    return status(type).map(QuotaStatus::remaining);
  }

  /** Throws {@link QuotaExceededException} unless allowed; returns this decision otherwise. */
  public QuotaDecision orThrow() {
    if (!allowed) {
      throw new QuotaExceededException(this);
    }
    return this;
  }
}
