package dev.usage.spring.notify;

import dev.usage.Notification;
import dev.usage.NotificationKind;
import dev.usage.PeriodUsage;
import dev.usage.Quota;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;

/**
 * Renders a {@link Notification} into an e-mail's subject, plain text and HTML, from the templates in
 * {@code dev/usage/spring/notify/templates/} (one pair per {@link NotificationKind}, named by the kind in lower
 * case, plus the blocks they insert) and the texts of the {@code dev/usage/spring/notify/messages} bundle in the
 * notification's locale (see {@link MailTemplates} for the placeholders and the escaping). Every kind's
 * templates are loaded when the renderer is made. Immutable and thread-safe.
 */
final class NotificationMailRenderer {

  /** The blocks the kinds' templates insert. */
  private static final List<String> BLOCK_TEMPLATES = List.of("quota_reset_row", "reset_reminder_row",
      "monthly_summary_report", "monthly_summary_features", "monthly_summary_feature", "monthly_summary_trends",
      "monthly_summary_trend", "dashboard");

  private final MailTemplates templates;
  private final Optional<String> dashboardLink;
  private final ZoneId zone;

  /**
   * @param dashboardLink the dashboard's address, linked from every e-mail; empty for no link
   * @param zone the zone in which {@link #render(Notification)} writes dates
   * @throws IllegalStateException a template is missing from the class path
   */
  NotificationMailRenderer(Optional<String> dashboardLink, ZoneId zone) {
    this.dashboardLink = dashboardLink;
    this.zone = zone;
    this.templates = new MailTemplates(templateNames());
  }

  /** The templates every e-mail may need: one per kind, then the blocks. */
  static List<String> templateNames() {
    List<String> names = new ArrayList<>();
    for (NotificationKind kind : NotificationKind.values()) {
      names.add(kind.name().toLowerCase(Locale.ROOT));
    }
    names.addAll(BLOCK_TEMPLATES);
    return names;
  }

  /** An e-mail's parts. */
  record RenderedMail(String subject, String text, String html) {}

  /** {@code n}'s e-mail, with dates in the renderer's zone. */
  RenderedMail render(Notification n) {
    return render(n, zone);
  }

  /** {@code n}'s e-mail, with dates in {@code zone} (the user's). */
  RenderedMail render(Notification n, ZoneId zone) {
    Locale locale = n.locale();
    ResourceBundle messages = MailTemplates.messages(locale);
    Map<String, String> values = new HashMap<>();
    values.put("user", n.userId());
    values.put("lang", locale.toLanguageTag());
    values.put("threshold", String.valueOf(n.thresholdPercent()));
    values.put("periodStart", dateTime(n.periodStart(), locale, zone));
    values.put("periodEnd", dateTime(n.periodEnd(), locale, zone));
    values.put("resetDate", date(n.periodEnd(), locale, zone));
    values.put("month", DateTimeFormatter.ofPattern("LLLL yyyy", locale).withZone(zone).format(n.periodStart()));
    n.quotaType().ifPresent(t -> values.put("type", typeName(t, messages)));
    n.status().ifPresent(s -> {
      values.put("used", number(s.used(), locale));
      values.put("limit", limit(s.limit(), locale, messages));
      values.put("resetAt", dateTime(s.resetAt(), locale, zone));
    });
    n.alert().ifPresent(a -> {
      values.put("units", number(a.units(), locale));
      NumberFormat median = NumberFormat.getNumberInstance(locale);
      median.setMaximumFractionDigits(1);
      values.put("median", median.format(a.baselineMedian()));
      values.put("hourStart", dateTime(a.hourStart(), locale, zone));
    });
    dashboardLink.ifPresent(l -> values.put("dashboardLink", l));
    String base = n.kind().name().toLowerCase(Locale.ROOT);
    // a subject is one header line, whatever a translation holds
    String subject = MailTemplates.message("subject." + base, values, messages).replaceAll("[\\r\\n]+", " ").trim();
    values.put("subject", subject);
    String text = templates.fill(base, values, blocks(n, values, messages, false), messages, false);
    String html = templates.fill(base, values, blocks(n, values, messages, true), messages, true);
    return new RenderedMail(subject, text, html);
  }

  /**
   * The rendered blocks: the closed periods' rows, the monthly quotas' rows (reminder), the report (summary),
   * the dashboard link; each empty when the notification has nothing for it.
   */
  private Map<String, String> blocks(Notification n, Map<String, String> values, ResourceBundle messages,
      boolean html) {
    Locale locale = n.locale();
    StringBuilder rows = new StringBuilder();
    for (PeriodUsage r : n.closedPeriods()) {
      Map<String, String> row = new HashMap<>(values);
      row.put("type", typeName(r.type(), messages));
      row.put("used", number(r.used(), locale));
      row.put("limit", limit(r.limit(), locale, messages));
      row.put("rolledOver", number(r.rolledOver(), locale));
      row.put("carriedIn", number(r.carriedIn(), locale));
      Map<String, String> carried = Map.of("carried", r.carriedIn() > 0
          ? MailTemplates.escape(MailTemplates.message("carried.added", row, messages), html) : "");
      rows.append(templates.fill("quota_reset_row", row, carried, messages, html));
    }
    StringBuilder statuses = new StringBuilder();
    for (QuotaStatus s : n.statuses()) {
      Map<String, String> row = new HashMap<>(values);
      row.put("type", typeName(s.type(), messages));
      row.put("used", number(s.used(), locale));
      row.put("limit", limit(s.limit(), locale, messages));
      row.put("remaining", s.isUnlimited() ? messages.getString("unlimited") : number(s.remaining(), locale));
      row.put("carriedIn", number(s.carriedIn(), locale));
      Map<String, String> carried = Map.of("carried", s.carriedIn() > 0
          ? MailTemplates.escape(MailTemplates.message("carried.included", row, messages), html) : "");
      statuses.append(templates.fill("reset_reminder_row", row, carried, messages, html));
    }
    Map<String, String> blocks = new LinkedHashMap<>();
    blocks.put("rows", rows.toString());
    blocks.put("statuses", statuses.toString());
    blocks.put("report", n.report().map(r -> new SummaryBlocks(templates, messages, locale, html).report(r, values))
        .orElse(""));
    blocks.put("dashboard", dashboardLink.isPresent() ? templates.fill("dashboard", values, Map.of(), messages, html)
        : "");
    return blocks;
  }

  static String typeName(QuotaType type, ResourceBundle messages) {
    String key = "type." + type.name();
    return messages.containsKey(key) ? messages.getString(key) : type.name();
  }

  static String number(long n, Locale locale) {
    return NumberFormat.getIntegerInstance(locale).format(n);
  }

  private static String limit(long limit, Locale locale, ResourceBundle messages) {
    return limit == Quota.UNLIMITED ? messages.getString("unlimited") : number(limit, locale);
  }

  private static String dateTime(Instant at, Locale locale, ZoneId zone) {
    return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT).withLocale(locale)
        .withZone(zone).format(at) + " " + zone.getId();
  }

  private static String date(Instant at, Locale locale, ZoneId zone) {
    return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(locale).withZone(zone).format(at);
  }
}
