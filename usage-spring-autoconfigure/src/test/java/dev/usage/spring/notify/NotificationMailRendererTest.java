package dev.usage.spring.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Enforcement;
import dev.usage.Notification;
import dev.usage.NotificationKind;
import dev.usage.PeriodUsage;
import dev.usage.Quota;
import dev.usage.QuotaLevel;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.UnusualUsageAlert;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

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
        new PeriodUsage("ann@example.com", QuotaType.REQUESTS, QuotaPeriod.MONTH, START, END, Quota.UNLIMITED, 7, 0, AT));
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
        "- requests: Used 7 / Limit unlimited, Rolled over 0", "https://app.example.com/dashboard");
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
