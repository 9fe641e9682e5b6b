package dev.usage;

/** What a {@link Notification} tells a user. */
public enum NotificationKind {
  /** A quota's usage reached one of the configured thresholds (by default 80 % and 100 %) in its period. */
  THRESHOLD_REACHED,
  /** A monthly period was closed by the reset job; the notification carries the closed period's summary. */
  QUOTA_RESET,
  /** Usage far above the user's own baseline was detected ({@link AnalyticsService#detectUnusualUsage}). */
  UNUSUAL_USAGE
}
