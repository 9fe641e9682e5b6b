package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.EventFilter;
import dev.usage.EventSort;
import dev.usage.QuotaType;
import dev.usage.TimeRange;
import dev.usage.UsageEvent;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@link EventAnalytics#forEachEvent} on one database: {@value #EVENTS} events stream through with the heap
 * (measured after GC every 25,000 events) growing by a small fraction of what the rows occupy when held and
 * not climbing with the count, every event comes back exactly as
 * appended, and every {@link EventSort} (field and direction) gives the order of the reference comparator
 * (the in-memory store's: absent values first ascending, ties by time, user and event id). The events are
 * a pure function of their index, so the check needs none of them in memory. Subclasses give a database
 * of their own, emptied first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractEventStreamCheck {

  static final int EVENTS = 200_000;
  private static final Instant BASE = Instant.parse("2031-03-01T00:00:00Z");
  private static final TimeRange ALL = TimeRange.of(BASE, BASE.plus(Duration.ofDays(30)));
  private static final QuotaType IMAGES = QuotaType.of("images");

  private HikariDataSource pool;
  private EventAnalytics analytics;

  /** A pool on an empty database with the schema. */
  abstract HikariDataSource freshDatabase();

  @BeforeAll
  void load() {
    pool = freshDatabase();
    JdbcUsageStorage storage = JdbcUsageStorage.builder(pool).queryTimeout(Duration.ofSeconds(60)).build();
    analytics = storage.events().analytics().orElseThrow();
    List<UsageEvent> batch = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      batch.add(event(i));
      if (batch.size() == 5_000) {
        assertThat(storage.events().append(batch)).isEqualTo(batch.size());
        batch.clear();
      }
    }
  }

  @AfterAll
  void close() {
    if (pool != null) {
      pool.close();
    }
  }

  /**
   * Event {@code i}: 37 users, ties on every sortable field (few distinct amounts, instants shared by
   * several events), absent endpoints and processing times, custom units, metadata, microsecond instants.
   */
  static UsageEvent event(int i) {
    UsageEvent.Builder b = UsageEvent.builder()
        .eventId("ev-" + i)
        .userId("user-" + (i * 7919 % 37))
        .feature("feature-" + (i % 5))
        .occurredAt(BASE.plusSeconds(i / 3 * 11L).plusNanos((i % 3) * 1_000L))
        .characters(i % 97 * 10)
        .requests(1 + i % 2)
        .inputTokens(i % 13)
        .outputTokens(i % 11)
        .sessionId("session-" + (i % 1_000))
        .ipAddress("198.51.100." + (i % 250))
        .userAgent("agent/" + (i % 3));
    if (i % 6 != 0) {
      b.endpoint("POST /api/e" + (i % 4));
    }
    if (i % 5 != 0) {
      b.processingTime(Duration.ofNanos((i % 1_000) * 1_250_000L + (i % 7) * 1_000L));
    }
    if (i % 9 == 0) {
      b.quantity(IMAGES, 1 + i % 3);
    }
    if (i % 10 == 0) {
      b.errorCode("E" + (i % 3));
    }
    if (i % 4 == 0) {
      b.metadata("k", "v" + i).metadata("lang", "fr");
    }
    return b.build();
  }

  static int index(UsageEvent e) {
    return Integer.parseInt(e.eventId().substring("ev-".length()));
  }

  private static EventQuery query(EventFilter filter) {
    return new EventQuery(filter, "free");
  }

  @Test
  void streamsEveryEventWithBoundedHeapGrowth() {
    long held = heldBytes(20_000) * (EVENTS / 20_000);
    for (EventSort sort : List.of(EventSort.OLDEST_FIRST, new EventSort(EventSort.Field.CHARACTERS, true))) {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long before = usedAfterGc(memory);
      long[] peak = {0};
      List<Long> growth = new ArrayList<>();
      long[] count = {0};
      UsageEvent[] previous = {null};
      Comparator<UsageEvent> order = reference(sort);
      long n = analytics.forEachEvent(query(EventFilter.of(ALL)), sort, e -> {
        assertThat(e).isEqualTo(event(index(e)));
        if (previous[0] != null) {
          assertThat(order.compare(previous[0], e)).as("%s before %s", previous[0].eventId(), e.eventId()).isNegative();
        }
        previous[0] = e;
        if (++count[0] % 25_000 == 0) {
          growth.add(usedAfterGc(memory) - before);
          peak[0] = Math.max(peak[0], growth.get(growth.size() - 1));
        }
      });
      assertThat(n).isEqualTo(EVENTS).isEqualTo(count[0]);
      System.out.printf("%s: %s order, heap growth every 25,000 events %s bytes; %,d events held take %,d%n",
          getClass().getSimpleName(), sort, growth, EVENTS, held);
      // the rows held as objects take `held` bytes; a stream holds a fetch-size window of them (and the
      // database's buffers of fixed size), so the growth stays far below that and does not climb with the count.
      // A quarter, not less: `held` is measured after GC too and varies by a sixth between runs (92-108 MB for
      // H2's 16 MB of fixed buffers), which a sixth did not leave room for
      assertThat(peak[0]).as("heap growth while streaming in %s order %s, rows held would take %d", sort, growth, held)
          .isLessThan(held / 4);
      assertThat(growth.get(growth.size() - 1) - growth.get(0)).as("heap climb from the first to the last %s", growth)
          .isLessThan(held / 20);
    }
  }

  /** Heap taken by the first {@code n} events when held in a list (as a consumer collecting them would). */
  private static long heldBytes(int n) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(memory);
    List<UsageEvent> held = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      held.add(event(i));
    }
    long bytes = usedAfterGc(memory) - before;
    assertThat(held).hasSize(n);
    assertThat(bytes).as("%d events held", n).isGreaterThan(n * 200L);
    return bytes;
  }

  private static long usedAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  static Stream<EventSort> sorts() {
    return Stream.of(EventSort.Field.values())
        .flatMap(f -> Stream.of(new EventSort(f, false), new EventSort(f, true)));
  }

  @ParameterizedTest
  @MethodSource("sorts")
  void ordersByEveryFieldInBothDirectionsWithTheTieBreakers(EventSort sort) {
    // four users' events: a tenth of the log, with ties on every field
    EventFilter filter = EventFilter.builder(ALL).user("user-1", "user-2", "user-3", "user-30").build();
    List<UsageEvent> expected = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      UsageEvent e = event(i);
      if (filter.users().contains(e.userId())) {
        expected.add(e);
      }
    }
    expected.sort(reference(sort));
    List<String> got = new ArrayList<>();
    long n = analytics.forEachEvent(query(filter), sort, e -> got.add(e.eventId()));
    assertThat(n).isEqualTo(expected.size()).isGreaterThan(EVENTS / 20);
    assertThat(got).containsExactlyElementsOf(expected.stream().map(UsageEvent::eventId).toList());
  }

  /** The order {@link EventSort} documents, as the in-memory store implements it. */
  static Comparator<UsageEvent> reference(EventSort sort) {
    Comparator<UsageEvent> field = switch (sort.field()) {
      case OCCURRED_AT -> Comparator.comparing(UsageEvent::occurredAt);
      case USER_ID -> Comparator.comparing(UsageEvent::userId);
      case FEATURE -> Comparator.comparing(UsageEvent::feature);
      case ENDPOINT -> Comparator.comparing((UsageEvent e) -> e.endpoint().orElse(null),
          Comparator.nullsFirst(Comparator.naturalOrder()));
      case CHARACTERS -> Comparator.comparingLong(UsageEvent::characters);
      case REQUESTS -> Comparator.comparingLong(UsageEvent::requests);
      case TOKENS -> Comparator.comparingLong(e -> e.inputTokens() + e.outputTokens());
      case PROCESSING_TIME -> Comparator.comparing((UsageEvent e) -> e.processingTime().orElse(null),
          Comparator.nullsFirst(Comparator.naturalOrder()));
    };
    return (sort.descending() ? field.reversed() : field).thenComparing(UsageEvent::occurredAt)
        .thenComparing(UsageEvent::userId).thenComparing(UsageEvent::eventId);
  }

  /** Rows in the event table, to show a test left it in place. */
  long rows() {
    return Jdbi.create(pool).withHandle(h -> h.createQuery("SELECT COUNT(*) FROM usage_tracking").mapTo(Long.class).one());
  }
}
