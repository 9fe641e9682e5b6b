package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.PeriodUsage;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.memory.InMemoryPeriodHistoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Period history on the shared Redis: insert-if-absent (also under races), ordering, exact round trips. */
class RedisPeriodHistoryStoreIT {

  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");
  private static final Instant MAY = Instant.parse("2026-05-01T00:00:00Z");
  private static final Instant CLOSED = Instant.parse("2026-04-01T01:05:00.123456789Z");
  private static final QuotaType GPU = QuotaType.of("gpu.seconds-v2_x");
  private static final AtomicInteger USERS = new AtomicInteger();

  private static TestRedis redis;
  private static RedisPeriodHistoryStore store;

  @BeforeAll
  static void connect() {
    redis = TestRedis.open();
    store = new RedisPeriodHistoryStore(redis.connector, redis.keys);
  }

  @AfterAll
  static void cleanUp() {
    if (redis != null) {
      redis.close();
    }
  }

  private static String user(String name) {
    return name + "-" + USERS.incrementAndGet();
  }

  private static PeriodUsage row(String user, QuotaType type, Instant start, Instant end, long used) {
    return new PeriodUsage(user, type, QuotaPeriod.MONTH, start, end, 1_000, used, 0, CLOSED);
  }

  private static String historyKey(String user) {
    return redis.keys.history(redis.keys.user(user));
  }

  @Test
  void storesEachRowUnlessPresentAndReportsOnlyTheRowsThisCallStored() {
    String user = user("once");
    PeriodUsage chars = row(user, QuotaType.CHARACTERS, MARCH, APRIL, 700);
    PeriodUsage requests = row(user, QuotaType.REQUESTS, MARCH, APRIL, 3);
    PeriodUsage april = row(user, QuotaType.CHARACTERS, APRIL, MAY, 5);

    assertThat(store.close(List.of(chars, requests))).containsExactly(chars, requests);
    PeriodUsage rewritten = row(user, QuotaType.CHARACTERS, MARCH, APRIL, 999);
    assertThat(store.close(List.of(rewritten, april))).containsExactly(april);
    assertThat(store.history(user)).as("the stored row is kept, not overwritten").containsExactly(chars, requests, april);
    assertThat(store.close(List.of(chars, requests, april))).isEmpty();

    assertThat(store.history(user)).containsExactly(chars, requests, april);
    assertThat(redis.connector.sync().ttl(historyKey(user))).as("no TTL").isEqualTo(-1);
  }

  @Test
  void aRowRepeatedInOneCallIsStoredOnceAsTheFirstOccurrence() {
    String user = user("repeat");
    PeriodUsage first = row(user, QuotaType.TOKENS, MARCH, APRIL, 1);
    PeriodUsage second = row(user, QuotaType.TOKENS, MARCH, APRIL, 2);

    assertThat(store.close(List.of(first, second))).containsExactly(first);
    assertThat(store.history(user)).containsExactly(first);
  }

  @Test
  void rowsOfSeveralUsersAreReportedInTheOrderGiven() {
    String a = user("a");
    String b = user("b");
    List<PeriodUsage> rows = List.of(row(b, QuotaType.TOKENS, APRIL, MAY, 1), row(a, QuotaType.TOKENS, MARCH, APRIL, 2),
        row(b, QuotaType.CHARACTERS, MARCH, APRIL, 3), row(a, QuotaType.REQUESTS, APRIL, MAY, 4));
    store.close(List.of(rows.get(2)));

    assertThat(store.close(rows)).containsExactly(rows.get(0), rows.get(1), rows.get(3));
    assertThat(store.history(a)).containsExactly(rows.get(1), rows.get(3));
    assertThat(store.history(b)).containsExactly(rows.get(2), rows.get(0));
  }

  @Test
  void closingNothingStoresNothingAndAnUnknownUserHasNoHistory() {
    assertThat(store.close(List.of())).isEmpty();
    assertThat(store.history(user("nobody"))).isEmpty();
  }

  @Test
  void moreRowsThanOneScriptTakesAreAllStoredOnce() {
    String user = user("many");
    List<PeriodUsage> rows = new ArrayList<>();
    for (int i = 0; i < RedisPeriodHistoryStore.ROWS_PER_SCRIPT * 2 + 7; i++) {
      Instant start = MARCH.plusSeconds(86_400L * i);
      rows.add(new PeriodUsage(user, QuotaType.REQUESTS, QuotaPeriod.DAY, start, start.plusSeconds(86_400), 50, i, 0,
          CLOSED));
    }

    assertThat(store.close(rows)).isEqualTo(rows);
    assertThat(store.close(rows)).isEmpty();
    assertThat(store.history(user)).isEqualTo(rows);
  }

