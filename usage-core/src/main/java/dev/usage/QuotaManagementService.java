package dev.usage;

import java.io.OutputStream;
import java.time.ZoneId;
import java.util.List;

/**
 * Quota settings per user, and enforcement in its throwing form. Thread-safe. Every change applies at
 * once, never erases usage already counted, and appends an {@link AuditEntry} naming the actor and
 * reason, in the same atomic step as the change. A change that changes nothing records nothing.
 *
 * <p>Each change comes in two forms: with {@code actor} and {@code reason}, and with a {@link ChangeRequest},
 * which may also carry a request id: a change is applied once per (user, request id), so a retried admin call
 * (same {@code Idempotency-Key}) changes nothing more and returns the current settings; the same request id with
 * a different change is refused with an {@link IdempotencyConflictException}.
 */
public interface QuotaManagementService {

  /**
   * Gives {@code userId} settings on {@code tier} if they have none; returns the settings either way, as they
   * apply now (an existing user keeps theirs). Users never initialised are treated as being on the default tier.
   * Meant for a new user: one who used quotas on the default tier and moves to another is moved with
   * {@link #changeTier}, which keeps the default tier's plan for the periods that ended before the move.
   *
   * @throws InvalidUsageException unknown tier, bad id
   */
  UserQuota initializeUserQuotas(String userId, String tier, String actor);

  /**
   * The user's settings as they apply now (a scheduled tier change that is due made, whether or not the reset job
   * has recorded it), or the defaults (default tier, default zone, calendar months). The other methods of this
   * service return the settings the same way.
   */
  UserQuota getUserQuota(String userId);

  /**
   * Sets a per-user override, which wins over the tier's quota of the same type. A user has at most
   * {@value UserQuota#MAX_OVERRIDES} overrides: another is refused (field {@code quota}) until one is removed.
   */
  default UserQuota updateQuota(String userId, Quota override, String actor, String reason) {
    return updateQuota(userId, override, ChangeRequest.of(actor, reason));
  }

  /**
   * As {@link #updateQuota(String, Quota, String, String)}, applied once per request id.
   *
   * @throws IdempotencyConflictException the request id was used for another change of this user
   * @throws InvalidUsageException a bad id or quota (including a carrying {@link RolloverPolicy} on a period
   *     not longer than {@code reservationTtl + idempotencyWindow}, or a type the user has no override of when they
   *     have {@value UserQuota#MAX_OVERRIDES}); nothing changed
   */
  UserQuota updateQuota(String userId, Quota override, ChangeRequest request);

  /**
   * Sets the same override for many users: each user's change is its own atomic step with its own audit entry,
   * as {@link #updateQuota} makes it. Every argument is checked before anything changes. A user whose
   * settings already hold the override is left alone (no audit entry), so running a bulk update again after a
   * failure part-way applies the rest and nothing twice.
   *
   * @param userIds at most {@value dev.usage.internal.DefaultQuotaManagementService#MAX_BULK_USERS} users
   * @return every user's settings after the update, in the order given
   * @throws InvalidUsageException a bad or repeated id ({@code userIds[i]}), too many users, a bad quota,
   *     actor or reason: nothing changed; or a user who has as many overrides as a user may have, without one of this
   *     type ({@code userIds[i]}): the users before it were updated
   * @throws UsageStorageException the store failed; the users before the one named in the message were updated
   */
  default List<UserQuota> updateQuotas(List<String> userIds, Quota override, String actor, String reason) {
    return updateQuotas(userIds, override, ChangeRequest.of(actor, reason));
  }

  /**
   * As {@link #updateQuotas(List, Quota, String, String)}; a request id applies once per user, so a rerun with the
   * same request id changes and audits nobody twice, even a user changed by someone else in between.
   */
  List<UserQuota> updateQuotas(List<String> userIds, Quota override, ChangeRequest request);

