package dev.usage;

/** What a {@link Notification} tells a user. */
public enum NotificationKind {
  /** A quota's usage reached one of the configured thresholds (by default 80 % and 100 %) in its period. */
  THRESHOLD_REACHED,
  /** A monthly period was closed by the reset job; the notification carries the closed period's summary. */
  QUOTA_RESET,
  /** Usage far above the user's own baseline was detected ({@link AnalyticsService#detectUnusualUsage}). */
  UNUSUAL_USAGE,
  /**
   * A monthly period ends soon ({@link NotificationSettings#reminderLead()}); the notification carries the
   * user's monthly quotas as they stand. Sent by the reset job, to users who used something in the period.
   */
  RESET_REMINDER,
  /**
   * A digest of a closed month from the event log ({@link UsageReport}: totals, features, days, trend); sent
   * when the reset job closes the month. Not sent unless chosen ({@link NotificationSettings.Builder#kinds}):
   * each one is a report over the user's month and their tier's.
   */
  MONTHLY_SUMMARY
}
