package dev.usage;

import java.time.ZoneId;
import java.util.List;

/**
 * Quota settings per user, and enforcement in its throwing form. Thread-safe. Every change applies at
 * once, never erases usage already counted, and appends an {@link AuditEntry} naming the actor and
 * reason.
 */
public interface QuotaManagementService {

  /**
   * Gives {@code userId} settings on {@code tier} if they have none; returns the stored settings either
   * way (an existing user keeps theirs). Users never initialised are treated as being on the default tier.
   *
   * @throws InvalidUsageException unknown tier, bad id
   */
  UserQuota initializeUserQuotas(String userId, String tier, String actor);

  /** The user's stored settings, or the defaults (default tier, default zone, calendar months). */
  UserQuota getUserQuota(String userId);

  /** Sets a per-user override, which wins over the tier's quota of the same type. */
  UserQuota updateQuota(String userId, Quota override, String actor, String reason);

  /** Removes a per-user override; the tier's quota applies again. */
  UserQuota removeQuotaOverride(String userId, QuotaType type, String actor, String reason);

  /** Moves the user to another tier; usage already counted in the current period is kept. */
  UserQuota changeTier(String userId, String tier, String actor, String reason);

  /**
   * Changes the zone and billing anchor day in which the user's periods are computed. Current-period
   * counters are keyed by period, so the change starts new counters for any period whose bounds move.
   */
  UserQuota changeBillingCycle(String userId, ZoneId zone, int billingAnchorDay, String actor, String reason);

  /** The audit trail of one user's settings, oldest first. */
  List<AuditEntry> auditTrail(String userId);

  /** The status of every quota of the user in the current period, ordered by type. */
  List<QuotaStatus> getQuotaStatus(String userId);

  /**
   * Consumes everything one request costs, all or nothing, and throws when a HARD quota refuses.
   *
   * @throws QuotaExceededException denied; nothing was consumed
   */
  QuotaDecision enforceQuotaLimits(Consumption request);

  /** As {@link #enforceQuotaLimits} but returns a denial instead of throwing it. */
  QuotaDecision tryEnforceQuotaLimits(Consumption request);
}
