package dev.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.NotificationKey;
import dev.usage.testkit.RecordingChannel;
import dev.usage.testkit.SettableClock;
import dev.usage.testkit.Storages;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the engine's notifications do within one engine: which are sent, to whom and on which channels, and
 * what a failing channel costs. (Once across engines on every store, and which thresholds two engines send
 * when their listeners are told out of order: {@code NotificationContract}.)
 */
class NotificationsTest {

  private final SettableClock clock = SettableClock.at("2026-03-15T10:00:00Z");
  private final List<UsageEngine> engines = new ArrayList<>();
  private final InMemoryUsageStorage storage = InMemoryUsageStorage.create();

  private UsageEngine engine(NotificationSettings.Builder notifications) {
    return engine(notifications, Duration.ofSeconds(30));
  }

  private UsageEngine engine(NotificationSettings.Builder notifications, Duration closeTimeout) {
    UsageEngine.Builder b = UsageEngine.builder().storage(Storages.shared(storage)).clock(clock).closeOnShutdown(false).trackingMode(TrackingMode.SYNC)
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 10)).closeTimeout(closeTimeout)
        .notifications(notifications.build());
    UsageEngine e = b.build();
    engines.add(e);
    return e;
  }

  /** An engine whose listener thread waits for {@code go} at every quota change, before its notifier hears it. */
  private UsageEngine engineBehind(java.util.concurrent.CountDownLatch go, NotificationSettings.Builder notifications) {
    UsageEngine e = UsageEngine.builder().storage(Storages.shared(storage)).clock(clock).closeOnShutdown(false)
        .trackingMode(TrackingMode.SYNC).defaultQuota(Quota.monthly(QuotaType.REQUESTS, 10))
        .listener(new UsageListener() {
          @Override
          public void onQuotaChange(QuotaChange change) {
            try {
              go.await();
            } catch (InterruptedException interrupted) {
              Thread.currentThread().interrupt();
            }
          }
        }).notifications(notifications.build()).build();
    engines.add(e);
    return e;
  }

  @AfterEach
  void close() {
    engines.forEach(UsageEngine::close);
  }

  private static void consume(UsageEngine e, String user, long requests) {
    e.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, requests));
  }

  @Test
  void aConsumeJumpingPastSeveralThresholdsSendsTheHighestOnceAndNoneForLaterConsumes() {
    RecordingChannel mail = new RecordingChannel("mail");
    UsageEngine e = engine(NotificationSettings.builder().channel(mail).thresholds(50, 80, 100));
    consume(e, "jumper", 9); // 90 %: past 50 and 80 at once
    consume(e, "jumper", 1); // 100 %
    consume(e, "jumper", 1); // denied: nothing new
    await().atMost(Duration.ofSeconds(10)).until(() -> mail.sent.size() >= 2);
    e.close();

    assertThat(mail.sent).extracting(Notification::thresholdPercent).containsExactly(80, 100);
    Notification first = mail.sent.get(0);
    assertThat(first.subject()).isEqualTo("You have used 80% of your requests quota");
    assertThat(first.status().orElseThrow().used()).isEqualTo(9);
    assertThat(first.status().orElseThrow().limit()).isEqualTo(10);
    assertThat(first.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(first.periodEnd()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
    assertThat(first.locale()).isEqualTo(Locale.ENGLISH);
    assertThat(e.notificationStats().sent()).isEqualTo(2);
  }

  @Test
  void aCommitJumpingPastSeveralThresholdsSendsTheHighestOnly() {
    RecordingChannel mail = new RecordingChannel("mail");
    UsageEngine e = engine(NotificationSettings.builder().channel(mail).thresholds(50, 80, 100));
    Reservation r = e.tracking().reserveQuota(Consumption.of("committer", QuotaType.REQUESTS, 10)).reservation()
        .orElseThrow();
    e.tracking().commitReservation(r, Map.of(QuotaType.REQUESTS, 9L)); // 0 -> 90 %: past 50 and 80 at once
    await().atMost(Duration.ofSeconds(10)).until(() -> !mail.sent.isEmpty());
    e.close();

    assertThat(mail.sent).extracting(Notification::thresholdPercent).containsExactly(80);
  }

  @Test
  void honoursEachUsersOptOutsChannelsAndLocale() {
    RecordingChannel mail = new RecordingChannel("mail");
    RecordingChannel chat = new RecordingChannel("chat");
    Map<String, NotificationPreferences> prefs = new ConcurrentHashMap<>(Map.of(
        "quiet", NotificationPreferences.defaults().optOut(NotificationKind.THRESHOLD_REACHED),
        "chatty", NotificationPreferences.defaults().onChannels("chat").in(Locale.GERMAN)));
    UsageEngine e = engine(NotificationSettings.builder().channel(mail).channel(chat)
        .preferences(u -> prefs.getOrDefault(u, NotificationPreferences.defaults())));
    consume(e, "quiet", 10);
    consume(e, "chatty", 10);
    consume(e, "plain", 10);
    await().atMost(Duration.ofSeconds(10)).until(() -> mail.sent.size() + chat.sent.size() >= 3);
    e.close();

    assertThat(mail.sent).extracting(Notification::userId).containsExactly("plain");
    assertThat(chat.sent).extracting(Notification::userId).containsExactlyInAnyOrder("chatty", "plain");
    assertThat(chat.sent).filteredOn(n -> n.userId().equals("chatty")).singleElement()
        .satisfies(n -> assertThat(n.locale()).isEqualTo(Locale.GERMAN));
  }

  @Test
  void aFailingChannelIsRetriedWithBackoffAndNeverStopsTheOthers() {
    RecordingChannel flaky = new RecordingChannel("flaky", 2);
    RecordingChannel down = new RecordingChannel("down", Integer.MAX_VALUE);
    RecordingChannel log = new RecordingChannel("log");
    UsageEngine e = engine(NotificationSettings.builder().channel(flaky).channel(down).channel(log)
        .maxAttempts(3).backoff(Duration.ofMillis(10), Duration.ofMillis(40)));
    consume(e, "u1", 10);
    consume(e, "u2", 10);
    await().atMost(Duration.ofSeconds(10)).until(() -> e.notificationStats().failed() == 2
        && flaky.sent.size() == 2 && log.sent.size() == 2);

    assertThat(flaky.attempts()).isEqualTo(4); // two failures, then one success per user
    assertThat(down.attempts()).isEqualTo(6); // three attempts per user, then given up
    NotificationStats s = e.notificationStats();
    assertThat(s.sent()).isEqualTo(4);
    assertThat(s.retried()).isEqualTo(2 + 4);
    assertThat(s.failed()).isEqualTo(2);
    assertThat(s.pending()).isZero();
  }

  @Test
  void aNotificationNoChannelDeliveredIsWithdrawnSoTheNextConsumeSendsItAgain() {
    RecordingChannel once = new RecordingChannel("mail", 2);
    UsageEngine e = engine(NotificationSettings.builder().channel(once).thresholds(50).maxAttempts(2)
        .backoff(Duration.ZERO, Duration.ZERO));
    consume(e, "retry", 5);
    await().atMost(Duration.ofSeconds(10)).until(() -> e.notificationStats().failed() == 1);
    NotificationKey key = threshold("retry", 50);
    await().atMost(Duration.ofSeconds(10)).until(() -> !storage.notifications().claimed(key));

    consume(e, "retry", 1); // still past 50 %: claimed and sent again
    await().atMost(Duration.ofSeconds(10)).until(() -> once.sent.size() == 1);
    assertThat(once.sent.get(0).status().orElseThrow().used()).isEqualTo(6);
    assertThat(storage.notifications().claimed(key)).isTrue();
  }

  @Test
  void aHundredPercentNoChannelDeliveredIsSentAgainByTheNextRefusedCall() {
    // at a HARD limit's 100 % every later call is refused: the refusal is the only trigger left
    RecordingChannel once = new RecordingChannel("mail", 1);
    UsageEngine e = engine(NotificationSettings.builder().channel(once).thresholds(100).maxAttempts(1)
        .backoff(Duration.ZERO, Duration.ZERO));
    consume(e, "full", 10);
    await().atMost(Duration.ofSeconds(10)).until(() -> e.notificationStats().failed() == 1);
    NotificationKey key = threshold("full", 100);
    await().atMost(Duration.ofSeconds(10)).until(() -> !storage.notifications().claimed(key));

    assertThat(e.tracking().consumeQuota(Consumption.of("full", QuotaType.REQUESTS, 1)).allowed()).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> once.sent.size() == 1);
    assertThat(once.sent.get(0).thresholdPercent()).isEqualTo(100);
    assertThat(once.sent.get(0).status().orElseThrow().used()).isEqualTo(10);
    assertThat(storage.notifications().claimed(key)).isTrue();

    e.tracking().consumeQuota(Consumption.of("full", QuotaType.REQUESTS, 1)); // refused again: told once only
    e.close();
    assertThat(once.sent).hasSize(1);
  }

  @Test
  void aZoneChangeThatKeepsThePeriodDoesNotTellItsThresholdsAgain() {
    RecordingChannel mail = new RecordingChannel("mail");
    UsageEngine e = engine(NotificationSettings.builder().channel(mail).thresholds(50, 100));
    consume(e, "moved", 6); // 60 % of March (UTC)
    await().atMost(Duration.ofSeconds(10)).until(() -> mail.sent.size() == 1);

    // March goes on in New York, from 05:00 UTC, with its 6 requests: 50 % was told for it already
    e.quotas().changeBillingCycle("moved", java.time.ZoneId.of("America/New_York"), 1,
        ChangeRequest.of("support", "moved to New York"));
    consume(e, "moved", 1);
    assertThat(e.quotas().getQuotaStatus("moved")).filteredOn(st -> st.type().equals(QuotaType.REQUESTS))
        .singleElement().satisfies(st -> {
      assertThat(st.used()).isEqualTo(7);
      assertThat(st.periodStart()).isEqualTo(Instant.parse("2026-03-01T05:00:00Z"));
    });
    consume(e, "moved", 3); // 100 %: told
    await().atMost(Duration.ofSeconds(10)).until(() -> mail.sent.size() >= 2);
    e.close();
    assertThat(mail.sent).extracting(Notification::thresholdPercent).containsExactly(50, 100);
  }

  @Test
  void aCallerClosingTheEngineFromAnInterruptedThreadStillGetsItsNotificationsDelivered() {
    List<Notification> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    NotificationChannel slow = new NotificationChannel() {
      @Override
      public String name() {
        return "slow";
      }

      @Override
      public void send(Notification n) throws InterruptedException {
        Thread.sleep(300);
        sent.add(n);
      }
    };
    UsageEngine e = engine(NotificationSettings.builder().channel(slow).thresholds(50));
    consume(e, "closing", 6);
    Thread.currentThread().interrupt();
    try {
      e.close();
      assertThat(Thread.currentThread().isInterrupted()).as("the flag is set again").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(sent).extracting(Notification::userId).containsExactly("closing");
    assertThat(e.notificationStats().sent()).isEqualTo(1);
  }

  @Test
  void aZoneChangeRightAfterAThresholdWasCrossedDoesNotTellItAgain() throws Exception {
    RecordingChannel mail = new RecordingChannel("mail");
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    // the listener thread is behind: the consume's change is not handled yet
    UsageEngine e = engineBehind(go, NotificationSettings.builder().channel(mail).thresholds(50));
    consume(e, "quick", 6);
    e.quotas().changeBillingCycle("quick", java.time.ZoneId.of("America/New_York"), 1,
        ChangeRequest.of("support", "moved to New York"));
    go.countDown();
    e.close();
    assertThat(mail.sent).extracting(Notification::thresholdPercent).containsExactly(50);
  }

  @Test
  void aRefusalInAnotherEngineBeforeTheCrossingConsumesListenerRanTellsTheHighestOnly() {
    RecordingChannel mail = new RecordingChannel("mail");
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    UsageEngine crossing = engineBehind(go, NotificationSettings.builder().channel(mail).thresholds(80, 100));
    UsageEngine refusing = engine(NotificationSettings.builder().channel(mail).thresholds(80, 100));
    consume(crossing, "shared", 10); // past 80 and 100 at once; its listener is behind
    assertThat(refusing.tracking().consumeQuota(Consumption.of("shared", QuotaType.REQUESTS, 1)).allowed()).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> !mail.sent.isEmpty());
    go.countDown();
    crossing.close();
    refusing.close();
    assertThat(mail.sent).extracting(Notification::thresholdPercent).containsExactly(100);
  }

  /** The ledger's key of a requests threshold in March (UTC). */
  private static NotificationKey threshold(String user, int percent) {
    return new NotificationKey(user, NotificationKind.THRESHOLD_REACHED, "requests", percent,
        Instant.parse("2026-03-01T00:00:00Z"));
  }

  @Test
  void aThresholdIsToldAgainWhenReachedAtALimitRaisedAfterIt() {
    RecordingChannel mail = new RecordingChannel("mail");
    UsageEngine e = engine(NotificationSettings.builder().channel(mail).thresholds(50, 100));
    consume(e, "raised", 10); // 100 % of 10: told once, the highest crossed
    await().atMost(Duration.ofSeconds(10)).until(() -> mail.sent.size() == 1);

    e.quotas().updateQuota("raised", Quota.monthly(QuotaType.REQUESTS, 40), "support", "more room"); // now 25 %
    await().atMost(Duration.ofSeconds(10)).until(() -> !storage.notifications().claimed(threshold("raised", 50)));
    consume(e, "raised", 10); // 50 % of the new limit
    await().atMost(Duration.ofSeconds(10)).until(() -> mail.sent.size() == 2);
    e.close();

    assertThat(mail.sent).extracting(Notification::thresholdPercent).containsExactly(100, 50);
    assertThat(mail.sent.get(1).status().orElseThrow()).satisfies(st -> {
      assertThat(st.used()).isEqualTo(20);
      assertThat(st.limit()).isEqualTo(40);
    });
  }

  @Test
  void aNotificationWhosePreferencesCannotBeReadIsSentToNoOneAndWithdrawn() {
    RecordingChannel mail = new RecordingChannel("mail");
    java.util.concurrent.atomic.AtomicBoolean profilesDown = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
    UsageEngine e = engine(NotificationSettings.builder().channel(mail).thresholds(50).preferences(u -> {
      lookups.incrementAndGet();
      if (profilesDown.get()) {
        throw new IllegalStateException("profile database down");
      }
      return u.equals("quiet") ? NotificationPreferences.defaults().optOut(NotificationKind.THRESHOLD_REACHED)
          : NotificationPreferences.defaults();
    }));
    consume(e, "quiet", 5);
    consume(e, "plain", 5);
    // each claimed, then looked up (and failed), then withdrawn
    await().atMost(Duration.ofSeconds(10)).until(() -> lookups.get() == 2
        && !storage.notifications().claimed(threshold("quiet", 50)) && !storage.notifications().claimed(threshold("plain", 50)));
    assertThat(mail.sent).as("not sent with the defaults to a user who may have opted out").isEmpty();

    // heard after the notifier, which the engine registered first, on the same listener thread
    java.util.concurrent.atomic.AtomicInteger heard = new java.util.concurrent.atomic.AtomicInteger();
    e.listeners().register(new UsageListener() {
      @Override
      public void onQuotaChange(QuotaChange change) {
        heard.incrementAndGet();
      }
    });
    consume(e, "plain", 1); // within the minute after the failure: not claimed again, the source not asked
    await().atMost(Duration.ofSeconds(10)).until(() -> heard.get() == 1);
    assertThat(lookups.get()).isEqualTo(2);
    profilesDown.set(false);
    clock.advance(Duration.ofMinutes(1));
    consume(e, "quiet", 1); // still past 50 %: claimed again, now with the preferences read
    consume(e, "plain", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> mail.sent.size() == 1);
    e.close();
    assertThat(mail.sent).singleElement().satisfies(n -> {
      assertThat(n.userId()).isEqualTo("plain");
      assertThat(n.status().orElseThrow().used()).isEqualTo(7);
    });
    assertThat(storage.notifications().claimed(threshold("quiet", 50))).as("opted out: claimed as if sent").isTrue();
  }

  @Test
  void aCloseThatStopsABusyChannelWithdrawsWhatItHadNotDelivered() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    NotificationChannel stuck = new NotificationChannel() {
      @Override
      public String name() {
        return "stuck";
      }

      @Override
      public void send(Notification n) throws Exception {
        entered.countDown();
        new java.util.concurrent.CountDownLatch(1).await(); // until the close interrupts it
      }
    };
    UsageEngine e = engine(NotificationSettings.builder().channel(stuck).thresholds(50), Duration.ofMillis(300));
    consume(e, "first", 5);
    assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    consume(e, "second", 5); // queued behind the first on the channel's one thread
    await().atMost(Duration.ofSeconds(10)).until(() -> storage.notifications().claimed(threshold("second", 50)));

    e.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> !storage.notifications().claimed(threshold("first", 50)));
    assertThat(storage.notifications().claimed(threshold("second", 50))).as("queued, never started").isFalse();
    assertThat(e.notificationStats().failed()).isEqualTo(2);
    assertThat(e.notificationStats().pending()).isZero();
  }

  @Test
  void unusualUsageIsNotifiedOncePerUserAndHourEvenWhenTwoEnginesDetectIt() {
    RecordingChannel mail = new RecordingChannel("mail");
    RecordingChannel other = new RecordingChannel("mail");
    UsageEngine e = engine(NotificationSettings.builder().channel(mail));
    UsageEngine second = engine(NotificationSettings.builder().channel(other));
    Instant hour = Instant.parse("2026-03-15T08:00:00Z");
    for (int i = 1; i <= 30; i++) {
      track(e, hour.minus(Duration.ofHours(i)).plusSeconds(420), 100 + (i % 3) * 10);
    }
    track(e, hour.plusSeconds(3540), 1_000);
    assertThat(e.analytics().detectUnusualUsage(hour)).hasSize(1);
    assertThat(second.analytics().detectUnusualUsage(hour)).as("the other engine's detector").hasSize(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> mail.sent.size() + other.sent.size() >= 1);
    e.close();
    second.close();

    List<Notification> all = new ArrayList<>(mail.sent);
    all.addAll(other.sent);
    assertThat(all).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo(NotificationKind.UNUSUAL_USAGE);
      assertThat(n.userId()).isEqualTo("bursty");
      assertThat(n.alert().orElseThrow().units()).isEqualTo(1_000);
      assertThat(n.periodStart()).isEqualTo(hour);
      assertThat(n.subject()).isEqualTo("Unusual characters usage on your account");
    });
  }

  private static void track(UsageEngine e, Instant at, long characters) {
    e.tracking().trackUsage(UsageEvent.builder().userId("bursty").occurredAt(at).characters(characters).requests(1)
        .build());
  }

  @Test
  void kindsSwitchedOffAreNotSent() {
    RecordingChannel mail = new RecordingChannel("mail");
    UsageEngine e = engine(NotificationSettings.builder().channel(mail).kinds(Set.of(NotificationKind.QUOTA_RESET)));
    consume(e, "off", 10);
    e.close();
    assertThat(mail.sent).isEmpty();
  }

  @Test
  void refusesBadSettingsNamingThem() {
    assertThatThrownBy(() -> NotificationSettings.builder().thresholds(0).build())
        .isInstanceOfSatisfying(InvalidUsageException.class, x -> assertThat(x.field()).isEqualTo("thresholds"));
    assertThatThrownBy(() -> NotificationSettings.builder().thresholds().build())
        .isInstanceOfSatisfying(InvalidUsageException.class, x -> assertThat(x.field()).isEqualTo("thresholds"));
    assertThatThrownBy(() -> NotificationSettings.builder().channel(new RecordingChannel("a b")).build())
        .isInstanceOfSatisfying(InvalidUsageException.class, x -> assertThat(x.field()).isEqualTo("channels"));
    assertThatThrownBy(() -> NotificationSettings.builder().channel(new RecordingChannel("m"))
        .channel(new RecordingChannel("m")).build())
        .isInstanceOfSatisfying(InvalidUsageException.class, x -> assertThat(x.field()).isEqualTo("channels"));
    assertThatThrownBy(() -> NotificationSettings.builder().maxAttempts(0).build())
        .isInstanceOfSatisfying(InvalidUsageException.class, x -> assertThat(x.field()).isEqualTo("maxAttempts"));
    assertThatThrownBy(() -> NotificationSettings.builder().queueCapacity(0).build())
        .isInstanceOfSatisfying(InvalidUsageException.class, x -> assertThat(x.field()).isEqualTo("queueCapacity"));
    assertThatThrownBy(() -> NotificationSettings.builder().backoff(Duration.ofMinutes(2), Duration.ofMinutes(1)).build())
        .isInstanceOfSatisfying(InvalidUsageException.class, x -> assertThat(x.field()).isEqualTo("backoff"));
    assertThat(NotificationSettings.defaults().channels()).singleElement().isInstanceOf(LogNotificationChannel.class);
    assertThat(NotificationSettings.defaults().thresholds()).containsExactly(80, 100);
  }

  @Test
  void theResetJobRemindsUsersOfTheMonthlyResetOnceWithinTheLead() {
    RecordingChannel mail = new RecordingChannel("mail");
    UsageEngine e = engine(NotificationSettings.builder().channel(mail).reminderLead(Duration.ofDays(2)));
    consume(e, "reminded", 4);
    e.quotas().resetMonthlyQuotas(); // March 15: too early
    clock.set("2026-03-30T00:00:00Z"); // 2 days before April 1
    e.quotas().resetMonthlyQuotas();
    e.quotas().resetMonthlyQuotas();
    clock.set("2026-03-31T12:00:00Z");
    e.quotas().resetMonthlyQuotas();
    e.close();

    assertThat(mail.sent).as("once per user and period, nobody without usage").singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo(NotificationKind.RESET_REMINDER);
      assertThat(n.userId()).isEqualTo("reminded");
      assertThat(n.subject()).isEqualTo("Your monthly quotas reset soon");
      assertThat(n.periodEnd()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
      assertThat(n.statuses()).as("every monthly quota, by type").extracting(QuotaStatus::type)
          .containsExactly(QuotaType.CHARACTERS, QuotaType.REQUESTS, QuotaType.TOKENS);
      assertThat(n.statuses().get(1)).satisfies(st -> {
        assertThat(st.used()).isEqualTo(4);
        assertThat(st.remaining()).isEqualTo(6);
      });
    });
  }

  @Test
  void aMonthlySummaryCarriesTheClosedMonthsReportWhenChosen() {
    RecordingChannel mail = new RecordingChannel("mail");
    UsageEngine e = engine(NotificationSettings.builder().channel(mail)
        .kinds(Set.of(NotificationKind.QUOTA_RESET, NotificationKind.MONTHLY_SUMMARY)));
    for (int i = 0; i < 3; i++) {
      e.tracking().consumeQuota(UsageEvent.builder().eventId("digest-" + i).userId("digest").occurredAt(clock.instant())
          .feature(i == 0 ? "rewrite" : "correct").requests(1).build());
    }
    clock.set("2026-04-02T00:10:00Z"); // March is final 24 h 5 min after its end
    e.quotas().resetMonthlyQuotas();
    e.quotas().resetMonthlyQuotas();
    e.close();

    assertThat(mail.sent).extracting(Notification::kind)
        .containsExactlyInAnyOrder(NotificationKind.QUOTA_RESET, NotificationKind.MONTHLY_SUMMARY);
    Notification summary = mail.sent.stream().filter(n -> n.kind() == NotificationKind.MONTHLY_SUMMARY).findFirst()
        .orElseThrow();
    assertThat(summary.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(summary.closedPeriods()).singleElement().satisfies(r -> assertThat(r.used()).isEqualTo(3));
    UsageReport report = summary.report().orElseThrow();
    assertThat(report.range()).isEqualTo(TimeRange.of(Instant.parse("2026-03-01T00:00:00Z"),
        Instant.parse("2026-04-01T00:00:00Z")));
    assertThat(report.totals().units(QuotaType.REQUESTS)).isEqualTo(3);
    assertThat(report.byFeature().keySet()).containsExactly("correct", "rewrite");
  }

  @Test
  void theMonthlySummaryIsOnlySentWhenChosenAndTheReminderLeadIsChecked() {
    assertThat(NotificationSettings.defaults().kinds()).contains(NotificationKind.RESET_REMINDER)
        .doesNotContain(NotificationKind.MONTHLY_SUMMARY);
    assertThat(NotificationSettings.defaults().reminderLead()).isEqualTo(Duration.ofDays(3));
    assertThatThrownBy(() -> NotificationSettings.builder().reminderLead(Duration.ZERO).build())
        .isInstanceOfSatisfying(InvalidUsageException.class, x -> assertThat(x.field()).isEqualTo("reminderLead"));
    assertThatThrownBy(() -> NotificationSettings.builder().reminderLead(Duration.ofDays(29)).build())
        .isInstanceOfSatisfying(InvalidUsageException.class, x -> assertThat(x.field()).isEqualTo("reminderLead"));
  }

  @Test
  void aCarryingPeriodClosedByAConsumeIsConfirmedLikeOneTheResetJobClosed() {
    RecordingChannel mail = new RecordingChannel("mail");
    UsageEngine e = UsageEngine.builder().storage(Storages.shared(storage)).clock(clock).closeOnShutdown(false)
        .trackingMode(TrackingMode.SYNC)
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 10).withRollover(RolloverPolicy.carryUpTo(5)))
        .notifications(NotificationSettings.builder().channel(mail).kinds(Set.of(NotificationKind.QUOTA_RESET)).build())
        .build();
    engines.add(e);
    consume(e, "carrier", 3);
    clock.set("2026-04-02T00:10:00Z"); // March is final: the next consume closes it to know April's allowance
    consume(e, "carrier", 1);
    e.quotas().resetMonthlyQuotas(); // finds March closed already
    e.close();

    assertThat(mail.sent).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo(NotificationKind.QUOTA_RESET);
      assertThat(n.closedPeriods()).filteredOn(r -> r.type().equals(QuotaType.REQUESTS)).singleElement()
          .satisfies(r -> assertThat(r.rolledOver()).isEqualTo(5));
    });
  }
}
