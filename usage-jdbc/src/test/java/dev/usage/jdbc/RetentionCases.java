package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.PeriodUsage;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Retention on one database; a subclass per database names the pool. */
abstract class RetentionCases extends AggregationFixture {

  // mid-day, to the microsecond: part of that day's events go, part stay
  static final Instant CUTOFF = Instant.parse("2024-03-10T13:37:00.123456Z");

  private final AggregationCases.Checker check = new AggregationCases.Checker(this);

  private static long before(List<UsageEvent> events, Instant cutoff) {
    return events.stream().filter(e -> e.occurredAt().isBefore(cutoff)).count();
  }

  @Test
  void purgeDeletesOnlyOldEventsAndKeepsEveryAggregate() throws Exception {
    List<UsageEvent> events = randomEvents(11, 500, 4, AggregationCases.FIRST, AggregationCases.DAYS);
    append(events);
    aggregations().aggregatePending();
    List<String> aggregates = snapshot(false);
    PeriodUsage closed = new PeriodUsage("user-1", QuotaType.CHARACTERS, QuotaPeriod.MONTH,
        Instant.parse("2024-02-01T00:00:00Z"), Instant.parse("2024-03-01T00:00:00Z"), 10_000, 4_321, 0,
        Instant.parse("2024-03-01T00:05:00Z"));
    storage.history().close(List.of(closed));

    PurgeReport report = storage.retention().purgeEventsBefore(CUTOFF, 7);

    assertThat(report).isEqualTo(new PurgeReport(CUTOFF, before(events, CUTOFF), 0));
    assertThat(count("SELECT COUNT(*) FROM usage_tracking")).isEqualTo(events.size() - before(events, CUTOFF));
    assertThat(storage.events().userTotals("user-1", Instant.EPOCH, CUTOFF)).as("no raw event before the cutoff")
        .isEmpty();
    long customAfter = events.stream().filter(e -> !e.occurredAt().isBefore(CUTOFF))
        .mapToLong(e -> e.customQuantities().size()).sum();
    assertThat(count("SELECT COUNT(*) FROM usage_tracking_custom")).isEqualTo(customAfter);
    assertThat(snapshot(false)).isEqualTo(aggregates);
    check.matches(events);
    assertThat(storage.history().history("user-1")).containsExactly(closed);

    // a forced rebuild of every day from what is left (raw events plus PURGE rows) changes nothing
    aggregations().aggregate(AggregationCases.FIRST, AggregationCases.FIRST.plusDays(AggregationCases.DAYS));
    assertThat(snapshot(false)).isEqualTo(aggregates);
    assertThat(storage.retention().purgeEventsBefore(CUTOFF)).isEqualTo(new PurgeReport(CUTOFF, 0, 0));
  }

  @Test
  void staleDaysAreAggregatedBeforeTheirEventsGo() {
    List<UsageEvent> events = randomEvents(12, 300, 3, AggregationCases.FIRST, AggregationCases.DAYS);
    append(events);
    long staleUpToCutoffDay = events.stream().map(e -> Days.of(e.occurredAt()))
        .filter(d -> !d.isAfter(Days.of(CUTOFF))).distinct().count();

    PurgeReport report = storage.retention().purgeEventsBefore(CUTOFF);

    assertThat(report.daysAggregated()).isEqualTo((int) staleUpToCutoffDay);
    assertThat(report.eventsDeleted()).isEqualTo(before(events, CUTOFF));
    aggregations().aggregatePending();
    check.matches(events);
  }

  @Test
  void lateEventForAPurgedDayIsAddedToIt() {
    List<UsageEvent> events = new ArrayList<>(randomEvents(13, 300, 3, AggregationCases.FIRST, AggregationCases.DAYS));
    append(events);
    storage.retention().purgeEventsBefore(CUTOFF);

    UsageEvent late = at("late-purged", "user-2", "2024-02-21T10:00:00Z");
    append(List.of(late));
    events.add(late);
    aggregations().aggregatePending();
    check.matches(events);

    assertThat(storage.retention().purgeEventsBefore(CUTOFF).eventsDeleted()).isEqualTo(1);
    aggregations().aggregatePending();
    check.matches(events);
  }

  @Test
  void concurrentPurgesCountEveryEventOnce() throws Exception {
    List<UsageEvent> events = randomEvents(14, 600, 5, AggregationCases.FIRST, AggregationCases.DAYS);
    append(events);
    aggregations().aggregatePending();
    List<String> aggregates = snapshot(false);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    long deleted = 0;
    try {
      List<Future<PurgeReport>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        runs.add(pool.submit(() -> storage.retention().purgeEventsBefore(CUTOFF, 5)));
      }
      for (Future<PurgeReport> f : runs) {
        deleted += f.get(120, TimeUnit.SECONDS).eventsDeleted();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(deleted).isEqualTo(before(events, CUTOFF));
    assertThat(snapshot(false)).isEqualTo(aggregates);
    aggregations().aggregate(AggregationCases.FIRST, AggregationCases.FIRST.plusDays(AggregationCases.DAYS));
    assertThat(snapshot(false)).isEqualTo(aggregates);
  }
}
