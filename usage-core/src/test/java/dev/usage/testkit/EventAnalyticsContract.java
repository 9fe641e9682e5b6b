package dev.usage.testkit;

import static dev.usage.testkit.AnalyticsDataset.IMAGES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.usage.EventFilter;
import dev.usage.EventFilter.Outcome;
import dev.usage.EventSort;
import dev.usage.EventTotals;
import dev.usage.QuotaType;
import dev.usage.TimeRange;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import dev.usage.spi.GroupTotals;
import dev.usage.spi.Grouping;
import dev.usage.spi.TimePercentiles;
import dev.usage.spi.UserRank;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The analytics primitives of a backend ({@link EventAnalytics}) against the hand-computed figures of
 * {@link AnalyticsDataset}: the same answers on every backend. A backend whose event store offers
 * analytics extends this class.
 */
public abstract class EventAnalyticsContract extends AbstractStorageContract {

  private AnalyticsDataset d;
  private EventAnalytics analytics;

  @BeforeEach
  void recordDataset() {
    analytics = storage.events().analytics().orElseThrow(() -> new AssertionError("the event store offers no analytics"));
    UsageEngine engine = engine();
    d = AnalyticsDataset.record(engine, clock, analytics);
  }

  private static Duration ms(double millis) {
    return Duration.ofNanos(Math.round(millis * 1_000_000));
  }

  private static EventTotals totals(long events, long failed, long users, long chars, long requests, long tokens,
      long images, long timed, double millis) {
    Map<QuotaType, Long> units = new java.util.TreeMap<>();
    units.put(QuotaType.CHARACTERS, chars);
    units.put(QuotaType.REQUESTS, requests);
    units.put(QuotaType.TOKENS, tokens);
    units.put(IMAGES, images);
    return new EventTotals(events, failed, users, units, timed, ms(millis));
  }

  private List<GroupTotals> group(Dimension... by) {
    return analytics.group(d.all(), Set.of(by));
  }

  @Test
  void totalsOfTheRangeLeaveOutEventsOutsideIt() {
    assertThat(group()).singleElement().satisfies(g -> {
      assertThat(g.key()).isEmpty();
      assertThat(g.totals()).isEqualTo(totals(9, 3, 3, 1885, 9, 312, 3, 8, 1180.5));
    });
  }

  @Test
  void rangesCompareInstantsToTheMicrosecondAsTheEventLogDoes() {
    // [5 min + 300 ns, 20 min + 300 ns) is [5 min, 20 min) at the microsecond: a's event at 5 (100 characters),
    // not the one at 20 (300)
    EventQuery cut = d.query(EventFilter.builder(TimeRange.of(d.at(5).plusNanos(300), d.at(20).plusNanos(300)))
        .user(d.a).build());
    assertThat(analytics.group(cut, Set.of())).singleElement().satisfies(g -> {
      assertThat(g.totals().events()).isEqualTo(1);
      assertThat(g.totals().units()).containsEntry(QuotaType.CHARACTERS, 100L);
    });
    assertThat(storage.events().userTotals(d.a, d.at(5).plusNanos(300), d.at(20).plusNanos(300)))
        .containsEntry(QuotaType.CHARACTERS, 100L);
  }

