package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.usage.ChangeRequest;
import dev.usage.Consumption;
import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UsageStorageException;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.CounterPage;
import dev.usage.spi.StoredCounter;
import dev.usage.testkit.SettableClock;
import dev.usage.testkit.Storages;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Start-up checks, lost slots, argument validation and the quota-change feed, on a private Redis. */
class RedisUsageStorageIT {

  private RedisProcess redis;
  private RedisClient client;
  private RedisUsageStorage storage;

  @AfterEach
  void tearDown() {
    if (storage != null) {
      storage.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** A client with the options the storage asks for. */
  private static RedisClient client(io.lettuce.core.RedisURI uri) {
    RedisClient c = RedisClient.create(uri);
    c.setOptions(RedisUsageStorage.recommendedOptions());
    return c;
  }

  private RedisUsageStorage.Builder builder() {
    client = client(redis.uri());
    return RedisUsageStorage.builder(client).keyPrefix("st");
  }

  private UsageEngine engine() {
    return UsageEngine.builder().storage(Storages.shared(storage)).trackingMode(TrackingMode.SYNC)
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000)).closeOnShutdown(false).build();
  }

  @Test
  void anEvictingMemoryPolicyIsWarnedAbout() {
    redis = RedisProcess.start("--maxmemory-policy", "allkeys-lru");
    storage = builder().build();
    assertThat(storage.startupWarnings()).filteredOn(w -> w.contains("maxmemory-policy")).singleElement()
        .asString().contains("allkeys-lru").contains("reseedFrom");
  }

  @Test
  void anEvictingMemoryPolicyIsWarnedAboutWhereConfigIsForbidden() {
    // as managed services do: CONFIG renamed away; the policy is still named in INFO memory
    redis = RedisProcess.start("--maxmemory-policy", "volatile-lru", "--rename-command", "CONFIG", "usage-it-config");
    storage = builder().build();
    assertThat(storage.startupWarnings()).filteredOn(w -> w.contains("maxmemory-policy")).singleElement()
        .asString().contains("volatile-lru");
  }