  /** Removes a per-user override; the tier's quota applies again. */
  default UserQuota removeQuotaOverride(String userId, QuotaType type, String actor, String reason) {
    return removeQuotaOverride(userId, type, ChangeRequest.of(actor, reason));
  }

  /** As {@link #removeQuotaOverride(String, QuotaType, String, String)}, applied once per request id. */
  UserQuota removeQuotaOverride(String userId, QuotaType type, ChangeRequest request);

  /**
   * Moves the user to another tier now (an upgrade, or a downgrade that should not wait): the new limits apply
   * at once, usage already counted in the current period is kept. Replaces a tier change scheduled before.
   *
   * <p>The current period is closed with the new tier. A period that ended before the change is closed with the
   * plan it was used under, even when the reset job closes it after the change (a period is final only
   * {@code reservationTtl + idempotencyWindow} after its end): an upgrade on the first of the month does not carry
   * the new tier's unused limit out of the month before. The settings keep the plan before each such change for
   * that ({@link UserQuota#earlier}); overrides set or removed ({@link #updateQuota}, {@link #removeQuotaOverride})
   * are kept the same way. A tier change scheduled before ({@link #changeTierAtNextPeriod}) is dropped; the audit
   * entry's old value names it.
   */
  default UserQuota changeTier(String userId, String tier, String actor, String reason) {
    return changeTier(userId, tier, ChangeRequest.of(actor, reason));
  }

  /** As {@link #changeTier(String, String, String, String)}, applied once per request id. */
  UserQuota changeTier(String userId, String tier, ChangeRequest request);

  /**
   * Schedules a move to another tier at the start of the user's next monthly period (in their zone, from
   * their billing anchor day), typically a downgrade: the current tier's limits apply until then, the new
   * tier's from then on, on every engine, with no job needed; the scheduling is audited
   * ({@code schedule-tier}, new value {@code tier=<tier> from <instant>}), and the reset job records the
   * change in the user's stored settings ({@code apply-scheduled-tier}, actor {@code usage-engine}) in a run after
   * the periods that ended at the change are final ({@code reservationTtl + idempotencyWindow} after it), once
   * that run has closed them: each is closed with the tier it had. Until then the stored tier, and analytics by
   * tier, show the tier before, and the other changes to the user's settings keep it scheduled, unless they
   * change the tier or the schedule (the periods before it are still closed with the tier they had: the plan
   * before such a change is kept, see {@link #changeTier}).
   * Replaces a tier change scheduled before; {@link #changeTier} replaces this one.
   *
   * @return the settings, with {@link UserQuota#scheduled()} set
   * @throws InvalidUsageException unknown tier, bad id or request; nothing changed
   */
  UserQuota changeTierAtNextPeriod(String userId, String tier, ChangeRequest request);

  /**
   * Drops the tier change scheduled for the user, if any (audited as {@code cancel-scheduled-tier}). A change whose
   * instant has passed has taken effect and is no longer scheduled ({@link #getUserQuota} shows it made): this
   * leaves it, and {@link #changeTier} moves the user back.
   */
  UserQuota cancelScheduledTierChange(String userId, ChangeRequest request);

  /**
   * An admin's reset of one quota's usage in its current period: the units used so far no longer count, so
   * the user has the period's whole allowance again, on every engine. Nothing is erased (see
   * {@link UsageReset}): the counter, the events and the history keep every unit. Audited as
   * {@code reset-usage} with the units and the period. A second reset in the same period replaces the first
   * (everything used until then no longer counts). Units used by consumes racing the reset may count either way.
   *
   * @return the settings, with the reset in {@link UserQuota#resets()}
   * @throws InvalidUsageException a type the user has no quota of, a 15th type reset within a month (what a store
   *     keeps of a user's settings is bounded), bad id or request; nothing changed
   */
  UserQuota resetUsage(String userId, QuotaType type, ChangeRequest request);