  @Test
  void severalGroupingsAtOnceAnswerAsEachAlone() {
    List<Set<Dimension>> sets = List.of(Set.of(), Set.of(Dimension.TIER), Set.of(Dimension.FEATURE, Dimension.ENDPOINT),
        Set.of(Dimension.ERROR_CODE), Set.of(Dimension.QUARTER_HOUR), Set.of(Dimension.USER, Dimension.FEATURE));
    List<Grouping> groupings = new ArrayList<>();
    for (Set<Dimension> by : sets) {
      groupings.add(new Grouping(by, true));
      groupings.add(new Grouping(by, false));
    }
    groupings.add(Grouping.of(Dimension.TIER)); // the same grouping twice is answered twice, not summed twice
    int tops = groupings.size();
    // top lists: by a built-in unit, by a custom one, of no group, and beside the same set unranked
    groupings.add(Grouping.top(Dimension.USER, QuotaType.CHARACTERS, 2));
    groupings.add(Grouping.top(Dimension.USER, IMAGES, 10));
    groupings.add(Grouping.top(Dimension.FEATURE, QuotaType.TOKENS, 10));
    groupings.add(Grouping.top(Dimension.USER, QuotaType.REQUESTS, 0));
    groupings.add(Grouping.of(Dimension.USER));
    groupings.add(Grouping.top(Dimension.USER, QuotaType.REQUESTS, 2));
    List<List<GroupTotals>> all = analytics.groupings(d.all(), groupings);
    assertThat(all).hasSize(groupings.size());
    for (int i = 0; i < groupings.size(); i++) {
      Grouping g = groupings.get(i);
      List<GroupTotals> alone = g.isTop()
          ? analytics.top(d.all(), g.by().iterator().next(), g.orderBy().orElseThrow(), g.limit())
          : analytics.group(d.all(), g.by());
      assertThat(all.get(i)).as(g.toString()).containsExactlyElementsOf(g.countUsers() ? alone
          : alone.stream().map(GroupTotals::withoutUsers).toList());
    }
    assertThat(all.get(0)).singleElement().satisfies(t -> assertThat(t.totals().users()).isEqualTo(3));
    assertThat(all.get(1)).singleElement().satisfies(t -> assertThat(t.totals().users()).isZero());
    // ranked largest first, not in key order
    assertThat(all.get(tops)).extracting(g -> g.key(Dimension.USER), g -> g.totals().units(QuotaType.CHARACTERS))
        .containsExactly(tuple(d.c, 1400L), tuple(d.a, 450L));
    assertThat(all.get(tops + 3)).isEmpty();
    assertThat(all.get(tops + 4)).hasSize(3);
    EventQuery failed = d.query(d.filter().outcome(Outcome.FAILED).build());
    assertThat(analytics.groupings(failed, List.of(Grouping.of(), Grouping.of(Dimension.ERROR_CODE))))
        .containsExactly(analytics.group(failed, Set.of()), analytics.group(failed, Set.of(Dimension.ERROR_CODE)));
    EventQuery empty = d.query(d.filter().user("nobody-" + d.a).build());
    assertThat(analytics.groupings(empty, List.of(Grouping.of(), Grouping.withoutUsers(), Grouping.of(Dimension.USER))))
        .containsExactly(List.of(new GroupTotals(Map.of(), EventTotals.NONE)),
            List.of(new GroupTotals(Map.of(), EventTotals.NONE)), List.of());
  }

  @Test
  void anEmptyRangeHasOneRowOfZeros() {
    EventQuery empty = d.query(d.filter().user("nobody-" + d.a).build());
    assertThat(analytics.group(empty, Set.of())).singleElement()
        .satisfies(g -> assertThat(g.totals()).isEqualTo(EventTotals.NONE));
    assertThat(analytics.group(empty, Set.of(Dimension.USER))).isEmpty();
  }

  @Test
  void groupsByFeatureInKeyOrder() {
    assertThat(group(Dimension.FEATURE)).extracting(g -> g.key(Dimension.FEATURE), GroupTotals::totals).containsExactly(
        tuple("correct", totals(6, 1, 3, 1430, 6, 212, 0, 5, 440.5)),
        tuple("summarize", totals(1, 0, 1, 400, 1, 100, 0, 1, 90)),
        tuple("translate", totals(2, 2, 2, 55, 2, 0, 3, 2, 650)));
  }

  @Test
  void eventsWithoutAnEndpointFormTheirOwnGroup() {
    assertThat(group(Dimension.ENDPOINT)).extracting(g -> g.key(Dimension.ENDPOINT), GroupTotals::totals).containsExactly(
        tuple(GroupTotals.NONE, totals(1, 0, 1, 20, 1, 0, 0, 0, 0)),
        tuple("POST /api/correct", totals(5, 1, 3, 1410, 5, 212, 0, 5, 440.5)),
        tuple("POST /api/summarize", totals(1, 0, 1, 400, 1, 100, 0, 1, 90)),
        tuple("POST /api/translate", totals(2, 2, 2, 55, 2, 0, 3, 2, 650)));
  }

