package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.EventFilter;
import dev.usage.EventSort;
import dev.usage.QuotaType;
import dev.usage.Tier;
import dev.usage.TimeRange;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.Dimension;
import dev.usage.spi.Grouping;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import dev.usage.spi.UsageStorage;
import dev.usage.testkit.Storages;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The database's analytics against the in-memory reference on the same random events (many ties, absent
 * endpoints and processing times, custom units, failures, users in several tiers and without settings):
 * every group, top list, percentile (including ranks where {@code p * n} is not exact in binary, such as
 * 0.07 of 100), rank and export order must be equal. The seed is printed so a failure can be replayed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractAnalyticsDifferentialCheck {

  private static final QuotaType IMAGES = QuotaType.of("images");
  private static final QuotaType VIDEO = QuotaType.of("video");
  private static final List<Double> PERCENTILES = List.of(0.01, 0.07, 0.1, 0.25, 0.29, 0.5, 0.57, 0.9, 0.95, 0.99, 1.0);

  private HikariDataSource pool;
  private JdbcUsageStorage jdbc;
  private EventAnalytics db;
  private EventAnalytics reference;
  private TimeRange range;
  private final List<String> users = new ArrayList<>();
  private String hundred;

  abstract HikariDataSource database();

  @BeforeAll
  void record() {
    long seed = System.nanoTime();
    System.out.println(getClass().getSimpleName() + " seed " + seed);
    Random random = new Random(seed);
    pool = database();
    jdbc = JdbcUsageStorage.builder(pool).build();
    InMemoryUsageStorage memory = InMemoryUsageStorage.create();
    db = jdbc.events().analytics().orElseThrow();
    reference = memory.events().analytics().orElseThrow();

    Instant base = Instant.parse("2060-01-05T00:00:00Z").plus(Duration.ofDays(7L * random.nextInt(400)));
    range = TimeRange.of(base, base.plus(Duration.ofDays(7)));
    String run = UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 12; i++) {
      users.add("d-" + run + "-u" + (char) ('a' + i));
    }
    List<String> tiers = List.of("premium", "enterprise", "premium", "gold");
    for (UsageStorage s : List.of(jdbc, memory)) {
      try (UsageEngine engine = UsageEngine.builder().storage(Storages.shared(s)).tier(Tier.builder("gold").build())
          .clock(Clock.fixed(range.to(), ZoneOffset.UTC)).closeOnShutdown(false).build()) {
        for (int i = 0; i < 8; i++) {
          engine.quotas().changeTier(users.get(i), tiers.get(i % tiers.size()), "differential", "tiers");
        }
        // "free" stored explicitly for one user: the same tier as the users without settings
        engine.quotas().changeTier(users.get(8), "free", "differential", "tiers");
      }
    }
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      UsageEvent.Builder b = UsageEvent.builder().eventId("d-" + i).userId(users.get(random.nextInt(users.size())))
          .feature("f" + random.nextInt(4))
          .occurredAt(base.plusSeconds(random.nextInt(7 * 86_400 / 60) * 60L).plusNanos(random.nextInt(3) * 1_000L))
          .characters(random.nextInt(6) * 100L).requests(random.nextInt(3)).inputTokens(random.nextInt(4))
          .outputTokens(random.nextInt(3));
      if (random.nextInt(5) > 0) {
        b.endpoint("/e" + random.nextInt(3));
      }
      if (random.nextInt(4) > 0) {
        b.processingTime(Duration.ofNanos(random.nextInt(400) * 250_000L + random.nextInt(2) * 1_000L));
      }
      if (random.nextInt(6) == 0) {
        b.quantity(IMAGES, 1 + random.nextInt(3));
      }
      if (random.nextInt(10) == 0) {
        b.quantity(VIDEO, 1 + random.nextInt(2));
      }
      if (random.nextInt(7) == 0) {
        b.errorCode("E" + random.nextInt(3));
      }
      events.add(b.build());
    }
    // one user with processing times 1..100 ms: 0.07 * 100 is 7.000000000000001 in double arithmetic
    hundred = "d-" + run + "-hundred";
    for (int i = 1; i <= 100; i++) {
      events.add(UsageEvent.builder().eventId("h-" + i).userId(hundred).occurredAt(base.plusSeconds(i))
          .requests(1).processingTime(Duration.ofMillis(i)).build());
    }
    for (int from = 0; from < events.size(); from += 500) {
      List<UsageEvent> batch = events.subList(from, Math.min(events.size(), from + 500));
      jdbc.events().append(batch);
      memory.events().append(batch);
    }
    if (jdbc.dialect() == JdbcDialect.POSTGRESQL) {
      // statistics as autovacuum would soon have them: with none, the planner guesses one row per range and
      // nested-loops the 450 top-list statements into minutes
      org.jdbi.v3.core.Jdbi.create(pool).useHandle(h -> h.execute("ANALYZE usage_tracking, usage_tracking_custom,"
          + " user_quotas"));
    }
  }

  @AfterAll
  void close() {
    if (jdbc != null) {
      jdbc.close();
    }
    if (pool != null) {
      pool.close();
    }
  }

  private List<EventQuery> queries() {
    List<EventQuery> out = new ArrayList<>();
    List<Consumer<EventFilter.Builder>> filters = List.of(
        f -> { },
        f -> f.outcome(EventFilter.Outcome.FAILED),
        f -> f.outcome(EventFilter.Outcome.SUCCEEDED).quotaType(IMAGES, QuotaType.TOKENS),
        f -> f.tier("premium", "free"),
        f -> f.endpoint("/e1", "/e2").feature("f0", "f3"),
        f -> f.quotaType(VIDEO).user(users.get(0), users.get(9), users.get(10)));
    for (Consumer<EventFilter.Builder> f : filters) {
      EventFilter.Builder b = EventFilter.builder(range);
      f.accept(b);
      // this run's users only (a shared database may hold other tests' events of the week)
      EventFilter filter = b.build();
      out.add(new EventQuery(filter.users().isEmpty() ? copyWithUsers(filter) : filter, "free"));
    }
    return out;
  }

  private EventFilter copyWithUsers(EventFilter f) {
    return new EventFilter(f.range(), Set.copyOf(users), f.features(), f.endpoints(), f.tiers(), f.quotaTypes(),
        f.outcome());
  }

  @Test
  void groupsEqualTheReference() {
    List<Set<Dimension>> dims = List.of(Set.of(), Set.of(Dimension.USER), Set.of(Dimension.FEATURE, Dimension.ENDPOINT),
        Set.of(Dimension.TIER), Set.of(Dimension.ERROR_CODE), Set.of(Dimension.QUARTER_HOUR),
        Set.of(Dimension.USER, Dimension.TIER, Dimension.QUARTER_HOUR), Set.of(Dimension.values()));
    for (EventQuery q : queries()) {
      for (Set<Dimension> by : dims) {
        assertThat(db.group(q, by)).as("%s by %s", q.filter(), by).isEqualTo(reference.group(q, by));
      }
      // all of them at once (one scan on PostgreSQL), with and without users
      List<Grouping> groupings = new ArrayList<>();
      for (Set<Dimension> by : dims) {
        groupings.add(new Grouping(by, true));
        groupings.add(new Grouping(by, false));
      }
      // and top lists in the same statement (by a custom unit: apart)
      for (QuotaType type : List.of(QuotaType.CHARACTERS, QuotaType.REQUESTS, QuotaType.TOKENS, IMAGES)) {
        groupings.add(Grouping.top(Dimension.USER, type, 3));
      }
      groupings.add(Grouping.top(Dimension.FEATURE, QuotaType.REQUESTS, 2));
      groupings.add(Grouping.top(Dimension.ERROR_CODE, QuotaType.TOKENS, 100));
      assertThat(db.groupings(q, groupings)).as("%s, all groupings", q.filter())
          .isEqualTo(reference.groupings(q, groupings));
    }
  }

  @Test
  void topListsEqualTheReference() {
    for (EventQuery q : queries()) {
      for (Dimension by : List.of(Dimension.USER, Dimension.FEATURE, Dimension.ENDPOINT, Dimension.TIER,
          Dimension.ERROR_CODE)) {
        for (QuotaType type : List.of(QuotaType.CHARACTERS, QuotaType.REQUESTS, QuotaType.TOKENS, IMAGES, VIDEO)) {
          for (int limit : List.of(1, 3, 100)) {
            assertThat(db.top(q, by, type, limit)).as("%s top %d %s by %s", q.filter(), limit, by, type)
                .isEqualTo(reference.top(q, by, type, limit));
          }
        }
      }
    }
  }

  @Test
  void percentilesEqualTheReference() {
    for (EventQuery q : queries()) {
      for (Optional<Dimension> by : List.of(Optional.<Dimension>empty(), Optional.of(Dimension.ENDPOINT),
          Optional.of(Dimension.USER), Optional.of(Dimension.TIER), Optional.of(Dimension.QUARTER_HOUR))) {
        assertThat(db.processingTimes(q, by, PERCENTILES)).as("%s by %s", q.filter(), by)
            .isEqualTo(reference.processingTimes(q, by, PERCENTILES));
      }
    }
  }

  @Test
  void percentileRanksAreComputedInDoublePrecisionLikeJava() {
    EventQuery q = new EventQuery(EventFilter.builder(range).user(hundred).build(), "free");
    List<Double> ps = List.of(0.07, 0.14, 0.29, 0.5, 0.57, 1.0);
    List<Duration> expected = new ArrayList<>();
    for (double p : ps) {
      expected.add(Duration.ofMillis((long) Math.ceil(p * 100)));
    }
    assertThat(expected.get(0)).as("Java's rank for 0.07 of 100").isEqualTo(Duration.ofMillis(8));
    assertThat(db.processingTimes(q, Optional.empty(), ps)).singleElement()
        .satisfies(t -> assertThat(t.values()).isEqualTo(expected));
    assertThat(db.processingTimes(q, Optional.empty(), ps)).isEqualTo(reference.processingTimes(q, Optional.empty(), ps));
  }

  @Test
  void ranksEqualTheReference() {
    for (EventQuery q : queries()) {
      for (QuotaType type : List.of(QuotaType.CHARACTERS, QuotaType.TOKENS, IMAGES)) {
        for (long value : List.of(0L, 1L, 5L, 500L, 10_000L, 30_000L)) {
          assertThat(db.userRank(q, type, value)).as("%s %s %d", q.filter(), type, value)
              .isEqualTo(reference.userRank(q, type, value));
        }
      }
    }
  }

  @Test
  void exportsEqualTheReference() {
    for (EventQuery q : queries()) {
      for (EventSort.Field field : EventSort.Field.values()) {
        for (boolean desc : List.of(false, true)) {
          EventSort sort = new EventSort(field, desc);
          List<UsageEvent> got = new ArrayList<>();
          List<UsageEvent> expected = new ArrayList<>();
          assertThat(db.forEachEvent(q, sort, got::add)).isEqualTo(reference.forEachEvent(q, sort, expected::add));
          assertThat(got).as("%s %s", q.filter(), sort).isEqualTo(expected);
        }
      }
    }
  }
}
