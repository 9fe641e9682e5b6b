package dev.usage.spring.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Enforcement;
import dev.usage.EventTotals;
import dev.usage.Notification;
import dev.usage.NotificationKind;
import dev.usage.PeriodUsage;
import dev.usage.Quota;
import dev.usage.QuotaLevel;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.TimeRange;
import dev.usage.UnusualUsageAlert;
import dev.usage.UsageReport;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the e-mails say for each kind and locale, and that nothing a user controls reaches the HTML unescaped. */
class NotificationMailRendererTest {

  private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant END = Instant.parse("2026-04-01T00:00:00Z");
  private static final Instant AT = Instant.parse("2026-03-15T10:00:00Z");

  private final NotificationMailRenderer withLink =
      new NotificationMailRenderer(Optional.of("https://app.example.com/dashboard"), ZoneId.of("UTC"));
  private final NotificationMailRenderer withoutLink = new NotificationMailRenderer(Optional.empty(), ZoneId.of("UTC"));

  static Notification threshold(String user, int percent, long used, long limit, Locale locale) {
    QuotaStatus s = new QuotaStatus(QuotaType.REQUESTS, limit, used, 0, Math.max(0, limit - used), QuotaPeriod.MONTH,
        START, END, (double) used / limit, QuotaLevel.RED, Enforcement.HARD);
    return new Notification(NotificationKind.THRESHOLD_REACHED, user, Optional.of(QuotaType.REQUESTS), percent, START,
        END, Optional.of(s), List.of(), Optional.empty(), locale, AT);
  }

  private static Notification reset(Locale locale) {
    List<PeriodUsage> rows = List.of(
        new PeriodUsage("ann@example.com", QuotaType.CHARACTERS, QuotaPeriod.MONTH, START, END, 10_000, 1_200, 300, AT),
        new PeriodUsage("ann@example.com", QuotaType.REQUESTS, QuotaPeriod.MONTH, START, END, Quota.UNLIMITED, 7, 0, AT),
        new PeriodUsage("ann@example.com", QuotaType.TOKENS, QuotaPeriod.MONTH, START, END, 1_000, 100, 900, AT, 250,
            List.of(900L)));
    return new Notification(NotificationKind.QUOTA_RESET, "ann@example.com", Optional.empty(), 0, START, END,
        Optional.empty(), rows, Optional.empty(), locale, AT);
  }

  private static Notification unusual(Locale locale) {
    Instant hour = Instant.parse("2026-03-15T09:00:00Z");
    UnusualUsageAlert a = new UnusualUsageAlert("ann@example.com", QuotaType.TOKENS, hour, 5_000, 12.5, 3.0, 48, 9.1,
        AT);
    return new Notification(NotificationKind.UNUSUAL_USAGE, "ann@example.com", Optional.of(QuotaType.TOKENS), 0, hour,
        hour.plusSeconds(3600), Optional.empty(), List.of(), Optional.of(a), locale, AT);
  }

  private static QuotaStatus monthly(QuotaType type, long limit, long used, long carriedIn) {
    long remaining = limit == Quota.UNLIMITED ? Quota.UNLIMITED : Math.max(0, limit - used);
    return new QuotaStatus(type, limit, used, 0, remaining, QuotaPeriod.MONTH, START, END,
        limit == Quota.UNLIMITED ? 0 : (double) used / limit, QuotaLevel.GREEN, Enforcement.HARD, carriedIn);
  }

  static Notification reminder(String user, Locale locale) {
    return new Notification(NotificationKind.RESET_REMINDER, user, Optional.empty(), 0, START, END, Optional.empty(),
        List.of(), Optional.empty(), locale, AT, List.of(monthly(QuotaType.CHARACTERS, 10_300, 1_200, 300),
            monthly(QuotaType.REQUESTS, Quota.UNLIMITED, 7, 0)), Optional.empty());
  }

  private static EventTotals totals(long events, long failed, Map<QuotaType, Long> units) {
    return new EventTotals(events, failed, events == 0 ? 0 : 1, units, 0, Duration.ZERO);
  }

