package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import dev.usage.UsageStorageException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisLiveFeedIT {

  private static final Instant T0 = Instant.parse("2026-03-15T10:00:00Z");

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

  private RedisLiveFeed feed(RedisKeys keys, int maxLength) {
    return new RedisLiveFeed(redis.connector, keys, maxLength, redis::newConnection);
  }

  @Test
  void everyNewEventReachesEverySubscriberAndDuplicatesNone() throws Exception {
    RedisKeys keys = redis.freshKeys();
    // the publishing instance and a second instance (its own feed and connections) follow the same stream
    try (RedisLiveFeed feed = feed(keys, RedisLiveFeed.DEFAULT_MAX_LENGTH);
        RedisLiveFeed other = feed(keys, RedisLiveFeed.DEFAULT_MAX_LENGTH)) {
      RedisEventStore store = new RedisEventStore(redis.connector, keys, Duration.ofDays(1), Optional.of(feed));
      List<LiveUsageEvent> seenHere = new CopyOnWriteArrayList<>();
      List<LiveUsageEvent> seenThere = new CopyOnWriteArrayList<>();
      feed.subscribe(seenHere::add);
      other.subscribe(seenThere::add);
      Random rnd = new Random(3);
      List<UsageEvent> batch = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        batch.add(Events.random(rnd, "live-" + (i % 3), "l" + i, T0.plusSeconds(i)));
      }

      assertThat(store.append(batch)).isEqualTo(250);
      assertThat(store.append(batch.subList(0, 100))).isZero();
      // a duplicate in a batch with a new event: only the new one is published
      UsageEvent marker = Events.random(rnd, "live-0", "marker", T0.plusSeconds(999));
      assertThat(store.append(List.of(batch.get(7), marker, batch.get(8)))).isEqualTo(1);

      List<String> expected = new ArrayList<>();
      batch.forEach(e -> expected.add(e.eventId()));
      expected.add("marker");
      for (List<LiveUsageEvent> seen : List.of(seenHere, seenThere)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.stream().anyMatch(e -> e.eventId().equals("marker")));
        // the marker came last: anything published for the duplicates would be before it
        assertThat(seen.stream().map(LiveUsageEvent::eventId).toList()).isEqualTo(expected);
      }
      LiveUsageEvent first = seenThere.get(0);
      UsageEvent sent = batch.get(0);
      assertThat(first.userId()).isEqualTo(sent.userId());
      assertThat(first.occurredAt()).isEqualTo(sent.occurredAt());
      assertThat(first.feature()).isEqualTo(sent.feature());
      assertThat(first.quantities()).isEqualTo(sent.quantities());
      assertThat(first.success()).isEqualTo(sent.success());
      assertThat(feed.recent(2).stream().map(LiveUsageEvent::eventId).toList())
          .containsExactly("marker", batch.get(249).eventId());
    }
  }

  @Test
  void aClosedSubscriptionReceivesNothingMore() throws Exception {
    RedisKeys keys = redis.freshKeys();
    try (RedisLiveFeed feed = feed(keys, 100)) {
      RedisEventStore store = new RedisEventStore(redis.connector, keys, Duration.ofDays(1), Optional.of(feed));
      List<LiveUsageEvent> closedOne = new CopyOnWriteArrayList<>();
      List<LiveUsageEvent> openOne = new CopyOnWriteArrayList<>();
      AutoCloseable subscription = feed.subscribe(closedOne::add);
      feed.subscribe(openOne::add);
      store.append(List.of(Events.random(new Random(1), "c", "before", T0)));
      await().atMost(Duration.ofSeconds(20)).until(() -> closedOne.size() == 1 && openOne.size() == 1);

      subscription.close();
      store.append(List.of(Events.random(new Random(2), "c", "after", T0)));
      await().atMost(Duration.ofSeconds(20)).until(() -> openOne.size() == 2);
      // both followers wake on the same entry: the closed one must still have nothing more a while later
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> closedOne.size() == 1);
    }
  }

  @Test
  void aClosedFeedRefusesSubscriptionsAndLeavesNoThreadBehind() {
    RedisLiveFeed feed = feed(redis.freshKeys(), 100);
    List<Thread> before = followerThreads();
    feed.subscribe(e -> { });
    feed.subscribeQuotaChanges(c -> { });
    List<Thread> mine = new ArrayList<>(followerThreads());
    mine.removeAll(before);
    assertThat(mine).hasSize(2);
    feed.close();

    assertThatThrownBy(() -> feed.subscribe(e -> { })).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> feed.subscribeQuotaChanges(c -> { })).isInstanceOf(IllegalStateException.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> mine.stream().noneMatch(Thread::isAlive));
  }

  @Test
  void aSubscriptionWhileRedisCannotBeReachedIsTheTypedError() {
    // the feed's own connection works; each subscription's new one goes to a port nothing listens on
    RedisClient unreachable = RedisClient.create(RedisURI.create(RedisProcess.HOST, FreePorts.pairOn(RedisProcess.HOST)));
    try {
      RedisLiveFeed feed = new RedisLiveFeed(redis.connector, redis.freshKeys(), 100,
          () -> RedisConnector.standalone(unreachable, Duration.ofSeconds(1)));
      assertThatThrownBy(() -> feed.subscribe(e -> { })).isInstanceOf(UsageStorageException.class)
          .hasMessageContaining("live feed subscription");
      assertThatThrownBy(() -> feed.subscribeQuotaChanges(c -> { })).isInstanceOf(UsageStorageException.class);
      feed.close();
    } finally {
      unreachable.shutdown();
    }
  }

  @Test
  void entriesThisVersionCannotReadAreSkippedByReadersAndSubscribers() throws Exception {
    RedisKeys keys = redis.freshKeys();
    try (RedisLiveFeed feed = feed(keys, 100)) {
      List<LiveQuotaChange> seen = new CopyOnWriteArrayList<>();
      feed.subscribeQuotaChanges(seen::add);
      feed.publishQuotaChange("u1", QuotaType.REQUESTS, 1, 10);
      // written by hand, or by another version: a field missing, a number that is not one
      redis.connector.sync().xadd(keys.liveQuota(), java.util.Map.of("user", "u2", "type", "requests"));
      redis.connector.sync().xadd(keys.liveQuota(),
          java.util.Map.of("user", "u3", "type", "requests", "used", "many", "limit", "10"));
      feed.publishQuotaChange("u4", QuotaType.REQUESTS, 4, 10);

      await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 2);
      assertThat(seen).extracting(LiveQuotaChange::userId).containsExactly("u1", "u4");
      assertThat(feed.recentQuotaChanges(4)).extracting(LiveQuotaChange::userId).containsExactly("u4", "u1");
      redis.connector.sync().xadd(keys.liveEvents(), java.util.Map.of("user", "u5", "occurredAt", "soon"));
      assertThat(feed.recent(5)).isEmpty();
    }
  }

  @Test
  void aListenerThatThrowsAnErrorEndsItsOwnSubscriptionOnly() throws Exception {
    RedisKeys keys = redis.freshKeys();
    try (RedisLiveFeed feed = feed(keys, 100)) {
      List<Thread> before = followerThreads();
      List<String> failing = new CopyOnWriteArrayList<>();
      List<String> steady = new CopyOnWriteArrayList<>();
      AutoCloseable broken = feed.subscribeQuotaChanges(c -> {
        failing.add(c.userId());
        if (c.userId().equals("boom")) {
          throw new AssertionError("a listener's own bug");
        }
      });
      List<Thread> brokenThread = new ArrayList<>(followerThreads());
      brokenThread.removeAll(before);
      assertThat(brokenThread).hasSize(1);
      feed.subscribeQuotaChanges(c -> {
        if (c.userId().equals("boom")) {
          throw new IllegalStateException("an exception is logged, delivery goes on");
        }
        steady.add(c.userId());
      });
      feed.publishQuotaChange("boom", QuotaType.REQUESTS, 1, 10);
      feed.publishQuotaChange("after", QuotaType.REQUESTS, 2, 10);

      // the Error ends its thread as uncaught: not the test's failure (Awaitility would take it for one)
      await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(20)).until(() -> steady.contains("after"));
      await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(5)).until(() -> !brokenThread.get(0).isAlive());
      assertThat(failing).containsExactly("boom");
      broken.close(); // still closes quietly
    }
  }

  @Test
  void aListenerThatInterruptsItsThreadDoesNotEndItsSubscription() throws Exception {
    RedisKeys keys = redis.freshKeys();
    try (RedisLiveFeed feed = feed(keys, 100)) {
      List<String> seen = new CopyOnWriteArrayList<>();
      feed.subscribeQuotaChanges(c -> {
        seen.add(c.userId());
        Thread.currentThread().interrupt(); // as code that restores a flag it caught would
      });
      feed.publishQuotaChange("first", QuotaType.REQUESTS, 1, 10);
      await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("first"));
      feed.publishQuotaChange("second", QuotaType.REQUESTS, 2, 10);
      feed.publishQuotaChange("third", QuotaType.REQUESTS, 3, 10);

      await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 3);
      assertThat(seen).containsExactly("first", "second", "third");
    }
  }

  /** The live threads of subscriptions (StreamFollower's), of any feed of this JVM. */
  private static List<Thread> followerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("usage-live-feed-")).toList();
  }

  @Test
  void theStreamIsCappedNearItsMaximumLength() {
    RedisKeys keys = redis.freshKeys();
    try (RedisLiveFeed feed = feed(keys, 100)) {
      RedisEventStore store = new RedisEventStore(redis.connector, keys, Duration.ofDays(1), Optional.of(feed));
      Random rnd = new Random(4);
      for (int b = 0; b < 10; b++) {
        List<UsageEvent> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          batch.add(Events.random(rnd, "cap", "cap-" + b + "-" + i, T0));
        }
        store.append(batch);
      }
      // MAXLEN ~ trims whole nodes only: somewhat more than 100 may stay, never everything
      assertThat(redis.connector.sync().xlen(keys.liveEvents())).isBetween(100L, 1_000L);
      assertThat(feed.recent(1).get(0).eventId()).isEqualTo("cap-9-199");
    }
  }

  @Test
  void quotaChangesReachSubscribers() throws Exception {
    RedisKeys keys = redis.freshKeys();
    try (RedisLiveFeed feed = feed(keys, 100); RedisLiveFeed other = feed(keys, 100)) {
      List<LiveQuotaChange> seen = new CopyOnWriteArrayList<>();
      other.subscribeQuotaChanges(seen::add);
      feed.publishQuotaChange("q-user", QuotaType.CHARACTERS, 1_200, 5_000);
      feed.publishQuotaChange("q-user", QuotaType.of("images"), 3, dev.usage.Quota.UNLIMITED);

      await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 2);
      assertThat(seen.get(0)).extracting(LiveQuotaChange::userId, LiveQuotaChange::type, LiveQuotaChange::used,
          LiveQuotaChange::limit).containsExactly("q-user", QuotaType.CHARACTERS, 1_200L, 5_000L);
      assertThat(seen.get(1).limit()).isEqualTo(Long.MAX_VALUE);
      assertThat(feed.recentQuotaChanges(5)).extracting(LiveQuotaChange::type)
          .containsExactly(QuotaType.of("images"), QuotaType.CHARACTERS);
    }
  }
}
