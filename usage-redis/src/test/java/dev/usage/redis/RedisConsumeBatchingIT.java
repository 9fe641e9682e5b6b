package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.usage.AuditEntry;
import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UserQuota;
import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterDelta;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent fast consumes sent together in one script call (RedisConsumeBatcher), on a private Redis: each
 * is decided as if alone, a failing one fails alone, a malformed one stops the whole call before any write.
 */
class RedisConsumeBatchingIT {

  private static final String FAR = "9999999999999999";

  private RedisProcess redis;
  private RedisClient client;
  private StatefulRedisConnection<String, String> raw;
  /** For running the script and the batcher directly. */
  private RedisConnector connector;

  @BeforeEach
  void setUp() {
    redis = RedisProcess.start();
    client = RedisClient.create(redis.uri());
    client.setOptions(RedisUsageStorage.recommendedOptions());
    raw = client.connect();
    connector = RedisConnector.standalone(client, Duration.ofSeconds(2));
  }

  @AfterEach
  void tearDown() {
    connector.close();
    raw.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    redis.close();
  }

  @Test
  void concurrentConsumesOfOneUserShareScriptCallsAndAdmitExactlyTheLimit() throws Exception {
    int threads = 32;
    int each = 60;
    try (RedisUsageStorage storage = RedisUsageStorage.builder(client).keyPrefix("bt").build();
        UsageEngine engine = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.SYNC)
            .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000)).closeOnShutdown(false).build()) {
      // the first consume creates the counter (the full script); the rest take the fast one
      assertThat(engine.tracking().consumeQuota(Consumption.of("hot", QuotaType.REQUESTS, 1)).allowed()).isTrue();
      raw.sync().configResetstat();
      AtomicInteger allowed = new AtomicInteger();
      AtomicInteger denied = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            QuotaDecision d = engine.tracking().consumeQuota(Consumption.of("hot", QuotaType.REQUESTS, 1));
            assertThat(d.degraded()).isFalse();
            (d.allowed() ? allowed : denied).incrementAndGet();
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(allowed.get()).isEqualTo(999);
      assertThat(denied.get()).isEqualTo(threads * each - 999);
      assertThat(engine.tracking().getUserUsage("hot").quota(QuotaType.REQUESTS).orElseThrow().used())
          .isEqualTo(1_000);
      // fewer script calls than consumes: some calls carried several
      long calls = calls("evalsha") + calls("eval");
      assertThat(calls).isPositive().isLessThan(threads * each);
    }
  }

  @Test
  void aConsumeThatFailsInRedisFailsAloneAndTheOthersOfItsCallAreApplied() {
    raw.sync().set("u1:c", "not a hash");
    readyCounter("u2:c", "requests");
    String[] keys = {"u1:q", "u1:c", "u2:q", "u2:c"};
    String[] delta = {"requests", "1", "-1", FAR};
    List<Object> r = RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", keys, concat(
        new String[] {"2", "2", "8", "2", "8"}, concat(consume(delta), consume(delta))));
    // consume 1: {'E', error}; consume 2: {'A', used, reserved}
    assertThat(RedisScripts.number(r.get(0))).isEqualTo(2);
    assertThat(RedisScripts.text(r.get(1))).isEqualTo("E");
    assertThat(RedisScripts.text(r.get(2))).contains("WRONGTYPE");
    assertThat(RedisScripts.number(r.get(3))).isEqualTo(3);
    assertThat(RedisScripts.text(r.get(4))).isEqualTo("A");
    assertThat(RedisScripts.number(r.get(5))).isEqualTo(6);
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("6");

    // through the batcher, the failing consume's caller gets the typed script failure
    RedisConsumeBatcher batcher = new RedisConsumeBatcher(connector);
    assertThatThrownBy(() -> batcher.run(new String[] {"u1:q", "u1:c"}, consume(delta), connector.giveUpAt()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("WRONGTYPE");
    assertThat(RedisScripts.text(batcher.run(new String[] {"u2:q", "u2:c"}, consume(delta), connector.giveUpAt())
        .get(0))).isEqualTo("A");
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("7");
  }

  @Test
  void aCallMixesConsumesWithAndWithoutAKeyAndOneRunLateChangesNothing() {
    readyCounter("u2:c", "requests");
    String[] delta = {"requests", "1", "-1", FAR};
    String[] keyed = keyed("fp", delta);
    String[] late = concat(new String[] {"1000", "", "1", "0"}, delta); // its deadline passed long ago
    String[] keys = {"u2:q", "u2:c", "u2:q", "u2:k:k1", "u2:c", "u2:q", "u2:c", "u2:q", "u2:k:k1", "u2:c"};
    List<Object> r = RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", keys, concat(
        new String[] {"4", "2", "8", "3", "10", "2", "8", "3", "10"},
        concat(concat(consume(delta), keyed), concat(late, keyed))));
    // unkeyed: A 6 0; keyed: A 7 0; late: T; the same key again: X (for the full path to replay)
    assertThat(r.stream().map(RedisScripts::text).toList())
        .containsExactly("3", "A", "6", "0", "3", "A", "7", "0", "1", "T", "1", "X");
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("7");
    assertThat(raw.sync().get("u2:k:k1")).isEqualTo(FAR + ":fp");
    assertThat(raw.sync().pttl("u2:k:k1")).isPositive();
  }

  @Test
  void aKeySeenBeforeIsLeftToTheFullPathWhateverItsConsumeWouldBeAnsweredAndARejectedKeyLeavesNoMarker() {
    readyCounter("u2:c", "requests");
    String[] keys = {"u2:q", "u2:k:k1", "u2:c"};
    String[] fits = {"requests", "1", "6", FAR};
    String[] first = keyed("fp", fits);
    assertThat(RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", keys,
        concat(new String[] {"1", "3", "10"}, first)).stream().map(RedisScripts::text).toList())
        .containsExactly("3", "A", "6", "0");
    // k1 again: now over the limit, within it, and with another fingerprint; k2 over the limit
    String[] unlimited = {"requests", "1", "-1", FAR};
    String[] otherPrint = keyed("fp2", unlimited);
    String[] k2 = keyed("fp", fits);
    List<Object> r = RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume",
        new String[] {"u2:q", "u2:k:k1", "u2:c", "u2:q", "u2:k:k1", "u2:c", "u2:q", "u2:k:k1", "u2:c",
            "u2:q", "u2:k:k2", "u2:c"},
        concat(new String[] {"4", "3", "10", "3", "10", "3", "10", "3", "10"},
            concat(concat(first, keyed("fp", unlimited)), concat(otherPrint, k2))));
    // a rejection would not be what k1 was first answered: the full path replays that
    assertThat(r.stream().map(RedisScripts::text).toList())
        .containsExactly("1", "X", "1", "X", "1", "X", "4", "R", "requests", "6", "0");
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("6");
    assertThat(raw.sync().get("u2:k:k1")).isEqualTo(FAR + ":fp");
    assertThat(raw.sync().exists("u2:k:k2")).isZero();

    // past 2^53 - 1: O for a new key (and no marker), X for k1, whose first answer the full path replays
    raw.sync().hset("u2:c", "u:requests", "9007199254740991");
    String[] past = {"requests", "1", "-1", FAR};
    assertThat(RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume",
        new String[] {"u2:q", "u2:k:k3", "u2:c", "u2:q", "u2:k:k1", "u2:c"},
        concat(new String[] {"2", "3", "10", "3", "10"}, concat(keyed("fp", past), keyed("fp", past))))
        .stream().map(RedisScripts::text).toList()).containsExactly("2", "O", "requests", "1", "X");
    assertThat(raw.sync().exists("u2:k:k3")).isZero();
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("9007199254740991");
  }

  @Test
  void aKeyFirstAnsweredByTheFastScriptIsReplayedOrRefusedByTheFullOne() {
    try (RedisUsageStorage storage = RedisUsageStorage.builder(client).keyPrefix("bt").build();
        UsageEngine engine = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.SYNC)
            .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 10)).closeOnShutdown(false).build()) {
      // the first consume creates the counter (the full script); the keyed one takes the fast script
      // (the full script asks a marker's TYPE, the fast one never does)
      String user = "ü-ser";
      assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
      Consumption keyed = Consumption.builder(user).requests(5).idempotencyKey("order-ключ").build();
      raw.sync().configResetstat();
      QuotaDecision first = engine.tracking().consumeQuota(keyed);
      assertThat(first.allowed()).isTrue();
      assertThat(first.replayed()).isFalse();
      assertThat(calls("type")).isZero();
      List<String> markers = raw.sync().keys("bt*k:*");
      assertThat(markers).hasSize(1);
      assertThat(raw.sync().type(markers.get(0))).isEqualTo("string");

      // the counter fills up; the retry is still the admitted consume it was, counted once
      assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 4)).allowed()).isTrue();
      raw.sync().configResetstat();
      QuotaDecision retry = engine.tracking().consumeQuota(keyed);
      assertThat(retry.allowed()).isTrue();
      assertThat(retry.replayed()).isTrue();
      assertThat(calls("type")).isPositive();

      // the same marker as an earlier version wrote it (a hash) is read as well
      String marker = markers.get(0);
      String[] value = raw.sync().get(marker).split(":", 2);
      raw.sync().del(marker);
      raw.sync().hset(marker, Map.of("f", value[1], "x", value[0]));
      raw.sync().pexpire(marker, 60_000);
      assertThat(engine.tracking().consumeQuota(keyed).replayed()).isTrue();
      assertThatThrownBy(() -> engine.tracking().consumeQuota(
          Consumption.builder(user).requests(1).idempotencyKey("order-ключ").build()))
          .isInstanceOf(dev.usage.IdempotencyConflictException.class);
      assertThat(engine.tracking().getUserUsage(user).quota(QuotaType.REQUESTS).orElseThrow().used()).isEqualTo(10);
    }
  }

  @Test
  void redisClockIsReadOnceForEverySixteenConsumesOfACall() {
    readyCounter("u2:c", "requests");
    String[] delta = {"requests", "1", "-1", FAR};
    int m = 20;
    String[] keys = new String[2 * m];
    String[] counts = new String[1 + 2 * m];
    String[] args = new String[0];
    counts[0] = Integer.toString(m);
    for (int j = 0; j < m; j++) {
      keys[2 * j] = "u2:q";
      keys[2 * j + 1] = "u2:c";
      counts[1 + 2 * j] = "2";
      counts[2 + 2 * j] = "8";
      args = concat(args, consume(delta));
    }
    raw.sync().configResetstat();
    List<Object> r = RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", keys, concat(counts, args));
    assertThat(r).hasSize(4 * m); // 20 answers of 4 elements: 3, A, used, reserved
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("25");
    // consume 1 reads it, consume 17 reads it again
    assertThat(calls("time")).isEqualTo(2);
  }

  @Test
  void deltasOfOneCounterHashNameItOnceAndDeltasOfSeveralHashesEachNameTheirOwn() {
    readyCounter("u2:c", "requests", "tokens");
    readyCounter("u2:d", "tokens");
    String[] requests = {"requests", "1", "-1", FAR};
    String[] tokens = {"tokens", "10", "100", FAR};
    String[] tooMany = {"tokens", "96", "100", FAR};
    // one hash for both deltas (3 keys); a hash each (4 keys); one hash, its token delta over its limit
    String[] keys = {"u2:q", "u2:k:k1", "u2:c", "u2:q", "u2:c", "u2:d", "u2:q", "u2:c"};
    String[] keyed = keyed("fp", concat(requests, tokens));
    List<Object> r = RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", keys, concat(
        new String[] {"3", "3", "14", "3", "12", "2", "12"},
        concat(keyed, concat(consume(concat(requests, tokens)), consume(concat(requests, tooMany))))));
    // A requests 6, tokens 15; A requests 7 (u2:c), tokens 15 (u2:d); R tokens with the values as they were
    assertThat(r.stream().map(RedisScripts::text).toList()).containsExactly(
        "5", "A", "6", "0", "15", "0",
        "5", "A", "7", "0", "15", "0",
        "6", "R", "tokens", "7", "0", "15", "0");
    assertThat(raw.sync().hmget("u2:c", "u:requests", "u:tokens").stream().map(v -> v.getValue()).toList())
        .containsExactly("7", "15");
    assertThat(raw.sync().hget("u2:d", "u:tokens")).isEqualTo("15");
    assertThat(raw.sync().get("u2:k:k1")).isEqualTo(FAR + ":fp");

    // two counter keys for three deltas is neither form
    String[] three = concat(requests, concat(tokens, tokens));
    assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume",
        new String[] {"u2:q", "u2:c", "u2:d"}, concat(new String[] {"1", "3", "16"}, consume(three))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed call");
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("7");
  }

  @Test
  void consumesOfOtherTypesInOneCallEachReadAndWriteTheirOwnCounters() {
    // the fields a consume reads are kept for the next consume of the same types: each change of types or
    // of order, a type sent twice after a consume of two types and again after itself, and a consume of two
    // hashes in between, must still read and write their own counters
    readyCounter("u2:c", "requests", "tokens");
    readyCounter("u2:d", "tokens");
    raw.sync().hset("u2:c", "u:tokens", "50");
    String[] requests = {"requests", "1", "-1", FAR};
    String[] tokens = {"tokens", "2", "-1", FAR};
    String[] both = concat(requests, tokens);
    String[] twice = concat(requests, new String[] {"requests", "2", "-1", FAR});
    String[] reversed = concat(tokens, requests);
    List<String> keys = new ArrayList<>();
    for (int j = 0; j < 8; j++) {
      keys.addAll(j == 6 ? List.of("u2:q", "u2:d", "u2:c") : List.of("u2:q", "u2:c"));
    }
    raw.sync().configResetstat();
    List<Object> r = RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", keys.toArray(String[]::new),
        concat(new String[] {"8", "2", "8", "2", "8", "2", "12", "2", "12", "2", "12", "2", "12", "3", "12", "2", "12"},
            concat(concat(concat(consume(requests), consume(tokens)), concat(consume(both), consume(twice))),
                concat(concat(consume(twice), consume(reversed)), concat(consume(reversed), consume(reversed))))));
    assertThat(r.stream().map(RedisScripts::text).toList()).containsExactly(
        "3", "A", "6", "0",
        "3", "A", "52", "0",
        "5", "A", "7", "0", "54", "0",
        "5", "A", "8", "0", "10", "0",
        "5", "A", "11", "0", "13", "0",
        "5", "A", "56", "0", "14", "0",
        "5", "A", "7", "0", "15", "0", // tokens of u2:d, requests of u2:c
        "5", "A", "58", "0", "16", "0");
    // nothing reserved, no settings version to check: no HGET at all (a hold's expiry is read only for a
    // counter with a reserved part)
    assertThat(calls("hget")).isZero();
    assertThat(raw.sync().hmget("u2:c", "u:requests", "u:tokens").stream().map(v -> v.getValue()).toList())
        .containsExactly("16", "58");
    assertThat(raw.sync().hget("u2:d", "u:tokens")).isEqualTo("7");
  }

  @Test
  void aCounterAtItsExpiryIsLeftToTheFullPathWhichStartsItAfresh() {
    // the fast script compares a counter's expiry with the one it is sent only as text: the storage sends it
    // a counter only while the command's now is before that expiry, in whole microseconds as the scripts count
    Instant start = Instant.parse("2026-11-01T00:00:00Z");
    Instant end = Instant.parse("2026-12-01T00:00:00Z");
    Instant expiry = Instant.parse("2026-12-02T00:00:00Z");
    CounterDelta requests = new CounterDelta(QuotaType.REQUESTS, "M2026-11-01", start, end, 3, 100, expiry);
    try (RedisUsageStorage storage = RedisUsageStorage.builder(client).keyPrefix("bt").build()) {
      assertThat(storage.counters().consume(command(requests, Instant.parse("2026-11-15T00:00:00Z")))
          .counters().get(0).used()).isEqualTo(3);
      // the counter is ready: the fast script adds to it (one HMGET; the full one reads the user's root too),
      // up to a microsecond before its expiry
      raw.sync().configResetstat();
      assertThat(storage.counters().consume(command(requests, Instant.parse("2026-11-16T00:00:00Z")))
          .counters().get(0).used()).isEqualTo(6);
      assertThat(storage.counters().consume(command(requests, expiry.minusNanos(1_000))).counters().get(0).used())
          .isEqualTo(9);
      assertThat(calls("hmget")).isEqualTo(2);
      // at its expiry: the full path lapses it and counts from zero
      raw.sync().configResetstat();
      assertThat(storage.counters().consume(command(requests, expiry)).counters().get(0).used()).isEqualTo(3);
      assertThat(calls("hmget")).isGreaterThan(1);
      // within the expiry's microsecond, though before the expiry itself: lapsed as well
      CounterDelta withinItsMicrosecond = new CounterDelta(QuotaType.REQUESTS, "M2026-11-01", start, end, 3, 100,
          expiry.plusNanos(500));
      assertThat(storage.counters().consume(command(withinItsMicrosecond, expiry.plusNanos(100))).counters().get(0)
          .used()).isEqualTo(3);
    }
  }

  @Test
  void theFastPathChecksTheStoredSettingsVersionEvenWhenTheUsersRootIsGone() {
    // the fast script reads the version from the settings themselves: a copy kept in the counter hashes (moved
    // on by each save, through the counters the root records) would go stale once the root was evicted
    String user = "versioned";
    Instant start = Instant.parse("2026-11-01T00:00:00Z");
    Instant end = Instant.parse("2026-12-01T00:00:00Z");
    CounterDelta requests = new CounterDelta(QuotaType.REQUESTS, "M2026-11-01", start, end, 1, 100,
        end.plus(Duration.ofDays(40)));
    Instant now = Instant.parse("2026-11-15T00:00:00Z");
    try (RedisUsageStorage storage = RedisUsageStorage.builder(client).keyPrefix("bt").build()) {
      long v1 = storage.userQuotas().save(UserQuota.of(user, "free"), entry(user)).orElseThrow().version();
      assertThat(storage.counters().consume(versioned(user, requests, now, v1)).counters().get(0).used()).isEqualTo(1);
      assertThat(storage.counters().consume(versioned(user, requests, now, v1)).counters().get(0).used()).isEqualTo(2);
      RedisKeys keys = new RedisKeys("bt");
      assertThat(raw.sync().del(keys.root(keys.user(user)))).isEqualTo(1);

      UserQuota before = storage.userQuotas().find(user).orElseThrow();
      long v2 = storage.userQuotas().save(before.withTier("premium"), entry(user)).orElseThrow().version();
      raw.sync().configResetstat();
      assertThat(storage.counters().consume(versioned(user, requests, now, v1)).result())
          .isEqualTo(ConsumeOutcome.Result.STALE);
      // answered by the fast script from the settings (one HGET), before it reads a counter; the full one would
      // read the root (HMGET)
      assertThat(calls("hget")).isEqualTo(1);
      assertThat(calls("hmget")).isZero();
      assertThat(storage.counters().consume(versioned(user, requests, now, v2)).counters().get(0).used()).isEqualTo(3);
    }
  }

  private static ConsumeCommand versioned(String user, CounterDelta d, Instant now, long version) {
    return new ConsumeCommand(user, List.of(d), Optional.empty(), Optional.empty(), now, OptionalLong.of(version));
  }

  private static AuditEntry entry(String user) {
    return new AuditEntry(Instant.parse("2026-11-15T00:00:00Z"), "admin", user, "change-tier", Optional.empty(), "-",
        "-", "test");
  }

  private static ConsumeCommand command(CounterDelta d, Instant now) {
    return new ConsumeCommand("expiring", List.of(d), Optional.empty(), Optional.empty(), now);
  }

  @Test
  void countersOfOneHashWrittenTogetherStayExactUpToTheLargestAmount() {
    raw.sync().hset("u2:c", Map.of("u:requests", "9007199254740990", "r:requests", "0", "x:requests", FAR,
        "u:tokens", "7", "r:tokens", "0", "x:tokens", FAR));
    String[] deltas = {"requests", "1", "-1", FAR, "tokens", "3", "-1", FAR};
    assertThat(consumeOnOneHash(deltas)).containsExactly("5", "A", "9007199254740991", "0", "10", "0");
    assertThat(raw.sync().hmget("u2:c", "u:requests", "u:tokens").stream().map(v -> v.getValue()).toList())
        .containsExactly("9007199254740991", "10");
  }

  @Test
  void aTypeSentTwiceForOneHashTakesBothIncrements() {
    // the storage never sends one counter twice, but the script must not lose an increment if it is
    readyCounter("u2:c", "requests");
    String[] twice = {"requests", "1", "-1", FAR, "requests", "2", "-1", FAR};
    assertThat(consumeOnOneHash(twice)).containsExactly("5", "A", "6", "0", "8", "0");
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("8");
  }

  @Test
  void aReservedPartWithoutAHoldExpiryInASharedHashIsLeftToTheFullPath() {
    // requests has a reserved part but the hash has no earliest hold expiry (hx): the hold may have lapsed.
    // The tokens fields hold numbers past now, none of which may be taken for the hold expiry.
    raw.sync().hset("u2:c", Map.of("u:requests", "5", "r:requests", "2", "x:requests", FAR,
        "u:tokens", "5000", "r:tokens", "0", "x:tokens", FAR));
    String[] deltas = {"requests", "1", "-1", FAR, "tokens", "1", "-1", FAR};
    assertThat(consumeOnOneHash(deltas)).containsExactly("1", "X");
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("5");
  }

  @Test
  void aReservedPartIsTakenWhileTheEarliestHoldOfItsSharedHashLivesAndLeftToTheFullPathOnceItLapsed() {
    // the earliest hold expiry (hx) is read only when a counter has a reserved part
    raw.sync().hset("u2:c", Map.of("u:requests", "5", "r:requests", "2", "x:requests", FAR,
        "u:tokens", "5", "r:tokens", "0", "x:tokens", FAR, "hx", "2000"));
    String[] deltas = {"requests", "1", "-1", FAR, "tokens", "1", "-1", FAR};
    // now 1000: the hold lives; used 6 and reserved 2 for requests, 6 and 0 for tokens (hx read once)
    raw.sync().configResetstat();
    assertThat(consumeOnOneHash(deltas)).containsExactly("5", "A", "6", "2", "6", "0");
    assertThat(calls("hget")).isEqualTo(1);
    // the limit counts the reserved part: 6 used + 2 reserved + 1 is over 8
    String[] limited = {"requests", "1", "8", FAR, "tokens", "1", "-1", FAR};
    assertThat(consumeOnOneHash(limited)).containsExactly("6", "R", "requests", "6", "2", "6", "0");
    // a hold that ends at now (1000) has lapsed: the full path releases it
    raw.sync().hset("u2:c", "hx", "1000");
    assertThat(consumeOnOneHash(deltas)).containsExactly("1", "X");
    assertThat(raw.sync().hmget("u2:c", "u:requests", "u:tokens").stream().map(v -> v.getValue()).toList())
        .containsExactly("6", "6");
  }

  @Test
  void aRefusalOfRedisReachesTheCallerAsNotApplied() {
    readyCounter("u2:c", "requests");
    raw.sync().configSet("maxmemory", "1"); // every write is now refused with OOM (noeviction)
    String[] delta = {"requests", "1", "-1", FAR};
    assertThatThrownBy(() -> new RedisConsumeBatcher(connector).run(new String[] {"u2:q", "u2:c"}, consume(delta),
        connector.giveUpAt()))
        .isInstanceOf(dev.usage.UsageStorageException.class).hasMessageContaining("refused")
        .hasMessageContaining("not applied");
    raw.sync().configSet("maxmemory", "0");
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("5");
  }

  @Test
  void aCallThatGetsNoReplyGivesUpItsPlaceAfterTheTimeoutWithoutLettucesOwnTimeouts() {
    readyCounter("u2:c", "requests");
    // Lettuce's command timeouts off: nothing in Lettuce ends a command that gets no reply, only the batcher
    RedisClient bare = RedisClient.create(redis.uri());
    bare.setOptions(ClientOptions.builder().disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build()).build());
    RedisConnector slow = RedisConnector.standalone(bare, Duration.ofMillis(200));
    try {
      RedisConsumeBatcher batcher = new RedisConsumeBatcher(slow);
      String[] delta = {"requests", "1", "-1", FAR};
      assertThat(RedisScripts.text(batcher.run(new String[] {"u2:q", "u2:c"}, consume(delta), slow.giveUpAt())
          .get(0))).isEqualTo("A");
      redis.pause(Duration.ofSeconds(4));
      assertThatThrownBy(() -> batcher.run(new String[] {"u2:q", "u2:c"}, consume(delta), slow.giveUpAt()))
          .isInstanceOf(dev.usage.UsageStorageException.class).hasMessageContaining("outcome unknown");
      // the call is still waiting in Redis, paused for seconds more; its place is given back about the timeout
      // after it went (the client's timer ticks every 100 ms)
      await().atMost(Duration.ofSeconds(1)).until(() -> batcher.inFlight() == 0);
    } finally {
      slow.close();
      bare.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void aMalformedConsumeStopsItsWholeCallBeforeAnyWrite() {
    readyCounter("u2:c", "requests");
    String[] keys = {"u2:q", "u2:c", "u3:q", "u3:c"};
    String[] good = {"requests", "1", "-1", FAR};
    // not a number, a fraction, not positive, past 2^53 - 1, a limit below -1: a later write would fail or count
    // wrongly after the consumes before it were written
    List<String[]> malformed = List.of(new String[] {"requests", "many", "-1", FAR},
        new String[] {"requests", "1.5", "-1", FAR}, new String[] {"requests", "-5", "-1", FAR},
        new String[] {"requests", "0", "-1", FAR}, new String[] {"requests", "9007199254740992", "-1", FAR},
        new String[] {"requests", "1", "-2", FAR}, new String[] {"requests", "1", "0.5", FAR},
        new String[] {"requests", "1", "1e400", FAR});
    for (String[] bad : malformed) {
      assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", keys, concat(
          new String[] {"2", "2", "8", "2", "8"}, concat(consume(good), consume(bad)))))
          .as(String.join(" ", bad)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("delta 1 is not a whole amount in 1..2^53-1 and a limit in -1..2^53-1 (consume 2)");
    }
    // counts that do not add up to the keys and arguments sent
    assertThatThrownBy(() -> RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", keys, concat(
        new String[] {"1", "2", "8"}, concat(consume(good), consume(good)))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed");
    assertThat(raw.sync().hget("u2:c", "u:requests")).isEqualTo("5");
  }

  /** One unkeyed consume of these deltas, all in the counter hash u2:c, alone in its call: its answer as text. */
  private List<String> consumeOnOneHash(String[] deltas) {
    List<Object> r = RedisScripts.run(connector, RedisScripts.CONSUME_FAST, "consume", new String[] {"u2:q", "u2:c"},
        concat(new String[] {"1", "2", Integer.toString(4 + deltas.length)}, consume(deltas)));
    return r.stream().map(RedisScripts::text).toList();
  }

  /** A counter hash the fast script takes: 5 of each type used, none reserved, alive until {@link #FAR}. */
  private void readyCounter(String key, String... types) {
    Map<String, String> fields = new HashMap<>();
    for (String t : types) {
      fields.putAll(Map.of("u:" + t, "5", "r:" + t, "0", "x:" + t, FAR));
    }
    raw.sync().hset(key, fields);
  }

  /** One unkeyed consume's arguments: now, no settings check, a far deadline, no marker, the delta. */
  private static String[] consume(String[] delta) {
    return concat(new String[] {"1000", "", FAR, "0"}, delta);
  }

  /** One consume's arguments with the idempotency marker {@code FAR:<fingerprint>}, kept a minute. */
  private static String[] keyed(String fingerprint, String[] deltas) {
    return concat(new String[] {"1000", "", FAR, "1", FAR + ":" + fingerprint, "60000"}, deltas);
  }

  private long calls(String command) {
    for (String line : raw.sync().info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        // cmdstat_<command>:calls=N,usec=...,rejected_calls=...,failed_calls=...: the first calls=
        return Long.parseLong(line.replaceFirst("^[^:]+:calls=(\\d+),.*", "$1"));
      }
    }
    return 0;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
