package dev.usage.spring.notify;

import dev.usage.EventTotals;
import dev.usage.QuotaType;
import dev.usage.UsageReport;
import java.text.NumberFormat;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.stream.Collectors;

/**
 * The report part of a monthly summary e-mail: the month's requests and failures, its top features and the
 * trend of each quota type against the month before. One per rendering; not thread-safe.
 */
final class SummaryBlocks {

  /** The most features listed. */
  static final int TOP_FEATURES = 5;

  private final MailTemplates templates;
  private final ResourceBundle messages;
  private final Locale locale;
  private final boolean html;

  SummaryBlocks(MailTemplates templates, ResourceBundle messages, Locale locale, boolean html) {
    this.templates = templates;
    this.messages = messages;
    this.locale = locale;
    this.html = html;
  }

  String report(UsageReport report, Map<String, String> values) {
    Map<String, String> v = new HashMap<>(values);
    EventTotals totals = report.totals();
    v.put("events", NotificationMailRenderer.number(totals.events(), locale));
    v.put("failed", NotificationMailRenderer.number(totals.failedEvents(), locale));
    v.put("errorRate", percent(totals.errorRate(), false));
    return templates.fill("monthly_summary_report", v, Map.of("features", features(report, v), "trends",
        trends(report, v)), messages, html);
  }

  /** The features with the most requests (then units), at most {@value #TOP_FEATURES}; empty without any. */
  private String features(UsageReport report, Map<String, String> values) {
    List<Map.Entry<String, EventTotals>> top = report.byFeature().entrySet().stream()
        .sorted(Comparator.comparing((Map.Entry<String, EventTotals> e) -> e.getValue().events()).reversed()
            .thenComparing(e -> totalUnits(e.getValue()), Comparator.reverseOrder())
            .thenComparing(Map.Entry::getKey))
        .limit(TOP_FEATURES).toList();
    if (top.isEmpty()) {
      return "";
    }
    StringBuilder rows = new StringBuilder();
    for (Map.Entry<String, EventTotals> e : top) {
      Map<String, String> row = new HashMap<>(values);
      row.put("feature", e.getKey());
      row.put("events", NotificationMailRenderer.number(e.getValue().events(), locale));
      row.put("units", units(e.getValue()));
      row.put("requests", messages.getString(e.getValue().events() == 1 ? "monthly_summary.request"
          : "monthly_summary.requests"));
      rows.append(templates.fill("monthly_summary_feature", row, Map.of(), messages, html));
    }
    return templates.fill("monthly_summary_features", values, Map.of("rows", rows.toString()), messages, html);
  }

  /** Each quota type used in the month or the one before: units now, then, and the change; empty without any. */
  private String trends(UsageReport report, Map<String, String> values) {
    StringBuilder rows = new StringBuilder();
    for (UsageReport.Trend t : report.trend()) {
      if (t.current() == 0 && t.previous() == 0) {
        continue;
      }
      Map<String, String> row = new HashMap<>(values);
      row.put("type", NotificationMailRenderer.typeName(t.type(), messages));
      row.put("current", NotificationMailRenderer.number(t.current(), locale));
      row.put("previous", NotificationMailRenderer.number(t.previous(), locale));
      row.put("change", t.change().map(c -> percent(c, true)).orElseGet(() -> messages.getString("monthly_summary.new")));
      rows.append(templates.fill("monthly_summary_trend", row, Map.of(), messages, html));
    }
    return rows.isEmpty() ? ""
        : templates.fill("monthly_summary_trends", values, Map.of("rows", rows.toString()), messages, html);
  }

  /** The units other than requests (the request count says those), e.g. "1,200 characters, 40 tokens". */
  private String units(EventTotals totals) {
    String units = totals.units().entrySet().stream()
        .filter(e -> !e.getKey().equals(QuotaType.REQUESTS) && e.getValue() > 0)
        .sorted(Map.Entry.comparingByKey(Comparator.comparing(QuotaType::name)))
        .map(e -> NotificationMailRenderer.number(e.getValue(), locale) + " "
            + NotificationMailRenderer.typeName(e.getKey(), messages))
        .collect(Collectors.joining(", "));
    return units.isEmpty() ? "" : ", " + units;
  }

  private static long totalUnits(EventTotals totals) {
    return totals.units().values().stream().mapToLong(Long::longValue).sum();
  }

  private String percent(double fraction, boolean signed) {
    NumberFormat f = NumberFormat.getPercentInstance(locale);
    f.setMaximumFractionDigits(1);
    String s = f.format(fraction);
    return signed && fraction > 0 ? "+" + s : s;
  }
}