  @Test
  void groupsByTierWithTheDefaultTierForUsersWithoutSettings() {
    assertThat(group(Dimension.TIER)).extracting(g -> g.key(Dimension.TIER), GroupTotals::totals).containsExactly(
        tuple("free", totals(3, 1, 1, 35, 3, 2, 1, 2, 280)),
        tuple("premium", totals(6, 2, 2, 1850, 6, 310, 2, 6, 900.5)));
  }

  @Test
  void groupsFailuresByErrorCode() {
    List<GroupTotals> failures = analytics.group(d.query(d.filter().outcome(Outcome.FAILED).build()),
        Set.of(Dimension.ERROR_CODE));
    assertThat(failures).extracting(g -> g.key(Dimension.ERROR_CODE), g -> g.totals().events(),
        g -> g.totals().failedEvents()).containsExactly(
            tuple("BAD_INPUT", 1L, 1L), tuple("LLM_TIMEOUT", 1L, 1L), tuple("RATE_LIMITED", 1L, 1L));
    assertThat(group(Dimension.ERROR_CODE)).first().satisfies(g -> {
      assertThat(g.key(Dimension.ERROR_CODE)).isEqualTo(GroupTotals.NONE);
      assertThat(g.totals().events()).isEqualTo(6);
      assertThat(g.totals().failedEvents()).isZero();
    });
  }

  @Test
  void groupsByTwoDimensions() {
    assertThat(group(Dimension.USER, Dimension.FEATURE)).extracting(g -> g.key(Dimension.USER),
        g -> g.key(Dimension.FEATURE), g -> g.totals().events(), g -> g.totals().units(QuotaType.CHARACTERS))
        .containsExactly(
            tuple(d.a, "correct", 2L, 400L), tuple(d.a, "translate", 1L, 50L),
            tuple(d.b, "correct", 2L, 30L), tuple(d.b, "translate", 1L, 5L),
            tuple(d.c, "correct", 2L, 1000L), tuple(d.c, "summarize", 1L, 400L));
  }

  @Test
  void groupsByQuarterHourSlotsAlignedToTheEpoch() {
    assertThat(group(Dimension.QUARTER_HOUR)).extracting(GroupTotals::slot, g -> g.totals().events(),
        g -> g.totals().users(), g -> g.totals().units(QuotaType.CHARACTERS)).containsExactly(
            tuple(d.at(0), 2L, 2L, 110L), tuple(d.at(15), 1L, 1L, 300L), tuple(d.at(60), 1L, 1L, 50L),
            tuple(d.at(120), 2L, 1L, 1000L), tuple(d.at(1500), 1L, 1L, 20L), tuple(d.at(1530), 1L, 1L, 5L),
            tuple(d.at(2940), 1L, 1L, 400L));
  }

  @Test
  void filtersCombineAndEachNarrowsTheEvents() {
    assertThat(events(d.filter().feature("translate"))).isEqualTo(2);
    assertThat(events(d.filter().endpoint("POST /api/correct"))).isEqualTo(5);
    assertThat(events(d.filter().user(d.b))).isEqualTo(3);
    assertThat(events(d.filter().user(d.a, d.c))).isEqualTo(6);
    assertThat(events(d.filter().tier("free"))).isEqualTo(3);
    assertThat(events(d.filter().tier("premium"))).isEqualTo(6);
    assertThat(events(d.filter().tier("enterprise"))).isZero();
    assertThat(events(d.filter().quotaType(IMAGES))).isEqualTo(2);
    assertThat(events(d.filter().quotaType(QuotaType.TOKENS))).isEqualTo(5);
    assertThat(events(d.filter().quotaType(QuotaType.TOKENS, IMAGES))).isEqualTo(7);
    assertThat(events(d.filter().outcome(Outcome.FAILED))).isEqualTo(3);
    assertThat(events(d.filter().outcome(Outcome.SUCCEEDED))).isEqualTo(6);
    assertThat(events(d.filter().tier("premium").outcome(Outcome.FAILED))).isEqualTo(2);
    assertThat(events(d.filter().feature("correct").endpoint("POST /api/correct").user(d.c))).isEqualTo(2);
  }

