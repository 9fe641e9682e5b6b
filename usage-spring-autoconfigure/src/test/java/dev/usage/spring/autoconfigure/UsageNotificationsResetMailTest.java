package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.usage.Consumption;
import dev.usage.Notification;
import dev.usage.NotificationKind;
import dev.usage.NotificationPreferences;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaType;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UsageTrackingService;
import dev.usage.spring.notify.MailNotificationChannel;
import dev.usage.spring.notify.UsageNotificationPreferences;
import dev.usage.testkit.SettableClock;
import jakarta.mail.Address;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Reset reminders and monthly summaries end to end: an engine from the auto-configuration on a settable clock,
 * the reset job run by hand, the e-mails received by GreenMail (an SMTP server in this JVM, on a free port).
 */
class UsageNotificationsResetMailTest {

  @RegisterExtension
  static final GreenMailExtension smtp =
      new GreenMailExtension(new ServerSetup(3025, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String DASHBOARD = "https://app.example.com/dashboard";

  private final SettableClock clock = SettableClock.at("2026-02-10T12:00:00Z");

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MailSenderAutoConfiguration.class,
            UsageMemoryStoreAutoConfiguration.class, UsageAutoConfiguration.class,
            UsageNotificationsAutoConfiguration.class))
        .withBean(Clock.class, () -> clock)
        // bob reads German
        .withBean(UsageNotificationPreferences.class, () -> user -> user.startsWith("bob")
            ? NotificationPreferences.defaults().in(Locale.GERMAN) : NotificationPreferences.defaults())
        .withPropertyValues("usage.quotas.defaults.monthly.requests=10", "usage.quotas.defaults.rollover.requests.cap=5",
            // the summary's report reads the event log: events stored before consume returns
            "usage.tracking.mode=sync",
            "usage.notifications.enabled=true", "spring.mail.host=127.0.0.1",
            "spring.mail.port=" + smtp.getSmtp().getPort(), "usage.notifications.mail.from=usage@example.com",
            "usage.notifications.mail.dashboard-url=https://app.example.com/");
  }

  private static void consume(AssertableApplicationContext ctx, String user, long requests) {
    ctx.getBean(UsageTrackingService.class).consumeQuota(Consumption.of(user, QuotaType.REQUESTS, requests));
  }

  private static void event(AssertableApplicationContext ctx, String user, String feature, boolean ok) {
    UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
    UsageEvent e = tracking.event(user).feature(feature).requests(1).characters(100).success(ok).build();
    assertThat(tracking.consumeQuota(e).allowed()).isTrue();
  }

  private static void reset(AssertableApplicationContext ctx) {
    ctx.getBean(QuotaManagementService.class).resetMonthlyQuotas();
  }

  private static List<MimeMessage> awaitMails(int count) {
    await().atMost(WAIT).until(() -> smtp.getReceivedMessages().length >= count);
    return List.of(smtp.getReceivedMessages());
  }

  /** The mails to {@code address} whose subject starts with {@code subject}. */
  private static List<MimeMessage> mails(String address, String subject) throws Exception {
    List<MimeMessage> out = new ArrayList<>();
    for (MimeMessage m : smtp.getReceivedMessages()) {
      if (Arrays.stream(m.getAllRecipients()).map(Address::toString).anyMatch(address::equals)
          && m.getSubject().startsWith(subject)) {
        out.add(m);
      }
    }
    return out;
  }

  private static Optional<String> part(Part p, String mimeType) throws Exception {
    if (p.isMimeType(mimeType)) {
      return Optional.of((String) p.getContent());
    }
    if (p.isMimeType("multipart/*")) {
      Multipart mp = (Multipart) p.getContent();
      for (int i = 0; i < mp.getCount(); i++) {
        Optional<String> found = part(mp.getBodyPart(i), mimeType);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static String text(MimeMessage m) throws Exception {
    // SMTP carries CRLF line ends
    return part(m, "text/plain").orElseThrow(() -> new AssertionError("no text/plain part")).replace("\r\n", "\n");
  }

  private static String html(MimeMessage m) throws Exception {
    return part(m, "text/html").orElseThrow(() -> new AssertionError("no text/html part"));
  }

  @Test
  void oneReminderPerUserWithinTheLeadWithWhatRolledOverAndNoSecondOnTheNextRun() {
    runner().run(ctx -> {
      assertThat(ctx).hasNotFailed();
      consume(ctx, "ann@example.com", 2);
      consume(ctx, "bob@example.com", 3);
      clock.set("2026-03-02T00:10:00Z"); // February is final: closed, 5 of the unused units carried
      reset(ctx);
      awaitMails(2); // the quota-reset e-mails
      consume(ctx, "ann@example.com", 4);
      consume(ctx, "bob@example.com", 6);
      clock.set("2026-03-28T23:00:00Z"); // outside the 3-day lead: no reminder yet
      reset(ctx);
      clock.set("2026-03-29T12:00:00Z");
      reset(ctx);
      awaitMails(4);
      clock.advance(Duration.ofHours(12));
      reset(ctx);
      consume(ctx, "ann@example.com", 8); // 12 of 15: a threshold e-mail, after anything the run above sent
      List<MimeMessage> all = awaitMails(5);

      assertThat(all).hasSize(5);
      assertThat(mails("ann@example.com", "Your quotas have been reset")).singleElement()
          .satisfies(m -> assertThat(text(m)).contains("- requests: Used 2 / Limit 10, Rolled over 5"));
      assertThat(mails("ann@example.com", "You have used 80%")).hasSize(1);
      List<MimeMessage> ann = mails("ann@example.com", "Your monthly quotas reset on");
      assertThat(ann).hasSize(1);
      assertThat(ann.get(0).getSubject()).isEqualTo("Your monthly quotas reset on Apr 1, 2026");
      assertThat(text(ann.get(0))).contains("start again from zero on Apr 1, 2026",
          "- requests: Used 4 / Limit 15 (incl. 5 carried over), Remaining 11", DASHBOARD);
      assertThat(html(ann.get(0))).contains("<td>requests</td><td align=\"right\">4</td>"
          + "<td align=\"right\">15 (incl. 5 carried over)</td><td align=\"right\">11</td>");
      List<MimeMessage> bob = mails("bob@example.com", "Ihre monatlichen Kontingente");
      assertThat(bob).hasSize(1);
      assertThat(bob.get(0).getSubject()).isEqualTo("Ihre monatlichen Kontingente werden am 01.04.2026 zurückgesetzt");
      assertThat(text(bob.get(0))).contains("- Anfragen: Verbraucht 6 / Limit 15 (davon 5 übertragen), Verbleibend 9");
      assertThat(ctx.getBean(UsageEngine.class).notificationStats().failed()).isZero();
    });
  }

  @Test
  void eMailsWriteDatesInTheZoneWhereTheUsersPeriodsRun() {
    runner().withPropertyValues("usage.users.[kai@example.com].time-zone=Asia/Tokyo").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      // Tokyo's December: from 30 November 15:00 UTC to 31 December 15:00 UTC
      ZoneId tokyo = ZoneId.of("Asia/Tokyo");
      Instant start = LocalDate.of(2026, 12, 1).atStartOfDay(tokyo).toInstant();
      Instant end = LocalDate.of(2027, 1, 1).atStartOfDay(tokyo).toInstant();
      MailNotificationChannel channel = ctx.getBean(MailNotificationChannel.class);
      for (String user : List.of("kai@example.com", "lea@example.com")) {
        channel.send(new Notification(NotificationKind.RESET_REMINDER, user, Optional.empty(), 0, start, end,
            Optional.empty(), List.of(), Optional.empty(), Locale.ENGLISH, end.minus(Duration.ofDays(2)), List.of(),
            Optional.empty()));
      }
      assertThat(mails("kai@example.com", "Your monthly quotas")).singleElement()
          .satisfies(m -> assertThat(m.getSubject()).isEqualTo("Your monthly quotas reset on Jan 1, 2027"));
      // a user without a zone of their own: usage.time-zone (UTC)
      assertThat(mails("lea@example.com", "Your monthly quotas")).singleElement()
          .satisfies(m -> assertThat(m.getSubject()).isEqualTo("Your monthly quotas reset on Dec 31, 2026"));
    });
  }

  @Test
  void oneMonthlySummaryPerClosedMonthWhenChosenByName() {
    runner().withPropertyValues("usage.notifications.kinds=threshold-reached,monthly-summary").run(ctx -> {
      assertThat(ctx).hasNotFailed();
      event(ctx, "ann@example.com", "rewrite", true);
      event(ctx, "ann@example.com", "rewrite", true);
      clock.set("2026-03-02T00:10:00Z");
      reset(ctx);
      awaitMails(1); // February's summary
      clock.set("2026-03-10T08:00:00Z");
      event(ctx, "ann@example.com", "rewrite", true);
      event(ctx, "ann@example.com", "correct", false);
      event(ctx, "ann@example.com", "rewrite", true);
      clock.set("2026-04-01T12:00:00Z"); // March ended but is not final yet: no summary
      reset(ctx);
      clock.set("2026-04-02T00:10:00Z");
      reset(ctx);
      awaitMails(2);
      reset(ctx);
      consume(ctx, "ann@example.com", 8); // the barrier: 80 % of April's 10 + 5 carried
      consume(ctx, "ann@example.com", 4);
      List<MimeMessage> all = awaitMails(3);

      assertThat(all).extracting(MimeMessage::getSubject).containsExactly("Your usage summary for February 2026",
          "Your usage summary for March 2026", "You have used 80% of your requests quota");
      String march = text(all.get(1));
      assertThat(march).contains("your usage in March 2026",
          "- requests: Used 3 / Limit 10 + 5 carried over, Rolled over 5", "Requests: 3", "Failed requests: 1 (33.3%)",
          "Your most used features:\n- rewrite: 2 requests, 200 characters\n- correct: 1 request, 100 characters\n",
          "- requests: 3, the month before 2 (+50%)", DASHBOARD);
      assertThat(html(all.get(1))).contains("<li>correct: 1 request, 100 characters</li>");
      assertThat(text(all.get(0))).contains("- requests: Used 2 / Limit 10, Rolled over 5", "Requests: 2",
          "Failed requests: 0 (0%)");
    });
  }
}