  @Test
  void writesAreNotRefusedAsLateWhenRedisClockIsAheadOfThisHosts() {
    redis = RedisProcess.start();
    client = client(redis.uri());
    // this host's clock 3 s behind Redis's: a deadline in this host's time has passed in Redis's (a timeout of 1 s)
    storage = RedisUsageStorage.builder(client, new RedisConnector.HostClock(
        () -> RedisConnector.systemMicros() - 3_000_000, RedisConnector.HostClock.SYSTEM.monoMicros()))
        .keyPrefix("st").build();
    assertThat(storage.startupWarnings()).filteredOn(w -> w.contains("clock")).singleElement().asString()
        .contains("ahead of this host's");
    String user = "u-" + UUID.randomUUID();
    try (UsageEngine engine = engine()) {
      assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
      assertThat(engine.tracking().consumeQuota(Consumption.builder(user).requests(1).idempotencyKey("k").build())
          .allowed()).isTrue();
      Reservation held = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.REQUESTS, 5)).reservation()
          .orElseThrow();
      engine.tracking().commitReservation(held, Map.of(QuotaType.REQUESTS, 3L));
      assertThat(engine.quotas().getQuotaStatus(user)).filteredOn(q -> q.type().equals(QuotaType.REQUESTS))
          .singleElement().extracting(QuotaStatus::used).isEqualTo(5L);
    }
  }

  @Test
  void writesAreNotRefusedAsLateWhenThisHostsWallClockIsSteppedBackAfterRedisClockWasMeasured() {
    redis = RedisProcess.start();
    client = client(redis.uri());
    AtomicLong step = new AtomicLong();
    storage = RedisUsageStorage.builder(client, new RedisConnector.HostClock(
        () -> RedisConnector.systemMicros() + step.get(), RedisConnector.HostClock.SYSTEM.monoMicros()))
        .keyPrefix("st").build();
    assertThat(storage.startupWarnings()).noneMatch(w -> w.contains("clock"));
    step.set(-3_000_000); // NTP steps this host's clock 3 s back (a timeout of 1 s); the next check is a minute away
    String user = "u-" + UUID.randomUUID();
    try (UsageEngine engine = engine()) {
      assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
      Reservation held = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.REQUESTS, 5)).reservation()
          .orElseThrow();
      engine.tracking().commitReservation(held, Map.of(QuotaType.REQUESTS, 3L));
      assertThat(engine.quotas().getQuotaStatus(user)).filteredOn(q -> q.type().equals(QuotaType.REQUESTS))
          .singleElement().extracting(QuotaStatus::used).isEqualTo(4L);
    }
  }

  @Test
  void oneReadingOfRedisClockThisHostTookLateDoesNotPutRedisNowBehind() {
    redis = RedisProcess.start();
    client = client(redis.uri());
    // the next reading of the monotonic clock comes 2 s late: a pause of this host's after Redis's TIME answered
    AtomicLong late = new AtomicLong();
    RedisConnector.HostClock clock = new RedisConnector.HostClock(RedisConnector::systemMicros,
        () -> System.nanoTime() / 1_000 + late.getAndSet(0));
    try (RedisConnector connector = RedisConnector.standalone(client, Duration.ofSeconds(1), clock)) {
      late.set(2_000_000);
      connector.measureClock();
      List<String> time = connector.sync().time();
      long redisNow = Long.parseLong(time.get(0)) * 1_000_000 + Long.parseLong(time.get(1));
      // every deadline is told from Redis's now: 2 s behind, each would have passed before it was sent
      assertThat(connector.redisNowMicros()).isBetween(redisNow - 1_000_000, redisNow + 1_000_000);
    }
  }

  @Test
  void aHostThatSleptMeasuresRedisClockAgainAtItsNextWrite() {
    redis = RedisProcess.start();
    client = client(redis.uri());
    AtomicLong slept = new AtomicLong();
    RedisConnector.HostClock clock = new RedisConnector.HostClock(RedisConnector::systemMicros,
        () -> System.nanoTime() / 1_000 - slept.get());
    try (RedisConnector connector = RedisConnector.standalone(client, Duration.ofSeconds(1), clock)) {
      assertThat(connector.startClockChecks()).isTrue();
      slept.set(30_000_000); // the monotonic clock stood still for 30 s while the host slept; the next check is later
      connector.deadline(connector.giveUpAt()); // the next write notices
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        List<String> time = connector.sync().time();
        long redisNow = Long.parseLong(time.get(0)) * 1_000_000 + Long.parseLong(time.get(1));
        return Math.abs(connector.redisNowMicros() - redisNow) < 1_000_000;
      });
    }
  }

  @Test
  void aConnectionStillOpeningWhenTheStorageClosesIsClosedOnceOpen() {
    redis = RedisProcess.start();
    try (TcpProxy proxy = TcpProxy.start(RedisProcess.HOST, redis.port())) {
      client = client(proxy.uri());
      RedisConnector connector = RedisConnector.standalone(client, Duration.ofSeconds(1));
      assertThat(proxy.openConnections()).isOne();
      proxy.blackHole(); // the replacement's handshake waits
      connector.replaceAfterTimeout();
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.connectionsAccepted() == 2);
      connector.close();
      proxy.pass(); // the replacement opens after the close
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openConnections() == 0);
    }
  }

  @Test
  void aNewUsersRecordLivesAsLongAsTheLongestLivedOfTheirCounters() {
    redis = RedisProcess.start();
    storage = builder().build();
    String user = "u-" + UUID.randomUUID();
    RedisKeys keys = new RedisKeys("st");
    String root = keys.root(keys.user(user));
    try (UsageEngine engine = UsageEngine.builder().storage(Storages.shared(storage))
        .trackingMode(TrackingMode.SYNC).defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000))
        .defaultQuota(Quota.daily(QuotaType.CHARACTERS, 10_000)).closeOnShutdown(false).build();
        StatefulRedisConnection<String, String> c = client.connect()) {
      // the user's first call makes their record: it must expire (noeviction keeps a key without a TTL for good)
      engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1));
      List<String> counters = c.sync().keys(keys.user(user) + "c:*");
      assertThat(counters).hasSize(1);
      long monthly = c.sync().pttl(counters.get(0));
      assertThat(monthly).isGreaterThan(Duration.ofDays(28).toMillis());
      assertThat(c.sync().pttl(root)).isGreaterThan(monthly - 60_000);

      // a counter that ends sooner does not shorten it
      engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 10));
      assertThat(c.sync().keys(keys.user(user) + "c:*")).hasSize(2);
      assertThat(c.sync().pttl(root)).isGreaterThan(monthly - 60_000);
    }
  }

  @Test
  void writesRefusedForWantOfReplicasAreReportedAsNotApplied() {
    redis = RedisProcess.start();
    storage = builder().build();
    String user = "u-" + UUID.randomUUID();
    try (UsageEngine engine = engine()) {
      engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1));
      // a master with no replica refuses every write (NOREPLICAS), inside a script at its first write
      redis.command("CONFIG", "SET", "min-replicas-to-write", "1");
      assertThatThrownBy(() -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)))
          .isInstanceOf(UsageStorageException.class).hasMessageContaining("NOREPLICAS")
          .hasMessageContaining("not applied");
      redis.command("CONFIG", "SET", "min-replicas-to-write", "0");
      assertThat(engine.quotas().getQuotaStatus(user)).filteredOn(q -> q.type().equals(QuotaType.REQUESTS))
          .singleElement().extracting(QuotaStatus::used).isEqualTo(1L);
    }
  }

  @Test
  void aFirstStartCutShortWhileWritingTheSentinelsIsFinishedByTheNextNotTakenForALoss() {
    redis = RedisProcess.start();
    storage = builder().build();
    storage.close();
    storage = null;
    // as a first start stopped after writing 100 sentinels: the marker it wrote first is still there
    RedisKeys keys = new RedisKeys("st");
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      String[] unwritten = new String[RedisKeys.slots() - 100];
      for (int slot = 100; slot < RedisKeys.slots(); slot++) {
        unwritten[slot - 100] = keys.sentinel(slot);
      }
      assertThat(c.sync().del(unwritten)).isEqualTo(unwritten.length);
      c.sync().set(keys.sentinelsCreating(), "1");
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    String user = "u-0";
    for (int i = 1; io.lettuce.core.cluster.SlotHash.getSlot(keys.user(user)) < 100; i++) {
      user = "u-" + i; // a user of a slot whose sentinel was never written
    }

    storage = builder().build();
    assertThat(storage.startupWarnings()).noneMatch(w -> w.contains("lost the data"));
    assertThat(redis.command("EXISTS", keys.sentinel(RedisKeys.slots() - 1))).isEqualTo("1");
    assertThat(redis.command("EXISTS", keys.sentinelsCreating())).isEqualTo("0");
    try (UsageEngine engine = engine()) {
      assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    }
  }

  @Test
  void aSlotThatLostItsDataRefusesItsUsersUntilTheLossIsAccepted() {
    redis = RedisProcess.start();
    storage = builder().build();
    // an empty Redis: a new installation, or one that lost everything while no instance ran
    assertThat(storage.startupWarnings()).singleElement().asString().contains("starting as a new installation")
        .contains("reseedFrom");
    String user = "u-" + UUID.randomUUID();
    String sentinel = new RedisKeys("st").sentinelFor(new RedisKeys("st").user(user));
    storage.close();
    assertThat(redis.command("DEL", sentinel)).isEqualTo("1"); // as a node restarted empty would

    storage = builder().build();
    assertThat(storage.startupWarnings()).singleElement().asString().contains("lost the data of some hash slots");
    try (UsageEngine engine = engine()) {
      assertThatThrownBy(() -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)))
          .isInstanceOf(UsageStorageException.class).hasMessageContaining("lost quota state");
      storage.acceptDataLoss();
      assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
    }
  }

  @Test
  void anEmptyRedisIsNoCauseForWarningWithReseedingNorOnceItsSentinelsExist() {
    redis = RedisProcess.start();
    InMemoryUsageStorage log = InMemoryUsageStorage.create();
    storage = builder().events(log.events()).reseedFrom(log.events()).build();
    assertThat(storage.startupWarnings()).isEmpty();
    storage.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    storage = builder().build();
    assertThat(storage.startupWarnings()).as("a second start finds the sentinels").isEmpty();
  }

  @Test
  void reseedingFromALogTheStorageDoesNotWriteIsCauseForWarning() {
    redis = RedisProcess.start();
    storage = builder().reseedFrom(InMemoryUsageStorage.create().events()).build();
    assertThat(storage.startupWarnings()).singleElement().asString().contains("reseedFrom is not the event log")
        .contains("events(log).reseedFrom(log)");
  }

  @Test
  void aLateTimeoutOfAReplacedConnectionLeavesTheNewOneAlone() {
    redis = RedisProcess.start();
    storage = builder().build();
    RedisConnector connector = RedisConnector.standalone(client, Duration.ofSeconds(2));
    try {
      Object first = connector.connection();
      connector.replaceAfterTimeout();
      await().atMost(Duration.ofSeconds(5)).until(() -> connector.connection() != first);
      Object second = connector.connection();

      // a command sent on the first connection gives up now (its abandon timer): the second is not replaced
      assertThat(connector.replaceAfterTimeout(first)).isFalse();
      assertThat(connector.connection()).isSameAs(second);
      assertThat(connector.sync().ping()).isEqualTo("PONG");
      // one sent on the connection in use is
      assertThat(connector.replaceAfterTimeout(second)).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> connector.connection() != second);
    } finally {
      connector.close();
    }
  }

  @Test
  void theConsumeScriptRefusesMalformedCallsBeforeWriting() {
    redis = RedisProcess.start();
    storage = builder().build();
    RedisConnector connector = RedisConnector.standalone(client, Duration.ofSeconds(2));
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      long before = raw.sync().dbsize();
      String u = new RedisKeys("st").user("mallory");
      String[] keys = {new RedisKeys("st").sentinelFor(u), u + "root", u + "q", u + "root", u + "root",
          u + "c:M2026-11-01"};
      // one delta whose amount is not a number, and a call missing its deadline
      assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME, "consume", keys, u, "1", "", "0",
          "0", "", "0", "0", "", "0", "0", "", "mallory", "9999999999999999", "requests", "M2026-11-01", "many",
          "10", "0", "1", "2")).isInstanceOf(IllegalStateException.class).hasMessageContaining("not a number");
      assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME, "consume", keys, u, "1"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed");
      // a good delta, then one whose amount or limit the HINCRBY would refuse, or count wrongly, after the first
      String[] two = {keys[0], keys[1], keys[2], keys[3], keys[4], keys[5], keys[5]};
      for (String[] amountAndLimit : List.of(new String[] {"1.5", "10"}, new String[] {"-5", "10"},
          new String[] {"0", "10"}, new String[] {"0x10", "10"}, new String[] {"9007199254740992", "-1"},
          new String[] {"1", "-2"}, new String[] {"1", "1e3"}, new String[] {"1", "9007199254740992"})) {
        assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME, "consume", two, u, "1", "", "0",
            "0", "", "0", "0", "", "0", "0", "", "mallory", "9999999999999999",
            "requests", "M2026-11-01", "1", "10", "0", "1", "9999999999999999",
            "tokens", "M2026-11-01", amountAndLimit[0], amountAndLimit[1], "0", "1", "9999999999999999"))
            .as(String.join(" ", amountAndLimit)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("delta 1").hasMessageContaining("whole number");
      }
      assertThat(raw.sync().dbsize()).isEqualTo(before);
    } finally {
      connector.close();
    }
  }

  @Test
  void theSettleScriptRefusesAmountsThatAreNotWholeNumbersBeforeWriting() {
    redis = RedisProcess.start();
    storage = builder().build();
    RedisConnector connector = RedisConnector.standalone(client, Duration.ofSeconds(2));
    try (UsageEngine engine = engine(); StatefulRedisConnection<String, String> raw = client.connect()) {
      Reservation held = engine.tracking().reserveQuota(Consumption.of("mallory", QuotaType.REQUESTS, 10))
          .reservation().orElseThrow();
      RedisKeys keys = new RedisKeys("st");
      String u = keys.user("mallory");
      String[] k = {keys.sentinelFor(u), keys.root(u), keys.hold(u, held.id())};
      Map<String, String> hold = raw.sync().hgetall(k[2]);
      Map<String, String> counter = raw.sync().hgetall(keys.counter(u, periodOf(raw, u)));
      String type = QuotaType.REQUESTS.name();
      for (String amount : new String[] {"1.5", "1e3", "-1", "0x10", "9007199254740992"}) {
        assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.SETTLE, "commit", k, u,
            RedisCounterStore.micros(Instant.now()), RedisKeys.encode(held.id()), "commit", type + "=" + amount + ";",
            "9999999999999999", "0", type, amount)).as(amount).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("not a whole number");
      }
      assertThat(raw.sync().hgetall(k[2])).as("the hold is still held").isEqualTo(hold);
      assertThat(raw.sync().hgetall(keys.counter(u, periodOf(raw, u)))).isEqualTo(counter);
      engine.tracking().commitReservation(held, Map.of(QuotaType.REQUESTS, 4L));
      assertThat(engine.quotas().getQuotaStatus("mallory")).filteredOn(q -> q.type().equals(QuotaType.REQUESTS))
          .singleElement().satisfies(q -> assertThat(List.of(q.used(), q.reserved())).containsExactly(4L, 0L));
    } finally {
      connector.close();
    }
  }

  /** The period of the one counter hash of a user. */
  private static String periodOf(StatefulRedisConnection<String, String> raw, String userPrefix) {
    List<String> counters = raw.sync().keys(userPrefix + "c:*");
    assertThat(counters).hasSize(1);
    return counters.get(0).substring((userPrefix + "c:").length());
  }

  @Test
  void theFastConsumeScriptRefusesCallsWhoseMarkerFlagDoesNotMatchTheirShape() {
    redis = RedisProcess.start();
    storage = builder().build();
    RedisConnector connector = RedisConnector.standalone(client, Duration.ofSeconds(2));
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      long before = raw.sync().dbsize();
      String u = new RedisKeys("st").user("mallory");
      String[] noMarker = {u + "q", u + "c:M2026-11-01"};
      String[] withMarker = {u + "q", u + "k:k1", u + "c:M2026-11-01"};
      String[] delta = {"requests", "1", "-1", "9999999999999999"};
      // a marker announced without its key and arguments, one sent without being announced, an unknown flag,
      // a marker without its expiry in front of the fingerprint, a TTL that is not a positive whole number
      assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", noMarker,
          one(noMarker, concat(new String[] {"1", "", "9999999999999999", "1"}, delta))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed");
      assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", withMarker,
          one(withMarker, concat(new String[] {"1", "", "9999999999999999", "0"}, delta))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed");
      assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", noMarker,
          one(noMarker, concat(new String[] {"1", "", "9999999999999999", "yes"}, delta))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed");
      assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", withMarker,
          one(withMarker, concat(new String[] {"1", "", "9999999999999999", "1", "fp", "60000"}, delta))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed");
      for (String ttl : new String[] {"0", "-5", "1.5", "1e3"}) {
        assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", withMarker,
            one(withMarker, concat(new String[] {"1", "", "9999999999999999", "1", "9:fp", ttl}, delta))))
            .as(ttl).isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed");
      }
      assertThat(raw.sync().dbsize()).isEqualTo(before);
    } finally {
      connector.close();
    }
  }

  /** The fast script's arguments for one consume: a call of one (see consume_fast.lua). */
  @Test
  void theFastConsumeTakesACounterKeptLongerThanTheCallerWouldAndLeavesAShorterOneToTheFullPath() {
    redis = RedisProcess.start();
    storage = builder().build();
    RedisConnector connector = RedisConnector.standalone(client, Duration.ofSeconds(2));
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      String u = new RedisKeys("st").user("retention");
      String[] k = {u + "q", u + "c:M2026-11-01"};
      raw.sync().hset(u + "c:M2026-11-01", Map.of("u:requests", "7", "r:requests", "0", "x:requests",
          "9000000000000000"));
      // an instance keeping counters for less sends an earlier expiry: the counter serves it as it is
      List<Object> r = RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", k,
          one(k, new String[] {"1", "", "9999999999999999", "0", "requests", "1", "-1", "8000000000000000"}));
      assertThat(r).extracting(RedisScripts::text).as("length, answer").containsExactly("3", "A", "8", "0");
      // one keeping them for longer sends a later one: the full path raises the counter's first
      r = RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", k,
          one(k, new String[] {"1", "", "9999999999999999", "0", "requests", "1", "-1", "9500000000000000"}));
      assertThat(r).extracting(RedisScripts::text).containsExactly("1", "X");
      assertThat(raw.sync().hget(u + "c:M2026-11-01", "u:requests")).isEqualTo("8");
    } finally {
      connector.close();
    }
  }

  private static String[] one(String[] keys, String[] args) {
    return concat(new String[] {"1", Integer.toString(keys.length), Integer.toString(args.length)}, args);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @ParameterizedTest(name = "re-seeded from an event log: {0}")
  @ValueSource(booleans = {false, true})
  void aUsersRootNamesOnlyTheCountersOfRecentPeriods(boolean reseeded) {
    redis = RedisProcess.start();
    InMemoryUsageStorage log = InMemoryUsageStorage.create();
    storage = (reseeded ? builder().events(log.events()).reseedFrom(log.events()) : builder()).build();
    SettableClock clock = SettableClock.at("2026-03-01T12:00:00Z");
    String root = new RedisKeys("st").root(new RedisKeys("st").user("erin"));
    try (UsageEngine engine = UsageEngine.builder().storage(Storages.shared(storage)).trackingMode(TrackingMode.SYNC)
        .clock(clock).defaultQuota(Quota.daily(QuotaType.REQUESTS, 100))
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 100_000)).closeOnShutdown(false).build();
        StatefulRedisConnection<String, String> raw = client.connect()) {
      // a daily quota starts a counter a day, kept for the counter retention after its day; past that, its
      // field in the root has no more use. The fields of the counters still kept stay, every day
      for (int day = 0; day < 60; day++) {
        assertThat(engine.tracking().consumeQuota(visit(clock, "e" + day)).allowed()).isTrue();
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Map<String, String> fields = raw.sync().hgetall(root);
        assertThat(fields).as(today.toString())
            .containsKeys("k:D" + today + ":requests", "k:M" + today.withDayOfMonth(1) + ":characters");
        if (day > 0) {
          assertThat(fields).as(today.toString()).containsKey("k:D" + today.minusDays(1) + ":requests");
        }
        clock.advance(Duration.ofDays(1));
      }
      clock.advance(Duration.ofDays(-1));
      long hourAgo = TimeBuckets.floorMicros(clock.instant().minus(Duration.ofHours(1)));
      Map<String, String> recorded = new TreeMap<>(raw.sync().hgetall(root));
      recorded.keySet().removeIf(f -> !f.startsWith("k:"));
      assertThat(recorded).as("the root's counter fields")
          .allSatisfy((field, expiry) -> assertThat(Long.parseLong(expiry)).as(field).isGreaterThan(hourAgo));

      // what is kept still tells a lost counter from a new one: today's, gone, is not started again at zero
      String todays = "D" + LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
      assertThat(raw.sync().del(new RedisKeys("st").counter(new RedisKeys("st").user("erin"), todays)))
          .isOne(); // as an eviction would
      if (reseeded) {
        assertThat(engine.tracking().consumeQuota(visit(clock, "again")).allowed()).isTrue();
        assertThat(engine.tracking().getUserUsage("erin").quota(QuotaType.REQUESTS).orElseThrow().used())
            .isEqualTo(2); // today's first, from the event log, and this one
      } else {
        assertThatThrownBy(() -> engine.tracking().consumeQuota(visit(clock, "again")))
            .isInstanceOf(UsageStorageException.class).hasMessageContaining("a counter alive until later is gone");
      }
    }
  }

  /** One request of 10 characters by erin, now. */
  private static UsageEvent visit(SettableClock clock, String eventId) {
    return UsageEvent.builder().eventId(eventId).userId("erin").occurredAt(clock.instant()).requests(1)
        .characters(10).build();
  }

  @Test
  void everyQuotaChangePublishesTheStandingTheEngineReports() throws Exception {
    redis = RedisProcess.start();
    storage = builder().publishQuotaChanges(true).build();
    List<LiveQuotaChange> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable subscription = storage.liveFeed().orElseThrow().subscribeQuotaChanges(seen::add);
        UsageEngine engine = UsageEngine.builder().storage(Storages.shared(storage)).trackingMode(TrackingMode.SYNC)
            .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000)).defaultQuota(Quota.unlimited(QuotaType.CHARACTERS))
            .defaultQuota(Quota.monthly(QuotaType.TOKENS, 100).soft()).closeOnShutdown(false).build()) {
      engine.tracking().consumeQuota(Consumption.builder("carol").requests(3).characters(40).build());
      // an unlimited quota's limit is Quota.UNLIMITED, as LiveQuotaChange documents it
      assertThat(next(seen, 0, 2)).extracting(LiveQuotaChange::userId, LiveQuotaChange::type, LiveQuotaChange::used,
          LiveQuotaChange::limit).containsExactlyInAnyOrder(tuple("carol", QuotaType.REQUESTS, 3L, 1_000L),
              tuple("carol", QuotaType.CHARACTERS, 40L, Quota.UNLIMITED));

      // a soft quota past its limit: its limit, not the store's "never refuse"
      engine.tracking().consumeQuota(Consumption.builder("carol").tokens(120).build());
      assertThat(next(seen, 2, 1)).extracting(LiveQuotaChange::type, LiveQuotaChange::used, LiveQuotaChange::limit)
          .containsExactly(tuple(QuotaType.TOKENS, 120L, 100L));

      // an admin reset (a settings change: every quota of the user), then a consume: the use since the reset, of
      // the same limit (the counter still holds the 3 from before)
      engine.quotas().resetUsage("carol", QuotaType.REQUESTS, ChangeRequest.of("admin", "support ticket"));
      assertThat(next(seen, 3, 3)).extracting(LiveQuotaChange::type, LiveQuotaChange::used, LiveQuotaChange::limit)
          .containsExactlyInAnyOrder(tuple(QuotaType.REQUESTS, 0L, 1_000L),
              tuple(QuotaType.CHARACTERS, 40L, Quota.UNLIMITED), tuple(QuotaType.TOKENS, 120L, 100L));
      engine.tracking().consumeQuota(Consumption.builder("carol").requests(2).build());
      assertThat(next(seen, 6, 1)).extracting(LiveQuotaChange::type, LiveQuotaChange::used, LiveQuotaChange::limit)
          .containsExactly(tuple(QuotaType.REQUESTS, 2L, 1_000L));

      // a reservation (used and held), its commit with less, another's release: each is published
      Reservation held = engine.tracking().reserveQuota(Consumption.builder("carol").requests(10).build())
          .reservation().orElseThrow();
      engine.tracking().commitReservation(held, Map.of(QuotaType.REQUESTS, 4L));
      Reservation released = engine.tracking().reserveQuota(Consumption.builder("carol").requests(5).build())
          .reservation().orElseThrow();
      engine.tracking().releaseReservation(released);
      assertThat(next(seen, 7, 4)).extracting(LiveQuotaChange::used).containsExactly(12L, 6L, 11L, 6L);
    }
  }

  /** The {@code n} entries after the first {@code from} seen, once they are all there and no more. */
  private static List<LiveQuotaChange> next(List<LiveQuotaChange> seen, int from, int n) {
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= from + n);
    assertThat(seen).hasSize(from + n);
    return seen.subList(from, from + n);
  }

  @Test
  void eventsStoredInAnotherLogStillReachTheLiveFeed() throws Exception {
    redis = RedisProcess.start();
    InMemoryUsageStorage sql = InMemoryUsageStorage.create();
    storage = builder().events(sql.events()).reseedFrom(sql.events()).build();
    RedisLiveFeed feed = storage.liveFeed().orElseThrow();
    List<LiveUsageEvent> seen = new CopyOnWriteArrayList<>();
    SettableClock clock = new SettableClock(Instant.parse("2026-03-15T10:00:00.123456Z"));
    UsageEvent first = visit(clock, "e1");
    try (AutoCloseable subscription = feed.subscribe(seen::add);
        UsageEngine engine = UsageEngine.builder().storage(Storages.shared(storage)).trackingMode(TrackingMode.SYNC)
            .clock(clock).closeOnShutdown(false).build()) {
      engine.tracking().trackUsage(first);
      // a batch the log knows all of (appended again after a failure): not published
      assertThat(storage.events().append(List.of(first))).isZero();
      // a batch with a new event beside a known one and a repeat of the new one: published whole, each id once
      UsageEvent second = visit(clock, "e2");
      assertThat(storage.events().append(List.of(first, second, second))).isEqualTo(1);
      engine.tracking().trackUsage(visit(clock, "e3"));
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 4);
    }
    assertThat(sql.events().userTotals("erin", Instant.EPOCH, Instant.MAX)).containsEntry(QuotaType.REQUESTS, 3L);
    // in publication order; e1's second entry came with the batch that held e2
    assertThat(seen).extracting(LiveUsageEvent::eventId).containsExactly("e1", "e1", "e2", "e3");
    assertThat(feed.recent(10)).extracting(LiveUsageEvent::eventId).containsExactly("e3", "e2", "e1", "e1");
    LiveUsageEvent e = seen.get(0);
    assertThat(e.userId()).isEqualTo("erin");
    assertThat(e.occurredAt()).isEqualTo(first.occurredAt());
    assertThat(e.quantities()).isEqualTo(first.quantities());
    assertThat(e.feature()).isEqualTo(first.feature());
    assertThat(e.success()).isTrue();
    // the Redis rollups stay empty: analytics come from the other log, which the storage hands on
    assertThat(storage.rollups().hourly("erin", Instant.EPOCH, Instant.MAX)).isEmpty();
    assertThat(storage.events().analytics()).isPresent();
    assertThat(storage.events().systemUsage(Instant.EPOCH, Instant.MAX))
        .isEqualTo(sql.events().systemUsage(Instant.EPOCH, Instant.MAX));
  }

  @Test
  void anotherLogsAppendDoesNotWaitForTheFeedNorFailWithIt() {
    redis = RedisProcess.start();
    InMemoryUsageStorage sql = InMemoryUsageStorage.create();
    storage = builder().events(sql.events()).commandTimeout(Duration.ofSeconds(2)).build();
    SettableClock clock = new SettableClock(Instant.parse("2026-03-15T10:00:00Z"));
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      // paused for 3 s: waiting for the feed would take the command timeout, 2 s
      raw.sync().clientPause(3_000);
      long start = System.nanoTime();
      assertThat(storage.events().append(List.of(visit(clock, "p1")))).isEqualTo(1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }
    // stored in the other log all the same; the feed entry arrives once Redis runs again
    assertThat(sql.events().userTotals("erin", Instant.EPOCH, Instant.MAX)).containsEntry(QuotaType.REQUESTS, 1L);
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
        assertThat(storage.liveFeed().orElseThrow().recent(5)).extracting(LiveUsageEvent::eventId)
            .containsExactly("p1"));
  }

  @Test
  void closingTheStorageWaitsForTheFeedEntriesItSentWithoutWaiting() {
    redis = RedisProcess.start();
    InMemoryUsageStorage sql = InMemoryUsageStorage.create();
    storage = builder().events(sql.events()).commandTimeout(Duration.ofSeconds(5)).build();
    SettableClock clock = new SettableClock(Instant.parse("2026-03-15T10:00:00Z"));
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      // Redis holds every command for 500 ms: the entry is on its way when the storage closes. A connection
      // closed meanwhile takes its held command with it
      raw.sync().clientPause(500);
      assertThat(storage.events().append(List.of(visit(clock, "last")))).isEqualTo(1);
      storage.close();
      storage = null;
      assertThat(raw.sync().xlen("st:live:events")).isEqualTo(1);
    }
  }

  @Test
  void anotherLogsEventsAreNotPublishedWhenTheFeedIsOff() {
    redis = RedisProcess.start();
    InMemoryUsageStorage sql = InMemoryUsageStorage.create();
    storage = builder().events(sql.events()).liveFeedLength(0).build();
    SettableClock clock = new SettableClock(Instant.parse("2026-03-15T10:00:00Z"));
    assertThat(storage.events()).isSameAs(sql.events());
    assertThat(storage.events().append(List.of(visit(clock, "e1")))).isEqualTo(1);
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      assertThat(raw.sync().keys("st:live:*")).isEmpty();
    }
  }

  @Test
  void aScanPageEndsAfterABoundedNumberOfScansWhenFewCountersAreLive() {
    redis = RedisProcess.start();
    storage = builder().build();
    try (UsageEngine engine = engine()) {
      engine.tracking().consumeQuota(Consumption.of("frank", QuotaType.REQUESTS, 2));
    }
    RedisKeys keys = new RedisKeys("st");
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      for (int i = 0; i < 1_000; i++) { // counter hashes with nothing live in them, as idle users leave behind
        connection.sync().hset(keys.counter(keys.user("idle-" + i), "M2026-11-01"), "id", "idle-" + i);
      }
    }

    List<StoredCounter> seen = new ArrayList<>();
    int pages = 0;
    Optional<String> cursor = Optional.empty();
    do {
      CounterPage page = storage.counters().scan(cursor, 10, Instant.now());
      seen.addAll(page.counters());
      cursor = page.next();
      pages++;
    } while (cursor.isPresent() && pages < 10_000);
    assertThat(seen).singleElement().satisfies(c -> {
      assertThat(c.userId()).isEqualTo("frank");
      assertThat(c.used()).isEqualTo(2);
    });
    // 17,000 keys or so (the slot sentinels, the idle hashes), at most 16 SCANs of about 10 keys per page: never
    // the whole keyspace in one call, as when a page went on until it had 10 live counters
    assertThat(pages).isBetween(17_000 / (RedisCounterScan.MAX_SCANS_PER_PAGE * 10) / 2, 9_999);
  }

  @Test
  void aScanGoingOnAfterItsServerRestartedSeesEveryCounter() {
    redis = RedisProcess.start("--appendonly", "yes", "--appendfsync", "always");
    storage = builder().build();
    Set<String> users = new TreeSet<>();
    try (UsageEngine engine = engine()) {
      for (int i = 0; i < 300; i++) {
        users.add("user-" + i);
        engine.tracking().consumeQuota(Consumption.of("user-" + i, QuotaType.REQUESTS, 1));
      }
    }
    CounterPage first = storage.counters().scan(Optional.empty(), 10, Instant.now());
    assertThat(first.next()).isPresent();

    // the same data (from the append-only file) in a new process, whose SCAN cursors mean something else
    redis.restart();
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
        .until(() -> storage.counters().scan(Optional.empty(), 1, Instant.now()) != null);
    Set<String> seen = new TreeSet<>();
    first.counters().forEach(c -> seen.add(c.userId()));
    Optional<String> cursor = first.next();
    while (cursor.isPresent()) {
      CounterPage page = storage.counters().scan(cursor, 10, Instant.now());
      page.counters().forEach(c -> seen.add(c.userId()));
      cursor = page.next();
    }
    assertThat(seen).isEqualTo(users);
    assertThatThrownBy(() -> storage.counters().scan(Optional.of("standalone:12"), 10, Instant.now()))
        .isInstanceOf(InvalidUsageException.class).hasMessageContaining("cursor");
  }

  @Test
  void fromUriOwnsItsClientAndClosesIt() {
    redis = RedisProcess.start();
    RedisUsageStorage owned = RedisUsageStorage.fromUri("redis://127.0.0.1:" + redis.port());
    try (UsageEngine engine = UsageEngine.builder().storage(owned).trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false).build()) {
      assertThat(engine.tracking().consumeQuota(Consumption.of("dave", QuotaType.REQUESTS, 1)).allowed()).isTrue();
    } // the engine closes the storage, which shuts its client down: nothing can be sent any more
    assertThatThrownBy(() -> owned.counters().read("dave",
        List.of(new dev.usage.spi.CounterKey(QuotaType.REQUESTS, "M2026-11-01")), Instant.now()))
        .isInstanceOf(RuntimeException.class);
    // and its threads are gone: the client's own resources are shut down with it
    assertThat(owned.ownedClient()).isInstanceOfSatisfying(RedisClient.class,
        c -> assertThat(c.getResources().eventExecutorGroup().isShuttingDown()).isTrue());
  }
}
