package dev.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.usage.QuotaChange.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real-time listener API: what is told, in which order, on which thread, and what a bad listener costs. */
class UsageListenersTest {

  private final List<UsageEngine> engines = new ArrayList<>();

  private UsageEngine engine(UsageEngine.Builder b) {
    UsageEngine e = b.closeOnShutdown(false).trackingMode(TrackingMode.SYNC)
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 100)).build();
    engines.add(e);
    return e;
  }

  @AfterEach
  void close() {
    engines.forEach(UsageEngine::close);
  }

  /** Records everything it hears, with the thread it heard it on. */
  static class Recorder implements UsageListener {
    final List<Object> heard = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(UsageEvent event) {
      heard.add(event);
      threads.add(Thread.currentThread().getName());
    }

    @Override
    public void onQuotaChange(QuotaChange change) {
      heard.add(change);
      threads.add(Thread.currentThread().getName());
    }

    List<Kind> kinds() {
      return heard.stream().filter(QuotaChange.class::isInstance).map(o -> ((QuotaChange) o).kind()).toList();
    }
  }

  @Test
  void aQuotaChangeCountsUnitsOnlyForAConsumeOrACommitAndNoneNegative() {
    Instant at = Instant.parse("2026-03-15T10:00:00Z");
    assertThat(new QuotaChange("u", Kind.CONSUMED, List.of(), Map.of(QuotaType.REQUESTS, 0L, QuotaType.TOKENS, 5L),
        Optional.empty(), at).counted()).containsExactly(Map.entry(QuotaType.TOKENS, 5L));
    assertThatThrownBy(() -> new QuotaChange("u", Kind.COMMITTED, List.of(), Map.of(QuotaType.TOKENS, -1L),
        Optional.empty(), at)).isInstanceOfSatisfying(InvalidUsageException.class,
            e -> assertThat(e.field()).isEqualTo("counted"));
    assertThatThrownBy(() -> new QuotaChange("u", Kind.RESERVED, List.of(), Map.of(QuotaType.TOKENS, 1L),
        Optional.empty(), at)).isInstanceOfSatisfying(InvalidUsageException.class,
            e -> assertThat(e.field()).isEqualTo("counted"));
    assertThat(new QuotaChange("u", Kind.DENIED, List.of(), Optional.empty(), at).counted()).isEmpty();
  }

  /** The in-memory storage whose consumes, commits and releases fail while {@code failing}, then {@code losing}, is. */
  private static dev.usage.spi.UsageStorage losingAnswers(dev.usage.memory.InMemoryUsageStorage memory,
      java.util.concurrent.atomic.AtomicInteger losing, java.util.concurrent.atomic.AtomicInteger failing) {
    return dev.usage.testkit.FaultyCounters.around(memory,
        java.util.EnumSet.allOf(dev.usage.testkit.FaultyCounters.Call.class), failing, losing);
  }

  @Test
  void aChangeWhoseAnswerWasLostIsToldOnceByTheRetryThatReplaysIt() {
    Recorder r = new Recorder();
    java.util.concurrent.atomic.AtomicInteger losing = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger failing = new java.util.concurrent.atomic.AtomicInteger();
    UsageEngine engine = engine(UsageEngine.builder().listener(r)
        .storage(losingAnswers(dev.usage.memory.InMemoryUsageStorage.create(), losing, failing)));
    Consumption keyed = Consumption.builder("cy").characters(30).idempotencyKey("k1").build();
    losing.set(1);
    assertThatThrownBy(() -> engine.tracking().consumeQuota(keyed)).isInstanceOf(UsageStorageException.class);
    assertThat(engine.tracking().consumeQuota(keyed).replayed()).isTrue();
    engine.tracking().consumeQuota(keyed); // replayed again: told already
    Reservation held = engine.tracking().reserveQuota(Consumption.of("cy", QuotaType.CHARACTERS, 40))
        .reservation().orElseThrow();
    losing.set(1);
    assertThatThrownBy(() -> engine.tracking().commitReservation(held, Map.of(QuotaType.CHARACTERS, 20L)))
        .isInstanceOf(UsageStorageException.class);
    assertThat(engine.tracking().commitReservation(held, Map.of(QuotaType.CHARACTERS, 20L)).replayed()).isTrue();
    engine.tracking().commitReservation(held, Map.of(QuotaType.CHARACTERS, 20L));
    Reservation dropped = engine.tracking().reserveQuota(Consumption.of("cy", QuotaType.CHARACTERS, 5))
        .reservation().orElseThrow();
    losing.set(1);
    assertThatThrownBy(() -> engine.tracking().releaseReservation(dropped)).isInstanceOf(UsageStorageException.class);
    engine.tracking().releaseReservation(dropped);
    engine.tracking().releaseReservation(dropped);
    // a call that failed without being applied, retried: the retry applies it and is told; its replay is not
    Consumption again = Consumption.builder("cy").characters(1).idempotencyKey("k2").build();
    failing.set(1);
    assertThatThrownBy(() -> engine.tracking().consumeQuota(again)).isInstanceOf(UsageStorageException.class);
    assertThat(engine.tracking().consumeQuota(again).replayed()).isFalse();
    assertThat(engine.tracking().consumeQuota(again).replayed()).isTrue();
    engine.tracking().consumeQuota(Consumption.of("last", QuotaType.CHARACTERS, 1)); // told after all of cy's

    await().atMost(Duration.ofSeconds(10)).until(() -> r.heard.stream()
        .anyMatch(o -> o instanceof QuotaChange c && c.userId().equals("last")));
    List<QuotaChange> changes = r.heard.stream().filter(QuotaChange.class::isInstance).map(QuotaChange.class::cast)
        .filter(c -> c.userId().equals("cy")).toList();
    assertThat(changes).extracting(QuotaChange::kind).containsExactly(Kind.CONSUMED, Kind.RESERVED, Kind.COMMITTED,
        Kind.RESERVED, Kind.RELEASED, Kind.CONSUMED);
    assertThat(changes.get(0).counted()).containsExactly(Map.entry(QuotaType.CHARACTERS, 30L));
    assertThat(changes.get(0).statuses()).singleElement().satisfies(s -> assertThat(s.used()).isEqualTo(30));
    assertThat(changes.get(2).counted()).containsExactly(Map.entry(QuotaType.CHARACTERS, 20L));
    assertThat(changes.get(4).statuses()).singleElement().satisfies(s -> assertThat(s.reserved()).isZero());
    assertThat(engine.quotas().getQuotaStatus("cy")).filteredOn(s -> s.type().equals(QuotaType.CHARACTERS))
        .singleElement().satisfies(s -> assertThat(s.used()).isEqualTo(51));
  }

  @Test
  void aFailOpenConsumeWhoseAnswerWasLostIsToldByItsReplay() {
    Recorder r = new Recorder();
    java.util.concurrent.atomic.AtomicInteger losing = new java.util.concurrent.atomic.AtomicInteger();
    UsageEngine engine = engine(UsageEngine.builder().listener(r).failureMode(FailureMode.FAIL_OPEN)
        .storage(losingAnswers(dev.usage.memory.InMemoryUsageStorage.create(), losing,
            new java.util.concurrent.atomic.AtomicInteger())));
    Consumption keyed = Consumption.builder("dee").characters(30).idempotencyKey("k1").build();
    losing.set(1);
    assertThat(engine.tracking().consumeQuota(keyed).degraded()).as("allowed unchecked").isTrue();
    assertThat(engine.tracking().consumeQuota(keyed).replayed()).isTrue();
    engine.tracking().consumeQuota(Consumption.of("last", QuotaType.CHARACTERS, 1));

    await().atMost(Duration.ofSeconds(10)).until(() -> r.heard.stream()
        .anyMatch(o -> o instanceof QuotaChange c && c.userId().equals("last")));
    assertThat(r.heard.stream().filter(QuotaChange.class::isInstance).map(QuotaChange.class::cast)
        .filter(c -> c.userId().equals("dee")).toList()).singleElement().satisfies(c -> {
          assertThat(c.kind()).isEqualTo(Kind.CONSUMED);
          assertThat(c.counted()).containsExactly(Map.entry(QuotaType.CHARACTERS, 30L));
        });
  }

  @Test
  void tellsEventsAndEveryQuotaChangeInOrderOnTheListenerThread() {
    Recorder r = new Recorder();
    UsageEngine engine = engine(UsageEngine.builder().listener(r));
    UsageEvent e = engine.tracking().event("ann").characters(30).requests(1).build();
    engine.tracking().trackUsage(e);
    engine.tracking().consumeQuota(Consumption.builder("ann").characters(60).idempotencyKey("k1").build());
    engine.tracking().consumeQuota(Consumption.builder("ann").characters(60).idempotencyKey("k1").build()); // replay
    engine.tracking().consumeQuota(Consumption.of("ann", QuotaType.CHARACTERS, 50)); // denied: 60 + 50 > 100
    Reservation held = engine.tracking().reserveQuota(Consumption.of("ann", QuotaType.CHARACTERS, 30))
        .reservation().orElseThrow();
    engine.tracking().commitReservation(held, Map.of(QuotaType.CHARACTERS, 10L));
    Reservation other = engine.tracking().reserveQuota(Consumption.of("ann", QuotaType.CHARACTERS, 5))
        .reservation().orElseThrow();
    engine.tracking().releaseReservation(other);
    engine.tracking().releaseReservation(other); // replay: nothing changes
    engine.quotas().changeTier("ann", Tier.PREMIUM, "admin", "upgrade");

    await().atMost(Duration.ofSeconds(10)).until(() -> r.heard.size() == 8);
    assertThat(r.heard.get(0)).isEqualTo(e);
    assertThat(r.kinds()).containsExactly(Kind.CONSUMED, Kind.DENIED, Kind.RESERVED, Kind.COMMITTED, Kind.RESERVED,
        Kind.RELEASED, Kind.SETTINGS_CHANGED);
    QuotaChange consumed = (QuotaChange) r.heard.get(1);
    assertThat(consumed.userId()).isEqualTo("ann");
    assertThat(consumed.statuses()).singleElement().satisfies(s -> assertThat(s.used()).isEqualTo(60));
    assertThat(consumed.counted()).containsExactly(Map.entry(QuotaType.CHARACTERS, 60L));
    assertThat(((QuotaChange) r.heard.get(2)).counted()).as("denied").isEmpty();
    assertThat(((QuotaChange) r.heard.get(3)).counted()).as("reserved").isEmpty();
    assertThat(((QuotaChange) r.heard.get(4)).counted()).containsExactly(Map.entry(QuotaType.CHARACTERS, 10L));
    assertThat(((QuotaChange) r.heard.get(6)).counted()).as("released").isEmpty();
    QuotaChange released = (QuotaChange) r.heard.get(6);
    assertThat(released.statuses()).singleElement().satisfies(s -> {
      assertThat(s.used()).isEqualTo(70);
      assertThat(s.reserved()).isZero();
    });
    QuotaChange tier = (QuotaChange) r.heard.get(7);
    assertThat(tier.audit()).hasValueSatisfying(a -> {
      assertThat(a.actor()).isEqualTo("admin");
      assertThat(a.reason()).isEqualTo("upgrade");
    });
    assertThat(tier.statuses()).extracting(QuotaStatus::type).contains(QuotaType.CHARACTERS, QuotaType.TOKENS);
    assertThat(r.threads).containsOnly("usage-listeners");
    assertThat(engine.listeners().stats()).satisfies(s -> {
      assertThat(s.listeners()).isEqualTo(1);
      assertThat(s.published()).isEqualTo(8);
      assertThat(s.dropped()).isZero();
      assertThat(s.failed()).isZero();
    });
  }

  @Test
  void aCommitAfterAScheduledDowngradeTellsTheReservedPeriodsStatusWithTheTierItHad() {
    dev.usage.testkit.SettableClock clock = dev.usage.testkit.SettableClock.at("2026-03-31T23:58:00Z");
    Recorder r = new Recorder();
    UsageEngine engine = engine(UsageEngine.builder().clock(clock).listener(r));
    engine.quotas().changeTier("ann", Tier.PREMIUM, "billing", "paid");
    engine.quotas().changeTierAtNextPeriod("ann", Tier.FREE, ChangeRequest.of("billing", "downgrade at renewal"));
    Reservation held = engine.tracking().reserveQuota(Consumption.of("ann", QuotaType.TOKENS, 400_000))
        .reservation().orElseThrow();
    clock.set("2026-04-01T00:02:00Z"); // free applies now; the reservation is March's

    engine.tracking().commitReservation(held, Map.of(QuotaType.TOKENS, 400_000L));

    await().atMost(Duration.ofSeconds(10)).until(() -> r.kinds().contains(Kind.COMMITTED));
    QuotaChange committed = r.heard.stream().filter(QuotaChange.class::isInstance).map(QuotaChange.class::cast)
        .filter(c -> c.kind() == Kind.COMMITTED).findFirst().orElseThrow();
    assertThat(committed.statuses()).singleElement().satisfies(s -> {
      assertThat(s.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
      assertThat(s.used()).isEqualTo(400_000);
      assertThat(s.limit()).as("premium's, not free's 100,000").isEqualTo(1_000_000);
    });
  }

  @Test
  void aCommitInAWeekThatSpansATierChangeTellsTheStatusWithTheTierInForce() {
    dev.usage.testkit.SettableClock clock = dev.usage.testkit.SettableClock.at("2026-03-20T12:00:00Z");
    Recorder r = new Recorder();
    UsageEngine engine = engine(UsageEngine.builder().clock(clock).listener(r)
        .tier(Tier.builder("small").quota(Quota.weekly(QuotaType.of("exports"), 100)).build())
        .tier(Tier.builder("large").quota(Quota.weekly(QuotaType.of("exports"), 1_000)).build()));
    engine.quotas().changeTier("ann", "small", "billing", "trial");
    engine.quotas().changeTierAtNextPeriod("ann", "large", ChangeRequest.of("billing", "paid from April"));
    clock.set("2026-04-01T10:00:00Z"); // a Wednesday: the week began on March 30, under small
    Reservation held = engine.tracking().reserveQuota(Consumption.of("ann", QuotaType.of("exports"), 90))
        .reservation().orElseThrow();

    engine.tracking().commitReservation(held, Map.of(QuotaType.of("exports"), 90L));

    await().atMost(Duration.ofSeconds(10)).until(() -> r.kinds().contains(Kind.COMMITTED));
    QuotaChange committed = r.heard.stream().filter(QuotaChange.class::isInstance).map(QuotaChange.class::cast)
        .filter(c -> c.kind() == Kind.COMMITTED).findFirst().orElseThrow();
    assertThat(committed.statuses()).singleElement().satisfies(s -> {
      assertThat(s.limit()).as("large's, in force at the commit, as at the reservation").isEqualTo(1_000);
      assertThat(s.level()).isEqualTo(QuotaLevel.GREEN);
    });
  }

  @Test
  void aFailingListenerIsCountedAndDoesNotStopTheOthers() {
    Recorder r = new Recorder();
    UsageEngine engine = engine(UsageEngine.builder());
    engine.listeners().register(new UsageListener() {
      @Override
      public void onEvent(UsageEvent event) {
        throw new IllegalStateException("dashboard down");
      }
    });
    engine.listeners().register(r);
    for (int i = 0; i < 5; i++) {
      engine.tracking().trackUsage(engine.tracking().event("bob").requests(1).build());
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> r.heard.size() == 5);
    assertThat(engine.listeners().stats().failed()).isEqualTo(5);
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlockingTheCaller() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    Recorder r = new Recorder();
    UsageEngine engine = engine(UsageEngine.builder().listenerQueueCapacity(3).listener(new UsageListener() {
      @Override
      public void onEvent(UsageEvent event) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }).listener(r));
    engine.tracking().trackUsage(engine.tracking().event("cid").requests(1).build());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue(); // the first is being delivered, the queue is empty
    long start = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      engine.tracking().trackUsage(engine.tracking().event("cid").requests(1).build());
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5)); // never waited
    assertThat(engine.listeners().stats()).satisfies(s -> {
      assertThat(s.published()).isEqualTo(4);
      assertThat(s.dropped()).isEqualTo(97);
      assertThat(s.pending()).isEqualTo(3);
    });
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> r.heard.size() == 4);
  }

  @Test
  void closeDeliversWhatIsQueuedAndAClosedRegistrationHearsNothing() {
    Recorder slow = new Recorder() {
      @Override
      public void onEvent(UsageEvent event) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.onEvent(event);
      }
    };
    Recorder gone = new Recorder();
    UsageEngine engine = engine(UsageEngine.builder().listener(slow));
    UsageListeners.Registration registration = engine.listeners().register(gone);
    engine.tracking().trackUsage(engine.tracking().event("dee").requests(1).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> gone.heard.size() == 1);
    registration.close();
    registration.close();
    for (int i = 0; i < 200; i++) {
      engine.tracking().trackUsage(engine.tracking().event("dee").requests(1).build());
    }
    engine.close();
    assertThat(slow.heard).hasSize(201);
    assertThat(gone.heard).hasSize(1);
    assertThat(engine.listeners().stats().listeners()).isEqualTo(1);
  }

  @Test
  void manyThreadsEachSeeTheirOwnEventsInTheirOrder() throws Exception {
    Recorder r = new Recorder();
    UsageEngine engine = engine(UsageEngine.builder().listenerQueueCapacity(100_000).listener(r));
    int threads = 8;
    int each = 500;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String user = "user-" + t;
      Thread w = new Thread(() -> {
        for (int i = 0; i < each; i++) {
          engine.tracking().trackUsage(UsageEvent.builder().userId(user).eventId(user + "-" + i)
              .occurredAt(java.time.Instant.now()).requests(1).build());
        }
      });
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> r.heard.size() == threads * each);
    for (int t = 0; t < threads; t++) {
      String user = "user-" + t;
      List<String> ids = r.heard.stream().map(o -> (UsageEvent) o).filter(ev -> ev.userId().equals(user))
          .map(UsageEvent::eventId).toList();
      assertThat(ids).hasSize(each);
      for (int i = 0; i < each; i++) {
        assertThat(ids.get(i)).isEqualTo(user + "-" + i);
      }
    }
  }

  @Test
  void refusesBadSettingsNamingThem() {
    assertThatThrownBy(() -> UsageEngine.builder().listenerQueueCapacity(0).build())
        .isInstanceOfSatisfying(InvalidUsageException.class,
            e -> assertThat(e.field()).isEqualTo("listenerQueueCapacity"));
    assertThatThrownBy(() -> UsageEngine.builder().listener(null))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("listener"));
    assertThatThrownBy(() -> UsageEngine.builder().unusualUsage(null).build())
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("unusualUsage"));
  }
}