  @Test
  void filterValuesAreBoundNotExecuted() {
    assertThat(events(d.filter().feature("x' OR '1'='1"))).isZero();
    assertThat(events(d.filter().user(d.a + "' OR 1=1 --"))).isZero();
    assertThat(events(d.filter().endpoint("%"))).isZero();
    assertThat(events(d.filter().tier("free\") OR (1=1"))).isZero();
    assertThat(events(d.filter())).isEqualTo(9);
  }

  private long events(dev.usage.EventFilter.Builder f) {
    return analytics.group(d.query(f.build()), Set.of()).get(0).totals().events();
  }

  @Test
  void topGroupsByAQuotaTypeLeaveOutGroupsWithoutIt() {
    assertThat(analytics.top(d.all(), Dimension.USER, QuotaType.CHARACTERS, 2))
        .extracting(g -> g.key(Dimension.USER), g -> g.totals().units(QuotaType.CHARACTERS))
        .containsExactly(tuple(d.c, 1400L), tuple(d.a, 450L));
    assertThat(analytics.top(d.all(), Dimension.USER, IMAGES, 10))
        .extracting(g -> g.key(Dimension.USER), g -> g.totals().events())
        .containsExactly(tuple(d.a, 3L), tuple(d.b, 3L));
    assertThat(analytics.top(d.all(), Dimension.FEATURE, QuotaType.TOKENS, 10))
        .extracting(g -> g.key(Dimension.FEATURE)).containsExactly("correct", "summarize");
  }

  @Test
  void processingTimePercentilesAreNearestRankPerEndpoint() {
    assertThat(analytics.processingTimes(d.all(), Optional.of(Dimension.ENDPOINT), List.of(0.5, 0.95, 0.99)))
        .containsExactly(
            new TimePercentiles("POST /api/correct", 5, List.of(ms(80), ms(200), ms(200))),
            new TimePercentiles("POST /api/summarize", 1, List.of(ms(90), ms(90), ms(90))),
            new TimePercentiles("POST /api/translate", 2, List.of(ms(250), ms(400), ms(400))));
    assertThat(analytics.processingTimes(d.all(), Optional.empty(), List.of(0.25, 0.5, 0.95, 1.0)))
        .containsExactly(new TimePercentiles("", 8, List.of(ms(30), ms(90), ms(400), ms(400))));
    assertThat(analytics.processingTimes(d.query(d.filter().feature("correct").build()), Optional.of(Dimension.FEATURE),
        List.of(0.01))).containsExactly(new TimePercentiles("correct", 5, List.of(ms(10.5))));
  }

  @Test
  void percentileRanksUseTheDoubleProductAsSqlPercentileDiscDoes() {
    UsageEngine engine = engine();
    String timed = "timed-" + d.a;
    for (int i = 1; i <= 100; i++) {
      engine.tracking().trackUsage(UsageEvent.builder().userId(timed).eventId("t" + i).occurredAt(d.at(i))
          .requests(1).processingTime(Duration.ofMillis(i)).build());
    }
    // 0.07 * 100 is 7.000000000000001 in binary floating point: rank 8, as PERCENTILE_DISC(0.07) answers
    assertThat(analytics.processingTimes(d.query(d.filter().user(timed).build()), Optional.empty(),
        List.of(0.07, 0.5, 0.95, 0.99, 1.0)))
        .containsExactly(new TimePercentiles("", 100, List.of(ms(8), ms(50), ms(95), ms(99), ms(100))));
  }

  @Test
  void refusesBadTopAndPercentileArgumentsNamingThem() {
    assertThatThrownBy(() -> analytics.top(d.all(), Dimension.USER, QuotaType.CHARACTERS, -1))
        .isInstanceOfSatisfying(dev.usage.InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("limit"));
    assertThatThrownBy(() -> analytics.top(d.all(), Dimension.QUARTER_HOUR, QuotaType.CHARACTERS, 5))
        .isInstanceOfSatisfying(dev.usage.InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("by"));
    for (double p : new double[] {0, -0.5, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> analytics.processingTimes(d.all(), Optional.empty(), List.of(0.5, p)))
          .isInstanceOfSatisfying(dev.usage.InvalidUsageException.class,
              e -> assertThat(e.field()).isEqualTo("percentiles"));
    }
    assertThat(analytics.top(d.all(), Dimension.USER, QuotaType.CHARACTERS, 0)).isEmpty();
    assertThatThrownBy(() -> Grouping.top(Dimension.USER, QuotaType.CHARACTERS, -1))
        .isInstanceOfSatisfying(dev.usage.InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("limit"));
    assertThatThrownBy(() -> Grouping.top(Dimension.QUARTER_HOUR, QuotaType.CHARACTERS, 5))
        .isInstanceOfSatisfying(dev.usage.InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("by"));
    assertThatThrownBy(() -> new Grouping(Set.of(Dimension.USER, Dimension.FEATURE), true,
        Optional.of(QuotaType.CHARACTERS), 5))
        .isInstanceOfSatisfying(dev.usage.InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("by"));
    assertThatThrownBy(() -> new Grouping(Set.of(Dimension.USER), true, Optional.empty(), 5))
        .isInstanceOfSatisfying(dev.usage.InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("limit"));
  }

