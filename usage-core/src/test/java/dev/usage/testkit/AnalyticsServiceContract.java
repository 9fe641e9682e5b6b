package dev.usage.testkit;

import static dev.usage.testkit.AnalyticsDataset.IMAGES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;

import dev.usage.CapacityForecast;
import dev.usage.Consumption;
import dev.usage.Pricing;
import dev.usage.RevenueReport;
import dev.usage.RevenueReport.TierRevenue;
import dev.usage.RevenueReport.UpgradeCandidate;
import dev.usage.RevenueReport.UserOverage;
import dev.usage.UsageForecast;
import dev.usage.EventFilter;
import dev.usage.EventSort;
import dev.usage.ExportFormat;
import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.SystemAnalytics;
import dev.usage.SystemAnalytics.EndpointLatency;
import dev.usage.SystemAnalytics.FailureRate;
import dev.usage.Tier;
import dev.usage.TimeRange;
import dev.usage.UnusualUsageAlert;
import dev.usage.UnusualUsagePolicy;
import dev.usage.UsageCounts;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import dev.usage.UsageExports;
import dev.usage.UsageListener;
import dev.usage.UsageReport;
import dev.usage.UsageReport.PeriodUtilisation;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link dev.usage.AnalyticsService} over a backend, against hand-computed figures: the dataset of
 * {@link AnalyticsDataset} for system figures, and users of their own for reports across DST changes,
 * quarter-hour zones, week 53 and closed periods. A backend whose event store offers analytics extends it.
 */
