package dev.usage.testkit;

import dev.usage.EventFilter;
import dev.usage.QuotaType;
import dev.usage.TimeRange;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Nine hand-made events of three users over one week, plus one just before and one just at the end of
 * the week, recorded in a week of the far future that no other test uses (so that system-wide figures
 * over the week are this dataset's alone, even on a database shared with other tests and earlier runs).
 * The expected figures in the analytics contracts are computed by hand from the table below (minutes
 * after the week's start {@link #base}, a Monday 00:00 UTC):
 *
 * <pre>
 *  #  user  min   feature    endpoint             chars req in  out images  ms     error
 *  1  a        5  correct    POST /api/correct     100  1   10   5   -      120
 *  2  a       20  correct    POST /api/correct     300  1   30  15   -       80
 *  3  a       60  translate  POST /api/translate    50  1    0   0   2      400    LLM_TIMEOUT
 *  4  b       10  correct    POST /api/correct      10  1    1   1   -       30
 *  5  b     1500  correct    (none)                 20  1    0   0   -      (none)
 *  6  b     1530  translate  POST /api/translate     5  1    0   0   1      250    RATE_LIMITED
 *  7  c      120  correct    POST /api/correct    1000  1  100  50   -      200
 *  8  c      130  correct    POST /api/correct       0  1    0   0   -       10.5  BAD_INPUT
 *  9  c     2940  summarize  POST /api/summarize   400  1   40  60   -       90
 * </pre>
 * Users a and c are on tier {@code premium}; b has no stored settings (default tier {@code free}).
 */
public final class AnalyticsDataset {

  /** The custom quota type of the dataset. */
  public static final QuotaType IMAGES = QuotaType.of("images");

  /** The week's first instant, a Monday 00:00 UTC. */
  public final Instant base;
  public final String a = "an-a-" + UUID.randomUUID();
  public final String b = "an-b-" + UUID.randomUUID();
  public final String c = "an-c-" + UUID.randomUUID();
  /** The nine events in the table's order. */
  public final List<UsageEvent> events = new ArrayList<>();

  private AnalyticsDataset(Instant base) {
    this.base = base;
  }

  /**
   * Records the dataset through {@code engine} (SYNC tracking), moving {@code clock} to the week's end
   * so that no event is in the clock's future. Picks a week that holds no events yet.
   */
  public static AnalyticsDataset record(UsageEngine engine, SettableClock clock, EventAnalytics analytics) {
    AnalyticsDataset d = new AnalyticsDataset(freeWeek(analytics));
    clock.set(d.base.plus(Duration.ofDays(7)));
    engine.quotas().changeTier(d.a, "premium", "analytics-test", "dataset");
    engine.quotas().changeTier(d.c, "premium", "analytics-test", "dataset");
    d.add(d.a, 5, "correct", "POST /api/correct", 100, 10, 5, 0, 120_000, null);
    d.add(d.a, 20, "correct", "POST /api/correct", 300, 30, 15, 0, 80_000, null);
    d.add(d.a, 60, "translate", "POST /api/translate", 50, 0, 0, 2, 400_000, "LLM_TIMEOUT");
    d.add(d.b, 10, "correct", "POST /api/correct", 10, 1, 1, 0, 30_000, null);
    d.add(d.b, 1500, "correct", null, 20, 0, 0, 0, -1, null);
    d.add(d.b, 1530, "translate", "POST /api/translate", 5, 0, 0, 1, 250_000, "RATE_LIMITED");
    d.add(d.c, 120, "correct", "POST /api/correct", 1000, 100, 50, 0, 200_000, null);
    d.add(d.c, 130, "correct", "POST /api/correct", 0, 0, 0, 0, 10_500, "BAD_INPUT");
    d.add(d.c, 2940, "summarize", "POST /api/summarize", 400, 40, 60, 0, 90_000, null);
    // details that only the export reads back
    d.events.set(0, d.events.get(0).toBuilder().sessionId("s-1").ipAddress("192.0.2.17")
        .userAgent("Mozilla/5.0 (X11)").metadata("plan", "pro").metadata("lang", "fr").build());
    for (UsageEvent e : d.events) {
      engine.tracking().trackUsage(e);
    }
    // just outside the week on both sides
    engine.tracking().trackUsage(UsageEvent.builder().userId(d.a).eventId("before").occurredAt(d.base.minusSeconds(1))
        .characters(999).requests(1).build());
    engine.tracking().trackUsage(UsageEvent.builder().userId(d.a).eventId("after")
        .occurredAt(d.base.plus(Duration.ofDays(7))).characters(999).requests(1).build());
    return d;
  }

  private void add(String user, int minutes, String feature, String endpoint, long chars, long in, long out,
      long images, long micros, String error) {
    UsageEvent.Builder e = UsageEvent.builder().userId(user).eventId("e" + (events.size() + 1))
        .occurredAt(base.plus(Duration.ofMinutes(minutes))).feature(feature).endpoint(endpoint).characters(chars)
        .requests(1).inputTokens(in).outputTokens(out).errorCode(error);
    if (images > 0) {
      e.quantity(IMAGES, images);
    }
    if (micros >= 0) {
      e.processingTime(Duration.ofNanos(micros * 1_000));
    }
    events.add(e.build());
  }

  /** A Monday 00:00 UTC of a far-future week without events (nor in the day around it) in the store. */
  static Instant freeWeek(EventAnalytics analytics) {
    return freeWindow(analytics, Duration.ofDays(7));
  }

  /**
   * A Monday 00:00 UTC in 2040 to 2088 such that the store holds no events from a day before it to a day past
   * {@code length} after it: a window of the calling test's own, even on a database shared with other tests.
   */
  static Instant freeWindow(EventAnalytics analytics, Duration length) {
    LocalDate first = LocalDate.of(2040, 1, 1).with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY));
    for (int attempt = 0; attempt < 20; attempt++) {
      Instant base = first.plusWeeks(ThreadLocalRandom.current().nextInt(2_500)).atStartOfDay(ZoneOffset.UTC)
          .toInstant();
      TimeRange around = TimeRange.of(base.minus(Duration.ofDays(1)), base.plus(length).plus(Duration.ofDays(1)));
      if (analytics.group(new EventQuery(EventFilter.of(around), "free"), Set.of()).get(0).totals().events() == 0) {
        return base;
      }
    }
    throw new IllegalStateException("no free window of " + length + " found for an analytics test");
  }

  /** The dataset's week. */
  public TimeRange week() {
    return TimeRange.of(base, base.plus(Duration.ofDays(7)));
  }

  /** Every event of the week, default tier {@code free}. */
  public EventQuery all() {
    return query(EventFilter.of(week()));
  }

  /** {@code filter} with default tier {@code free}. */
  public EventQuery query(EventFilter filter) {
    return new EventQuery(filter, "free");
  }

  /** A filter over the week. */
  public EventFilter.Builder filter() {
    return EventFilter.builder(week());
  }

  /** The instant {@code minutes} after the base. */
  public Instant at(long minutes) {
    return base.plus(Duration.ofMinutes(minutes));
  }
}
