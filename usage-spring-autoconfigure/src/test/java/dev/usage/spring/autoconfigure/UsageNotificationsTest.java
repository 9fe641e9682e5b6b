package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.usage.Consumption;
import dev.usage.Notification;
import dev.usage.NotificationChannel;
import dev.usage.NotificationKind;
import dev.usage.NotificationPreferences;
import dev.usage.NotificationSettings;
import dev.usage.NotificationStats;
import dev.usage.QuotaType;
import dev.usage.UsageEngine;
import dev.usage.UsageTrackingService;
import dev.usage.spring.notify.MailNotificationChannel;
import dev.usage.spring.notify.NotificationRecipients;
import dev.usage.spring.notify.UsageNotificationPreferences;
import jakarta.mail.Address;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * Notifications through the auto-configuration: e-mails over Boot's JavaMailSender to GreenMail (an SMTP
 * server in this JVM, on a free loopback port), with the users' preferences, recipients and channels taken
 * from the context.
 */
class UsageNotificationsTest {

  @RegisterExtension
  static final GreenMailExtension smtp =
      new GreenMailExtension(new ServerSetup(3025, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String DASHBOARD = "https://app.example.com/dashboard";

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MailSenderAutoConfiguration.class,
          UsageMemoryStoreAutoConfiguration.class, UsageAutoConfiguration.class,
          UsageNotificationsAutoConfiguration.class))
      .withPropertyValues("usage.quotas.defaults.monthly.requests=10",
          // soft: consumes past the limit are admitted, so "no second e-mail" is tested past 100 %
          "usage.quotas.defaults.enforcement.requests=soft",
          "usage.notifications.enabled=true");

  /** Notifications on, e-mail to GreenMail from a configured sender, with the dashboard link. */
  private ApplicationContextRunner mail() {
    return runner.withPropertyValues("spring.mail.host=127.0.0.1", "spring.mail.port=" + smtp.getSmtp().getPort(),
        "usage.notifications.mail.from=Usage <usage@example.com>",
        "usage.notifications.mail.dashboard-url=https://app.example.com/");
  }

  private static void consume(AssertableApplicationContext ctx, String user, long requests) {
    ctx.getBean(UsageTrackingService.class).consumeQuota(Consumption.of(user, QuotaType.REQUESTS, requests));
  }

  private static List<MimeMessage> awaitMails(int count) {
    await().atMost(WAIT).until(() -> smtp.getReceivedMessages().length >= count);
    return List.of(smtp.getReceivedMessages());
  }

  private static List<MimeMessage> to(List<MimeMessage> mails, String address) throws Exception {
    List<MimeMessage> out = new java.util.ArrayList<>();
    for (MimeMessage m : mails) {
      if (Arrays.stream(m.getAllRecipients()).map(Address::toString).anyMatch(address::equals)) {
        out.add(m);
      }
    }
    return out;
  }

