package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UsageStorageException;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.testkit.Storages;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Redis misbehaving under load, on a private server: killed and restarted, its script cache flushed, paused,
 * a reply lost on the way. Callers get the typed error within the command timeout (plus 50 ms), never a
 * {@code NOSCRIPT}, and counters never silently start again from zero or count a call its caller was told
 * failed.
 */
class RedisFaultsIT {

  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static final long SLACK_NANOS = Duration.ofMillis(50).toNanos();

  private RedisProcess redis;
  private TcpProxy proxy;
  private RedisClient client;
  private RedisUsageStorage storage;
  private UsageEngine engine;

  @AfterEach
  void tearDown() {
    if (engine != null) {
      engine.close();
    }
    if (storage != null) {
      storage.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (proxy != null) {
      proxy.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void killedAndRestartedUnderLoadFailsFastResumesAndReseedsFromTheEventLog() throws Exception {
    redis = RedisProcess.start();
    InMemoryUsageStorage durable = InMemoryUsageStorage.create();
    open(redis.uri(), b -> b.events(durable.events()).reseedFrom(durable.events()), 1_000_000);
    AtomicLong ids = new AtomicLong();
    Load load = Load.start(8, 20, user -> engine.tracking().consumeQuota(UsageEvent.builder()
        .eventId("e" + ids.incrementAndGet()).userId(user).occurredAt(Instant.now()).requests(1).build()));

    Thread.sleep(1_000);
    redis.kill9();
    Thread.sleep(1_500);
    redis.restart();
    long restarted = System.nanoTime();
    await().atMost(Duration.ofSeconds(5)).until(() -> load.allowedAfter(restarted) > 0);
    Thread.sleep(1_000);
    load.stop();

    assertThat(load.calls(Outcome.OTHER)).as("only typed errors").isEmpty();
    assertThat(load.calls(Outcome.FAILED)).as("the outage was seen").isNotEmpty()
        .allSatisfy(c -> assertThat(c.nanos()).as(c.message()).isLessThanOrEqualTo(TIMEOUT.toNanos() + SLACK_NANOS))
        .noneSatisfy(c -> assertThat(c.message()).contains("NOSCRIPT"));
    // every counter was rebuilt from the events of the calls told "allowed", then went on from there
    load.allowedByUser().forEach((user, allowed) -> assertThat(used(user)).as(user).isEqualTo(allowed));
  }

  @Test
  void withoutReseedingALostCounterIsRefusedUntilTheLossIsAccepted() throws Exception {
    redis = RedisProcess.start();
    open(redis.uri(), b -> { }, 1_000);
    String user = "u-" + UUID.randomUUID();
    for (int i = 0; i < 5; i++) {
      assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    }

    redis.kill9();
    redis.restart();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(
        () -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)))
        .isInstanceOf(UsageStorageException.class).hasMessageContaining("lost quota state"));
    storage.acceptDataLoss();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    assertThat(used(user)).isEqualTo(1);
  }