  /**
   * Changes the zone and billing anchor day in which the user's periods are computed. Counters are keyed
   * by their period's kind and local start date: a zone change keeps the current period's usage (its
   * local start date is unchanged); an anchor change restarts the cycle the way a billing provider's
   * anchor reset does: the new cycle's current period starts with an empty counter, and the usage already
   * counted stays with the old cycle's period (its counter and, once closed, its history row). With a carrying
   * {@link RolloverPolicy}, a zone change keeps what is carried (the rows closed before it stand for the periods
   * that began on the same local days), while the new cycle of an anchor change carries nothing in: its first
   * period gets its limit alone, and the old cycle's last period is closed on its own bounds with what it had
   * received, carrying nothing on. A tier change scheduled for the next period ({@link #changeTierAtNextPeriod})
   * moves to the end of the current monthly period in the new cycle. To change a limit, use {@link #updateQuota} or
   * {@link #changeTier}, which keep usage.
   */
  default UserQuota changeBillingCycle(String userId, ZoneId zone, int billingAnchorDay, String actor, String reason) {
    return changeBillingCycle(userId, zone, billingAnchorDay, ChangeRequest.of(actor, reason));
  }

  /** As {@link #changeBillingCycle(String, ZoneId, int, String, String)}, applied once per request id. */
  UserQuota changeBillingCycle(String userId, ZoneId zone, int billingAnchorDay, ChangeRequest request);

  /**
   * The reset job: closes finished periods into the period history, one row per (user, quota type,
   * period kind, period start) with its limit and usage. Periods start afresh at their boundary by themselves, so
   * this never erases usage and is not needed for enforcement; it keeps history. A period is closed once nothing can
   * be charged to it any more: {@code reservationTtl + idempotencyWindow} after its end (a reservation
   * made just before the end may still be committed until then; 24 h 5 min by default). Idempotent, safe
   * to run on every instance at once, and it catches up: every such period whose counter is still
   * retained ({@code UsageEngine.Builder.counterRetention}) is closed. Runs over all users; schedule it,
   * e.g. hourly.
   */
  ResetReport resetMonthlyQuotas();

  /** A user's closed periods, oldest first. */
  List<PeriodUsage> getQuotaHistory(String userId);

  /** The audit trail of one user's settings, oldest first. */
  List<AuditEntry> auditTrail(String userId);

  /**
   * A page of the audit trail of every user (or of those the filter names), filtered by actor, action, quota
   * type, request id and time. Meant for admin screens and audits; on Redis, a filter without users scans
   * every key of the store (see the storage's documentation).
   *
   * @throws UsageStorageException the store failed
   */
  AuditPage findAuditEntries(AuditQuery query);

  /**
   * Writes the audit entries of {@code filter} in {@code order} to {@code out} as CSV or JSON, streamed where
   * the store streams. Columns (CSV header) and properties (JSON), in this order: {@code at} (ISO-8601 UTC),
   * {@code userId}, {@code actor}, {@code action}, {@code quotaType}, {@code oldValue}, {@code newValue},
   * {@code reason}, {@code requestId}, {@code previousHash}, {@code hash}; an absent value is an empty cell
   * (CSV) or left out (JSON). CSV text cells are escaped against formula injection as
   * {@link UsageExports} describes. {@code out} is flushed, not closed; after a failure part-way the document
   * is left unfinished.
   *
   * @return how many entries were written
   * @throws UsageExportException writing to {@code out} failed
   * @throws UsageStorageException the store failed
   */
  long exportAuditTrail(AuditFilter filter, AuditOrder order, ExportFormat format, OutputStream out);

  /**
   * Checks the hash chain of one user's trail (see {@link AuditVerification} for what it shows). A trail written
   * without {@link UsageEngine.Builder#auditHashChain} verifies with every entry unchained.
   */
  AuditVerification verifyAuditTrail(String userId);

  /** As {@link #verifyAuditTrail(String)} for every user with a trail, stopping at the first break. */
  AuditVerification verifyAuditTrails();

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
