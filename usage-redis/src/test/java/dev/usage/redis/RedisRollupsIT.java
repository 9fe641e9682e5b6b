package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisRollupsIT {

  private static final Instant T0 = Instant.parse("2026-03-14T20:00:00Z");

  private TestRedis redis;
  private RedisRollups rollups;
  private Collection<UsageEvent> stored;

  @BeforeAll
  void appendEvents() {
    redis = TestRedis.open();
    RedisEventStore store = new RedisEventStore(redis.connector, redis.keys, RedisEventStore.DEFAULT_RETENTION);
    rollups = new RedisRollups(redis.connector, redis.keys);
    Random rnd = new Random(5);
    List<UsageEvent> appended = new ArrayList<>();
    for (int i = 0; i < 800; i++) {
      appended.add(Events.random(rnd, "r" + rnd.nextInt(4), "e" + rnd.nextInt(700),
          Events.micros(rnd, T0, Duration.ofHours(54).toNanos() / 1_000)));
    }
    for (int i = 0; i < appended.size(); i += 64) {
      store.append(appended.subList(i, Math.min(appended.size(), i + 64)));
    }
    // duplicates (same user and id) count once, in the first version's bucket
    stored = Events.firstVersions(appended);
  }

  @AfterAll
  void close() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void hourlyBucketsOfAUserEqualTheSumsOfTheirEvents() {
    Instant from = T0.plus(Duration.ofMinutes(90));
    Instant to = T0.plus(Duration.ofHours(40));
    for (int u = 0; u < 4; u++) {
      String user = "r" + u;
      List<RollupBucket> expected = expected(e -> e.userId().equals(user), ChronoUnit.HOURS, Duration.ofHours(1),
          from, to, true);
      assertThat(rollups.hourly(user, from, to)).as(user).isEqualTo(expected).isNotEmpty();
    }
  }

  @Test
  void badArgumentsAreRefusedNamingTheirField() {
    Instant to = T0.plus(Duration.ofHours(1));
    assertThatThrownBy(() -> rollups.hourly(null, T0, to)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("userId");
    assertThatThrownBy(() -> rollups.daily(" ", T0, to)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("userId");
    assertThatThrownBy(() -> rollups.hourly("r0", null, to)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("from");
    assertThatThrownBy(() -> rollups.daily("r0", T0, null)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("to");
    assertThatThrownBy(() -> rollups.systemHourly(to, T0)).isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("to");
    // an empty range has no buckets
    assertThat(rollups.hourly("r0", T0, T0)).isEmpty();
  }

  @Test
  void dailyBucketsOfAUserEqualTheSumsOfTheirEvents() {
    for (int u = 0; u < 4; u++) {
      String user = "r" + u;
      List<RollupBucket> expected = expected(e -> e.userId().equals(user), ChronoUnit.DAYS, Duration.ofDays(1),
          Instant.EPOCH, Instant.MAX, true);
      assertThat(expected).hasSize(4); // 14th 20:00 to 17th 02:00
      assertThat(rollups.daily(user, Instant.EPOCH, Instant.MAX)).as(user).isEqualTo(expected);
    }
  }

  @Test
  void systemHourlyBucketsEqualTheSumsOfAllEventsWithTheirDistinctUsers() {
    Instant from = T0.plus(Duration.ofMinutes(30));
    Instant to = T0.plus(Duration.ofHours(20)).plusSeconds(1);
    assertThat(rollups.systemHourly(from, to)).isEqualTo(expected(e -> true, ChronoUnit.HOURS, Duration.ofHours(1),
        from, to, false));
    assertThat(rollups.systemHourly(Instant.EPOCH, Instant.MAX)).hasSize(54);
  }

  @Test
  void aRangeWithNoDataHasNoBuckets() {
    assertThat(rollups.hourly("r0", T0.minus(Duration.ofDays(3)), T0)).isEmpty();
    assertThat(rollups.hourly("nobody", Instant.EPOCH, Instant.MAX)).isEmpty();
    assertThat(rollups.systemHourly(T0, T0)).isEmpty();
  }

  /** The buckets overlapping [from, to) computed from the stored events, oldest first. */
  private List<RollupBucket> expected(Predicate<UsageEvent> which, ChronoUnit unit, Duration length, Instant from,
      Instant to, boolean perUser) {
    Map<Instant, List<UsageEvent>> byBucket = new TreeMap<>();
    for (UsageEvent e : stored) {
      Instant start = e.occurredAt().truncatedTo(unit);
      if (which.test(e) && start.isBefore(to) && start.plus(length).isAfter(from)) {
        byBucket.computeIfAbsent(start, s -> new ArrayList<>()).add(e);
      }
    }
    List<RollupBucket> out = new ArrayList<>();
    byBucket.forEach((start, events) -> {
      Map<QuotaType, Long> totals = new TreeMap<>();
      Set<String> users = new HashSet<>();
      long failed = 0;
      for (UsageEvent e : events) {
        e.quantities().forEach((t, v) -> totals.merge(t, v, Math::addExact));
        users.add(e.userId());
        failed += e.success() ? 0 : 1;
      }
      out.add(new RollupBucket(start, length, events.size(), failed, perUser ? 1 : users.size(), totals));
    });
    return out;
  }
}
