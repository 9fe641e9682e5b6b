package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import dev.usage.UsageEvent;
import dev.usage.testkit.Hammer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisEventStoreIT {

  private static final Instant T0 = Instant.parse("2026-03-15T10:00:00Z");
  private static final Duration RETENTION = Duration.ofDays(7);

  private TestRedis redis;

  @BeforeAll
  void open() {
    redis = TestRedis.open();
  }

  @AfterAll
  void close() {
    if (redis != null) {
      redis.close();
    }
  }

  private RedisEventStore store(RedisKeys keys) {
    return new RedisEventStore(redis.connector, keys, RETENTION);
  }

  private static UsageEvent event(String user, String id, Instant at, long characters, boolean ok) {
    return UsageEvent.builder().userId(user).eventId(id).occurredAt(at).characters(characters).requests(1)
        .success(ok).build();
  }

  @Test
  void anEmptyBatchAppendsNothing() {
    RedisKeys keys = redis.freshKeys();
    assertThat(store(keys).append(List.of())).isZero();
    assertThat(redis.ownKeys()).noneMatch(k -> k.startsWith(keys.prefix() + ":"));
  }

  @Test
  void storesEachIdOnceKeepingTheFirstVersionWithinAndAcrossBatches() {
    RedisEventStore store = store(redis.freshKeys());
    UsageEvent first = event("ann", "e1", T0, 5, true);
    // the later versions differ in amount, outcome and hour: none of it may count
    UsageEvent again = event("ann", "e1", T0.plus(Duration.ofHours(3)), 6, false);
    UsageEvent other = event("ann", "e2", T0.plusSeconds(1), 7, false);
    UsageEvent sameIdOtherUser = event("bob", "e1", T0.plusSeconds(2), 11, true);

    assertThat(store.append(List.of(first, again, other, first))).isEqualTo(2);
    assertThat(store.append(List.of(again, sameIdOtherUser, other))).isEqualTo(1);
    assertThat(store.append(List.of(first, again, other, sameIdOtherUser))).isZero();

    assertThat(store.userTotals("ann", Instant.EPOCH, Instant.MAX))
        .containsExactlyInAnyOrderEntriesOf(Map.of(QuotaType.CHARACTERS, 12L, QuotaType.REQUESTS, 2L));
    assertThat(store.userTotals("bob", Instant.EPOCH, Instant.MAX))
        .containsExactlyInAnyOrderEntriesOf(Map.of(QuotaType.CHARACTERS, 11L, QuotaType.REQUESTS, 1L));
    SystemUsage all = store.systemUsage(Instant.EPOCH, Instant.MAX);
    assertThat(all.events()).isEqualTo(3);
    assertThat(all.failedEvents()).isEqualTo(1);
    assertThat(all.activeUsers()).isEqualTo(2);
    assertThat(all.totals()).containsExactlyInAnyOrderEntriesOf(Map.of(QuotaType.CHARACTERS, 23L,
        QuotaType.REQUESTS, 3L));
    // the later version's hour holds nothing
    assertThat(store.systemUsage(T0.plus(Duration.ofHours(1)), Instant.MAX).events()).isZero();
  }

  @Test
  void totalsAreExactForRandomEventsOverRandomRanges() {
    Random rnd = new Random(42);
    RedisEventStore store = store(redis.freshKeys());
    List<String> users = List.of("u0", "u1", "u2", "u3@example.com", "user {with} braces|and:colons", "u5");
    Instant start = T0.minus(Duration.ofHours(30));
    long span = Duration.ofHours(60).toNanos() / 1_000;
    List<UsageEvent> appended = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      String user = users.get(rnd.nextInt(users.size()));
      appended.add(Events.random(rnd, user, "r" + i, Events.micros(rnd, start, span)));
      if (rnd.nextInt(10) == 0) {
        // a second version of an earlier event, sometimes in another hour
        UsageEvent earlier = appended.get(rnd.nextInt(appended.size()));
        appended.add(Events.random(rnd, earlier.userId(), earlier.eventId(), Events.micros(rnd, start, span)));
      }
    }
    Collection<UsageEvent> stored = Events.firstVersions(appended);
    int added = 0;
    for (int i = 0; i < appended.size(); ) {
      int n = 1 + rnd.nextInt(200);
      added += store.append(appended.subList(i, Math.min(appended.size(), i + n)));
      i += n;
    }
    assertThat(added).isEqualTo(stored.size());

    List<Instant[]> ranges = new ArrayList<>();
    ranges.add(new Instant[] {Instant.EPOCH, Instant.MAX});
    ranges.add(new Instant[] {Instant.MIN, Instant.parse("9999-12-31T23:59:59Z")});
    ranges.add(new Instant[] {T0, T0.plusSeconds(1_000)}); // inside one hour
    ranges.add(new Instant[] {T0, T0.plus(Duration.ofHours(1))}); // exactly one hour
    ranges.add(new Instant[] {T0.plus(Duration.ofHours(5)), T0}); // empty
    for (UsageEvent e : stored.stream().limit(30).toList()) {
      // edges exactly at an event, a microsecond later, and a nanosecond later (the same microsecond)
      ranges.add(new Instant[] {e.occurredAt(), e.occurredAt().plusNanos(1_000)});
      ranges.add(new Instant[] {e.occurredAt().plusNanos(1), T0.plus(Duration.ofHours(40))});
      ranges.add(new Instant[] {start, e.occurredAt()});
    }
    for (int i = 0; i < 120; i++) {
      Instant a = instantNear(rnd, start, span);
      Instant b = instantNear(rnd, start, span);
      ranges.add(a.isBefore(b) ? new Instant[] {a, b} : new Instant[] {b, a});
    }
    for (Instant[] r : ranges) {
      SystemUsage expected = Events.systemUsage(stored, r[0], r[1]);
      SystemUsage actual = store.systemUsage(r[0], r[1]);
      assertThat(actual).as("system usage over [%s, %s)", r[0], r[1]).isEqualTo(expected);
      String user = users.get(rnd.nextInt(users.size()));
      assertThat(store.userTotals(user, r[0], r[1])).as("totals of %s over [%s, %s)", user, r[0], r[1])
          .isEqualTo(Events.userTotals(stored, user, r[0], r[1]));
    }
  }

  /** An instant in the window: on an hour edge, a random microsecond, or a random nanosecond. */
  private static Instant instantNear(Random rnd, Instant start, long spanMicros) {
    Instant t = Events.micros(rnd, start.minus(Duration.ofHours(2)), spanMicros + Duration.ofHours(4).toNanos() / 1_000);
    return switch (rnd.nextInt(3)) {
      case 0 -> Instant.ofEpochSecond(t.getEpochSecond() / 3_600 * 3_600);
      case 1 -> t;
      default -> t.plusNanos(rnd.nextInt(1_000));
    };
  }

  @Test
  void aRetriedBatchCompletesASystemStepThatWasInterrupted() {
    Random rnd = new Random(7);
    RedisEventStore store = store(redis.freshKeys());
    List<UsageEvent> batch = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      batch.add(Events.random(rnd, "user-" + rnd.nextInt(7), "i" + i, Events.micros(rnd, T0, 4 * 3_600_000_000L)));
    }
    // the per-user step ran, then the instance died: the events are stored, the system-wide data is not
    List<RedisEventStore.Appended> first = store.userStep(batch);
    assertThat(first).allMatch(RedisEventStore.Appended::fresh);
    assertThat(store.systemUsage(Instant.EPOCH, Instant.MAX).events()).isZero();
    // half of the system step ran before a second failure
    store.systemStep(first.subList(0, 120));

    // the retry sends other versions of the same events: the stored ones count
    List<UsageEvent> retry = new ArrayList<>();
    for (UsageEvent e : batch) {
      retry.add(Events.random(rnd, e.userId(), e.eventId(), Events.micros(rnd, T0, 9 * 3_600_000_000L)));
    }
    Collections.shuffle(retry, rnd);
    assertThat(store.append(retry)).isZero();

    for (Instant[] r : List.of(new Instant[] {Instant.EPOCH, Instant.MAX},
        new Instant[] {T0.plusSeconds(1_234), T0.plus(Duration.ofMinutes(150))})) {
      assertThat(store.systemUsage(r[0], r[1])).isEqualTo(Events.systemUsage(batch, r[0], r[1]));
    }
  }

  @Test
  void eightThreadsAppendingOverlappingBatchesCountEachEventOnce() throws Exception {
    Random rnd = new Random(99);
    RedisKeys keys = redis.freshKeys();
    RedisEventStore store = store(keys);
    List<UsageEvent> pool = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      pool.add(Events.random(rnd, "c" + rnd.nextInt(5), "c" + i, Events.micros(rnd, T0, 6 * 3_600_000_000L)));
    }
    List<Integer> added = Hammer.run(8, 1, Duration.ofMinutes(2), (thread, attempt) -> {
      List<UsageEvent> mine = new ArrayList<>(pool);
      Collections.shuffle(mine, new Random(thread));
      int n = 0;
      for (int i = 0; i < mine.size(); i += 100) {
        n += store.append(mine.subList(i, Math.min(mine.size(), i + 100)));
      }
      return n;
    });

    assertThat(added.stream().mapToInt(Integer::intValue).sum()).isEqualTo(pool.size());
    assertThat(store.systemUsage(Instant.EPOCH, Instant.MAX)).isEqualTo(Events.systemUsage(pool, Instant.EPOCH,
        Instant.MAX));
    Instant from = T0.plusSeconds(4_321);
    Instant to = T0.plusSeconds(17_000);
    assertThat(store.systemUsage(from, to)).isEqualTo(Events.systemUsage(pool, from, to));
    for (int u = 0; u < 5; u++) {
      assertThat(store.userTotals("c" + u, from, to)).isEqualTo(Events.userTotals(pool, "c" + u, from, to));
    }
  }

  @Test
  void everyKeyAnAppendWritesExpiresAfterTheRetention() {
    RedisKeys keys = redis.freshKeys();
    RedisEventStore store = store(keys);
    store.append(List.of(event("ttl-a", "t1", T0, 3, true), event("ttl-b", "t2", T0.plus(Duration.ofHours(2)), 4,
        false)));

    List<String> written = new ArrayList<>();
    for (String key : redis.ownKeys()) {
      if (key.startsWith(keys.prefix() + ":")) {
        written.add(key);
      }
    }
    // per user: events, times, 2 indexes, hour and day rollups; per hour: 4 system keys; the hour index
    assertThat(written).hasSize(2 * 6 + 2 * 4 + 1);
    for (String key : written) {
      assertThat(redis.connector.sync().pttl(key)).as(key)
          .isBetween(RETENTION.minusMinutes(1).toMillis(), RETENTION.toMillis());
    }
  }

  @Test
  void anEventPastTheStorableRangeIsRefusedBeforeAnythingIsWritten() {
    RedisKeys keys = redis.freshKeys();
    RedisEventStore store = store(keys);
    UsageEvent fine = event("far", "ok", T0, 1, true);
    UsageEvent tooLate = event("far", "late", Instant.parse("2300-01-01T00:00:00Z"), 1, true);

    assertThatThrownBy(() -> store.append(List.of(fine, tooLate))).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("occurredAt");
    assertThat(redis.ownKeys()).noneMatch(k -> k.startsWith(keys.prefix() + ":"));
  }

  @Test
  void eventsOlderThanTheRetentionBeforeTheNewestLeaveTheLog() {
    RedisKeys keys = redis.freshKeys();
    RedisEventStore store = new RedisEventStore(redis.connector, keys, Duration.ofHours(1));
    store.append(List.of(event("trim", "old", T0, 3, true), event("trim", "kept", T0.plusSeconds(1_800), 4, true)));

    store.append(List.of(event("trim", "new", T0.plus(Duration.ofMinutes(90)), 5, true)));

    String user = keys.user("trim");
    assertThat(redis.connector.sync().hkeys(user + "ev")).containsExactlyInAnyOrder(RedisKeys.encode("kept"),
        RedisKeys.encode("new"));
    assertThat(redis.connector.sync().zrange(user + "et", 0, -1)).containsExactly(RedisKeys.encode("kept"),
        RedisKeys.encode("new"));
    // its id is forgotten with it: appended again, it is new (as after a purge of raw events in SQL)
    assertThat(store.append(List.of(event("trim", "old", T0, 3, true)))).isEqualTo(1);
  }

  @Test
  void aBusyUsersLogIsTrimmedFasterThanItIsAppendedTo() {
    RedisKeys keys = redis.freshKeys();
    RedisEventStore store = new RedisEventStore(redis.connector, keys, Duration.ofHours(1));
    for (int batch = 0; batch < 2; batch++) {
      store.append(batch(batch * 500, T0));
    }
    // an hour and a half later, as busy: each append takes out more of the expired events than it brings
    store.append(batch(1_000, T0.plus(Duration.ofMinutes(90))));
    store.append(batch(1_500, T0.plus(Duration.ofMinutes(91))));

    assertThat(redis.connector.sync().zcard(keys.user("busy") + "et")).isEqualTo(1_000);
    assertThat(redis.connector.sync().hlen(keys.user("busy") + "ev")).isEqualTo(1_000);
  }

  @Test
  void aBackfillOfMoreThanOneScriptRunKeepsAllItBrought() {
    RedisKeys keys = redis.freshKeys();
    RedisEventStore store = new RedisEventStore(redis.connector, keys, Duration.ofHours(1));
    // one user's 600 events, run as two chunks: 500 at T0, then 100 an hour and a half later
    List<UsageEvent> backfill = new ArrayList<>(batch(0, T0));
    for (int i = 500; i < 600; i++) {
      backfill.add(event("busy", "e" + i, T0.plus(Duration.ofMinutes(90)).plusMillis(i), 1, true));
    }

    assertThat(store.append(backfill)).isEqualTo(600);

    // the second chunk trims against the batch's oldest event, not its own: the first chunk's events stay
    assertThat(redis.connector.sync().zcard(keys.user("busy") + "et")).isEqualTo(600);
    assertThat(store.userTotals("busy", T0, T0.plus(Duration.ofHours(2))))
        .containsExactlyInAnyOrderEntriesOf(Map.of(QuotaType.CHARACTERS, 600L, QuotaType.REQUESTS, 600L));
  }

  private static List<UsageEvent> batch(int first, Instant at) {
    List<UsageEvent> out = new java.util.ArrayList<>();
    for (int i = first; i < first + 500; i++) {
      out.add(event("busy", "e" + i, at.plusMillis(i % 500), 1, true));
    }
    return out;
  }

  @Test
  void theSystemHourIndexForgetsHoursOlderThanTheRetention() {
    RedisKeys keys = redis.freshKeys();
    RedisEventStore store = new RedisEventStore(redis.connector, keys, Duration.ofHours(1));
    store.append(List.of(event("a", "1", T0, 3, true)));
    store.append(List.of(event("b", "2", T0.plus(Duration.ofMinutes(70)), 3, true)));
    assertThat(redis.connector.sync().zcard(keys.systemHours())).isEqualTo(2);

    store.append(List.of(event("c", "3", T0.plus(Duration.ofHours(3)), 3, true)));

    assertThat(redis.connector.sync().zrange(keys.systemHours(), 0, -1))
        .containsExactly(TimeBuckets.hourLabel(TimeBuckets.hourOf(TimeBuckets.floorMicros(T0.plus(Duration.ofHours(3))))));
    // its TTL is set in the same script as its hours (none of its keys outlives the retention unwritten)
    assertThat(redis.connector.sync().pttl(keys.systemHours())).isBetween(1L, Duration.ofHours(1).toMillis());
  }

  @Test
  void anEventStampedAheadDropsNoEventOrHourStillWithinTheRetention() {
    RedisKeys keys = redis.freshKeys();
    RedisEventStore store = new RedisEventStore(redis.connector, keys, Duration.ofHours(6));
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    store.append(List.of(event("a", "1", now.minus(Duration.ofHours(1)), 3, true)));
    store.append(List.of(event("b", "2", now.minus(Duration.ofHours(2)), 4, true)));
    // a client's clock seven hours ahead (the engine takes events up to a day ahead of its own clock)
    store.append(List.of(event("b", "3", now.plus(Duration.ofHours(7)), 5, true)));

    assertThat(store.systemUsage(now.minus(Duration.ofHours(3)), now).events()).isEqualTo(2);
    assertThat(store.userTotals("b", now.minus(Duration.ofHours(3)), now)).containsEntry(QuotaType.CHARACTERS, 4L);
    assertThat(store.userTotals("a", now.minus(Duration.ofHours(3)), now)).containsEntry(QuotaType.CHARACTERS, 3L);
  }

  @Test
  void theHourIndexScriptRefusesAMalformedCallBeforeWriting() {
    RedisKeys keys = redis.freshKeys();
    String[] k = {keys.systemHours()};
    assertThatThrownBy(() -> RedisScripts.run(redis.connector, RedisEventStore.INDEX_HOURS, "index", k, "3600000",
        "10", "11", "h11", "twelve", "h12")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hour 2 is malformed");
    assertThatThrownBy(() -> RedisScripts.run(redis.connector, RedisEventStore.INDEX_HOURS, "index", k, "0", "10",
        "11", "h11")).isInstanceOf(IllegalStateException.class).hasMessageContaining("malformed call");
    assertThat(redis.connector.sync().exists(keys.systemHours())).isZero();
  }

  @Test
  void theSystemHourIndexKeepsAnHourWithAnEventInsideARetentionOfPartHours() {
    RedisKeys keys = redis.freshKeys();
    RedisEventStore store = new RedisEventStore(redis.connector, keys, Duration.ofMinutes(90));
    store.append(List.of(event("a", "1", T0.plus(Duration.ofMinutes(50)), 3, true)));
    // 75 minutes later: the first event is still inside the retention, and so is its hour
    store.append(List.of(event("b", "2", T0.plus(Duration.ofMinutes(125)), 4, true)));

    assertThat(store.systemUsage(T0, T0.plus(Duration.ofMinutes(130))).events()).isEqualTo(2);
    assertThat(redis.connector.sync().zcard(keys.systemHours())).isEqualTo(2);

    // once all of the first event's hour is older than the retention before the newest, it leaves the index
    store.append(List.of(event("c", "3", T0.plus(Duration.ofMinutes(155)), 5, true)));
    assertThat(redis.connector.sync().zrange(keys.systemHours(), 0, -1)).containsExactly(
        TimeBuckets.hourLabel(TimeBuckets.hourOf(TimeBuckets.floorMicros(T0.plus(Duration.ofMinutes(125))))));
  }
}