public abstract class AnalyticsServiceContract extends AbstractStorageContract {

  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  private AnalyticsDataset dataset(UsageEngine engine) {
    return AnalyticsDataset.record(engine, clock, storage.events().analytics().orElseThrow());
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  @Test
  void reportsAUsersTotalsFeaturesDaysTierStandingAndTrend() {
    UsageEngine engine = engine();
    AnalyticsDataset d = dataset(engine);
    UsageReport r = engine.analytics().generateUsageReport(d.a, d.week());

    assertThat(r.tier()).isEqualTo("premium");
    assertThat(r.totals().events()).isEqualTo(3);
    assertThat(r.totals().failedEvents()).isEqualTo(1);
    assertThat(r.units(QuotaType.CHARACTERS)).isEqualTo(450);
    assertThat(r.units(QuotaType.REQUESTS)).isEqualTo(3);
    assertThat(r.units(QuotaType.TOKENS)).isEqualTo(60);
    assertThat(r.units(IMAGES)).isEqualTo(2);
    assertThat(r.byFeature()).containsOnlyKeys("correct", "translate");
    assertThat(r.feature("correct").units(QuotaType.CHARACTERS)).isEqualTo(400);
    assertThat(r.feature("translate").failedEvents()).isEqualTo(1);
    LocalDate monday = d.base.atZone(ZoneOffset.UTC).toLocalDate();
    assertThat(r.byDay()).hasSize(7).containsEntry(monday, new UsageCounts(3, 1, java.util.Map.of(
        QuotaType.CHARACTERS, 450L, QuotaType.REQUESTS, 3L, QuotaType.TOKENS, 60L, IMAGES, 2L)));
    assertThat(r.byDay().get(monday.plusDays(1))).isEqualTo(UsageCounts.NONE);

    // premium's active users are a (450) and c (1400)
    assertThat(r.vsTier(QuotaType.CHARACTERS)).hasValueSatisfying(c -> {
      assertThat(c.units()).isEqualTo(450);
      assertThat(c.tierUsers()).isEqualTo(2);
      assertThat(c.tierAverage()).isEqualTo(925.0);
      assertThat(c.percentileRank()).isEqualTo(25.0);
    });
    assertThat(r.vsTier(QuotaType.TOKENS)).hasValueSatisfying(c -> {
      assertThat(c.tierAverage()).isEqualTo(155.0); // (60 + 250) / 2
      assertThat(c.percentileRank()).isEqualTo(25.0);
    });
    // the week before holds one event of 999 characters
    assertThat(r.trend(QuotaType.CHARACTERS)).hasValueSatisfying(t -> {
      assertThat(t.previous()).isEqualTo(999);
      assertThat(t.current()).isEqualTo(450);
      assertThat(t.change()).hasValueSatisfying(v -> assertThat(v).isCloseTo(-549.0 / 999, within(1e-12)));
    });
    assertThat(r.trend(QuotaType.TOKENS)).hasValueSatisfying(t -> assertThat(t.change()).isEmpty());
  }

  @Test
  void reportsARangeNearTheStartOf1970WithTheRangeBeforeCutThere() {
    UsageEngine engine = engine();
    AnalyticsDataset d = dataset(engine);

    for (LocalDate from : List.of(LocalDate.of(1970, 1, 1), LocalDate.of(1970, 1, 3))) {
      UsageReport r = engine.analytics().generateUsageReport(d.a, TimeRange.days(from, from.plusDays(7), ZoneOffset.UTC));
      assertThat(r.totals().events()).as("from " + from).isZero();
      assertThat(r.trend(QuotaType.CHARACTERS)).as("from " + from)
          .hasValueSatisfying(t -> assertThat(t.previous()).isZero());
    }
  }

  @Test
  void reportsClosedAndCurrentPeriodsOverlappingTheRange() {
    UsageEngine engine = engine(b -> b.counterRetention(Duration.ofDays(120)).reservationTtl(Duration.ofMinutes(5))
        .idempotencyWindow(Duration.ofHours(1)).defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000)));
    String user = user("periods");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 700));
    clock.set("2026-04-01T02:00:00Z");
    engine.quotas().resetMonthlyQuotas();
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 1_100 - 1_000 + 20));

    UsageReport r = engine.analytics().generateUsageReport(user,
        TimeRange.of(Instant.parse("2026-03-10T00:00:00Z"), Instant.parse("2026-04-10T00:00:00Z")));
    List<PeriodUtilisation> chars = r.periods().stream().filter(p -> p.type().equals(QuotaType.CHARACTERS)).toList();
    assertThat(chars).extracting(PeriodUtilisation::start, PeriodUtilisation::limit, PeriodUtilisation::used,
        PeriodUtilisation::closed).containsExactly(
            tuple(Instant.parse("2026-03-01T00:00:00Z"), 1_000L, 700L, true),
            tuple(Instant.parse("2026-04-01T00:00:00Z"), 1_000L, 120L, false));
    assertThat(chars.get(0).utilisation()).isEqualTo(0.7);
    assertThat(chars).allSatisfy(p -> assertThat(p.period()).isEqualTo(QuotaPeriod.MONTH));
    assertThat(r.periods()).extracting(PeriodUtilisation::type).contains(QuotaType.REQUESTS, QuotaType.TOKENS);
  }

  @Test
  void aClosedPeriodsUtilisationIsOfItsAllowanceWithTheUnitsCarriedIntoIt() {
    UsageEngine engine = engine(b -> b.counterRetention(Duration.ofDays(120)).reservationTtl(Duration.ofMinutes(5))
        .idempotencyWindow(Duration.ofHours(1)).defaultQuota(Quota.monthly(QuotaType.TOKENS, 1_000)
            .withRollover(dev.usage.RolloverPolicy.carryUpTo(300))));
    String user = user("carried");
    clock.set("2026-02-10T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 700)); // carries 300 into March
    clock.set("2026-03-10T12:00:00Z");
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 1_100)).allowed()).isTrue();
    clock.set("2026-04-02T02:00:00Z");
    engine.quotas().resetMonthlyQuotas();

    UsageReport r = engine.analytics().generateUsageReport(user,
        TimeRange.of(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-04-01T00:00:00Z")));

    assertThat(r.periods()).filteredOn(p -> p.type().equals(QuotaType.TOKENS)).singleElement().satisfies(p -> {
      assertThat(p.closed()).isTrue();
      assertThat(p.limit()).as("1,000 and the 300 carried in, as the status showed it").isEqualTo(1_300);
      assertThat(p.utilisation()).isLessThan(1.0);
    });
  }

  @Test
  void countsDaysInTheUsersZoneAcrossDaylightSavingChanges() {
    UsageEngine engine = engine();
    String user = user("paris");
    engine.quotas().changeBillingCycle(user, PARIS, 1, "analytics-test", "zone");
    clock.set("2026-11-01T00:00:00Z");
    track(engine, user, "2026-03-28T22:59:00Z", 1);  // 23:59 CET on the 28th
    track(engine, user, "2026-03-28T23:30:00Z", 10); // 00:30 CET on the 29th
    track(engine, user, "2026-03-29T21:59:00Z", 100); // 23:59 CEST on the 29th, a 23-hour day
    track(engine, user, "2026-03-29T22:00:00Z", 1_000); // 00:00 CEST on the 30th
    track(engine, user, "2026-10-25T22:59:00Z", 7); // 23:59 CET on the 25th, a 25-hour day

    TimeRange spring = TimeRange.days(LocalDate.of(2026, 3, 28), LocalDate.of(2026, 3, 31), PARIS);
    assertThat(spring.duration()).isEqualTo(Duration.ofHours(71));
    UsageReport r = engine.analytics().generateUsageReport(user, spring);
    assertThat(r.zone()).isEqualTo(PARIS);
    assertThat(r.byDay()).extractingFromEntries(e -> e.getKey().getDayOfMonth(), e -> e.getValue().units(QuotaType.CHARACTERS))
        .containsExactly(tuple(28, 1L), tuple(29, 110L), tuple(30, 1_000L));

    TimeRange autumn = TimeRange.days(LocalDate.of(2026, 10, 25), LocalDate.of(2026, 10, 26), PARIS);
    assertThat(autumn.duration()).isEqualTo(Duration.ofHours(25));
    assertThat(engine.analytics().generateUsageReport(user, autumn).byDay())
        .containsOnlyKeys(LocalDate.of(2026, 10, 25))
        .hasValueSatisfying(new org.assertj.core.api.Condition<>(c -> c.units(QuotaType.CHARACTERS) == 7, "7 characters"));
  }

  @Test
  void foldsQuarterHourSlotsIntoHalfHourAndQuarterHourZones() {
    UsageEngine engine = engine();
    String howe = user("lord-howe");
    engine.quotas().changeBillingCycle(howe, ZoneId.of("Australia/Lord_Howe"), 1, "analytics-test", "zone");
    String nepal = user("kathmandu");
    engine.quotas().changeBillingCycle(nepal, ZoneId.of("Asia/Kathmandu"), 1, "analytics-test", "zone");
    clock.set("2026-11-01T00:00:00Z");
    track(engine, howe, "2026-10-03T13:29:00Z", 1);   // 23:59 at +10:30 on the 3rd
    track(engine, howe, "2026-10-03T13:30:00Z", 10);  // 00:00 on the 4th (DST starts at 02:00, +30 min)
    track(engine, nepal, "2026-10-03T18:14:00Z", 1);  // 23:59 at +05:45 on the 3rd
    track(engine, nepal, "2026-10-03T18:15:00Z", 10); // 00:00 on the 4th

    TimeRange range = TimeRange.of(Instant.parse("2026-10-02T00:00:00Z"), Instant.parse("2026-10-05T00:00:00Z"));
    for (String u : List.of(howe, nepal)) {
      UsageReport r = engine.analytics().generateUsageReport(u, range);
      assertThat(r.byDay().get(LocalDate.of(2026, 10, 3)).units(QuotaType.CHARACTERS)).as(u).isEqualTo(1);
      assertThat(r.byDay().get(LocalDate.of(2026, 10, 4)).units(QuotaType.CHARACTERS)).as(u).isEqualTo(10);
    }
  }

  @Test
  void countsTheDaysOfIsoWeek53AcrossTheYearEnd() {
    UsageEngine engine = engine();
    String user = user("week53");
    clock.set("2027-01-05T00:00:00Z");
    track(engine, user, "2026-12-28T00:00:00Z", 1);
    track(engine, user, "2026-12-31T23:59:59Z", 10);
    track(engine, user, "2027-01-01T00:00:00Z", 100);
    track(engine, user, "2027-01-03T23:59:59Z", 1_000);
    track(engine, user, "2027-01-04T00:00:00Z", 10_000);
    TimeRange week53 = TimeRange.days(LocalDate.of(2026, 12, 28), LocalDate.of(2027, 1, 4), ZoneOffset.UTC);
    assertThat(LocalDate.of(2026, 12, 28).get(java.time.temporal.IsoFields.WEEK_OF_WEEK_BASED_YEAR)).isEqualTo(53);
    UsageReport r = engine.analytics().generateUsageReport(user, week53);
    assertThat(r.units(QuotaType.CHARACTERS)).isEqualTo(1_111);
    assertThat(r.byDay()).hasSize(7);
    assertThat(r.byDay().get(LocalDate.of(2026, 12, 31)).units(QuotaType.CHARACTERS)).isEqualTo(10);
    assertThat(r.byDay().get(LocalDate.of(2027, 1, 1)).units(QuotaType.CHARACTERS)).isEqualTo(100);
  }

  @Test
  void systemAnalyticsOfTheDatasetWeek() {
    UsageEngine engine = engine();
    AnalyticsDataset d = dataset(engine);
    SystemAnalytics s = engine.analytics().getSystemAnalytics(d.week(), ZoneOffset.UTC, QuotaType.CHARACTERS, 2);

    assertThat(s.totals().events()).isEqualTo(9);
    assertThat(s.totals().users()).isEqualTo(3);
    assertThat(s.totals().errorRate()).isEqualTo(3.0 / 9);
    assertThat(s.byTier()).containsOnlyKeys("free", "premium");
    assertThat(s.byTier().get("premium").users()).isEqualTo(2);
    assertThat(s.byTier().get("free").units(QuotaType.CHARACTERS)).isEqualTo(35);
    assertThat(s.failures()).extracting(FailureRate::feature, FailureRate::endpoint, FailureRate::events,
        FailureRate::failedEvents).containsExactly(
            tuple("translate", "POST /api/translate", 2L, 2L),
            tuple("correct", "POST /api/correct", 5L, 1L),
            tuple("correct", "", 1L, 0L),
            tuple("summarize", "POST /api/summarize", 1L, 0L));
    assertThat(s.errorCodes()).containsExactly(java.util.Map.entry("BAD_INPUT", 1L),
        java.util.Map.entry("LLM_TIMEOUT", 1L), java.util.Map.entry("RATE_LIMITED", 1L));
    assertThat(s.latency()).extracting(EndpointLatency::endpoint, EndpointLatency::p50, EndpointLatency::p95,
        EndpointLatency::p99).containsExactly(
            tuple("POST /api/translate", ms(250), ms(400), ms(400)),
            tuple("POST /api/correct", ms(80), ms(200), ms(200)),
            tuple("POST /api/summarize", ms(90), ms(90), ms(90)));
    assertThat(s.byHourOfDay()).extracting(UsageCounts::events).containsExactly(
        3L, 4L, 2L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
    assertThat(s.peakHour()).isEqualTo(1);
    assertThat(s.byDayOfWeek()).extracting(UsageCounts::events).containsExactly(6L, 2L, 1L, 0L, 0L, 0L, 0L);
    assertThat(s.peakDay()).isEqualTo(DayOfWeek.MONDAY);
    assertThat(s.topUsers()).extracting(u -> u.userId(), u -> u.totals().units(QuotaType.CHARACTERS))
        .containsExactly(tuple(d.c, 1_400L), tuple(d.a, 450L));

    SystemAnalytics nepal = engine.analytics().getSystemAnalytics(d.week(), ZoneId.of("Asia/Kathmandu"),
        QuotaType.REQUESTS, 0);
    assertThat(nepal.byHourOfDay().subList(5, 8)).extracting(UsageCounts::events).containsExactly(2L, 4L, 3L);
    assertThat(nepal.peakHour()).isEqualTo(6);
    assertThat(nepal.topUsers()).isEmpty();
  }

  @Test
  void refusesBadArgumentsNamingTheField() {
    UsageEngine engine = engine();
    TimeRange day = TimeRange.of(Instant.parse(START), Instant.parse(START).plusSeconds(86_400));
    assertThatThrownBy(() -> engine.analytics().getSystemAnalytics(day, ZoneOffset.UTC, QuotaType.REQUESTS, -1))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("topUsers"));
    assertThatThrownBy(() -> engine.analytics().getSystemAnalytics(null))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("range"));
    assertThatThrownBy(() -> engine.analytics().generateUsageReport(" ", day))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("userId"));
    assertThatThrownBy(() -> TimeRange.of(Instant.parse(START), Instant.parse(START)))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("to"));
  }

  @Test
  void detectsUnusualHoursAgainstEachUsersOwnBaselineOnceAndTellsListeners() throws Exception {
    UsageEngine engine = engine();
    java.util.concurrent.BlockingQueue<UnusualUsageAlert> told = new java.util.concurrent.LinkedBlockingQueue<>();
    engine.listeners().register(new UsageListener() {
      @Override
      public void onUnusualUsage(UnusualUsageAlert alert) {
        told.add(alert);
      }
    });
    Instant hour = AnalyticsDataset.freeWeek(storage.events().analytics().orElseThrow()).plus(Duration.ofDays(3));
    clock.set(hour.plus(Duration.ofHours(2)));
    String spiky = user("spiky");
    String steady = user("steady");
    String fresh = user("fresh");
    String flat = user("flat");
    String oneMore = user("one-more");
    String mostlyFlat = user("mostly-flat");
    String fewRequests = user("few-requests");
    for (int i = 1; i <= 30; i++) {
      Instant before = hour.minus(Duration.ofHours(i)).plus(Duration.ofMinutes(7));
      track(engine, spiky, before.toString(), 100 + (i % 3) * 10); // 100, 110, 120: median 110, MAD 10
      track(engine, steady, before.toString(), 100 + (i % 3) * 10);
      track(engine, flat, before.toString(), 50);                  // MAD 0 and mean deviation 0: √50
      track(engine, oneMore, before.toString(), 50);
      // 24 hours of 1, 6 of 2: MAD 0, mean deviation 0.2, a quarter of a unit
      engine.tracking().trackUsage(UsageEvent.builder().userId(fewRequests).occurredAt(before).requests(i <= 24 ? 1 : 2)
          .build());
      track(engine, mostlyFlat, before.toString(), i <= 25 ? 100 : 200); // MAD 0, mean deviation 500 / 30
      if (i <= 5) {
        track(engine, fresh, before.toString(), 100);               // too few hours for a baseline
      }
    }
    // an hour before the baseline window (14 days) does not count
    track(engine, steady, hour.minus(Duration.ofDays(15)).toString(), 1_000_000);
    String inHour = hour.plus(Duration.ofMinutes(59)).toString();
    track(engine, spiky, inHour, 1_000);
    track(engine, steady, inHour, 130);
    track(engine, fresh, inHour, 10_000);
    track(engine, flat, inHour, 100);
    track(engine, oneMore, inHour, 54); // a few units above a flat baseline: not far out
    engine.tracking().trackUsage(UsageEvent.builder().userId(fewRequests).occurredAt(Instant.parse(inHour)).requests(2)
        .build());                      // what a fifth of its hours had
    track(engine, mostlyFlat, inHour, 300);
    track(engine, steady, hour.plus(Duration.ofHours(1)).toString(), 1_000_000); // the next hour is not examined

    List<UnusualUsageAlert> alerts = engine.analytics().detectUnusualUsage(hour);
    assertThat(alerts).extracting(UnusualUsageAlert::userId).containsExactlyInAnyOrder(spiky, flat, mostlyFlat);
    assertThat(alerts).allSatisfy(a -> {
      assertThat(a.type()).isEqualTo(QuotaType.CHARACTERS);
      assertThat(a.hourStart()).isEqualTo(hour);
      assertThat(a.baselineHours()).isEqualTo(30);
    });
    UnusualUsageAlert s = alerts.stream().filter(a -> a.userId().equals(spiky)).findFirst().orElseThrow();
    assertThat(s.units()).isEqualTo(1_000);
    assertThat(s.baselineMedian()).isEqualTo(110.0);
    assertThat(s.baselineDeviation()).isCloseTo(10 / 0.6745, within(1e-9));
    assertThat(s.score()).isCloseTo(890 * 0.6745 / 10, within(1e-9));
    UnusualUsageAlert f = alerts.stream().filter(a -> a.userId().equals(flat)).findFirst().orElseThrow();
    assertThat(f.baselineDeviation()).isCloseTo(Math.sqrt(50), within(1e-9));
    assertThat(f.score()).isCloseTo(50 / Math.sqrt(50), within(1e-9));
    UnusualUsageAlert m = alerts.stream().filter(a -> a.userId().equals(mostlyFlat)).findFirst().orElseThrow();
    assertThat(m.baselineMedian()).isEqualTo(100.0);
    assertThat(m.baselineDeviation()).isCloseTo(1.253314 * 500 / 30, within(1e-9));
    assertThat(m.score()).isCloseTo(200 / (1.253314 * 500 / 30), within(1e-9));

    List<UnusualUsageAlert> heard = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      heard.add(told.poll(10, java.util.concurrent.TimeUnit.SECONDS));
    }
    assertThat(heard).containsExactlyInAnyOrderElementsOf(alerts);
    // once per user per window: the same hour alerts nobody again; in the next one only the steady user, whose
    // million characters are far above a baseline that now includes the 130 of the hour before
    assertThat(engine.analytics().detectUnusualUsage(hour)).isEmpty();
    List<UnusualUsageAlert> next = engine.analytics().detectUnusualUsage(hour.plus(Duration.ofHours(1)));
    assertThat(next).extracting(UnusualUsageAlert::userId, UnusualUsageAlert::units, UnusualUsageAlert::baselineHours)
        .containsExactly(tuple(steady, 1_000_000L, 31));
    assertThat(told.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(next.get(0));
    assertThat(told.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();

    // another engine, another policy: a minimum of 200 characters spares the flat user (100), a threshold of
    // 9.6 the mostly flat one (9.57); a baseline of 20 hours needs 24 active ones and finds too few
    UsageEngine strict = engine(b -> b.unusualUsage(new UnusualUsagePolicy(Duration.ofDays(14), 24, 9.6,
        java.util.Map.of(QuotaType.CHARACTERS, 200L), Duration.ofDays(1))));
    assertThat(strict.analytics().detectUnusualUsage(hour)).extracting(UnusualUsageAlert::userId)
        .containsExactly(spiky);
    UsageEngine shortBaseline = engine(b -> b.unusualUsage(new UnusualUsagePolicy(Duration.ofHours(20), 24, 3.5,
        java.util.Map.of(), Duration.ofDays(1))));
    assertThat(shortBaseline.analytics().detectUnusualUsage(hour)).isEmpty();
    assertThatThrownBy(() -> engine.analytics().detectUnusualUsage(hour.plusSeconds(60)))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("hourStart"));
    assertThatThrownBy(() -> new UnusualUsagePolicy(Duration.ofDays(14), 24, 0, java.util.Map.of(), Duration.ZERO))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("threshold"));
  }

  /** A month for a revenue report, and a day in it and in the month before. */
  private record RevenueMonth(YearMonth month, Instant thisMonth, Instant lastMonth) {}

  /** A month whose revenue report reads events of the free window only; the clock set just after it. */
  private RevenueMonth revenueMonth() {
    // the month before and the month itself lie within the free window: they end at most 93 days after its start
    Instant window = AnalyticsDataset.freeWindow(storage.events().analytics().orElseThrow(), Duration.ofDays(100));
    YearMonth month = YearMonth.from(window.atZone(ZoneOffset.UTC)).plusMonths(2);
    clock.set(month.plusMonths(1).atDay(2).atStartOfDay(ZoneOffset.UTC).toInstant());
    return new RevenueMonth(month, month.atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant(),
        month.minusMonths(1).atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  @Test
  void revenueByTierOverageAndUpgradeCandidatesOfAMonth() {
    UsageEngine engine = engine();
    RevenueMonth m = revenueMonth();
    YearMonth month = m.month();
    Instant thisMonth = m.thisMonth();
    Instant lastMonth = m.lastMonth();
    String p1 = user("p1");
    String p2 = user("p2");
    String e1 = user("e1");
    String f1 = user("f1");
    String f2 = user("f2");
    String f3 = user("f3");
    String f4 = user("f4");
    engine.quotas().initializeUserQuotas(p1, "premium", "test");
    engine.quotas().initializeUserQuotas(p2, "premium", "test");
    engine.quotas().initializeUserQuotas(e1, "enterprise", "test");
    engine.quotas().updateQuota(f3, Quota.monthly(QuotaType.CHARACTERS, 1_000), "test", "small plan");
    // premium: 100,000 characters a month; free: 10,000 characters and 500 requests
    event(engine, p1, thisMonth, 101_234, 1);
    event(engine, p2, thisMonth, 50_000, 1);
    event(engine, e1, thisMonth, 5, 1);
    event(engine, f1, lastMonth, 9_000, 1);
    event(engine, f1, thisMonth, 9_500, 1);
    event(engine, f2, lastMonth, 8_999, 1);  // 89.99 %: not near the limit the month before
    event(engine, f2, thisMonth, 10_000, 1);
    event(engine, f3, lastMonth, 950, 1);    // against the override of 1,000
    event(engine, f3, thisMonth, 900, 1);
    event(engine, f4, lastMonth, 10, 450);
    event(engine, f4, thisMonth, 10, 499);
    event(engine, p2, month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(), 1_000_000, 1); // next month

    Pricing pricing = Pricing.builder(Currency.getInstance("EUR"))
        .tier("premium", new BigDecimal("19.00")).tier("enterprise", new BigDecimal("99"))
        .overage("premium", QuotaType.CHARACTERS, new BigDecimal("2.00"), 1_000)
        .build();
    RevenueReport r = engine.analytics().revenue(month, pricing);

    assertThat(r.tiers()).extracting(TierRevenue::tier, TierRevenue::activeUsers, TierRevenue::price,
        TierRevenue::subscriptionRevenue, TierRevenue::overageRevenue).containsExactly(
            tuple("enterprise", 1L, new BigDecimal("99"), new BigDecimal("99.00"), new BigDecimal("0.00")),
            tuple("free", 4L, new BigDecimal("0.00"), new BigDecimal("0.00"), new BigDecimal("0.00")),
            tuple("premium", 2L, new BigDecimal("19.00"), new BigDecimal("38.00"), new BigDecimal("2.47")));
    // 1,234 characters over at 2.00 per 1,000: 2.468, rounded half-even to the cent
    assertThat(r.overages()).extracting(UserOverage::userId, UserOverage::type, UserOverage::limit, UserOverage::used,
        UserOverage::overUnits, UserOverage::charge)
        .containsExactly(tuple(p1, QuotaType.CHARACTERS, 100_000L, 101_234L, 1_234L, new BigDecimal("2.47")));
    assertThat(r.subscriptionRevenue()).isEqualTo(new BigDecimal("137.00"));
    assertThat(r.overageRevenue()).isEqualTo(new BigDecimal("2.47"));
    assertThat(r.totalRevenue()).isEqualTo(new BigDecimal("139.47"));
    assertThat(r.upgradeCandidates()).extracting(UpgradeCandidate::userId, UpgradeCandidate::type,
        UpgradeCandidate::limit, UpgradeCandidate::previousUsed, UpgradeCandidate::used).containsExactly(
            tuple(f4, QuotaType.REQUESTS, 500L, 450L, 499L),
            tuple(f1, QuotaType.CHARACTERS, 10_000L, 9_000L, 9_500L),
            tuple(f3, QuotaType.CHARACTERS, 1_000L, 950L, 900L));
    assertThat(r.currency()).isEqualTo(Currency.getInstance("EUR"));
    assertThatThrownBy(() -> engine.analytics().revenue(month, null))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("pricing"));
  }

  @Test
  void aQuotaOfZeroMakesNoUpgradeCandidateNorDisplacesOne() {
    // no tokens on free: a limit of 0 is a feature the tier lacks, not one its users grow into
    UsageEngine engine = engine(b -> b.tier(Tier.builder(Tier.FREE).quota(Quota.monthly(QuotaType.TOKENS, 0)).build()));
    RevenueMonth m = revenueMonth();
    String near = user("near");
    String idle = user("idle");
    for (Instant at : List.of(m.lastMonth(), m.thisMonth())) {
      // near the 10,000 characters both months, and 50 tokens past the limit of 0 (tracked, not enforced)
      engine.tracking().trackUsage(UsageEvent.builder().userId(near).occurredAt(at)
          .characters(at.equals(m.lastMonth()) ? 9_000 : 9_500).requests(1).inputTokens(50).build());
      event(engine, idle, at, 10, 1); // 0 tokens of 0
    }

    RevenueReport r = engine.analytics().revenue(m.month(),
        Pricing.builder(Currency.getInstance("EUR")).tier("premium", new BigDecimal("19.00")).build());

    assertThat(r.upgradeCandidates()).extracting(UpgradeCandidate::userId, UpgradeCandidate::type,
        UpgradeCandidate::limit, UpgradeCandidate::previousUsed, UpgradeCandidate::used)
        .containsExactly(tuple(near, QuotaType.CHARACTERS, 10_000L, 9_000L, 9_500L));
    assertThat(r.upgradeCandidates()).allSatisfy(c -> {
      assertThat(c.utilisation()).isFinite();
      assertThat(c.previousUtilisation()).isFinite();
    });
    assertThatThrownBy(() -> new UpgradeCandidate(idle, Tier.FREE, QuotaType.TOKENS, 0, 0, 0))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("limit"));
  }

  @Test
  void forecastsEachQuotaOfAUserAtItsRunRate() {
    UsageEngine engine = engine();
    clock.set("2026-03-11T00:00:00Z"); // ten days into a 31-day month
    String slow = user("slow");
    String fast = user("fast");
    String done = user("done");
    engine.tracking().consumeQuota(Consumption.of(slow, QuotaType.CHARACTERS, 1_000));
    engine.tracking().consumeQuota(Consumption.of(fast, QuotaType.CHARACTERS, 5_000));
    engine.tracking().reserveQuota(Consumption.of(fast, QuotaType.CHARACTERS, 1_000));
    engine.tracking().consumeQuota(Consumption.of(done, QuotaType.CHARACTERS, 10_000));

    Instant now = Instant.parse("2026-03-11T00:00:00Z");
    UsageForecast s = engine.analytics().forecastUsage(slow);
    assertThat(s.quota(QuotaType.CHARACTERS)).hasValueSatisfying(q -> {
      assertThat(q.projected()).isEqualTo(3_100); // 100 a day for 31 days
      assertThat(q.runsOutAt()).isEmpty();         // 9,000 more would take 90 days
      assertThat(q.exhausted()).isFalse();
    });
    assertThat(s.quota(QuotaType.REQUESTS)).hasValueSatisfying(q -> {
      assertThat(q.projected()).isZero();
      assertThat(q.runsOutAt()).isEmpty();
    });
    // 500 a day; 10,000 - 5,000 used - 1,000 held leaves 4,000: eight days
    assertThat(engine.analytics().forecastUsage(fast).quota(QuotaType.CHARACTERS)).hasValueSatisfying(q -> {
      assertThat(q.projected()).isEqualTo(15_500);
      assertThat(q.reserved()).isEqualTo(1_000);
      assertThat(q.runsOutAt()).contains(Instant.parse("2026-03-19T00:00:00Z"));
      assertThat(q.periodEnd()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
    });
    assertThat(engine.analytics().forecastUsage(done).quota(QuotaType.CHARACTERS)).hasValueSatisfying(q -> {
      assertThat(q.exhausted()).isTrue();
      assertThat(q.runsOutAt()).contains(now);
    });
    assertThat(engine.analytics().forecastUsage(done).at()).isEqualTo(now);
  }

  @Test
  void forecastsFromAnAdminResetAtTheRateSinceIt() {
    UsageEngine engine = engine();
    clock.set("2026-03-20T00:00:00Z");
    String user = user("reset");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 8_000));
    engine.quotas().resetUsage(user, QuotaType.CHARACTERS, dev.usage.ChangeRequest.of("support", "refund"));
    clock.set("2026-03-21T00:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 1_000));

    // 1,000 a day since the reset (not 1,000 over the 20 days since March 1): 9,000 left of 10,000 last nine days
    assertThat(engine.analytics().forecastUsage(user).quota(QuotaType.CHARACTERS)).hasValueSatisfying(q -> {
      assertThat(q.used()).isEqualTo(1_000);
      assertThat(q.projected()).isEqualTo(12_000);
      assertThat(q.runsOutAt()).contains(Instant.parse("2026-03-30T00:00:00Z"));
      assertThat(q.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    });
    // a reset of the period before does not change this period's rate
    clock.set("2026-04-11T00:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 1_000));
    assertThat(engine.analytics().forecastUsage(user).quota(QuotaType.CHARACTERS))
        .hasValueSatisfying(q -> assertThat(q.projected()).isEqualTo(3_000));
  }

  /**
   * Processing times add up past the 292 years a long of nanoseconds holds: 15,300 events of seven days each. Run
   * by the in-memory and H2 classes only: on a persistent database the 15,300 rows would stay, and every later
   * run's whole-store totals (the invalid-input contract's snapshots) would read them again.
   */
  protected void processingTimesAddUpPastWhatNanosecondsHold() {
    Instant day = AnalyticsDataset.freeWindow(storage.events().analytics().orElseThrow(), Duration.ofDays(1));
    clock.set(day.plus(Duration.ofDays(2)));
    UsageEngine engine = engine();
    String user = user("slow-calls");
    int n = 15_300;
    for (int i = 0; i < n; i += 1_000) {
      List<UsageEvent> batch = new java.util.ArrayList<>();
      for (int j = i; j < Math.min(n, i + 1_000); j++) {
        batch.add(UsageEvent.builder().userId(user).occurredAt(day.plusSeconds(3_600 + j)).requests(1)
            .processingTime(UsageEvent.MAX_PROCESSING_TIME).build());
      }
      storage.events().append(batch);
    }

    SystemAnalytics a = engine.analytics().getSystemAnalytics(TimeRange.of(day, day.plus(Duration.ofDays(1))));
    assertThat(a.totals().timedEvents()).isEqualTo(n);
    assertThat(a.totals().processingTime()).isEqualTo(Duration.ofDays(7L * n));
    assertThat(a.totals().meanProcessingTime()).contains(UsageEvent.MAX_PROCESSING_TIME);
  }

  @Test
  void forecastsSystemCapacityFromALineThroughTheDailyTotals() {
    UsageEngine engine = engine();
    Instant window = AnalyticsDataset.freeWindow(storage.events().analytics().orElseThrow(), Duration.ofDays(100));
    LocalDate today = window.atZone(ZoneOffset.UTC).toLocalDate().plusDays(95);
    clock.set(today.atTime(12, 0).toInstant(ZoneOffset.UTC));
    String user = user("capacity");
    for (int i = 0; i < 30; i++) { // the last 30 days: 1,000 + 100 i characters and 1 request on day i
      event(engine, user, today.minusDays(30 - i).atTime(6, 0).toInstant(ZoneOffset.UTC), 1_000 + 100 * i, 1);
    }
    event(engine, user, today.atTime(1, 0).toInstant(ZoneOffset.UTC), 1_000_000, 1);          // today: incomplete
    event(engine, user, today.minusDays(91).atTime(1, 0).toInstant(ZoneOffset.UTC), 1_000_000, 1); // too old

    CapacityForecast f = engine.analytics().forecastCapacity();
    assertThat(f.historyFrom()).isEqualTo(today.minusDays(30));
    assertThat(f.historyTo()).isEqualTo(today);
    assertThat(f.historyDays()).isEqualTo(30);
    assertThat(f.trend(QuotaType.CHARACTERS)).hasValueSatisfying(t -> {
      assertThat(t.intercept()).isCloseTo(1_000, within(1e-6));
      assertThat(t.slopePerDay()).isCloseTo(100, within(1e-9));
      assertThat(t.rSquared()).isCloseTo(1, within(1e-12));
      assertThat(t.meanPerDay()).isCloseTo(2_450, within(1e-9));
    });
    assertThat(f.trend(QuotaType.REQUESTS)).hasValueSatisfying(t -> {
      assertThat(t.slopePerDay()).isZero();
      assertThat(t.intercept()).isEqualTo(1.0);
    });
    assertThat(f.months()).hasSize(3);
    for (int k = 0; k < 3; k++) {
      YearMonth m = YearMonth.from(today).plusMonths(k + 1);
      long a = m.atDay(1).toEpochDay() - today.minusDays(30).toEpochDay(); // the line's day number of the 1st
      long days = m.lengthOfMonth();
      long characters = days * 1_000 + 100 * (days * a + days * (days - 1) / 2);
      assertThat(f.months().get(k).month()).isEqualTo(m);
      assertThat(f.months().get(k).units(QuotaType.CHARACTERS)).isEqualTo(characters);
      assertThat(f.months().get(k).units(QuotaType.REQUESTS)).isEqualTo(days);
    }
    assertThat(engine.analytics().forecastCapacity(12).months()).hasSize(12);
    assertThatThrownBy(() -> engine.analytics().forecastCapacity(0))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("months"));
  }

  private static void event(UsageEngine engine, String user, Instant at, long characters, long requests) {
    engine.tracking().trackUsage(UsageEvent.builder().userId(user).occurredAt(at).characters(characters)
        .requests(requests).build());
  }

  @Test
  void exportsTheFilteredEventsAsCsvAndJsonThatReadBackToTheSameEvents() {
    UsageEngine engine = engine();
    AnalyticsDataset d = dataset(engine);
    String formula = user("formula");
    UsageEvent injected = UsageEvent.builder().userId(formula).eventId("=cmd|' /C calc'!A0")
        .occurredAt(d.at(3_000)).feature("=HYPERLINK(\"http://x\")").endpoint("@SUM(A1)").characters(1).build();
    engine.tracking().trackUsage(injected);
    List<UsageEvent> inOrder = d.events.stream().sorted(java.util.Comparator.comparing(UsageEvent::occurredAt)
        .thenComparing(UsageEvent::userId).thenComparing(UsageEvent::eventId)).toList();
    EventFilter datasetUsers = EventFilter.builder(d.week()).user(d.a, d.b, d.c).build();

    for (ExportFormat format : ExportFormat.values()) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      assertThat(engine.analytics().exportUsageData(datasetUsers, format, out)).isEqualTo(9);
      assertThat(readBack(format, out)).as(format.name()).containsExactlyElementsOf(inOrder);

      // one user's events, largest first by characters
      out.reset();
      long n = engine.analytics().exportUsageData(EventFilter.builder(d.week()).user(d.c).build(),
          EventSort.parse("characters,desc"), format, out);
      List<UsageEvent> c = readBack(format, out);
      assertThat(c).hasSize((int) n).extracting(UsageEvent::userId).containsOnly(d.c);
      assertThat(c).extracting(UsageEvent::characters).isSortedAccordingTo(java.util.Comparator.reverseOrder());

      // filter values are bound, never executed: they match nothing
      out.reset();
      assertThat(engine.analytics().exportUsageData(EventFilter.builder(d.week()).user("x' OR '1'='1")
          .feature("'; DROP TABLE usage_tracking; --").build(), format, out)).isZero();
      assertThat(readBack(format, out)).isEmpty();

      out.reset();
      assertThat(engine.analytics().exportUsageData(EventFilter.builder(d.week()).user(formula).build(), format, out))
          .isEqualTo(1);
      assertThat(readBack(format, out)).containsExactly(injected);
      if (format == ExportFormat.CSV) {
        String raw = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(raw).contains("'=HYPERLINK").contains("'@SUM(A1)").contains("'=cmd");
      }
    }
    // the events are all still there
    assertThat(engine.analytics().getSystemAnalytics(d.week()).totals().events()).isEqualTo(10);
    assertThatThrownBy(() -> EventSort.parse("occurredAt; DROP TABLE usage_tracking"))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("sort"));
    assertThatThrownBy(() -> engine.analytics().exportUsageData(datasetUsers, null, new java.io.ByteArrayOutputStream()))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("format"));
  }

  private static List<UsageEvent> readBack(ExportFormat format, java.io.ByteArrayOutputStream out) {
    List<UsageEvent> back = new java.util.ArrayList<>();
    UsageExports.read(format, new java.io.ByteArrayInputStream(out.toByteArray()), back::add);
    return back;
  }

  private static void track(UsageEngine engine, String user, String at, long characters) {
    engine.tracking().trackUsage(UsageEvent.builder().userId(user).occurredAt(Instant.parse(at)).characters(characters)
        .requests(1).build());
  }
}