  @Test
  void ranksAValueAmongTheUsersTotals() {
    assertThat(analytics.userRank(d.all(), QuotaType.CHARACTERS, 450)).isEqualTo(new UserRank(3, 1, 1));
    assertThat(analytics.userRank(d.all(), QuotaType.CHARACTERS, 450).percentile()).isEqualTo(50.0);
    assertThat(analytics.userRank(d.all(), QuotaType.CHARACTERS, 1000)).isEqualTo(new UserRank(3, 2, 0));
    assertThat(analytics.userRank(d.all(), IMAGES, 0)).as("c has events but no images").isEqualTo(new UserRank(3, 0, 1));
    assertThat(analytics.userRank(d.all(), IMAGES, 2)).isEqualTo(new UserRank(3, 2, 1));
    assertThat(analytics.userRank(d.query(d.filter().tier("premium").build()), QuotaType.CHARACTERS, 450))
        .isEqualTo(new UserRank(2, 0, 1));
  }

  @Test
  void streamsEventsBackAsRecordedInTheChosenOrder() {
    assertThat(ids(EventSort.OLDEST_FIRST)).containsExactly("e1", "e4", "e2", "e3", "e7", "e8", "e5", "e6", "e9");
    assertThat(ids(new EventSort(EventSort.Field.CHARACTERS, true)))
        .containsExactly("e7", "e9", "e2", "e1", "e3", "e5", "e4", "e6", "e8");
    assertThat(ids(new EventSort(EventSort.Field.PROCESSING_TIME, false)))
        .containsExactly("e5", "e8", "e4", "e2", "e9", "e1", "e7", "e6", "e3");
    assertThat(ids(new EventSort(EventSort.Field.ENDPOINT, true)))
        .containsExactly("e3", "e6", "e9", "e1", "e4", "e2", "e7", "e8", "e5");
    assertThat(ids(new EventSort(EventSort.Field.TOKENS, false)))
        .as("equal tokens ordered by time").containsExactly("e3", "e8", "e5", "e6", "e4", "e1", "e2", "e9", "e7");

    List<UsageEvent> back = new ArrayList<>();
    long n = analytics.forEachEvent(d.all(), EventSort.OLDEST_FIRST, back::add);
    assertThat(n).isEqualTo(9);
    assertThat(back).containsExactlyInAnyOrderElementsOf(d.events);
  }

  @Test
  void streamsOnlyTheFilteredEventsAndStopsWhenTheSinkThrows() {
    List<String> failed = new ArrayList<>();
    analytics.forEachEvent(d.query(d.filter().outcome(Outcome.FAILED).build()), new EventSort(EventSort.Field.USER_ID, false),
        e -> failed.add(e.eventId()));
    assertThat(failed).containsExactly("e3", "e6", "e8");

    List<String> seen = new ArrayList<>();
    assertThatThrownBy(() -> analytics.forEachEvent(d.all(), EventSort.OLDEST_FIRST, e -> {
      seen.add(e.eventId());
      if (seen.size() == 2) {
        throw new IllegalStateException("sink full");
      }
    })).isInstanceOf(IllegalStateException.class).hasMessage("sink full");
    assertThat(seen).containsExactly("e1", "e4");
  }

  private List<String> ids(EventSort sort) {
    List<String> ids = new ArrayList<>();
    analytics.forEachEvent(d.all(), sort, e -> ids.add(e.eventId()));
    return ids;
  }
}