  static Notification summary(String feature, Locale locale) {
    List<PeriodUsage> rows = List.of(
        new PeriodUsage("ann@example.com", QuotaType.CHARACTERS, QuotaPeriod.MONTH, START, END, 10_000, 1_200, 500, AT,
            300, List.of(500L)),
        new PeriodUsage("ann@example.com", QuotaType.REQUESTS, QuotaPeriod.MONTH, START, END, 100, 40, 0, AT));
    TreeMap<String, EventTotals> byFeature = new TreeMap<>();
    byFeature.put(feature, totals(12, 0, Map.of(QuotaType.REQUESTS, 12L, QuotaType.CHARACTERS, 1_000L)));
    byFeature.put("correct", totals(20, 4, Map.of(QuotaType.REQUESTS, 20L, QuotaType.CHARACTERS, 200L)));
    byFeature.put("a-few", totals(2, 0, Map.of(QuotaType.REQUESTS, 2L)));
    byFeature.put("b-few", totals(2, 0, Map.of(QuotaType.REQUESTS, 2L)));
    byFeature.put("c-few", totals(2, 0, Map.of(QuotaType.REQUESTS, 2L)));
    byFeature.put("d-least", totals(1, 0, Map.of(QuotaType.REQUESTS, 1L)));
    UsageReport report = new UsageReport("ann@example.com", "free", ZoneId.of("UTC"), TimeRange.of(START, END),
        totals(40, 4, Map.of(QuotaType.REQUESTS, 40L, QuotaType.CHARACTERS, 1_200L)), byFeature, new TreeMap<>(),
        List.of(), List.of(), List.of(new UsageReport.Trend(QuotaType.CHARACTERS, 0, 1_200),
            new UsageReport.Trend(QuotaType.REQUESTS, 32, 40), new UsageReport.Trend(QuotaType.TOKENS, 0, 0)), AT);
    return new Notification(NotificationKind.MONTHLY_SUMMARY, "ann@example.com", Optional.empty(), 0, START, END,
        Optional.empty(), rows, Optional.empty(), locale, AT, List.of(), Optional.of(report));
  }

  /** A notification of {@code kind} with everything its kind carries. */
  private static Notification full(NotificationKind kind, Locale locale) {
    return switch (kind) {
      case THRESHOLD_REACHED -> threshold("ann@example.com", 80, 8, 10, locale);
      case QUOTA_RESET -> reset(locale);
      case UNUSUAL_USAGE -> unusual(locale);
      case RESET_REMINDER -> reminder("ann@example.com", locale);
      case MONTHLY_SUMMARY -> summary("rewrite", locale);
    };
  }

  @ParameterizedTest
  @EnumSource(NotificationKind.class)
  void everyKindHasTemplatesAndTextsInEnglishAndGerman(NotificationKind kind) {
    for (Locale locale : List.of(Locale.ENGLISH, Locale.GERMAN)) {
      for (NotificationMailRenderer renderer : List.of(withLink, withoutLink)) {
        NotificationMailRenderer.RenderedMail m = renderer.render(full(kind, locale));
        assertThat(m.subject()).as("%s %s", kind, locale).isNotBlank().doesNotContain("${", "#{", "\n");
        assertThat(m.text()).as("%s %s", kind, locale).contains("ann@example.com").doesNotContain("${", "#{");
        assertThat(m.html()).as("%s %s", kind, locale).startsWith("<!DOCTYPE html>")
            .contains("<html lang=\"" + locale.toLanguageTag() + "\">").doesNotContain("${", "#{");
      }
    }
  }

  @Test
  void aSummaryWithoutAReportAndAReminderWithoutStatusesStillRender() {
    Notification bareSummary = new Notification(NotificationKind.MONTHLY_SUMMARY, "ann@example.com",
        Optional.empty(), 0, START, END, Optional.empty(), List.of(), Optional.empty(), Locale.GERMAN, AT);
    Notification bareReminder = new Notification(NotificationKind.RESET_REMINDER, "ann@example.com",
        Optional.empty(), 0, START, END, Optional.empty(), List.of(), Optional.empty(), Locale.ENGLISH, AT);

    assertThat(withLink.render(bareSummary).text()).contains("März 2026").doesNotContain("Anfragen:", "${");
    assertThat(withLink.render(bareReminder).subject()).isEqualTo("Your monthly quotas reset on Apr 1, 2026");
  }