  @Test
  void everyFieldRoundTripsExactlyAndStartsDifferingByANanosecondAreDistinctRows() {
    String user = user("exact {tag}:%|é");
    Instant start = Instant.parse("2026-03-14T23:00:00.000000001Z");
    List<PeriodUsage> rows = new ArrayList<>();
    for (QuotaPeriod period : QuotaPeriod.values()) {
      rows.add(new PeriodUsage(user, GPU, period, start.plusSeconds(period.ordinal()),
          Instant.parse("2026-03-15T23:00:00.999999999Z"), Quota.UNLIMITED, Quota.MAX_AMOUNT, 0,
          Instant.parse("-0001-01-01T00:00:00.5Z")));
    }
    rows.add(new PeriodUsage(user, QuotaType.CHARACTERS, QuotaPeriod.MONTH, MARCH, APRIL, 0, 0, 17, CLOSED));
    rows.add(new PeriodUsage(user, QuotaType.CHARACTERS, QuotaPeriod.MONTH, MARCH.plusNanos(1), APRIL, 0, 1, 0,
        CLOSED));
    rows.add(new PeriodUsage(user, QuotaType.CHARACTERS, QuotaPeriod.MONTH, MARCH.minusNanos(1), APRIL, 0, 2, 0,
        CLOSED));

    assertThat(store.close(rows)).isEqualTo(rows);

    InMemoryPeriodHistoryStore memory = new InMemoryPeriodHistoryStore();
    memory.close(rows);
    assertThat(store.history(user)).isEqualTo(memory.history(user)).hasSameSizeAs(rows);
  }

  @Test
  void historyIsOrderedByPeriodStartThenTypeNameAsInTheOtherStores() {
    String user = user("order");
    List<PeriodUsage> rows = new ArrayList<>();
    for (Instant start : List.of(MAY, MARCH, APRIL)) {
      for (QuotaType type : List.of(QuotaType.TOKENS, GPU, QuotaType.CHARACTERS, QuotaType.of("a-first"),
          QuotaType.REQUESTS)) {
        rows.add(row(user, type, start, start.plusSeconds(86_400L * 31), start.getEpochSecond() % 1000));
      }
    }
    Collections.shuffle(rows, new Random(42));
    store.close(rows.subList(0, 7));
    store.close(rows.subList(7, rows.size()));

    InMemoryPeriodHistoryStore memory = new InMemoryPeriodHistoryStore();
    memory.close(rows);
    List<PeriodUsage> history = store.history(user);
    assertThat(history).isEqualTo(memory.history(user));
    assertThat(history).extracting(r -> r.periodStart() + " " + r.type()).containsExactly(
        MARCH + " a-first", MARCH + " characters", MARCH + " gpu.seconds-v2_x", MARCH + " requests", MARCH + " tokens",
        APRIL + " a-first", APRIL + " characters", APRIL + " gpu.seconds-v2_x", APRIL + " requests", APRIL + " tokens",
        MAY + " a-first", MAY + " characters", MAY + " gpu.seconds-v2_x", MAY + " requests", MAY + " tokens");
  }