  @Test
  void anEvictedCounterIsDetectedNotStartedAgain() {
    redis = RedisProcess.start();
    open(redis.uri(), b -> { }, 1_000);
    String user = "u-" + UUID.randomUUID();
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 7));
    try (var connection = client.connect()) {
      List<String> counters = connection.sync().keys(new RedisKeys("faults").user(user) + "c:*");
      assertThat(counters).hasSize(1);
      assertThat(connection.sync().del(counters.get(0))).isOne(); // as an eviction would
    }

    assertThatThrownBy(() -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)))
        .isInstanceOf(UsageStorageException.class).hasMessageContaining("gone");
    assertThatThrownBy(() -> used(user)).isInstanceOf(UsageStorageException.class); // nor read as zero

    assertThat(storage.acceptDataLoss()).as("lost counters forgiven").isOne(); // the administrator's decision
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    assertThat(used(user)).isEqualTo(1);

    // the acceptance forgave the loss there was, not the next one
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 2));
    deleteCounters(user);
    assertThatThrownBy(() -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)))
        .isInstanceOf(UsageStorageException.class).hasMessageContaining("gone");
    assertThatThrownBy(() -> used(user)).isInstanceOf(UsageStorageException.class);
  }

  @Test
  void aLostCounterOfSeveralQuotasStartsAfreshForEachOnceTheLossIsAccepted() {
    redis = RedisProcess.start();
    open(redis.uri(), b -> { }, 1_000);
    reopenEngine(b -> b.defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 100_000)));
    String together = "u-" + UUID.randomUUID();
    String apart = "u-" + UUID.randomUUID();
    String intact = "u-" + UUID.randomUUID();
    for (String user : List.of(together, apart, intact)) {
      engine.tracking().consumeQuota(Consumption.builder(user).requests(3).characters(300).build());
    }
    deleteCounters(together);
    deleteCounters(apart);

    assertThat(storage.acceptDataLoss()).as("two quotas of two users").isEqualTo(4);
    // both quotas in one consume, or one after the other: each starts again at zero
    assertThat(engine.tracking().consumeQuota(Consumption.builder(together).requests(1).characters(10).build())
        .allowed()).isTrue();
    assertThat(engine.tracking().consumeQuota(Consumption.builder(apart).characters(10).build()).allowed()).isTrue();
    assertThat(engine.tracking().consumeQuota(Consumption.builder(apart).requests(1).build()).allowed()).isTrue();
    assertThat(engine.tracking().consumeQuota(Consumption.builder(intact).requests(1).characters(10).build())
        .allowed()).isTrue();
    assertThat(usage(together)).containsAllEntriesOf(Map.of("requests", 1L, "characters", 10L));
    assertThat(usage(apart)).containsAllEntriesOf(Map.of("requests", 1L, "characters", 10L));
    assertThat(usage(intact)).as("untouched by the acceptance")
        .containsAllEntriesOf(Map.of("requests", 4L, "characters", 310L));
  }

  @Test
  void aHoldNobodySettledIsGivenBackWhenItsUserReturnsAfterTheReservationsRetention() throws Exception {
    redis = RedisProcess.start();
    open(redis.uri(), b -> { }, 1_000);
    // a reservation's hash would be kept for its retention only: its hold, plus the idempotency window
    reopenEngine(b -> b.reservationTtl(Duration.ofSeconds(1)).idempotencyWindow(Duration.ofSeconds(1)));
    String user = "u-" + UUID.randomUUID();
    assertThat(engine.tracking().reserveQuota(Consumption.of(user, QuotaType.REQUESTS, 900)).reservation())
        .isPresent(); // and its caller never commits nor releases it

    Thread.sleep(3_500); // past the hold and its retention, and the hash's TTL (a second more); nothing ran

    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 500)).allowed())
        .as("the lapsed hold no longer takes room").isTrue();
    assertThat(status(user)).as("used, reserved").containsExactly(500L, 0L);
  }

  @Test
  void aCommitWhoseCounterWasLostReseedsItFromTheEventLogAndCharges() {
    redis = RedisProcess.start();
    InMemoryUsageStorage durable = InMemoryUsageStorage.create();
    open(redis.uri(), b -> b.events(durable.events()).reseedFrom(durable.events()), 1_000);
    String user = "u-" + UUID.randomUUID();
    engine.tracking().consumeQuota(UsageEvent.builder().eventId("first").userId(user).occurredAt(Instant.now())
        .requests(5).build());
    Reservation held = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.REQUESTS, 10)).reservation()
        .orElseThrow();
    deleteCounters(user);

    // the commit is the user's next call: it re-seeds the counter it charges (5 from the log), then charges 4
    engine.tracking().commitReservation(held, Map.of(QuotaType.REQUESTS, 4L));
    assertThat(used(user)).isEqualTo(9);
  }

  @Test
  void aSentinelEvictedAloneStopsNeitherConsumesNorSettles() {
    redis = RedisProcess.start();
    open(redis.uri(), b -> { }, 1_000);
    String user = "u-" + UUID.randomUUID();
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 5));
    Reservation first = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.REQUESTS, 10)).reservation()
        .orElseThrow();
    Reservation second = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.REQUESTS, 20)).reservation()
        .orElseThrow();
    RedisKeys keys = new RedisKeys("faults");
    try (var connection = client.connect()) { // under an allkeys-* policy, the slot's sentinel alone is evicted
      assertThat(connection.sync().del(keys.sentinelFor(keys.user(user)))).isOne();
    }

    // the user's record says their state is whole: nothing was lost for them
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    engine.tracking().commitReservation(first, Map.of(QuotaType.REQUESTS, 4L));
    engine.tracking().releaseReservation(second);
    assertThat(status(user)).as("used, reserved").containsExactly(10L, 0L);
  }

  @Test
  void aCounterMadeAnewWhileAReservationIsHeldHoldsItAgain() {
    redis = RedisProcess.start();
    open(redis.uri(), b -> { }, 1_000);
    String user = "u-" + UUID.randomUUID();
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 5));
    Reservation held = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.REQUESTS, 100)).reservation()
        .orElseThrow();
    deleteCounters(user); // the counter is evicted, the reservation is not
    assertThat(storage.acceptDataLoss()).isOne();

    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    assertThat(status(user)).as("used, reserved").containsExactly(1L, 100L);
    engine.tracking().releaseReservation(held);
    assertThat(status(user)).containsExactly(1L, 0L);
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 999)).allowed()).isTrue();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isFalse();
  }

  @Test
  void aUserReseededWithoutTheirRecordStillLapsesTheHoldsTheyHad() throws Exception {
    redis = RedisProcess.start();
    InMemoryUsageStorage durable = InMemoryUsageStorage.create();
    open(redis.uri(), b -> b.events(durable.events()).reseedFrom(durable.events()), 1_000);
    reopenEngine(b -> b.reservationTtl(Duration.ofSeconds(4))); // time enough for the steps before it lapses
    String user = "u-" + UUID.randomUUID();
    engine.tracking().consumeQuota(UsageEvent.builder().eventId("first").userId(user).occurredAt(Instant.now())
        .requests(5).build());
    assertThat(engine.tracking().reserveQuota(Consumption.of(user, QuotaType.REQUESTS, 100)).reservation())
        .isPresent(); // never settled
    try (var connection = client.connect()) { // the counter and the user's record are evicted, the hold is not
      assertThat(connection.sync().del(new RedisKeys("faults").user(user) + "root")).isOne();
    }
    deleteCounters(user);

    // re-seeded from the log (5), the live hold holds again; once it has lapsed, it holds nothing
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 10)).allowed()).isTrue();
    assertThat(status(user)).as("used, reserved").containsExactly(15L, 100L);
    Thread.sleep(4_500);
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    assertThat(status(user)).containsExactly(16L, 0L);
  }

  private void reopenEngine(Consumer<UsageEngine.Builder> options) {
    engine.close();
    UsageEngine.Builder b = UsageEngine.builder().storage(Storages.shared(storage)).trackingMode(TrackingMode.SYNC)
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000)).closeOnShutdown(false);
    options.accept(b);
    engine = b.build();
  }

  /** The user's requests: used, reserved. */
  private List<Long> status(String user) {
    QuotaStatus s = engine.quotas().getQuotaStatus(user).stream().filter(q -> q.type().equals(QuotaType.REQUESTS))
        .findFirst().orElseThrow();
    return List.of(s.used(), s.reserved());
  }

  private void deleteCounters(String user) {
    try (var connection = client.connect()) {
      List<String> counters = connection.sync().keys(new RedisKeys("faults").user(user) + "c:*");
      assertThat(counters).hasSize(1);
      assertThat(connection.sync().del(counters.get(0))).isOne(); // as an eviction would
    }
  }

  private Map<String, Long> usage(String user) {
    return engine.quotas().getQuotaStatus(user).stream()
        .collect(Collectors.toMap(s -> s.type().name(), QuotaStatus::used));
  }

  @Test
  void connectionsResetUnderLoadNeverCountACallTwice() throws Exception {
    redis = RedisProcess.start();
    proxy = TcpProxy.start(RedisProcess.HOST, redis.port());
    open(proxy.uri(), b -> { }, 1_000_000);
    Load load = Load.start(8, 10, u -> engine.tracking().consumeQuota(Consumption.of(u, QuotaType.REQUESTS, 1)));
    long lastReset = 0;
    for (int i = 0; i < 20; i++) {
      Thread.sleep(100);
      proxy.resetAll(); // scripts in flight die with their connection; none may be sent again
      lastReset = System.nanoTime();
    }
    long last = lastReset;
    await().atMost(Duration.ofSeconds(5)).alias("calls are allowed again after the last reset")
        .until(() -> load.allowedAfter(last) > 0);
    Thread.sleep(500);
    load.stop();

    assertThat(load.calls(Outcome.OTHER)).isEmpty();
    assertThat(load.calls(Outcome.FAILED)).as("the resets were seen").isNotEmpty();
    // a call whose reply died with its connection may have counted (its caller was told "outcome unknown");
    // a script sent again after the reconnect would count a call told "allowed" twice
    Map<String, Long> unknown = load.calls(Outcome.FAILED).stream().filter(c -> c.message().contains("unknown"))
        .collect(Collectors.groupingBy(Call::user, Collectors.counting()));
    load.allowedByUser().forEach((user, allowed) -> assertThat(used(user)).as(user)
        .isBetween(allowed, allowed + unknown.getOrDefault(user, 0L)));
  }

  @Test
  void scriptFlushMidRunIsInvisibleAndCountsStayExact() throws Exception {
    redis = RedisProcess.start();
    open(redis.uri(), b -> { }, 2_000);
    String user = "u-" + UUID.randomUUID();
    AtomicBoolean done = new AtomicBoolean();
    Thread flusher = new Thread(() -> {
      while (!done.get()) {
        redis.command("SCRIPT", "FLUSH");
        sleep(15);
      }
    });
    flusher.start();
    Load load = Load.start(8, 1, u -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)));
    await().atMost(Duration.ofSeconds(60)).until(() -> load.calls(Outcome.REFUSED).size() >= 200);
    load.stop();
    done.set(true);
    flusher.join();

    assertThat(load.calls(Outcome.FAILED)).isEmpty();
    assertThat(load.calls(Outcome.OTHER)).isEmpty();
    assertThat(load.calls(Outcome.ALLOWED)).hasSize(2_000);
    assertThat(used(user)).isEqualTo(2_000);
  }

  @Test
  void aScriptFlushIsInvisibleToAnAclUserThatMayNotEcho() {
    redis = RedisProcess.start();
    // no ECHO nor PING: the check that a NOSCRIPT is this call's own is a script, which the storage runs anyway
    redis.command("ACL", "SETUSER", "quota", "on", ">secret", "~*", "&*", "+@all", "-echo", "-ping");
    open(RedisURI.builder().withHost(RedisProcess.HOST).withPort(redis.port()).withAuthentication("quota", "secret")
        .build(), b -> { }, 1_000);
    String user = "u-" + UUID.randomUUID();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();

    redis.command("SCRIPT", "FLUSH");

    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    assertThat(used(user)).isEqualTo(2);
  }

  @Test
  void afterAPauseLongerThanTheTimeoutCountersEqualTheCallsToldAllowed() throws Exception {
    redis = RedisProcess.start();
    open(redis.uri(), b -> { }, 1_000_000);
    Load load = Load.start(8, 10, u -> engine.tracking().consumeQuota(Consumption.of(u, QuotaType.REQUESTS, 1)));
    Thread.sleep(500);
    long pauseEnds = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    redis.pause(Duration.ofSeconds(3));
    Thread.sleep(4_000);
    await().atMost(Duration.ofSeconds(5)).alias("calls are allowed again after the pause")
        .until(() -> load.allowedAfter(pauseEnds) > 0);
    load.stop();
    Thread.sleep(1_000); // anything Redis still held from the pause has run by now

    assertThat(load.calls(Outcome.OTHER)).isEmpty();
    assertThat(load.calls(Outcome.FAILED)).as("the pause was seen").isNotEmpty()
        .allSatisfy(c -> assertThat(c.nanos()).as(c.message()).isLessThanOrEqualTo(TIMEOUT.toNanos() + SLACK_NANOS));
    load.allowedByUser().forEach((user, allowed) -> assertThat(used(user)).as(user).isEqualTo(allowed));
  }

  @Test
  void aLostReplyIsAnUnknownOutcomeAndTheRetryWithTheSameKeyCountsOnce() {
    redis = RedisProcess.start();
    proxy = TcpProxy.start(RedisProcess.HOST, redis.port());
    open(proxy.uri(), b -> { }, 1_000);
    String user = "u-" + UUID.randomUUID();
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)); // scripts and settings loaded
    Consumption keyed = Consumption.builder(user).requests(5).idempotencyKey("order-17").build();

    proxy.dropNextResponse();
    assertThatThrownBy(() -> engine.tracking().consumeQuota(keyed)).isInstanceOf(UsageStorageException.class)
        .hasMessageContaining("outcome unknown");

    // the script ran; the retry (once the connection is replaced) is a replay
    await().atMost(Duration.ofSeconds(5)).ignoreException(UsageStorageException.class)
        .until(() -> engine.tracking().consumeQuota(keyed).allowed());
    assertThat(used(user)).isEqualTo(6);
  }

  /**
   * A call whose reply is lost, then a fault that makes Redis refuse the next call before running it: the
   * refusal comes back as the first call's reply (replies are matched in order), and must not be taken for
   * "nothing ran" there. {@code SCRIPT FLUSH}: its {@code NOSCRIPT} would send the first call's script again;
   * out of memory: its refusal would tell the first caller "not applied".
   */
  @ParameterizedTest
  @ValueSource(strings = {"SCRIPT FLUSH", "CONFIG SET maxmemory 1"})
  void aRefusalMeantForALaterCallIsNotTakenForTheLostCallsAnswer(String fault) throws Exception {
    redis = RedisProcess.start();
    proxy = TcpProxy.start(RedisProcess.HOST, redis.port());
    open(proxy.uri(), b -> { }, 1_000);
    String lost = "u-" + UUID.randomUUID();
    String later = "u-" + UUID.randomUUID();
    engine.tracking().consumeQuota(Consumption.of(lost, QuotaType.REQUESTS, 1)); // scripts loaded, counters made
    engine.tracking().consumeQuota(Consumption.of(later, QuotaType.REQUESTS, 1));

    CompletableFuture<RuntimeException> first = withItsReplyLost(lost);
    redis.command(fault.split(" "));
    RuntimeException second = outcome(later);
    redis.command("CONFIG", "SET", "maxmemory", "0");

    assertThat(first.get(5, TimeUnit.SECONDS)).isInstanceOf(UsageStorageException.class)
        .hasMessageContaining("outcome unknown");
    assertThat(second).isInstanceOf(UsageStorageException.class).hasMessageContaining("outcome unknown");
    // the first call's consume ran once (not again as an EVAL after a NOSCRIPT it was handed), the second's never
    await().atMost(Duration.ofSeconds(5)).ignoreException(UsageStorageException.class).until(() -> used(lost) > 0);
    assertThat(used(lost)).isEqualTo(2);
    assertThat(used(later)).isEqualTo(1);
  }

  @Test
  void aRefusalWhileAScriptRunsTooLongIsAnUnknownOutcomeAndKeepsTheConnection() throws Exception {
    redis = RedisProcess.start();
    proxy = TcpProxy.start(RedisProcess.HOST, redis.port());
    open(proxy.uri(), b -> { }, 1_000);
    String user = "u-" + UUID.randomUUID();
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1));
    int connections = proxy.connectionsAccepted();

    // a script of another client's that runs until killed: past the threshold, Redis answers BUSY to nearly
    // every command, the probe of the connection's replies (a script) included, so the refusal cannot be checked
    redis.command("CONFIG", "SET", "busy-reply-threshold", "50");
    Thread busy = new Thread(() -> {
      try {
        redis.command("EVAL", "while true do end", "0");
      } catch (RuntimeException killed) {
        // SCRIPT KILL ends it with an error reply
      }
    });
    busy.start();
    sleep(300);
    RuntimeException during = outcome(user);
    redis.command("SCRIPT", "KILL");
    busy.join(5_000);

    assertThat(during).isInstanceOf(UsageStorageException.class).hasMessageContaining("outcome unknown");
    // nothing says a reply was lost: the connection is kept, and serves at once
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    assertThat(used(user)).isEqualTo(2);
    assertThat(proxy.connectionsAccepted()).isEqualTo(connections);
  }

  @Test
  void aLostReplyReplacesTheConnectionOnce() throws Exception {
    redis = RedisProcess.start();
    proxy = TcpProxy.start(RedisProcess.HOST, redis.port());
    open(proxy.uri(), b -> { }, 1_000);
    String lost = "u-" + UUID.randomUUID();
    String shifted = "u-" + UUID.randomUUID();
    engine.tracking().consumeQuota(Consumption.of(lost, QuotaType.REQUESTS, 1));
    engine.tracking().consumeQuota(Consumption.of(shifted, QuotaType.REQUESTS, 1));
    int connections = proxy.connectionsAccepted();

    // the first call's reply is lost; the second call's comes back as the first's (which replaces the
    // connection), and the second call then waits in vain on the retired connection
    CompletableFuture<RuntimeException> first = withItsReplyLost(lost);
    assertThat(outcome(shifted)).isInstanceOf(UsageStorageException.class).hasMessageContaining("outcome unknown");
    assertThat(first.get(5, TimeUnit.SECONDS)).isInstanceOf(UsageStorageException.class)
        .hasMessageContaining("outcome unknown");

    // the retired connection's timeout does not cost the new connection: one replacement, not two
    sleep(3 * TIMEOUT.toMillis());
    assertThat(proxy.connectionsAccepted() - connections).isEqualTo(1);
    assertThat(engine.tracking().consumeQuota(Consumption.of(shifted, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    assertThat(proxy.connectionsAccepted() - connections).isEqualTo(1);
  }

  /**
   * {@code user}'s consume of one request ({@link #outcome}), on a thread of its own, once the proxy has dropped its
   * reply: it waits for it meanwhile.
   */
  private CompletableFuture<RuntimeException> withItsReplyLost(String user) {
    long dropped = proxy.droppedBytes();
    proxy.dropNextResponse();
    CompletableFuture<RuntimeException> call = CompletableFuture.supplyAsync(() -> outcome(user));
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5))
        .until(() -> proxy.droppedBytes() > dropped);
    return call;
  }

  /** Null when {@code user}'s consume of one request was allowed, else what it threw. */
  private RuntimeException outcome(String user) {
    try {
      assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  @Test
  void aConsumeThatTakesTwoCallsIsAnsweredWithinOneTimeout() {
    redis = RedisProcess.start();
    proxy = TcpProxy.start(RedisProcess.HOST, redis.port());
    open(proxy.uri(), b -> { }, 1_000);
    String user = "u-" + UUID.randomUUID();
    Consumption keyed = Consumption.builder(user).requests(5).idempotencyKey("order-18").build();
    assertThat(engine.tracking().consumeQuota(keyed).allowed()).isTrue(); // scripts, settings, counter in place

    // the retry of a key takes two calls: the fast one finds the key seen before and leaves the replay to the
    // full one. Each reply comes 300 ms late, so the second call has 200 ms of the 500 left
    proxy.delay(Duration.ofMillis(300));
    long scriptCalls = evalshaCalls();
    int connections = proxy.connectionsAccepted();
    long started = System.nanoTime();
    assertThatThrownBy(() -> engine.tracking().consumeQuota(keyed)).isInstanceOf(UsageStorageException.class)
        .hasMessageContaining("outcome unknown");
    assertThat(System.nanoTime() - started).isLessThanOrEqualTo(TIMEOUT.toNanos() + SLACK_NANOS);
    assertThat(evalshaCalls() - scriptCalls).as("the fast call and the full call were both sent").isEqualTo(2);
    // the full call's reply comes 300 ms after it went, well within a timeout: no reply was lost, and the
    // connection is kept
    sleep(2 * TIMEOUT.toMillis());
    assertThat(proxy.connectionsAccepted()).isEqualTo(connections);

    proxy.pass();
    await().atMost(Duration.ofSeconds(5)).ignoreException(UsageStorageException.class)
        .until(() -> engine.tracking().consumeQuota(keyed).allowed());
    assertThat(used(user)).isEqualTo(5);
  }

  private void open(RedisURI uri, Consumer<RedisUsageStorage.Builder> options, long limit) {
    client = RedisClient.create(uri);
    client.setOptions(RedisUsageStorage.recommendedOptions());
    RedisUsageStorage.Builder b = RedisUsageStorage.builder(client).keyPrefix("faults").commandTimeout(TIMEOUT);
    options.accept(b);
    storage = b.build();
    engine = UsageEngine.builder().storage(Storages.shared(storage)).trackingMode(TrackingMode.SYNC)
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, limit)).closeOnShutdown(false).build();
  }

  /** The EVALSHA calls Redis has run, from {@code INFO commandstats} (read around the proxy). */
  private long evalshaCalls() {
    for (String line : redis.command("INFO", "commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha:calls=")) {
        return Long.parseLong(line.substring("cmdstat_evalsha:calls=".length(), line.indexOf(',')));
      }
    }
    return 0;
  }

  private long used(String user) {
    return engine.quotas().getQuotaStatus(user).stream().filter(s -> s.type().equals(QuotaType.REQUESTS))
        .findFirst().map(QuotaStatus::used).orElseThrow();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  enum Outcome { ALLOWED, REFUSED, FAILED, OTHER }

  /** One call: which user, when it ended, how long it took and how it went. */
  record Call(String user, long endedAt, long nanos, Outcome outcome, String message) {}

  /** Threads calling in a loop, each call recorded, until stopped. */
  static final class Load {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    static Load start(int threads, int users, Function<String, QuotaDecision> call) {
      Load load = new Load();
      String run = UUID.randomUUID().toString().substring(0, 8);
      for (int t = 0; t < threads; t++) {
        int first = t;
        Thread thread = new Thread(() -> {
          for (int i = first; !load.stop.get(); i++) {
            String user = "load-" + run + "-" + (i % users);
            long started = System.nanoTime();
            Outcome outcome;
            String message = "";
            try {
              outcome = call.apply(user).allowed() ? Outcome.ALLOWED : Outcome.REFUSED;
            } catch (UsageStorageException e) {
              outcome = Outcome.FAILED;
              message = String.valueOf(e.getMessage());
            } catch (RuntimeException e) {
              outcome = Outcome.OTHER;
              message = e.toString();
            }
            long ended = System.nanoTime();
            load.calls.add(new Call(user, ended, ended - started, outcome, message));
          }
        }, "load-" + t);
        thread.start();
        load.threads.add(thread);
      }
      return load;
    }

    void stop() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(30).toMillis());
        assertThat(t.isAlive()).as("a load thread hangs").isFalse();
      }
    }

    List<Call> calls(Outcome outcome) {
      return calls.stream().filter(c -> c.outcome() == outcome).toList();
    }

    long allowedAfter(long nanoTime) {
      return calls.stream().filter(c -> c.outcome() == Outcome.ALLOWED && c.endedAt() - nanoTime > 0).count();
    }

    Map<String, Long> allowedByUser() {
      return calls.stream().filter(c -> c.outcome() == Outcome.ALLOWED)
          .collect(Collectors.groupingBy(Call::user, Collectors.counting()));
    }
  }
}
