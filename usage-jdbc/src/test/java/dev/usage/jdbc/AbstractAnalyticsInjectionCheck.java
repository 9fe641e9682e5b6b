package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.EventFilter;
import dev.usage.EventSort;
import dev.usage.QuotaType;
import dev.usage.TimeRange;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import dev.usage.spi.GroupTotals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Filter values that would change a statement spliced into its text (quotes, comments, a second statement,
 * LIKE wildcards) are bound by every analytics call: each matches exactly the one event that carries it
 * literally (or none), keys come back as stored, and the event table is still there afterwards. The three
 * events lie in an hour of their own, picked at random, so the test owns every row of its range (their ids
 * carry the hour: the literal user ids recur on a database shared across runs).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractAnalyticsInjectionCheck {

  static final String DROP = "'; DROP TABLE usage_tracking; --";
  static final String OR_TRUE = "x' OR '1'='1";
  static final String TIER = "t' OR '1'='1";

  private HikariDataSource pool;
  private JdbcUsageStorage storage;
  private EventAnalytics analytics;
  private TimeRange hour;
  private final List<UsageEvent> events = new ArrayList<>();

  abstract HikariDataSource database();

  @BeforeAll
  void record() {
    pool = database();
    storage = JdbcUsageStorage.builder(pool).build();
    analytics = storage.events().analytics().orElseThrow();
    Instant base = Instant.parse("2050-01-01T00:00:00Z").plus(Duration.ofHours(ThreadLocalRandom.current().nextInt(80_000)));
    hour = TimeRange.of(base, base.plus(Duration.ofHours(1)));
    events.add(UsageEvent.builder().eventId("inj-1-" + base.getEpochSecond()).userId(DROP).feature(OR_TRUE).endpoint(DROP).occurredAt(base)
        .characters(10).requests(1).processingTime(Duration.ofMillis(5)).build());
    events.add(UsageEvent.builder().eventId("inj-2-" + base.getEpochSecond()).userId("plain-" + base.getEpochSecond()).feature("plain")
        .endpoint("/ok").occurredAt(base.plusSeconds(60)).characters(20).requests(1).processingTime(Duration.ofMillis(7))
        .build());
    events.add(UsageEvent.builder().eventId("inj-3-" + base.getEpochSecond()).userId(OR_TRUE).feature("f\" OR \"1\"=\"1").endpoint("%")
        .occurredAt(base.plusSeconds(120)).characters(30).requests(1).errorCode("E' OR 1=1").build());
    try (UsageEngine engine = UsageEngine.builder().storage(dev.usage.testkit.Storages.shared(storage))
        .clock(Clock.fixed(base.plus(Duration.ofHours(2)), ZoneOffset.UTC)).tier(dev.usage.Tier.builder(TIER).build())
        .closeOnShutdown(false).build()) {
      engine.quotas().changeTier(events.get(1).userId(), TIER, "injection-test", "tier with a quote");
    }
    assertThat(storage.events().append(events)).isEqualTo(3);
  }

  @AfterAll
  void close() {
    if (storage != null) {
      storage.close();
    }
    if (pool != null) {
      pool.close();
    }
  }

  private EventQuery query(EventFilter.Builder f) {
    return new EventQuery(f.build(), "free");
  }

  private EventFilter.Builder filter() {
    return EventFilter.builder(hour);
  }

  private List<String> ids(EventFilter.Builder f) {
    List<String> ids = new ArrayList<>();
    // event ids carry the hour (the literal user ids recur across runs on a shared database)
    analytics.forEachEvent(query(f), EventSort.OLDEST_FIRST, e -> ids.add(e.eventId().replaceAll("-\\d+$", "")));
    return ids;
  }

  private long events(EventFilter.Builder f) {
    return analytics.group(query(f), Set.of()).get(0).totals().events();
  }

  @Test
  void hostileValuesMatchOnlyTheEventThatCarriesThemLiterally() {
    assertThat(ids(filter())).containsExactly("inj-1", "inj-2", "inj-3");
    assertThat(ids(filter().user(DROP))).containsExactly("inj-1");
    assertThat(ids(filter().feature(OR_TRUE))).containsExactly("inj-1");
    assertThat(ids(filter().endpoint(DROP))).containsExactly("inj-1");
    assertThat(ids(filter().user(OR_TRUE))).containsExactly("inj-3");
    assertThat(ids(filter().endpoint("%"))).containsExactly("inj-3");
    assertThat(ids(filter().tier(TIER))).containsExactly("inj-2");
    assertThat(ids(filter().tier("free' OR '1'='1"))).isEmpty();
    assertThat(ids(filter().user("' OR 1=1 --", "x\\' OR 1=1 #"))).isEmpty();
    assertThat(ids(filter().feature("plain' --"))).isEmpty();
    assertThat(ids(filter().endpoint("/ok' OR endpoint IS NULL OR '1'='1"))).isEmpty();
    assertThat(events(filter().user(DROP))).isEqualTo(1);
    assertThat(events(filter().endpoint("_"))).isZero();

    List<UsageEvent> back = new ArrayList<>();
    analytics.forEachEvent(query(filter().user(DROP, OR_TRUE)), EventSort.OLDEST_FIRST, back::add);
    assertThat(back).containsExactly(events.get(0), events.get(2));
  }

  @Test
  void everyCallBindsTheValuesAndReturnsKeysAsStored() {
    assertThat(analytics.group(query(filter()), Set.of(Dimension.USER, Dimension.ENDPOINT)))
        .extracting(g -> g.key(Dimension.USER), g -> g.key(Dimension.ENDPOINT))
        .contains(org.assertj.core.groups.Tuple.tuple(DROP, DROP), org.assertj.core.groups.Tuple.tuple(OR_TRUE, "%"));
    assertThat(analytics.group(query(filter()), Set.of(Dimension.TIER))).extracting(g -> g.key(Dimension.TIER))
        .containsExactly("free", TIER);
    assertThat(analytics.group(query(filter().outcome(EventFilter.Outcome.FAILED)), Set.of(Dimension.ERROR_CODE)))
        .extracting(g -> g.key(Dimension.ERROR_CODE)).containsExactly("E' OR 1=1");
    assertThat(analytics.top(query(filter().feature(OR_TRUE)), Dimension.FEATURE, QuotaType.CHARACTERS, 5))
        .extracting(g -> g.key(Dimension.FEATURE), g -> g.totals().units(QuotaType.CHARACTERS))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(OR_TRUE, 10L));
    assertThat(analytics.top(query(filter().feature(OR_TRUE)), Dimension.FEATURE, QuotaType.of("no.such-type"), 5))
        .as("a custom type is bound too").isEmpty();
    assertThat(analytics.processingTimes(query(filter().endpoint(DROP)), Optional.of(Dimension.ENDPOINT), List.of(0.5)))
        .singleElement().satisfies(p -> {
          assertThat(p.key()).isEqualTo(DROP);
          assertThat(p.values()).containsExactly(Duration.ofMillis(5));
        });
    assertThat(analytics.userRank(query(filter().user(DROP, OR_TRUE)), QuotaType.CHARACTERS, 20).users()).isEqualTo(2);
    assertThat(analytics.group(query(filter().tier(TIER)), Set.of(Dimension.TIER))).extracting(GroupTotals::totals)
        .singleElement().satisfies(t -> assertThat(t.units(QuotaType.CHARACTERS)).isEqualTo(20));
  }

  @Test
  void theEventTableIsStillThereAfterwards() {
    hostileValuesMatchOnlyTheEventThatCarriesThemLiterally();
    everyCallBindsTheValuesAndReturnsKeysAsStored();
    long rows = Jdbi.create(pool).withHandle(h -> h.createQuery("SELECT COUNT(*) FROM usage_tracking WHERE user_id = ?")
        .bind(0, DROP).mapTo(Long.class).one());
    assertThat(rows).isPositive();
    assertThat(storage.events().userTotals(DROP, hour.from(), hour.to())).containsEntry(QuotaType.CHARACTERS, 10L);
  }
}