  /** The first part of {@code mimeType} in {@code p}, decoded. */
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
    return part(m, "text/plain").orElseThrow(() -> new AssertionError("no text/plain part"));
  }

  private static String html(MimeMessage m) throws Exception {
    return part(m, "text/html").orElseThrow(() -> new AssertionError("no text/html part"));
  }

  private static NotificationStats stats(AssertableApplicationContext ctx) {
    return ctx.getBean(UsageEngine.class).notificationStats();
  }

  @Test
  void mailsEachThresholdOnceWithTheNumbersAndTheDashboardLink() {
    mail().run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(MailNotificationChannel.class);
      consume(ctx, "ann@example.com", 8); // 80 %
      awaitMails(1);
      consume(ctx, "ann@example.com", 2); // 100 %
      awaitMails(2);
      consume(ctx, "ann@example.com", 3); // 130 %: no threshold left in this period
      consume(ctx, "ann@example.com", 1);
      // the mail channel works in order: once bob's e-mail is in, anything ann's last consumes caused would be too
      consume(ctx, "bob@example.com", 9);
      List<MimeMessage> all = awaitMails(3);

      List<MimeMessage> ann = to(all, "ann@example.com");
      assertThat(ann).hasSize(2);
      assertThat(to(all, "bob@example.com")).hasSize(1);
      MimeMessage first = ann.get(0);
      MimeMessage second = ann.get(1);
      assertThat(first.getSubject()).isEqualTo("You have used 80% of your requests quota");
      assertThat(second.getSubject()).isEqualTo("You have used 100% of your requests quota");
      assertThat(first.getFrom()).extracting(Address::toString).containsExactly("Usage <usage@example.com>");
      assertThat(text(first)).contains("Used: 8 / 10", "Resets on: ", DASHBOARD);
      assertThat(html(first)).contains("<td>8 / 10</td>", "<a href=\"" + DASHBOARD + "\">");
      assertThat(text(second)).contains("Used: 10 / 10", DASHBOARD);
      assertThat(html(second)).contains("<td>10 / 10</td>", "<a href=\"" + DASHBOARD + "\">");
      await().atMost(WAIT).until(() -> stats(ctx).sent() == 3);
      assertThat(stats(ctx).failed()).isZero();
    });
  }

  @Test
  void writesInTheLocaleOfTheUsersPreferences() {
    mail().withBean(UsageNotificationPreferences.class,
            () -> user -> NotificationPreferences.defaults().in(Locale.GERMAN))
        .run(ctx -> {
          consume(ctx, "ann@example.com", 8);
          MimeMessage m = awaitMails(1).get(0);
          assertThat(m.getSubject()).isEqualTo("Sie haben 80 % Ihres Kontingents für Anfragen verbraucht");
          assertThat(text(m)).contains("Verbraucht: 8 / 10", "Ihre Nutzung im Dashboard: " + DASHBOARD);
          assertThat(html(m)).contains("<html lang=\"de\">", "<td>8 / 10</td>");
        });
  }

  @Test
  void noMailForAnOptedOutUserNorForAUserWithoutAddressAndNoFailureCounted() {
    mail().withBean(UsageNotificationPreferences.class, () -> user -> user.startsWith("quiet")
            ? NotificationPreferences.defaults().optOut(NotificationKind.THRESHOLD_REACHED)
            : NotificationPreferences.defaults())
        .run(ctx -> {
          consume(ctx, "quiet@example.com", 10);
          consume(ctx, "bob", 10); // no '@': no address
          consume(ctx, "ann@example.com", 10); // in order after both: the barrier
          awaitMails(1);
          // bob's notification reached the mail channel (counted as handled), the opted-out one did not
          await().atMost(WAIT).until(() -> stats(ctx).sent() >= 2);
          List<MimeMessage> all = List.of(smtp.getReceivedMessages());

          assertThat(all).hasSize(1);
          assertThat(all.get(0).getAllRecipients()).extracting(Address::toString).containsExactly("ann@example.com");
          NotificationStats stats = stats(ctx);
          assertThat(stats.sent()).isEqualTo(2);
          assertThat(stats.failed()).isZero();
          assertThat(stats.retried()).isZero();
        });
  }

  @Test
  void aThrowingChannelBesideMailNeitherStopsTheMailNorLaterNotifications() {
    AtomicInteger pagerAttempts = new AtomicInteger();
    mail().withPropertyValues("usage.notifications.max-attempts=2", "usage.notifications.backoff-initial=1ms",
            "usage.notifications.backoff-max=1ms")
        .withBean("pager", NotificationChannel.class, () -> new NotificationChannel() {
          @Override
          public String name() {
            return "pager";
          }

          @Override
          public void send(Notification n) {
            pagerAttempts.incrementAndGet();
            throw new IllegalStateException("pager down");
          }
        })
        .run(ctx -> {
          assertThat(ctx.getBean(NotificationSettings.class).channels()).extracting(NotificationChannel::name)
              .containsExactlyInAnyOrder("pager", "mail");
          consume(ctx, "ann@example.com", 8);
          awaitMails(1);
          await().atMost(WAIT).until(() -> stats(ctx).failed() == 1);
          consume(ctx, "ann@example.com", 2);
          List<MimeMessage> all = awaitMails(2);
          await().atMost(WAIT).until(() -> stats(ctx).failed() == 2 && stats(ctx).sent() == 2);

          assertThat(all).extracting(MimeMessage::getSubject).containsExactly(
              "You have used 80% of your requests quota", "You have used 100% of your requests quota");
          assertThat(pagerAttempts).hasValue(4);
          assertThat(stats(ctx).sent()).isEqualTo(2);
          assertThat(stats(ctx).retried()).isEqualTo(2);
        });
  }

  @Test
  void theHostsRecipientsAndPreferencesAreUsedInsteadOfTheDefaults() {
    mail().withUserConfiguration(OwnRecipientsAndPreferences.class).run(ctx -> {
      assertThat(ctx).getBeans(NotificationRecipients.class).containsOnlyKeys("directory");
      consume(ctx, "ann@example.com", 8); // the directory knows no address for her
      consume(ctx, "u-2", 8);
      consume(ctx, "u-1", 8);
      awaitMails(1);
      await().atMost(WAIT).until(() -> stats(ctx).sent() >= 3);
      List<MimeMessage> all = List.of(smtp.getReceivedMessages());

      assertThat(all).hasSize(1);
      assertThat(all.get(0).getAllRecipients()).extracting(Address::toString).containsExactly("carol@example.com");
      assertThat(all.get(0).getSubject()).startsWith("Sie haben 80 %");
      assertThat(stats(ctx).failed()).isZero();
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRecipientsAndPreferences {
    @Bean
    NotificationRecipients directory() {
      return user -> user.equals("u-1") ? Optional.of("carol@example.com") : Optional.empty();
    }

    @Bean
    UsageNotificationPreferences profiles() {
      return user -> user.equals("u-1") ? NotificationPreferences.defaults().in(Locale.GERMAN)
          : NotificationPreferences.defaults();
    }
  }

  @Test
  void settingsFollowTheProperties() {
    runner.withPropertyValues("usage.notifications.thresholds=50,90",
            "usage.notifications.kinds=quota-reset,unusual-usage,reset-reminder,monthly-summary",
            "usage.notifications.default-locale=de", "usage.notifications.queue-capacity=7",
            "usage.notifications.max-attempts=3", "usage.notifications.backoff-initial=2s",
            "usage.notifications.backoff-max=1m", "usage.notifications.reminder-lead=36h")
        .run(ctx -> {
          NotificationSettings s = ctx.getBean(NotificationSettings.class);
          assertThat(s.thresholds()).containsExactly(50, 90);
          assertThat(s.kinds()).containsExactlyInAnyOrder(NotificationKind.QUOTA_RESET, NotificationKind.UNUSUAL_USAGE,
              NotificationKind.RESET_REMINDER, NotificationKind.MONTHLY_SUMMARY);
          assertThat(s.reminderLead()).isEqualTo(Duration.ofHours(36));
          assertThat(s.defaultLocale()).isEqualTo(Locale.GERMAN);
          assertThat(s.queueCapacity()).isEqualTo(7);
          assertThat(s.maxAttempts()).isEqualTo(3);
          assertThat(s.initialBackoff()).isEqualTo(Duration.ofSeconds(2));
          assertThat(s.maxBackoff()).isEqualTo(Duration.ofMinutes(1));
        });
  }

  @Test
  void byDefaultEveryKindButTheMonthlySummaryWithAThreeDayReminderLead() {
    runner.run(ctx -> {
      NotificationSettings s = ctx.getBean(NotificationSettings.class);
      assertThat(s.kinds()).containsExactlyInAnyOrder(NotificationKind.THRESHOLD_REACHED,
          NotificationKind.QUOTA_RESET, NotificationKind.UNUSUAL_USAGE, NotificationKind.RESET_REMINDER);
      assertThat(s.reminderLead()).isEqualTo(Duration.ofDays(3));
    });
  }

  @Test
  void aReminderLeadOutOfRangeFailsStartUpNamingTheProperty() {
    for (String lead : List.of("0s", "29d", "-1h")) {
      runner.withPropertyValues("usage.notifications.reminder-lead=" + lead).run(ctx -> assertThat(ctx).getFailure()
          .rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
          .hasMessageContaining("usage.notifications.reminder-lead"));
    }
  }

  @Test
  void theLogChannelWhenThereIsNoMailSenderNorChannelBean() {
    runner.run(ctx -> {
      assertThat(ctx).hasNotFailed().doesNotHaveBean(MailNotificationChannel.class);
      assertThat(ctx.getBean(NotificationSettings.class).channels()).extracting(NotificationChannel::name)
          .containsExactly("log");
      consume(ctx, "ann@example.com", 10);
      await().atMost(WAIT).until(() -> stats(ctx).sent() == 1);
    });
  }

  @Test
  void noMailChannelWhenMailIsTurnedOffNorWhenJakartaMailIsMissing() {
    mail().withPropertyValues("usage.notifications.mail.enabled=false").run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(JavaMailSender.class).doesNotHaveBean(MailNotificationChannel.class);
      assertThat(ctx.getBean(NotificationSettings.class).channels()).extracting(NotificationChannel::name)
          .containsExactly("log");
    });
    mail().withClassLoader(new FilteredClassLoader("jakarta.mail.", "org.springframework.mail.")).run(ctx -> {
      assertThat(ctx).hasNotFailed().doesNotHaveBean(MailNotificationChannel.class);
      assertThat(ctx.getBean(NotificationSettings.class).channels()).extracting(NotificationChannel::name)
          .containsExactly("log");
    });
  }

  @Test
  void nothingWhenNotificationsAreNotEnabled() {
    mail().withPropertyValues("usage.notifications.enabled=false").run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(UsageEngine.class).doesNotHaveBean(NotificationSettings.class)
          .doesNotHaveBean(MailNotificationChannel.class).doesNotHaveBean(NotificationRecipients.class);
    });
  }

  @Test
  void mailWithoutASenderAddressFailsStartUpNamingTheProperty() {
    runner.withPropertyValues("spring.mail.host=127.0.0.1", "spring.mail.port=" + smtp.getSmtp().getPort())
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("usage.notifications.mail.from"));
  }

  @Test
  void anInvalidSenderOrDashboardFailsStartUpNamingTheProperty() {
    mail().withPropertyValues("usage.notifications.mail.from=no-at-sign").run(ctx -> assertThat(ctx)
        .getFailure().rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.notifications.mail.from"));
    mail().withPropertyValues("usage.notifications.mail.dashboard-url=javascript:alert(1)").run(ctx -> assertThat(ctx)
        .getFailure().rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.notifications.mail.dashboard-url"));
  }

  @Test
  void aBadThresholdFailsStartUpNamingTheProperty() {
    runner.withPropertyValues("usage.notifications.thresholds=80,0").run(ctx -> assertThat(ctx).getFailure()
        .rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.notifications.thresholds"));
  }

  @Test
  void badDispatchSettingsFailStartUpNamingTheProperty() {
    runner.withPropertyValues("usage.notifications.max-attempts=0").run(ctx -> assertThat(ctx).getFailure()
        .rootCause().hasMessageContaining("usage.notifications.max-attempts"));
    runner.withPropertyValues("usage.notifications.backoff-initial=10m", "usage.notifications.backoff-max=1m")
        .run(ctx -> assertThat(ctx).getFailure().rootCause().hasMessageContaining("usage.notifications.backoff-initial"));
  }
}
