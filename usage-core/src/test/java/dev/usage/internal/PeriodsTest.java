package dev.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.QuotaPeriod;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Period arithmetic: calendar and billing months, ISO weeks, days, DST zones and the window cache. */
class PeriodsTest {

  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final List<String> ZONES =
      List.of("UTC", "Europe/Paris", "America/New_York", "Africa/Cairo", "Australia/Lord_Howe");

  private static PeriodWindow utcWindow(String prefix, LocalDate start, LocalDate end) {
    return new PeriodWindow(prefix + start, start.atStartOfDay(UTC).toInstant(), end.atStartOfDay(UTC).toInstant());
  }

  @ParameterizedTest(name = "anchor {0}: {1} lies in [{2}, {3})")
  @CsvSource({
      "1,  2026-01-15T12:00:00Z,           2026-01-01, 2026-02-01",
      "1,  2026-12-31T23:59:59.999999999Z, 2026-12-01, 2027-01-01",
      "1,  2027-01-01T00:00:00Z,           2027-01-01, 2027-02-01",
      "1,  2028-02-29T12:00:00Z,           2028-02-01, 2028-03-01",
      "31, 2026-02-27T12:00:00Z,           2026-01-31, 2026-02-28",
      "31, 2026-02-28T00:00:00Z,           2026-02-28, 2026-03-31",
      "31, 2026-03-30T23:59:59.999999999Z, 2026-02-28, 2026-03-31",
      "31, 2026-03-31T00:00:00Z,           2026-03-31, 2026-04-30",
      "31, 2026-04-29T12:00:00Z,           2026-03-31, 2026-04-30",
      "31, 2026-04-30T00:00:00Z,           2026-04-30, 2026-05-31",
      "31, 2024-02-28T12:00:00Z,           2024-01-31, 2024-02-29",
      "31, 2024-02-29T00:00:00Z,           2024-02-29, 2024-03-31",
      "31, 2028-02-29T12:00:00Z,           2028-02-29, 2028-03-31",
      "31, 2026-12-31T00:00:00Z,           2026-12-31, 2027-01-31",
      "31, 2027-01-30T12:00:00Z,           2026-12-31, 2027-01-31",
      "29, 2026-02-27T12:00:00Z,           2026-01-29, 2026-02-28",
      "29, 2026-02-28T00:00:00Z,           2026-02-28, 2026-03-29",
      "29, 2026-03-28T12:00:00Z,           2026-02-28, 2026-03-29",
      "29, 2028-02-28T12:00:00Z,           2028-01-29, 2028-02-29",
      "29, 2028-02-29T00:00:00Z,           2028-02-29, 2028-03-29",
      "30, 2026-02-28T00:00:00Z,           2026-02-28, 2026-03-30",
      "30, 2026-03-29T12:00:00Z,           2026-02-28, 2026-03-30",
      "30, 2028-02-28T12:00:00Z,           2028-01-30, 2028-02-29",
      "30, 2028-02-29T00:00:00Z,           2028-02-29, 2028-03-30",
      "15, 2026-03-14T23:59:59.999999999Z, 2026-02-15, 2026-03-15",
      "15, 2026-03-15T00:00:00Z,           2026-03-15, 2026-04-15"
  })
  void monthRunsFromTheClampedAnchorDayToTheNextOne(int anchor, Instant at, LocalDate start, LocalDate end) {
    assertThat(Periods.compute(QuotaPeriod.MONTH, at, UTC, anchor)).isEqualTo(utcWindow("M", start, end));
  }

