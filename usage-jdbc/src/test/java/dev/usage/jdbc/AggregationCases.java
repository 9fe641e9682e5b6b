package dev.usage.jdbc;

import dev.usage.AggregationReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.InvalidUsageException;
import dev.usage.UsageEvent;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The rollups on one database; a subclass per database names the pool. */
abstract class AggregationCases extends AggregationFixture {

  // 2024-02-19 is a Monday; the range covers a leap day, two month ends and several ISO weeks
  static final LocalDate FIRST = LocalDate.of(2024, 2, 19);
  static final int DAYS = 45;
  static final LocalDate FROM = LocalDate.of(2024, 1, 1);
  static final LocalDate TO = LocalDate.of(2024, 6, 1);

  static final Comparator<UsageAggregate> ORDER = Comparator.comparing(UsageAggregate::bucketStart)
      .thenComparing(a -> a.userId().orElse("")).thenComparing(a -> a.feature().orElse(""));

  void assertMatches(List<UsageEvent> events) {
    new Checker(this).matches(events);
  }

  /** Compares the rollups (rows and totals, all users and one) with the ones computed from the events. */
  static final class Checker {
    private final AggregationFixture fixture;

    Checker(AggregationFixture fixture) {
      this.fixture = fixture;
    }

    void matches(List<UsageEvent> events) {
      JdbcAggregations a = fixture.aggregations();
      for (Granularity g : Granularity.values()) {
        assertThat(sorted(a.rows(g, Optional.empty(), FROM, TO))).as("%s rows", g)
            .isEqualTo(ExpectedAggregates.rows(events, g, Optional.empty(), FROM, TO));
        assertThat(a.totals(g, Optional.empty(), FROM, TO)).as("%s totals", g)
            .isEqualTo(ExpectedAggregates.totals(events, g, Optional.empty(), FROM, TO));
        assertThat(a.rows(g, Optional.of("user-1"), FROM, TO)).as("%s rows of user-1", g)
            .isEqualTo(ExpectedAggregates.rows(events, g, Optional.of("user-1"), FROM, TO));
        assertThat(a.totals(g, Optional.of("user-2"), FROM, TO)).as("%s totals of user-2", g)
            .isEqualTo(ExpectedAggregates.totals(events, g, Optional.of("user-2"), FROM, TO));
      }
    }
  }

  static List<UsageAggregate> sorted(List<UsageAggregate> rows) {
    List<UsageAggregate> out = new ArrayList<>(rows);
    out.sort(ORDER);
    return out;
  }

  @Test
  void figuresEqualTheRawEventsToTheUnit() {
    List<UsageEvent> events = randomEvents(1, 600, 4, FIRST, DAYS);
    append(events);
    assertThat(aggregations().rows(Granularity.DAY, Optional.empty(), FROM, TO)).as("nothing before aggregating")
        .isEmpty();

    AggregationReport report = aggregations().aggregatePending();

    long days = events.stream().map(e -> Days.of(e.occurredAt())).distinct().count();
    long slices = events.stream().map(e -> Days.of(e.occurredAt()) + e.userId()).distinct().count();
    assertThat(report).isEqualTo(new AggregationReport((int) days, (int) slices));
    assertMatches(events);
    assertThat(aggregations().pendingDays()).isEmpty();
  }

  @Test
  void rerunningChangesNoByte() throws Exception {
    List<UsageEvent> events = randomEvents(2, 300, 3, FIRST, DAYS);
    append(events);
    aggregations().aggregatePending();
    List<String> before = snapshot(true);

    assertThat(aggregations().aggregatePending()).isEqualTo(new AggregationReport(0, 0));
    assertThat(snapshot(true)).isEqualTo(before);
    assertThat(aggregations().aggregate(FIRST.minusDays(3), FIRST.plusDays(DAYS + 3)).userDays()).isPositive();
    assertThat(snapshot(true)).isEqualTo(before);
    assertThat(before).isNotEmpty();
  }

  @Test
  void lateEventForAnOldDayIsPickedUp() {
    List<UsageEvent> events = new ArrayList<>(randomEvents(3, 200, 3, FIRST, DAYS));
    append(events);
    aggregations().aggregatePending();

    UsageEvent late = at("late-1", "user-1", "2024-02-20T08:00:00Z");
    append(List.of(late));
    events.add(late);

    assertThat(aggregations().pendingDays()).containsExactly(LocalDate.of(2024, 2, 20));
    assertThat(aggregations().aggregatePending()).isEqualTo(new AggregationReport(1, 1));
    assertMatches(events);
  }