  @Test
  void ofEightConcurrentClosersEachRowIsStoredByExactlyOne() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 20; round++) {
        List<PeriodUsage> rows = new ArrayList<>();
        for (int u = 0; u < 3; u++) {
          String user = user("race-" + round);
          for (QuotaType type : List.of(QuotaType.CHARACTERS, QuotaType.REQUESTS)) {
            rows.add(row(user, type, MARCH, APRIL, u));
            rows.add(row(user, type, APRIL, MAY, u));
          }
        }
        CyclicBarrier start = new CyclicBarrier(8);
        List<Future<List<PeriodUsage>>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          List<PeriodUsage> mine = new ArrayList<>(rows);
          Collections.shuffle(mine, new Random(round * 8L + t));
          results.add(pool.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            return store.close(mine);
          }));
        }
        Map<PeriodUsage, Integer> storedBy = new HashMap<>();
        for (Future<List<PeriodUsage>> r : results) {
          r.get(30, TimeUnit.SECONDS).forEach(row -> storedBy.merge(row, 1, Integer::sum));
        }

        assertThat(storedBy).as("round %d", round).hasSize(rows.size()).allSatisfy((row, times) ->
            assertThat(times).as("%s stored", row).isEqualTo(1));
        for (int u = 0; u < 3; u++) {
          String user = rows.get(u * 4).userId();
          assertThat(store.history(user)).hasSize(4);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theScriptRefusesMalformedArgumentsBeforeItsFirstWrite() {
    String user = user("malformed");
    PeriodUsage stored = row(user, QuotaType.CHARACTERS, MARCH, APRIL, 1);
    store.close(List.of(stored));
    String[] k = {historyKey(user)};
    PeriodUsage fresh = row(user, QuotaType.REQUESTS, APRIL, MAY, 2);
    String field = RedisPeriodHistoryStore.field(fresh);
    String json = RedisJson.period(fresh);
    List<String[]> calls = List.of(
        new String[] {},
        new String[] {user},
        new String[] {field, json},
        new String[] {user, field},
        new String[] {user, field, json, field},
        new String[] {user, field, "not json"},
        new String[] {user, field, "[1, 2]"},
        new String[] {user, field, "\"text\""},
        new String[] {user, "requests|2026-04-01T00:00:01Z", json},
        new String[] {user, "tokens|2026-04-01T00:00:00Z", json},
        new String[] {user, "requests|2026-04-01T00:00:00Z|MONTH", json},
        new String[] {user, field, json.replace("\"type\":\"requests\"", "\"type\":\"Requests\"")},
        new String[] {user, field, json.replace("\"start\":", "\"begin\":")},
        // every part of the row, not only those of its field, as history() reads it back
        new String[] {user + "-other", field, json},
        new String[] {user, field, json.replace("\"period\":\"MONTH\"", "\"period\":\"YEAR\"")},
        new String[] {user, field, json.replace("\"end\":", "\"until\":")},
        new String[] {user, field, json.replace("\"closedAt\":\"", "\"closedAt\":\"soon ")},
        new String[] {user, field, json.replace("\"used\":2", "\"used\":2.5")},
        new String[] {user, field, json.replace("\"rolledOverParts\":[]", "\"rolledOverParts\":[-1]")},
        new String[] {user, field, json.replace("\"carriedIn\":0", "\"carriedIn\":\"0\"")},
        // a good row followed by a bad one: the good one is not stored either
        new String[] {user, field, json, "tokens|x", "{}"});
    Map<String, String> before = redis.connector.sync().hgetall(k[0]);

    for (String[] args : calls) {
      assertThatThrownBy(() -> RedisScripts.run(redis.connector, RedisPeriodHistoryStore.CLOSE, "close", k,
          args)).as(String.join(" / ", args)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ERR usage close_periods");
      assertThat(redis.connector.sync().hgetall(k[0])).isEqualTo(before);
    }
    assertThatThrownBy(() -> RedisScripts.run(redis.connector, RedisPeriodHistoryStore.CLOSE, "close",
        new String[] {k[0], k[0]}, user, field, json)).isInstanceOf(IllegalStateException.class);
    assertThat(redis.connector.sync().hgetall(k[0])).isEqualTo(before);
    assertThat(store.history(user)).containsExactly(stored);

    // the same call with valid arguments is accepted: the refusals above were about the arguments
    assertThat(RedisScripts.run(redis.connector, RedisPeriodHistoryStore.CLOSE, "close", k, user, field, json))
        .containsExactly(1L);
    assertThat(store.history(user)).containsExactly(stored, fresh);
  }

  @Test
  void aRowStoredByAVersionThatKeyedRowsWithoutTheKindCountsAsStoredForItsKindOnly() {
    String user = user("earlier");
    PeriodUsage month = row(user, QuotaType.CHARACTERS, MARCH, APRIL, 700);
    // as an earlier version stored it (and still would, running beside this one): the field without the kind
    redis.connector.sync().hsetnx(historyKey(user), "characters|" + MARCH, RedisJson.period(month));
    PeriodUsage day = new PeriodUsage(user, QuotaType.CHARACTERS, QuotaPeriod.DAY, MARCH,
        Instant.parse("2026-03-02T00:00:00Z"), 100, 40, 0, CLOSED);

    assertThat(store.close(List.of(month, day))).containsExactly(day);
    assertThat(store.close(List.of(month, day))).isEmpty();
    assertThat(store.history(user)).containsExactly(day, month);
    assertThat(redis.connector.sync().hkeys(historyKey(user)))
        .containsExactlyInAnyOrder("characters|" + MARCH, "characters|" + MARCH + "|DAY");
    // and an earlier version's HSETNX of a row this version stored first finds it stored
    PeriodUsage april = row(user, QuotaType.CHARACTERS, APRIL, Instant.parse("2026-05-01T00:00:00Z"), 5);
    assertThat(store.close(List.of(april))).containsExactly(april);
    assertThat(redis.connector.sync().hsetnx(historyKey(user), "characters|" + APRIL, RedisJson.period(april)))
        .isFalse();
  }

  @Test
  void aHistoryKeyOfAnotherTypeIsRefusedWithoutWriting() {
    String user = user("wrongtype");
    redis.connector.sync().set(historyKey(user), "not a hash");

    assertThatThrownBy(() -> store.close(List.of(row(user, QuotaType.CHARACTERS, MARCH, APRIL, 1))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds a string");
    assertThat(redis.connector.sync().get(historyKey(user))).isEqualTo("not a hash");
  }
}