  @Test
  void theGermanTextsHaveEveryEnglishKey() throws Exception {
    Properties en = new Properties();
    Properties de = new Properties();
    try (InputStream a = getClass().getResourceAsStream("messages.properties");
        InputStream b = getClass().getResourceAsStream("messages_de.properties")) {
      en.load(new java.io.InputStreamReader(a, java.nio.charset.StandardCharsets.UTF_8));
      de.load(new java.io.InputStreamReader(b, java.nio.charset.StandardCharsets.UTF_8));
    }
    assertThat(de.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(en.stringPropertyNames());
  }

  @Test
  void resetReminderListsEachMonthlyQuotaWithWhatWasCarriedIn() {
    NotificationMailRenderer.RenderedMail m = withLink.render(reminder("ann@example.com", Locale.ENGLISH));

    assertThat(m.subject()).isEqualTo("Your monthly quotas reset on Apr 1, 2026");
    assertThat(m.text()).contains("start again from zero on Apr 1, 2026",
        "- characters: Used 1,200 / Limit 10,300 (incl. 300 carried over), Remaining 9,100",
        "- requests: Used 7 / Limit unlimited, Remaining unlimited", "https://app.example.com/dashboard");
    assertThat(m.text().lines().filter(l -> l.startsWith("- requests")).findFirst().orElseThrow())
        .doesNotContain("carried");
    assertThat(m.html()).contains("<tr><td>characters</td><td align=\"right\">1,200</td>"
        + "<td align=\"right\">10,300 (incl. 300 carried over)</td><td align=\"right\">9,100</td></tr>");
  }

  @Test
  void resetReminderInGerman() {
    NotificationMailRenderer.RenderedMail m = withLink.render(reminder("ann@example.com", Locale.GERMAN));

    assertThat(m.subject()).isEqualTo("Ihre monatlichen Kontingente werden am 01.04.2026 zurückgesetzt");
    assertThat(m.text()).contains(
        "- Zeichen: Verbraucht 1.200 / Limit 10.300 (davon 300 übertragen), Verbleibend 9.100",
        "- Anfragen: Verbraucht 7 / Limit unbegrenzt, Verbleibend unbegrenzt");
  }

  @Test
  void monthlySummaryCarriesQuotasRequestsErrorsTopFiveFeaturesAndTrend() {
    NotificationMailRenderer.RenderedMail m = withLink.render(summary("rewrite", Locale.ENGLISH));

    assertThat(m.subject()).isEqualTo("Your usage summary for March 2026");
    assertThat(m.text()).contains("your usage in March 2026",
        "- characters: Used 1,200 / Limit 10,000 + 300 carried over, Rolled over 500",
        "- requests: Used 40 / Limit 100, Rolled over 0",
        "Requests: 40", "Failed requests: 4 (10%)",
        "Your most used features:\n- correct: 20 requests, 200 characters\n- rewrite: 12 requests, 1,000 characters\n"
            + "- a-few: 2 requests\n- b-few: 2 requests\n- c-few: 2 requests\n",
        "- characters: 1,200, the month before 0 (new)", "- requests: 40, the month before 32 (+25%)",
        "https://app.example.com/dashboard");
    assertThat(m.text()).doesNotContain("d-least", "- tokens:");
    assertThat(m.html()).contains("<li>correct: 20 requests, 200 characters</li>",
        "<td align=\"right\">10,000 + 300 carried over</td><td align=\"right\">500</td>",
        "<td align=\"right\">4 (10%)</td>");
  }

  @Test
  void monthlySummaryInGerman() {
    NotificationMailRenderer.RenderedMail m = withLink.render(summary("rewrite", Locale.GERMAN));

    assertThat(m.subject()).isEqualTo("Ihre Nutzungsübersicht für März 2026");
    assertThat(m.text()).contains("- Zeichen: Verbraucht 1.200 / Limit 10.000 + 300 übertragen, Übertragen 500",
        "Fehlgeschlagene Anfragen: 4 (10\u00a0%)", "- Anfragen: 40, im Vormonat 32 (+25\u00a0%)", "- Zeichen: 1.200, im Vormonat 0 (neu)");
  }

  @Test
  void escapesFeatureNamesInTheSummarysHtml() {
    NotificationMailRenderer.RenderedMail m = withLink.render(summary("<img src=x onerror=alert(1)>${events}",
        Locale.ENGLISH));

    assertThat(m.html()).contains("<li>&lt;img src=x onerror=alert(1)&gt;${events}: 12 requests, 1,000 characters</li>")
        .doesNotContain("<img");
    assertThat(m.text()).contains("- <img src=x onerror=alert(1)>${events}: 12 requests");
  }

  @Test
  void thresholdReachedCarriesTypePercentUsedLimitResetDateAndLink() {
    NotificationMailRenderer.RenderedMail m = withLink.render(threshold("ann@example.com", 80, 8_000, 10_000,
        Locale.ENGLISH));

    assertThat(m.subject()).isEqualTo("You have used 80% of your requests quota");
    assertThat(m.text()).contains("your requests usage has reached 80% of its limit", "Used: 8,000 / 10,000",
        "Resets on: Apr 1, 2026", "UTC", "Your usage on the dashboard: https://app.example.com/dashboard");
    assertThat(m.html()).contains("<title>You have used 80% of your requests quota</title>",
        "<td>8,000 / 10,000</td>", "Apr 1, 2026",
        "<a href=\"https://app.example.com/dashboard\">https://app.example.com/dashboard</a>");
    assertThat(m.text()).doesNotContain("${", "#{");
    assertThat(m.html()).doesNotContain("${", "#{");
  }

  @Test
  void noLinkWithoutADashboard() {
    NotificationMailRenderer.RenderedMail m = withoutLink.render(threshold("ann@example.com", 100, 10, 10,
        Locale.ENGLISH));

    assertThat(m.text()).contains("Used: 10 / 10").doesNotContain("dashboard", "http");
    assertThat(m.html()).contains("<td>10 / 10</td>").doesNotContain("<a ", "dashboard");
  }

  @Test
  void quotaResetListsEveryClosedRow() {
    NotificationMailRenderer.RenderedMail m = withLink.render(reset(Locale.ENGLISH));

    assertThat(m.subject()).isEqualTo("Your quotas have been reset for a new period");
    assertThat(m.text()).contains("Your usage from Mar 1, 2026",
        "- characters: Used 1,200 / Limit 10,000, Rolled over 300",
        "- requests: Used 7 / Limit unlimited, Rolled over 0",
        "- tokens: Used 100 / Limit 1,000 + 250 carried over, Rolled over 900", "https://app.example.com/dashboard");
    assertThat(m.text()).containsOnlyOnce("carried over");
    assertThat(m.html()).contains(
        "<tr><td>characters</td><td align=\"right\">1,200</td><td align=\"right\">10,000</td><td align=\"right\">300</td></tr>",
        "<tr><td>requests</td><td align=\"right\">7</td><td align=\"right\">unlimited</td><td align=\"right\">0</td></tr>");
  }

  @Test
  void unusualUsageCarriesTheHoursUnitsAndTheBaselineMedian() {
    NotificationMailRenderer.RenderedMail m = withLink.render(unusual(Locale.ENGLISH));

    assertThat(m.subject()).isEqualTo("Unusual tokens usage on your account");
    assertThat(m.text()).contains("Units in that hour: 5,000", "Your usual hour (median): 12.5", "Mar 15, 2026");
    assertThat(m.html()).contains("<td>5,000</td>", "<td>12.5</td>");
  }

  @Test
  void germanTextsAndNumbers() {
    assertThat(withLink.render(threshold("ann@example.com", 80, 8_000, 10_000, Locale.GERMAN)))
        .satisfies(m -> {
          assertThat(m.subject()).isEqualTo("Sie haben 80 % Ihres Kontingents für Anfragen verbraucht");
          assertThat(m.text()).contains("Verbraucht: 8.000 / 10.000", "Ihre Nutzung im Dashboard:");
          assertThat(m.html()).contains("<html lang=\"de\">", "Kontingents f\u00fcr Anfragen");
        });
    assertThat(withLink.render(reset(Locale.GERMAN)).text())
        .contains("- Zeichen: Verbraucht 1.200 / Limit 10.000, Übertragen 300", "Limit unbegrenzt");
    assertThat(withLink.render(unusual(Locale.GERMANY)).text()).contains("Ihre übliche Stunde (Median): 12,5");
  }

  @Test
  void aLocaleWithoutTextsGetsEnglishWhateverTheJvmDefault() {
    Locale before = Locale.getDefault();
    Locale.setDefault(Locale.GERMAN);
    try {
      assertThat(withLink.render(threshold("ann@example.com", 80, 8, 10, Locale.JAPANESE)).subject())
          .isEqualTo("You have used 80% of your requests quota");
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void escapesWhatTheUserControlsInHtmlAndNeverExpandsIt() {
    String user = "<b>eve</b>&${used}#{greeting}\"'@example.com";
    NotificationMailRenderer.RenderedMail m = withLink.render(threshold(user, 80, 8, 10, Locale.ENGLISH));

    assertThat(m.html()).contains("&lt;b&gt;eve&lt;/b&gt;&amp;${used}#{greeting}&quot;&#39;@example.com")
        .doesNotContain("<b>eve");
    assertThat(m.text()).contains("account " + user + " because");
  }
}
