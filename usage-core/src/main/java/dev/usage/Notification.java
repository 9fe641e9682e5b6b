package dev.usage;

import dev.usage.internal.Checks;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One message to one user, handed to each {@link NotificationChannel} the user receives. The engine sends
 * each notification once per (user, kind, quota type, threshold, period), across every instance sharing
 * the store (see {@link dev.usage.spi.NotificationLedger}).
 *
 * @param kind what happened
 * @param userId to whom
 * @param quotaType the quota concerned: for {@link NotificationKind#THRESHOLD_REACHED} and
 *     {@link NotificationKind#UNUSUAL_USAGE}; empty for the others, which cover every quota (of
 *     the period)
 * @param thresholdPercent for {@link NotificationKind#THRESHOLD_REACHED}, the threshold reached (percent of
 *     the limit); 0 otherwise
 * @param periodStart the period concerned: the quota's current period, the closed period, the ending period
 *     (reminder), or the unusual hour
 * @param periodEnd the first instant after that period
 * @param status for {@link NotificationKind#THRESHOLD_REACHED}, where the quota stood when the threshold was
 *     seen reached
 * @param closedPeriods for {@link NotificationKind#QUOTA_RESET} and {@link NotificationKind#MONTHLY_SUMMARY},
 *     the closed period's rows (limit, used, rolled
 *     over per quota type), ordered by type; empty otherwise
 * @param alert for {@link NotificationKind#UNUSUAL_USAGE}, the alert
 * @param locale the user's locale for rendering
 * @param at when the engine made the notification (engine clock)
 * @param statuses for {@link NotificationKind#RESET_REMINDER}, the status of each of the user's monthly quotas,
 *     by type; empty otherwise
 * @param report for {@link NotificationKind#MONTHLY_SUMMARY}, the report on the closed month
 */
public record Notification(NotificationKind kind, String userId, Optional<QuotaType> quotaType, int thresholdPercent,
    Instant periodStart, Instant periodEnd, Optional<QuotaStatus> status, List<PeriodUsage> closedPeriods,
    Optional<UnusualUsageAlert> alert, Locale locale, Instant at, List<QuotaStatus> statuses,
    Optional<UsageReport> report) {

  /** A notification of a kind that carries no statuses list and no report. */
  public Notification(NotificationKind kind, String userId, Optional<QuotaType> quotaType, int thresholdPercent,
      Instant periodStart, Instant periodEnd, Optional<QuotaStatus> status, List<PeriodUsage> closedPeriods,
      Optional<UnusualUsageAlert> alert, Locale locale, Instant at) {
    this(kind, userId, quotaType, thresholdPercent, periodStart, periodEnd, status, closedPeriods, alert, locale, at,
        List.of(), Optional.empty());
  }

  public Notification {
    Checks.notNull("kind", kind);
    Checks.id("userId", userId);
    Checks.notNull("quotaType", quotaType);
    Checks.notNull("periodStart", periodStart);
    Checks.notNull("periodEnd", periodEnd);
    Checks.notNull("status", status);
    closedPeriods = List.copyOf(Checks.noNullElements("closedPeriods", closedPeriods));
    Checks.notNull("alert", alert);
    Checks.notNull("locale", locale);
    Checks.notNull("at", at);
    statuses = List.copyOf(Checks.noNullElements("statuses", statuses));
    Checks.notNull("report", report);
    if (thresholdPercent < 0 || thresholdPercent > NotificationSettings.MAX_THRESHOLD_PERCENT) {
      throw new InvalidUsageException("thresholdPercent", "must be within 0.."
          + NotificationSettings.MAX_THRESHOLD_PERCENT + ", was " + thresholdPercent);
    }
    if (!periodEnd.isAfter(periodStart)) {
      throw new InvalidUsageException("periodEnd", "must be after periodStart");
    }
  }

  /** A one-line subject in English, for channels without templates of their own. */
  public String subject() {
    return switch (kind) {
      case THRESHOLD_REACHED -> "You have used " + thresholdPercent + "% of your " + typeName() + " quota";
      case QUOTA_RESET -> "Your quotas have been reset for a new period";
      case UNUSUAL_USAGE -> "Unusual " + typeName() + " usage on your account";
      case RESET_REMINDER -> "Your monthly quotas reset soon";
      case MONTHLY_SUMMARY -> "Your monthly usage summary";
    };
  }

  private String typeName() {
    return quotaType.map(t -> t.name().toLowerCase(Locale.ROOT)).orElse("");
  }
}