  /** Anchor 31 from January 2027 to December 2028: the 31st, else the month's last day, never drifting. */
  private static final List<String> ANCHOR_31_STARTS = List.of(
      "2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30",
      "2027-07-31", "2027-08-31", "2027-09-30", "2027-10-31", "2027-11-30", "2027-12-31",
      "2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31", "2028-06-30",
      "2028-07-31", "2028-08-31", "2028-09-30", "2028-10-31", "2028-11-30", "2028-12-31");

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"UTC", "Europe/Paris", "America/New_York", "Africa/Cairo", "Australia/Lord_Howe"})
  void anchor31NeverDriftsOverTwentyFourConsecutiveMonths(ZoneId zone) {
    PeriodWindow w = Periods.compute(QuotaPeriod.MONTH,
        LocalDate.parse(ANCHOR_31_STARTS.get(0)).atStartOfDay(zone).toInstant(), zone, 31);
    for (int i = 0; i < ANCHOR_31_STARTS.size(); i++) {
      LocalDate expected = LocalDate.parse(ANCHOR_31_STARTS.get(i));
      assertThat(w.id()).as("month %d", i).isEqualTo("M" + expected);
      assertThat(w.start()).as("month %d", i).isEqualTo(expected.atStartOfDay(zone).toInstant());
      Instant middle = w.start().plus(Duration.between(w.start(), w.end()).dividedBy(2));
      assertThat(Periods.compute(QuotaPeriod.MONTH, middle, zone, 31)).isEqualTo(w);
      w = Periods.compute(QuotaPeriod.MONTH, w.end(), zone, 31);
    }
    assertThat(w.id()).isEqualTo("M2029-01-31");
  }

  @ParameterizedTest(name = "{0} is in the week of {1}")
  @CsvSource({
      "2026-12-31T12:00:00Z,           2026-12-28",
      "2027-01-01T00:00:00Z,           2026-12-28",
      "2027-01-03T23:59:59.999999999Z, 2026-12-28",
      "2027-01-04T00:00:00Z,           2027-01-04",
      "2025-01-01T00:00:00Z,           2024-12-30",
      "2026-03-15T10:00:00Z,           2026-03-09",
      "2026-03-16T00:00:00Z,           2026-03-16"
  })
  void weekIsTheIsoWeekStartingMonday(Instant at, LocalDate monday) {
    assertThat(monday.getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
    assertThat(Periods.compute(QuotaPeriod.WEEK, at, UTC, 1)).isEqualTo(utcWindow("W", monday, monday.plusWeeks(1)));
  }

  @ParameterizedTest(name = "{0} is on {1}")
  @CsvSource({
      "2026-03-15T10:00:00Z,           2026-03-15",
      "2026-03-15T23:59:59.999999999Z, 2026-03-15",
      "2026-03-16T00:00:00Z,           2026-03-16",
      "2028-02-29T06:00:00Z,           2028-02-29",
      "2026-12-31T23:00:00Z,           2026-12-31"
  })
  void dayIsTheCalendarDay(Instant at, LocalDate day) {
    assertThat(Periods.compute(QuotaPeriod.DAY, at, UTC, 1)).isEqualTo(utcWindow("D", day, day.plusDays(1)));
  }

  /** Expectations worked out by hand from each zone's 2026 offsets. */
  @ParameterizedTest(name = "{0} {1} anchor {2} at {3}: {4}")
  @CsvSource({
      "Europe/Paris,        DAY,   1,  2026-03-29T12:00:00Z, D2026-03-29, 2026-03-28T23:00:00Z, 2026-03-29T22:00:00Z",
      "Europe/Paris,        DAY,   1,  2026-10-25T12:00:00Z, D2026-10-25, 2026-10-24T22:00:00Z, 2026-10-25T23:00:00Z",
      "Europe/Paris,        WEEK,  1,  2026-03-29T12:00:00Z, W2026-03-23, 2026-03-22T23:00:00Z, 2026-03-29T22:00:00Z",
      "Europe/Paris,        MONTH, 1,  2026-04-15T12:00:00Z, M2026-04-01, 2026-03-31T22:00:00Z, 2026-04-30T22:00:00Z",
      "America/New_York,    DAY,   1,  2026-03-08T12:00:00Z, D2026-03-08, 2026-03-08T05:00:00Z, 2026-03-09T04:00:00Z",
      "America/New_York,    DAY,   1,  2026-11-01T12:00:00Z, D2026-11-01, 2026-11-01T04:00:00Z, 2026-11-02T05:00:00Z",
      "America/New_York,    WEEK,  1,  2026-03-08T12:00:00Z, W2026-03-02, 2026-03-02T05:00:00Z, 2026-03-09T04:00:00Z",
      "America/New_York,    MONTH, 1,  2026-03-20T12:00:00Z, M2026-03-01, 2026-03-01T05:00:00Z, 2026-04-01T04:00:00Z",
      "America/New_York,    MONTH, 8,  2026-03-20T12:00:00Z, M2026-03-08, 2026-03-08T05:00:00Z, 2026-04-08T04:00:00Z",
      "Africa/Cairo,        DAY,   1,  2026-04-24T12:00:00Z, D2026-04-24, 2026-04-23T22:00:00Z, 2026-04-24T21:00:00Z",
      "Africa/Cairo,        DAY,   1,  2026-10-29T21:30:00Z, D2026-10-29, 2026-10-28T21:00:00Z, 2026-10-29T22:00:00Z",
      "Africa/Cairo,        MONTH, 1,  2026-10-15T12:00:00Z, M2026-10-01, 2026-09-30T21:00:00Z, 2026-10-31T22:00:00Z",
      "Africa/Cairo,        MONTH, 24, 2026-05-01T12:00:00Z, M2026-04-24, 2026-04-23T22:00:00Z, 2026-05-23T21:00:00Z",
      "Australia/Lord_Howe, MONTH, 1,  2026-04-15T00:00:00Z, M2026-04-01, 2026-03-31T13:00:00Z, 2026-04-30T13:30:00Z",
      "Australia/Lord_Howe, MONTH, 1,  2026-10-15T00:00:00Z, M2026-10-01, 2026-09-30T13:30:00Z, 2026-10-31T13:00:00Z",
      "Australia/Lord_Howe, DAY,   1,  2026-04-05T01:00:00Z, D2026-04-05, 2026-04-04T13:00:00Z, 2026-04-05T13:30:00Z",
      "Australia/Lord_Howe, DAY,   1,  2026-10-04T01:00:00Z, D2026-10-04, 2026-10-03T13:30:00Z, 2026-10-04T13:00:00Z"
  })
  void periodsInDstZonesStartAtTheLocalStartOfDay(ZoneId zone, QuotaPeriod period, int anchor, Instant at, String id,
      Instant start, Instant end) {
    assertThat(Periods.compute(period, at, zone, anchor)).isEqualTo(new PeriodWindow(id, start, end));
  }

  @ParameterizedTest(name = "{0} {1} lasts {2} minutes")
  @CsvSource({
      "Europe/Paris,        2026-03-29, 1380",
      "Europe/Paris,        2026-10-25, 1500",
      "America/New_York,    2026-03-08, 1380",
      "America/New_York,    2026-11-01, 1500",
      "Africa/Cairo,        2026-04-24, 1380",
      "Africa/Cairo,        2026-10-29, 1500",
      "Australia/Lord_Howe, 2026-04-05, 1470",
      "Australia/Lord_Howe, 2026-10-04, 1410",
      "Australia/Lord_Howe, 2026-10-05, 1440"
  })
  void dstChangeDaysLastTheirLocalLength(ZoneId zone, LocalDate day, long minutes) {
    PeriodWindow w = Periods.compute(QuotaPeriod.DAY, day.atTime(12, 0).atZone(zone).toInstant(), zone, 1);
    assertThat(w.id()).isEqualTo("D" + day);
    assertThat(Duration.between(w.start(), w.end())).isEqualTo(Duration.ofMinutes(minutes));
  }

  static Stream<Arguments> zonesAndPeriods() {
    List<Arguments> all = new ArrayList<>();
    for (String zone : ZONES) {
      for (QuotaPeriod period : QuotaPeriod.values()) {
        all.add(Arguments.of(ZoneId.of(zone), period));
      }
    }
    return all.stream();
  }

  /**
   * Walks 2026-2028 period by period. Each start is the first instant of its local date (the instant
   * before lies on the previous local date), periods tile time without gaps, and a boundary instant
   * belongs to the new period while one nanosecond earlier belongs to the old one.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("zonesAndPeriods")
  void boundariesAreLocalStartsOfDayAndBelongToTheNewPeriod(ZoneId zone, QuotaPeriod period) {
    PeriodWindow previous = Periods.compute(period, Instant.parse("2025-12-20T00:00:00Z"), zone, 1);
    int steps = 0;
    while (previous.end().isBefore(Instant.parse("2029-01-01T00:00:00Z"))) {
      Instant boundary = previous.end();
      PeriodWindow w = Periods.compute(period, boundary, zone, 1);
      LocalDate date = LocalDate.parse(w.id().substring(1));
      assertThat(w.start()).as("start of %s", w.id()).isEqualTo(boundary);
      assertThat(w.end()).isAfter(w.start());
      assertThat(Periods.compute(period, boundary.minusNanos(1), zone, 1)).isEqualTo(previous);
      assertThat(Periods.compute(period, w.end().minusNanos(1), zone, 1)).isEqualTo(w);
      assertThat(LocalDate.ofInstant(w.start(), zone)).as("local date of %s", w.id()).isEqualTo(date);
      assertThat(LocalDate.ofInstant(w.start().minusNanos(1), zone)).isEqualTo(date.minusDays(1));
      LocalDate previousDate = LocalDate.parse(previous.id().substring(1));
      switch (period) {
        case DAY -> assertThat(date).isEqualTo(previousDate.plusDays(1));
        case WEEK -> assertThat(date).isEqualTo(previousDate.plusWeeks(1))
            .matches(d -> d.getDayOfWeek() == DayOfWeek.MONDAY);
        case MONTH -> assertThat(date).isEqualTo(previousDate.plusMonths(1)).matches(d -> d.getDayOfMonth() == 1);
        default -> throw new AssertionError(period);
      }
      previous = w;
      steps++;
    }
    assertThat(steps).isGreaterThan(30);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 32, -1})
  void anchorDayOutsideOneToThirtyOneIsRefused(int anchor) {
    assertThatThrownBy(() -> Periods.compute(QuotaPeriod.MONTH, Instant.parse("2026-03-15T10:00:00Z"), UTC, anchor))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("anchorDay");
  }

  @Test
  void cachedWindowFollowsTheInstantAcrossABoundaryAndBack() {
    Periods periods = new Periods();
    Instant boundary = Instant.parse("2026-03-08T05:00:00Z"); // New York's midnight on its 23-hour day
    PeriodWindow before = periods.window(QuotaPeriod.DAY, boundary.minusNanos(1), NEW_YORK, 1);
    PeriodWindow after = periods.window(QuotaPeriod.DAY, boundary, NEW_YORK, 1);
    PeriodWindow backAgain = periods.window(QuotaPeriod.DAY, boundary.minusNanos(1), NEW_YORK, 1);
    PeriodWindow forwardAgain = periods.window(QuotaPeriod.DAY, Instant.parse("2026-03-09T03:59:59Z"), NEW_YORK, 1);

    assertThat(before).isEqualTo(new PeriodWindow("D2026-03-07",
        Instant.parse("2026-03-07T05:00:00Z"), boundary));
    assertThat(after).isEqualTo(new PeriodWindow("D2026-03-08", boundary, Instant.parse("2026-03-09T04:00:00Z")));
    assertThat(backAgain).isEqualTo(before);
    assertThat(forwardAgain).isEqualTo(after);
  }

  @Test
  void cacheKeepsZonesAndAnchorsApart() {
    Periods periods = new Periods();
    Instant at = Instant.parse("2026-03-31T20:00:00Z"); // April in Lord Howe, still March in New York
    ZoneId lordHowe = ZoneId.of("Australia/Lord_Howe");
    for (int round = 0; round < 2; round++) {
      assertThat(periods.window(QuotaPeriod.MONTH, at, lordHowe, 1).id()).isEqualTo("M2026-04-01");
      assertThat(periods.window(QuotaPeriod.MONTH, at, NEW_YORK, 1).id()).isEqualTo("M2026-03-01");
      assertThat(periods.window(QuotaPeriod.MONTH, at, UTC, 31).id()).isEqualTo("M2026-03-31");
      assertThat(periods.window(QuotaPeriod.MONTH, at, UTC, 15).id()).isEqualTo("M2026-03-15");
      assertThat(periods.window(QuotaPeriod.WEEK, at, UTC, 1).id()).isEqualTo("W2026-03-30");
    }
  }

  /** A seeded random walk, forward and back, often landing exactly on or just before a boundary. */
  @ParameterizedTest
  @EnumSource(QuotaPeriod.class)
  void cachedWindowAlwaysEqualsTheComputedOne(QuotaPeriod period) {
    Periods periods = new Periods();
    Random random = new Random(20260315L + period.ordinal());
    Instant at = Instant.parse("2026-03-15T10:00:00Z");
    Duration span = switch (period) {
      case DAY -> Duration.ofHours(30);
      case WEEK -> Duration.ofDays(8);
      case MONTH -> Duration.ofDays(32);
    };
    ZoneId zone = UTC;
    int anchor = 1;
    int boundaryHits = 0;
    for (int i = 0; i < 3_000; i++) {
      if (random.nextInt(8) == 0) { // now and then another user's zone and anchor
        zone = ZoneId.of(ZONES.get(random.nextInt(ZONES.size())));
        anchor = period == QuotaPeriod.MONTH ? 1 + random.nextInt(31) : 1;
      }
      PeriodWindow expected = Periods.compute(period, at, zone, anchor);
      assertThat(periods.window(period, at, zone, anchor)).as("step %d at %s in %s", i, at, zone).isEqualTo(expected);
      if (at.equals(expected.start())) {
        boundaryHits++;
      }
      switch (random.nextInt(4)) {
        case 0 -> at = expected.end();
        case 1 -> at = expected.start().minusNanos(1);
        default -> at = at.plusSeconds((long) ((random.nextDouble() * 2 - 1) * span.toSeconds()));
      }
    }
    assertThat(boundaryHits).isGreaterThan(100);
  }
}
