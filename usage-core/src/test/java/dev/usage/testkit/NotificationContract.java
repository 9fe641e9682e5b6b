package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.usage.Consumption;
import dev.usage.InvalidUsageException;
import dev.usage.Notification;
import dev.usage.NotificationKind;
import dev.usage.NotificationSettings;
import dev.usage.PeriodUsage;
import dev.usage.Quota;
import dev.usage.QuotaChange;
import dev.usage.QuotaType;
import dev.usage.UsageEngine;
import dev.usage.UsageListener;
import dev.usage.spi.NotificationKey;
import dev.usage.spi.NotificationLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Notifications go out once per (user, kind, quota, threshold, period) among every engine sharing the
 * store: the ledger's claim is atomic, and the engine's thresholds and reset confirmations rest on it.
 */
public abstract class NotificationContract extends AbstractStorageContract {

  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");

  private NotificationLedger ledger() {
    return storage.notifications();
  }

  private static NotificationKey key(String user, int threshold) {
    return new NotificationKey(user, NotificationKind.THRESHOLD_REACHED, "requests", threshold,
        Instant.parse("2026-03-01T00:00:00Z"));
  }

  @Test
  void ofConcurrentClaimantsExactlyOneClaimsEachKey() throws Exception {
    String user = user("ledger-race");
    int keys = 25;
    List<Boolean> won = Hammer.run(8, keys, Duration.ofSeconds(60),
        (thread, k) -> ledger().claim(key(user, k + 1), UUID.randomUUID().toString(), clock.instant(), APRIL));
    List<Integer> winners = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      int key = k;
      // results are per thread in key order: attempt k of each thread claimed key k + 1
      winners.add((int) java.util.stream.IntStream.range(0, 8).filter(t -> won.get(t * keys + key)).count());
      assertThat(ledger().claimed(key(user, k + 1))).isTrue();
    }
    assertThat(winners).as("winners per key").containsOnly(1);
  }

  @Test
  void aClaimantLongerThanALedgerKeepsIsRefusedNamingIt() {
    String user = user("ledger-claimant");
    NotificationKey k = key(user, 80);
    String longest = "c".repeat(NotificationLedger.MAX_CLAIMANT_LENGTH);
    assertThatThrownBy(() -> ledger().claim(k, longest + "c", clock.instant(), APRIL))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("claimant"));
    assertThat(ledger().claimed(k)).isFalse();
    // the longest is kept whole: its repeat is its own
    assertThat(ledger().claim(k, longest, clock.instant(), APRIL)).isTrue();
    assertThat(ledger().claim(k, longest, clock.instant(), APRIL)).isTrue();
  }

  @Test
  void aClaimRepeatedByItsClaimantIsItsOwnAndAWithdrawnKeyCanBeClaimedAgain() {
    String user = user("ledger-repeat");
    NotificationKey k = key(user, 80);
    assertThat(ledger().claimed(k)).isFalse();
    assertThat(ledger().claim(k, "first", clock.instant(), APRIL)).isTrue();
    assertThat(ledger().claim(k, "first", clock.instant(), APRIL)).as("the same claimant again").isTrue();
    assertThat(ledger().claim(k, "second", clock.instant(), APRIL)).isFalse();
    // any part of the key makes another notification
    assertThat(ledger().claim(key(user, 100), "second", clock.instant(), APRIL)).isTrue();
    assertThat(ledger().claim(new NotificationKey(user, NotificationKind.THRESHOLD_REACHED, "tokens", 80,
        k.periodStart()), "second", clock.instant(), APRIL)).isTrue();
    assertThat(ledger().claim(new NotificationKey(user, NotificationKind.UNUSUAL_USAGE, "requests", 80,
        k.periodStart()), "second", clock.instant(), APRIL)).isTrue();
    assertThat(ledger().claim(new NotificationKey(user, NotificationKind.THRESHOLD_REACHED, "requests", 80, APRIL),
        "second", clock.instant(), APRIL.plus(Duration.ofDays(30)))).isTrue();
    assertThat(ledger().claim(new NotificationKey(user + "x", NotificationKind.THRESHOLD_REACHED, "requests", 80,
        k.periodStart()), "second", clock.instant(), APRIL)).isTrue();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ledger().claim(key(user, 50), " ", clock.instant(), APRIL))
        .isInstanceOfSatisfying(dev.usage.InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("claimant"));
    assertThat(ledger().claimed(key(user, 50))).as("a refused claim records nothing").isFalse();

    ledger().withdraw(k);
    ledger().withdraw(k); // absent: nothing happens
    assertThat(ledger().claimed(k)).isFalse();
    assertThat(ledger().claim(k, "third", clock.instant(), APRIL)).isTrue();
    assertThat(ledger().claimed(key(user, 100))).isTrue();
  }

  /** An engine notifying on {@code channel}; {@code before} run before its notifier (they are told first). */
  private UsageEngine notifyingEngine(RecordingChannel channel, UsageListener... before) {
    return engine(b -> {
      b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 10))
          .counterRetention(Duration.ofDays(120)).reservationTtl(Duration.ofMinutes(5))
          .idempotencyWindow(Duration.ofHours(1))
          .notifications(NotificationSettings.builder().channel(channel).build());
      for (UsageListener l : before) {
        b.listener(l);
      }
    });
  }

  @Test
  void eachThresholdIsNotifiedOncePerPeriodAmongEnginesSharingTheStore() {
    RecordingChannel a = new RecordingChannel("mail");
    RecordingChannel b = new RecordingChannel("mail");
    UsageEngine one = notifyingEngine(a);
    UsageEngine two = notifyingEngine(b);
    String user = user("thresholds");
    for (int i = 0; i < 12; i++) {
      (i % 2 == 0 ? one : two).tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1));
    }
    // at 8 of 10 and at 10 of 10; the denied 11th and 12th add nothing
    await().atMost(Duration.ofSeconds(20)).until(() -> a.sent.size() + b.sent.size() >= 2);
    clock.set(Instant.parse("2026-04-02T00:00:00Z"));
    for (int i = 0; i < 9; i++) {
      (i % 2 == 0 ? two : one).tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> a.sent.size() + b.sent.size() >= 3);
    one.close();
    two.close(); // delivers whatever was still queued

    List<Notification> all = new ArrayList<>(a.sent);
    all.addAll(b.sent);
    all.sort(java.util.Comparator.comparing(Notification::periodStart).thenComparing(Notification::thresholdPercent));
    assertThat(all).extracting(Notification::kind, Notification::userId, Notification::thresholdPercent,
        Notification::periodStart).containsExactly(
            tuple(NotificationKind.THRESHOLD_REACHED, user, 80, Instant.parse("2026-03-01T00:00:00Z")),
            tuple(NotificationKind.THRESHOLD_REACHED, user, 100, Instant.parse("2026-03-01T00:00:00Z")),
            tuple(NotificationKind.THRESHOLD_REACHED, user, 80, APRIL));
    // the status as the notifying engine saw it, at or past the threshold (listeners run after the call)
    assertThat(all).allSatisfy(n -> assertThat(n.status().orElseThrow().used() * 100)
        .isGreaterThanOrEqualTo(n.thresholdPercent() * 10L));
    assertThat(all).allSatisfy(n -> assertThat(n.quotaType()).contains(QuotaType.REQUESTS));
  }

  @Test
  void aThresholdIsSentWhenTheConsumeThatCrossedItIsToldAfterALaterOne() throws Exception {
    RecordingChannel fastMail = new RecordingChannel("mail");
    RecordingChannel slowMail = new RecordingChannel("mail");
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    UsageEngine fast = notifyingEngine(fastMail);
    // this engine's notifier waits with the listener told before it
    UsageEngine slow = notifyingEngine(slowMail, new UsageListener() {
      @Override
      public void onQuotaChange(QuotaChange change) {
        held.countDown();
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    String user = user("late-listener");
    try {
      fast.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 7));
      slow.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)); // 8 of 10: crosses 80 %
      assertThat(held.await(10, TimeUnit.SECONDS)).as("the slow engine's listener ran").isTrue();
      fast.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 2)); // 10 of 10, told first
      await().atMost(Duration.ofSeconds(20)).until(() -> fastMail.sent.size() >= 2);
    } finally {
      release.countDown();
    }
    slow.close();
    fast.close();

    // the engine told of 100 % sends 80 % too, as the one that crossed 80 % finds it claimed; each once
    assertThat(fastMail.sent).extracting(Notification::thresholdPercent).containsExactly(80, 100);
    assertThat(slowMail.sent).isEmpty();
    assertThat(fastMail.sent).allSatisfy(n -> assertThat(n.status().orElseThrow().used()).isEqualTo(10));
  }

  @Test
  void aClosedMonthIsConfirmedOnceWithItsSummaryWhenEveryEngineRunsTheResetJob() {
    RecordingChannel a = new RecordingChannel("mail");
    RecordingChannel b = new RecordingChannel("mail");
    UsageEngine one = notifyingEngine(a);
    UsageEngine two = notifyingEngine(b);
    String user = user("reset-confirmation");
    one.tracking().consumeQuota(Consumption.builder(user).characters(700).requests(3).build());
    clock.set(APRIL.plus(Duration.ofMinutes(65)));

    one.quotas().resetMonthlyQuotas();
    two.quotas().resetMonthlyQuotas();
    one.quotas().resetMonthlyQuotas();
    one.close();
    two.close();

    List<Notification> all = new ArrayList<>(a.sent);
    all.addAll(b.sent);
    List<Notification> mine = all.stream().filter(n -> n.userId().equals(user)).toList();
    assertThat(mine).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo(NotificationKind.QUOTA_RESET);
      assertThat(n.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
      assertThat(n.periodEnd()).isEqualTo(APRIL);
      assertThat(n.closedPeriods()).extracting(PeriodUsage::type, PeriodUsage::used, PeriodUsage::limit)
          .contains(tuple(QuotaType.CHARACTERS, 700L, 10_000L), tuple(QuotaType.REQUESTS, 3L, 10L));
    });
  }

  /** As {@link #notifyingEngine}, with a tokens quota that carries up to 300 unused units into the next month. */
  private UsageEngine carryingEngine(RecordingChannel channel) {
    return engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 10))
        .defaultQuota(Quota.monthly(QuotaType.TOKENS, 1_000).withRollover(dev.usage.RolloverPolicy.carryUpTo(300)))
        .counterRetention(Duration.ofDays(120)).reservationTtl(Duration.ofMinutes(5))
        .idempotencyWindow(Duration.ofHours(1))
        .notifications(NotificationSettings.builder().channel(channel).build()));
  }

  @Test
  void aMonthClosedByAConsumeLookingUpItsCarriedUnitsIsConfirmedOnceWithEveryQuota() {
    RecordingChannel channel = new RecordingChannel("mail");
    UsageEngine engine = carryingEngine(channel);
    String user = user("carrying-confirmation");
    engine.tracking().consumeQuota(Consumption.builder(user).characters(700).requests(3).tokens(600).build());
    clock.set(APRIL.plus(Duration.ofMinutes(65)));

    // before any reset job: April's first consume looks up the units carried into it, which closes March
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 1));
    engine.quotas().resetMonthlyQuotas();
    engine.close();

    assertThat(channel.sent.stream().filter(n -> n.userId().equals(user))).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo(NotificationKind.QUOTA_RESET);
      assertThat(n.closedPeriods()).extracting(PeriodUsage::type, PeriodUsage::used, PeriodUsage::rolledOver)
          .containsExactly(tuple(QuotaType.CHARACTERS, 700L, 0L), tuple(QuotaType.REQUESTS, 3L, 0L),
              tuple(QuotaType.TOKENS, 600L, 300L));
    });
  }

  @Test
  void aClosedMonthIsConfirmedWithTheRowsStoredForItByAnotherCloser() {
    RecordingChannel channel = new RecordingChannel("mail");
    UsageEngine engine = notifyingEngine(channel);
    String user = user("other-closer");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 700));
    Instant march = Instant.parse("2026-03-01T00:00:00Z");
    // closed by a process that tells no notifier (its listeners are its own)
    PeriodUsage exports = new PeriodUsage(user, QuotaType.of("exports"), dev.usage.QuotaPeriod.MONTH, march, APRIL, 5,
        2, 0, APRIL);
    assertThat(storage.history().close(List.of(exports))).hasSize(1);
    clock.set(APRIL.plus(Duration.ofMinutes(65)));

    engine.quotas().resetMonthlyQuotas();
    engine.close();

    assertThat(channel.sent.stream().filter(n -> n.userId().equals(user))).singleElement()
        .satisfies(n -> assertThat(n.closedPeriods()).extracting(PeriodUsage::type, PeriodUsage::used)
            .containsExactly(tuple(QuotaType.CHARACTERS, 700L), tuple(QuotaType.of("exports"), 2L)));
  }

  @Test
  void aMonthTheResetJobClosesIsConfirmedWithTheCarryingQuotasItHadNoCounterOf() {
    RecordingChannel channel = new RecordingChannel("mail");
    UsageEngine engine = carryingEngine(channel);
    String user = user("no-tokens-in-march");
    clock.set("2026-02-10T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 100));
    clock.set("2026-03-15T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.builder(user).characters(700).requests(3).build()); // no tokens
    clock.set(APRIL.plus(Duration.ofMinutes(65)));

    engine.quotas().resetMonthlyQuotas();
    engine.close();

    Instant march = Instant.parse("2026-03-01T00:00:00Z");
    assertThat(channel.sent.stream().filter(n -> n.userId().equals(user) && n.periodStart().equals(march)))
        .singleElement().satisfies(n -> assertThat(n.closedPeriods())
            .extracting(PeriodUsage::type, PeriodUsage::used, PeriodUsage::rolledOver)
            .containsExactly(tuple(QuotaType.CHARACTERS, 700L, 0L), tuple(QuotaType.REQUESTS, 3L, 0L),
                tuple(QuotaType.TOKENS, 0L, 300L)));
  }
}
