package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.ChangeRequest;
import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.RolloverPolicy;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.testkit.SettableClock;
import dev.usage.testkit.Storages;
import io.lettuce.core.RedisClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lost state rebuilt from the event log ({@code reseedFrom}) where the engine would otherwise store a zero for
 * good or charge a counter started afresh: closing a period, an admin reset, a commit whose user's record went
 * with its counters, a commit of a hold whose counters were all lost; and the other way, a status read of an id
 * Redis and the log know nothing of, which writes nothing. On a private Redis.
 */
class RedisReseedIT {

  private static final QuotaType IMAGES = QuotaType.of("images");

  private RedisProcess redis;
  private RedisClient client;
  private InMemoryUsageStorage durable;
  private RedisUsageStorage storage;
  private UsageEngine engine;
  private final String user = "u-" + UUID.randomUUID();

  @BeforeEach
  void setUp() {
    redis = RedisProcess.start();
    client = RedisClient.create(redis.uri());
    client.setOptions(RedisUsageStorage.recommendedOptions());
    durable = InMemoryUsageStorage.create();
    storage = RedisUsageStorage.builder(client).keyPrefix("reseed").commandTimeout(Duration.ofSeconds(2))
        .events(durable.events()).reseedFrom(durable.events()).build();
  }

  @AfterEach
  void tearDown() {
    if (engine != null) {
      engine.close();
    }
    storage.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    redis.close();
  }

