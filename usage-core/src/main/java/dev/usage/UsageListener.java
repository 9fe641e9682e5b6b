package dev.usage;

/**
 * Receives what happens in an engine as it happens, to feed live dashboards, metrics or alerting. Register
 * with {@link UsageListeners#register} ({@link UsageEngine#listeners()}) or
 * {@link UsageEngine.Builder#listener}.
 *
 * <p>Calls arrive on one engine thread ({@code usage-listeners}), in the order the engine published them,
 * after the call that caused them has returned or is about to: never on the caller's thread, so a slow
 * listener never slows a consume. It does delay the listeners after it, and when the engine's bounded
 * queue is full further notifications are dropped and counted ({@link ListenerStats#dropped()}). An
 * exception thrown by a listener is logged and counted; the listener stays registered. Notifications are
 * about this engine (this process) only.
 */
public interface UsageListener {

  /** An event was accepted for recording (by {@code trackUsage}, or by {@code consumeQuota(event)} when allowed). */
  default void onEvent(UsageEvent event) {}

  /** A user's quotas changed: a consume counted or was denied, a reservation moved, or settings changed. */
  default void onQuotaChange(QuotaChange change) {}

  /** Unusual usage was detected ({@link AnalyticsService#detectUnusualUsage}). */
  default void onUnusualUsage(UnusualUsageAlert alert) {}

  /**
   * This engine's reset job ({@link QuotaManagementService#resetMonthlyQuotas}) closed periods: the history
   * rows it stored. Of engines sharing a store, exactly one stores (and so tells of) each row. A period of a
   * quota with a carrying {@link RolloverPolicy} may instead be closed by the first consume after it became
   * final, whose engine then tells of it.
   */
  default void onPeriodsClosed(java.util.List<PeriodUsage> closed) {}

  /**
   * This engine's reset job found a user's monthly period ending within the notification reminder lead
   * ({@link NotificationSettings#reminderLead()}; only with notifications on): the status of each of the user's
   * monthly quotas. Every engine running the job tells of it, on each run within the lead.
   */
  default void onResetApproaching(String userId, java.util.List<QuotaStatus> monthly) {}
}