  @Test
  void bucketsSplitAtUtcMidnightMondayAndMonthEnd() {
    List<UsageEvent> events = List.of(
        at("sun", "user-1", "2024-03-31T23:59:59.999999Z"), // Sunday, last instant of March and of ISO week 13
        at("mon", "user-1", "2024-04-01T00:00:00Z"), // Monday, first instant of April and of week 14
        at("leap", "user-1", "2024-02-29T23:59:59.999999Z"), // Thursday, last instant of February
        at("mar", "user-1", "2024-03-01T00:00:00Z")); // Friday of the same week, first instant of March
    append(events);
    aggregations().aggregatePending();

    assertThat(starts(Granularity.DAY)).containsExactly(LocalDate.of(2024, 2, 29), LocalDate.of(2024, 3, 1),
        LocalDate.of(2024, 3, 31), LocalDate.of(2024, 4, 1));
    assertThat(starts(Granularity.WEEK)).containsExactly(LocalDate.of(2024, 2, 26), LocalDate.of(2024, 3, 25),
        LocalDate.of(2024, 4, 1));
    assertThat(aggregations().rows(Granularity.WEEK, Optional.of("user-1"), FROM, TO))
        .extracting(UsageAggregate::events).containsExactly(2L, 1L, 1L);
    assertThat(starts(Granularity.MONTH)).containsExactly(LocalDate.of(2024, 2, 1), LocalDate.of(2024, 3, 1),
        LocalDate.of(2024, 4, 1));
    assertThat(aggregations().rows(Granularity.MONTH, Optional.of("user-1"), FROM, TO))
        .extracting(UsageAggregate::events).containsExactly(1L, 2L, 1L);
    assertMatches(events);
  }

  private List<LocalDate> starts(Granularity g) {
    return aggregations().rows(g, Optional.of("user-1"), FROM, TO).stream().map(UsageAggregate::bucketStart).toList();
  }

  @Test
  void concurrentRunsAndAppendsGiveTheSameResult() throws Exception {
    List<UsageEvent> first = randomEvents(4, 400, 8, FIRST, 20);
    List<UsageEvent> during = randomEvents(5, 400, 8, FIRST, 20);
    append(first);
    long slices = first.stream().map(e -> Days.of(e.occurredAt()) + e.userId()).distinct().count();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<AggregationReport>> runs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        runs.add(pool.submit(() -> {
          start.await();
          return aggregations().aggregatePending();
        }));
      }
      start.countDown();
      int rebuilt = 0;
      for (Future<AggregationReport> f : runs) {
        rebuilt += f.get(120, TimeUnit.SECONDS).userDays();
      }
      assertThat(rebuilt).as("every stale slice rebuilt exactly once").isEqualTo((int) slices);
      assertMatches(first);

      // appends racing aggregation runs: whatever a run misses stays marked for the next one
      List<Future<?>> racing = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      for (int i = 0; i < 2; i++) {
        List<UsageEvent> half = during.subList(i * 200, i * 200 + 200);
        racing.add(pool.submit(() -> {
          go.await();
          half.forEach(e -> storage.events().append(List.of(e)));
          return null;
        }));
      }
      for (int i = 0; i < 3; i++) {
        racing.add(pool.submit(() -> {
          go.await();
          for (int k = 0; k < 5; k++) {
            aggregations().aggregatePending();
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : racing) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    aggregations().aggregatePending();
    List<UsageEvent> all = new ArrayList<>(first);
    all.addAll(during);
    assertMatches(all);
  }

  @Test
  void badArgumentsAreRefusedNamingTheField() {
    JdbcAggregations a = aggregations();
    Optional<String> all = Optional.empty();
    assertField(() -> a.rows(null, all, FROM, TO), "granularity");
    assertField(() -> a.rows(Granularity.DAY, null, FROM, TO), "userId");
    assertField(() -> a.totals(Granularity.DAY, Optional.of(" "), FROM, TO), "userId");
    assertField(() -> a.rows(Granularity.DAY, all, null, TO), "from");
    assertField(() -> a.rows(Granularity.DAY, all, FROM, null), "toExclusive");
    assertField(() -> a.rows(Granularity.DAY, all, TO, FROM), "toExclusive");
    assertField(() -> a.totals(Granularity.WEEK, all, FROM, FROM), "toExclusive");
    assertField(() -> a.aggregate(FROM, FROM.plusDays(JdbcAggregations.MAX_RANGE_DAYS + 1)), "toExclusive");
    assertField(() -> a.aggregate(LocalDate.of(1969, 12, 31), FROM), "from");
    assertField(() -> storage.retention().purgeEventsBefore(null), "cutoff");
    assertField(() -> storage.retention().purgeEventsBefore(java.time.Instant.parse("1969-12-31T23:59:59Z")), "cutoff");
    assertField(() -> storage.retention().purgeEventsBefore(java.time.Instant.EPOCH, 0), "batchSize");
    assertField(() -> storage.retention().purgeEventsBefore(java.time.Instant.EPOCH, JdbcRetention.MAX_BATCH_SIZE + 1),
        "batchSize");
  }

  static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
    assertThatThrownBy(call).isInstanceOfSatisfying(InvalidUsageException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }
}