  @Test
  void aPeriodLostBeforeItClosedIsClosedWithWhatTheEventLogSaysItUsed() {
    SettableClock clock = SettableClock.at("2026-03-20T12:00:00Z");
    carryingEngine(clock);
    usedThenLost(clock, 600); // Redis restarted without persistence; the user's next call is in April

    clock.set("2026-04-02T00:05:00Z"); // March is final: no replay (24 h) nor hold (5 min) can charge it
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();

    // March closed with its 600 from the log, not as a month with nothing used: 400 carried, not 1,000
    assertThat(engine.quotas().getQuotaHistory(user)).singleElement().satisfies(r -> {
      assertThat(r.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
      assertThat(r.used()).isEqualTo(600);
      assertThat(r.rolledOver()).isEqualTo(400);
    });
    assertThat(requests()).satisfies(s -> {
      assertThat(s.limit()).isEqualTo(1_400);
      assertThat(s.used()).isEqualTo(1);
    });
  }

  @Test
  void aPeriodLostAndFirstMetAfterTheNextBeganIsClosedWithWhatTheEventLogSaysItUsed() {
    SettableClock clock = SettableClock.at("2026-03-20T12:00:00Z");
    carryingEngine(clock);
    usedThenLost(clock, 600);

    // the first call after the loss comes before March is final: it re-seeds April's counter only
    clock.set("2026-04-01T00:30:00Z");
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    clock.set("2026-04-02T00:35:00Z");
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();

    assertThat(engine.quotas().getQuotaHistory(user)).singleElement().satisfies(r -> {
      assertThat(r.used()).isEqualTo(600);
      assertThat(r.rolledOver()).isEqualTo(400);
    });
    assertThat(requests().limit()).isEqualTo(1_400);
  }

  @Test
  void aPeriodBegunAfterTheUserWasSeededStartsAtZeroNotWithTheEventsOfItsFirstMoments() {
    SettableClock clock = SettableClock.at("2026-03-20T23:59:59Z");
    engine(clock, b -> b.defaultQuota(Quota.daily(QuotaType.REQUESTS, 2)));
    // the user's first call (a user without a record is seeded from the log, which has nothing yet), at the end
    // of a day; its event is stamped when the call ended, in the next day
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    engine.tracking().trackUsage(UsageEvent.builder().eventId("e-" + UUID.randomUUID()).userId(user)
        .occurredAt(Instant.parse("2026-03-21T00:00:01Z")).requests(1).build());

    clock.set("2026-03-21T00:00:02Z");
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    assertThat(requests().used()).as("the new day counts its own call only").isEqualTo(1);
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
  }

  @Test
  void aCounterOfAPeriodBegunAfterTheUserWasSeededStartsAtZeroWhenAnotherOfItsCommandIsSeeded() {
    SettableClock clock = seededAtTheEndOfADay();

    clock.set("2026-03-21T00:00:02Z");
    // one command: the month's characters counter, never made and of a period begun before the user was seeded,
    // is seeded from the log; the day's requests counter, of a period begun since, is new
    assertThat(engine.tracking().consumeQuota(Consumption.builder(user).requests(1).characters(50).build())
        .allowed()).isTrue();
    assertThat(requests().used()).as("the new day counts its own call only").isEqualTo(1);
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
  }

  @Test
  void aUserSeededAgainWithTheirRecordKeepsWhenTheyWereFirstSeeded() {
    SettableClock clock = seededAtTheEndOfADay();

    clock.set("2026-03-21T00:00:10Z");
    // the month's characters counter is seeded (of a period begun before the user was first seeded)
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 50)).allowed()).isTrue();
    clock.set("2026-03-21T00:00:20Z");
    // the day began before that seeding, not before the first: its counter is new
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    assertThat(requests().used()).as("the new day counts its own call only").isEqualTo(1);
  }

  @Test
  void anAdminResetAfterTheUsersRecordWasEvictedAloneForgivesWhatTheCounterHolds() {
    // no events: the consume records none, so only the live counter knows the 600
    SettableClock clock = SettableClock.at("2026-03-20T12:00:00Z");
    engine(clock, b -> { });
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 600));
    RedisKeys keys = new RedisKeys("reseed");
    assertThat(redis.command("DEL", keys.root(keys.user(user)))).isEqualTo("1");

    engine.quotas().resetUsage(user, QuotaType.REQUESTS, ChangeRequest.of("admin", "support ticket"));
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1_000)).allowed()).isTrue();
  }

  @Test
  void aStatusReadOfAUserTheEventLogDoesNotKnowWritesNothing() {
    // the read closes March to learn what it carried: nothing to re-seed, so nothing is stored for an id that
    // may never have been used
    SettableClock clock = SettableClock.at("2026-04-02T00:05:00Z");
    carryingEngine(clock);
    String before = redis.command("DBSIZE");
    assertThat(requests().limit()).isEqualTo(1_000);
    assertThat(redis.command("DBSIZE")).isEqualTo(before);
  }

  @Test
  void anAdminResetAfterALossForgivesWhatTheEventLogSaysWasUsed() {
    SettableClock clock = SettableClock.at("2026-03-20T12:00:00Z");
    engine(clock, b -> { });
    usedThenLost(clock, 600);

    // the reset is the user's next call: it forgives the 600 the log holds, not a counter read as new
    engine.quotas().resetUsage(user, QuotaType.REQUESTS, ChangeRequest.of("admin", "support ticket"));
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1_000)).allowed()).isTrue();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isFalse();
  }

  @Test
  void aCommitAfterTheUsersRecordWentWithTheCounterReseedsItFromTheEventLog() {
    SettableClock clock = SettableClock.at("2026-03-20T12:00:00Z");
    engine(clock, b -> { });
    engine.tracking().consumeQuota(event(clock, 5));
    Reservation held = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.REQUESTS, 100)).reservation()
        .orElseThrow();
    RedisKeys keys = new RedisKeys("reseed");
    // evicted: the counter and the user's record (which the fast path never touches), not the reservation
    assertThat(redis.command("DEL", keys.root(keys.user(user)))).isEqualTo("1");
    deleteCounters();

    engine.tracking().commitReservation(held, Map.of(QuotaType.REQUESTS, 4L));
    assertThat(List.of(requests().used(), requests().reserved())).as("used, reserved").containsExactly(9L, 0L);
  }

  @Test
  void aCommitReseedsEveryLostCounterOfItsHoldAtOnce() {
    // four quota types in one period's counter hash: a commit that learnt of one lost counter per try gave up
    // after three
    SettableClock clock = SettableClock.at("2026-03-20T12:00:00Z");
    engine(clock, b -> b.defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000))
        .defaultQuota(Quota.monthly(QuotaType.TOKENS, 1_000)).defaultQuota(Quota.monthly(IMAGES, 1_000)));
    engine.tracking().consumeQuota(UsageEvent.builder().eventId("first").userId(user).occurredAt(clock.instant())
        .characters(5).requests(5).inputTokens(5).quantity(IMAGES, 5).build());
    Reservation held = engine.tracking().reserveQuota(Consumption.builder(user).characters(10).requests(10).tokens(10)
        .amount(IMAGES, 10).build()).reservation().orElseThrow();
    deleteCounters();

    engine.tracking().commitReservation(held, Map.of(QuotaType.CHARACTERS, 2L, QuotaType.REQUESTS, 2L,
        QuotaType.TOKENS, 2L, IMAGES, 2L));
    assertThat(engine.quotas().getQuotaStatus(user)).hasSize(4)
        .allSatisfy(s -> assertThat(List.of(s.used(), s.reserved())).as(s.type().name()).containsExactly(7L, 0L));
  }

  /**
   * Daily requests (2) and monthly characters: the user's first call (seeded) at 23:59:59 on 2026-03-20, its event
   * stamped when it ended, in the next day.
   */
  private SettableClock seededAtTheEndOfADay() {
    SettableClock clock = SettableClock.at("2026-03-20T23:59:59Z");
    engine(clock, b -> b.defaultQuota(Quota.daily(QuotaType.REQUESTS, 2))
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000)));
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    engine.tracking().trackUsage(UsageEvent.builder().eventId("e-" + UUID.randomUUID()).userId(user)
        .occurredAt(Instant.parse("2026-03-21T00:00:01Z")).requests(1).build());
    return clock;
  }

  private void engine(Clock clock, Consumer<UsageEngine.Builder> options) {
    UsageEngine.Builder b = UsageEngine.builder().storage(Storages.shared(storage)).trackingMode(TrackingMode.SYNC)
        .clock(clock).counterRetention(Duration.ofDays(120)).defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000))
        .closeOnShutdown(false);
    options.accept(b);
    engine = b.build();
  }

  /** Monthly requests, 1,000, whatever is unused carried into the next month. */
  private void carryingEngine(Clock clock) {
    engine(clock,
        b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000).withRollover(RolloverPolicy.carryAll())));
  }

  /** The user uses {@code requests}, recorded as an event; then Redis loses everything ({@code FLUSHALL}). */
  private void usedThenLost(Clock clock, long requests) {
    engine.tracking().consumeQuota(event(clock, requests));
    redis.command("FLUSHALL");
  }

  private UsageEvent event(Clock clock, long requests) {
    return UsageEvent.builder().eventId("e-" + UUID.randomUUID()).userId(user).occurredAt(clock.instant())
        .requests(requests).build();
  }

  private QuotaStatus requests() {
    return engine.quotas().getQuotaStatus(user).stream().filter(s -> s.type().equals(QuotaType.REQUESTS))
        .findFirst().orElseThrow();
  }

  /** Deletes the user's one counter hash, as an eviction would. */
  private void deleteCounters() {
    RedisKeys keys = new RedisKeys("reseed");
    try (var connection = client.connect()) {
      List<String> counters = connection.sync().keys(keys.user(user) + "c:*");
      assertThat(counters).hasSize(1);
      assertThat(connection.sync().del(counters.get(0))).isOne();
    }
  }
}
