package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Consumption;
import dev.usage.PeriodUsage;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.ResetReport;
import dev.usage.UsageEngine;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reset job and period history (semantics 5, invariant I5): one history row per (user, quota,
 * period) with its limit and usage; reruns and concurrent runs change nothing; missed periods are caught
 * up; usage after a boundary is never touched.
 */
public abstract class HistoryContract extends AbstractStorageContract {

  /** reservationTtl + idempotencyWindow of {@link #historyEngine()}: how long after its end a period closes. */
  private static final Duration SETTLE = Duration.ofMinutes(65);

  private UsageEngine historyEngine() {
    return engine(b -> b.counterRetention(Duration.ofDays(120))
        .reservationTtl(Duration.ofMinutes(5))
        .idempotencyWindow(Duration.ofHours(1))
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000))
        .defaultQuota(Quota.monthly(QuotaType.TOKENS, 1_000))
        .defaultQuota(Quota.daily(QuotaType.of("exports"), 5)));
  }

  /** Sets the clock to {@code periodEnd} plus the settle delay. */
  private void settledAfter(String periodEnd) {
    clock.set(Instant.parse(periodEnd).plus(SETTLE));
  }

  @Test
  void closesEachFinishedPeriodOnceWithItsLimitAndUsage() {
    UsageEngine engine = historyEngine();
    String user = user("closed");
    engine.tracking().consumeQuota(Consumption.builder(user).characters(700).requests(3).build());
    engine.tracking().reserveQuota(Consumption.of(user, QuotaType.CHARACTERS, 100)); // reserved is not used
    settledAfter("2026-04-01T00:00:00Z");

    ResetReport first = engine.quotas().resetMonthlyQuotas();
    List<PeriodUsage> rows = engine.quotas().getQuotaHistory(user);
    ResetReport second = engine.quotas().resetMonthlyQuotas();

    assertThat(first.at()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z").plus(SETTLE));
    assertThat(first.periodsClosed()).isGreaterThanOrEqualTo(2);
    assertThat(rows).extracting(PeriodUsage::type, PeriodUsage::used, PeriodUsage::limit).containsExactly(
        org.assertj.core.groups.Tuple.tuple(QuotaType.CHARACTERS, 700L, 1_000L),
        org.assertj.core.groups.Tuple.tuple(QuotaType.REQUESTS, 3L, 500L));
    assertThat(rows).allSatisfy(r -> {
      assertThat(r.period()).isEqualTo(QuotaPeriod.MONTH);
      assertThat(r.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
      assertThat(r.periodEnd()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
      assertThat(r.closedAt()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z").plus(SETTLE));
      assertThat(r.rolledOver()).isZero();
    });
    assertThat(second.periodsClosed()).as("a rerun closes nothing new").isZero();
    assertThat(engine.quotas().getQuotaHistory(user)).isEqualTo(rows);
  }

  @Test
  void currentPeriodIsNotClosedAndUsageAfterTheBoundaryIsKept() {
    UsageEngine engine = historyEngine();
    String user = user("live");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 400));
    engine.quotas().resetMonthlyQuotas();
    assertThat(engine.quotas().getQuotaHistory(user)).as("March is not over").isEmpty();

    clock.set("2026-04-01T00:00:05Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 30));
    engine.quotas().resetMonthlyQuotas();
    assertThat(engine.quotas().getQuotaHistory(user)).as("March may still be charged by late commits").isEmpty();
    settledAfter("2026-04-01T00:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 12));
    engine.quotas().resetMonthlyQuotas(); // late-running reset, after April usage began

    assertThat(engine.quotas().getQuotaHistory(user)).singleElement()
        .satisfies(r -> assertThat(r.used()).isEqualTo(400));
    assertThat(used(engine, user, QuotaType.CHARACTERS)).isEqualTo(42);
  }

  @Test
  void reservationCommittedAfterTheBoundaryIsChargedToItsPeriodAndItsHistory() {
    UsageEngine engine = historyEngine();
    String user = user("late-commit");
    clock.set("2026-03-31T23:58:00Z");
    Reservation r = engine.tracking().reserveQuota(Consumption.of(user, QuotaType.TOKENS, 60)).reservation().orElseThrow();
    clock.set("2026-04-01T00:01:00Z");
    engine.quotas().resetMonthlyQuotas();
    clock.set("2026-04-01T00:02:00Z");

    engine.tracking().commitReservation(r, java.util.Map.of(QuotaType.TOKENS, 50L));

    assertThat(used(engine, user, QuotaType.TOKENS)).as("April is untouched").isZero();
    settledAfter("2026-04-01T00:00:00Z");
    engine.quotas().resetMonthlyQuotas();
    assertThat(engine.quotas().getQuotaHistory(user)).singleElement().satisfies(row -> {
      assertThat(row.type()).isEqualTo(QuotaType.TOKENS);
      assertThat(row.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
      assertThat(row.used()).isEqualTo(50);
    });
  }

  @Test
  void periodsKeepTheBoundsTheyHadWhenUsedEvenAfterABillingCycleChange() {
    UsageEngine engine = historyEngine();
    String user = user("cycle");
    clock.set("2026-03-03T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 700)); // March 1 - April 1
    clock.set("2026-03-20T12:00:00Z");
    engine.quotas().changeBillingCycle(user, ZoneId.of("Asia/Tokyo"), 15, "billing", "moved and re-anchored");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 50)); // March 15 - April 15, Tokyo
    settledAfter("2026-04-15T00:00:00+09:00");

    engine.quotas().resetMonthlyQuotas();

    assertThat(engine.quotas().getQuotaHistory(user))
        .extracting(PeriodUsage::periodStart, PeriodUsage::periodEnd, PeriodUsage::used).containsExactly(
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-01T00:00:00Z"),
                Instant.parse("2026-04-01T00:00:00Z"), 700L),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-14T15:00:00Z"),
                Instant.parse("2026-04-14T15:00:00Z"), 50L));
  }

  @Test
  void aMonthAndADayStartingTogetherAfterAPeriodKindChangeAreTwoRows() {
    UsageEngine engine = historyEngine();
    String user = user("kind");
    clock.set("2026-03-01T08:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 300)); // March, a monthly quota
    engine.quotas().updateQuota(user, Quota.daily(QuotaType.CHARACTERS, 100), "admin", "daily from today");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 40)); // March 1, daily now
    settledAfter("2026-04-01T00:00:00Z");

    engine.quotas().resetMonthlyQuotas();

    assertThat(engine.quotas().getQuotaHistory(user)).filteredOn(r -> r.type().equals(QuotaType.CHARACTERS))
        .extracting(PeriodUsage::periodStart, PeriodUsage::period, PeriodUsage::used).containsExactly(
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-01T00:00:00Z"), QuotaPeriod.DAY, 40L),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-01T00:00:00Z"), QuotaPeriod.MONTH, 300L));
    // and straight through the store: both rows stored once
    String other = user("kind");
    Instant start = Instant.parse("2026-06-01T00:00:00Z");
    List<PeriodUsage> rows = List.of(
        new PeriodUsage(other, QuotaType.TOKENS, QuotaPeriod.MONTH, start, Instant.parse("2026-07-01T00:00:00Z"), 10, 7,
            0, start),
        new PeriodUsage(other, QuotaType.TOKENS, QuotaPeriod.WEEK, start, Instant.parse("2026-06-08T00:00:00Z"), 5, 2,
            0, start));
    assertThat(storage.history().close(rows)).containsExactlyElementsOf(rows);
    assertThat(storage.history().close(rows)).isEmpty();
    assertThat(storage.history().history(other)).containsExactly(rows.get(1), rows.get(0));
  }

  @Test
  void missedPeriodsAreCaughtUpInOrder() {
    UsageEngine engine = historyEngine();
    String user = user("downtime");
    clock.set("2026-01-20T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 10));
    clock.set("2026-02-20T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 20));
    clock.set("2026-03-20T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 30));
    settledAfter("2026-04-01T00:00:00Z");

    engine.quotas().resetMonthlyQuotas();

    assertThat(engine.quotas().getQuotaHistory(user)).extracting(PeriodUsage::periodStart, PeriodUsage::used)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-01-01T00:00:00Z"), 10L),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-02-01T00:00:00Z"), 20L),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-01T00:00:00Z"), 30L));
  }

  @Test
  void dailyPeriodsInTheUsersZoneAreClosedToo() {
    UsageEngine engine = historyEngine();
    String user = user("daily");
    engine.quotas().changeBillingCycle(user, ZoneId.of("America/New_York"), 1, "admin", "customer in NYC");
    clock.set("2026-03-08T12:00:00Z"); // New York's 23-hour day
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.of("exports"), 2));
    clock.set("2026-03-09T04:00:00Z"); // 00:00 in New York, EDT
    engine.quotas().resetMonthlyQuotas();
    assertThat(engine.quotas().getQuotaHistory(user)).as("not before the settle delay").isEmpty();
    settledAfter("2026-03-09T04:00:00Z");

    engine.quotas().resetMonthlyQuotas();

    assertThat(engine.quotas().getQuotaHistory(user)).singleElement().satisfies(r -> {
      assertThat(r.period()).isEqualTo(QuotaPeriod.DAY);
      assertThat(r.periodStart()).isEqualTo(Instant.parse("2026-03-08T05:00:00Z"));
      assertThat(r.periodEnd()).isEqualTo(Instant.parse("2026-03-09T04:00:00Z"));
      assertThat(r.used()).isEqualTo(2);
      assertThat(r.limit()).isEqualTo(5);
    });
  }

  @Test
  void concurrentRunsCloseEachPeriodExactlyOnce() throws Exception {
    UsageEngine engine = historyEngine();
    List<String> users = java.util.stream.IntStream.range(0, 50).mapToObj(i -> user("many")).toList();
    users.forEach(u -> engine.tracking().consumeQuota(Consumption.builder(u).characters(5).requests(1).build()));
    settledAfter("2026-04-01T00:00:00Z");

    List<ResetReport> runs = Hammer.run(4, 1, Duration.ofMinutes(2), (t, a) -> engine.quotas().resetMonthlyQuotas());

    // other tests' finished periods may be closed by these runs too, so the sum is at least ours
    assertThat(runs.stream().mapToLong(ResetReport::periodsClosed).sum()).isGreaterThanOrEqualTo(100);
    for (String u : users) {
      assertThat(engine.quotas().getQuotaHistory(u)).as(u).hasSize(2);
    }
  }

  @Test
  void eachRowIsStoredByExactlyOneOfManyConcurrentClosers() throws Exception {
    Instant start = Instant.parse("2026-02-01T00:00:00Z");
    Instant end = Instant.parse("2026-03-01T00:00:00Z");
    List<PeriodUsage> rows = java.util.stream.IntStream.range(0, 40)
        .mapToObj(i -> new PeriodUsage(user("row"), QuotaType.CHARACTERS, QuotaPeriod.MONTH, start, end, 1_000, i, 0,
            Instant.parse(START)))
        .toList();

    List<Integer> storedPerCall = Hammer.run(8, 1, Duration.ofMinutes(1), (t, a) -> storage.history().close(rows).size());

    assertThat(storedPerCall.stream().mapToInt(Integer::intValue).sum()).isEqualTo(rows.size());
    for (PeriodUsage r : rows) {
      assertThat(storage.history().history(r.userId())).containsExactly(r);
    }
  }

  private UsageEngine rolloverEngine(dev.usage.RolloverPolicy policy) {
    return engine(b -> b.counterRetention(Duration.ofDays(120))
        .reservationTtl(Duration.ofMinutes(5))
        .idempotencyWindow(Duration.ofHours(1))
        .defaultQuota(Quota.monthly(QuotaType.TOKENS, 1_000).withRollover(policy)));
  }

  @Test
  void unusedQuotaIsCarriedIntoTheNextPeriodOnceThePeriodIsFinal() {
    UsageEngine engine = rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(300));
    String user = user("carry");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 600));
    clock.set("2026-04-01T00:00:05Z");
    assertThat(status(engine, user, QuotaType.TOKENS).limit()).as("March may still be charged").isEqualTo(1_000);

    settledAfter("2026-04-01T00:00:00Z");
    // no reset job has run: the first look at April closes March
    assertThat(status(engine, user, QuotaType.TOKENS)).satisfies(s -> {
      assertThat(s.limit()).isEqualTo(1_300);
      assertThat(s.carriedIn()).isEqualTo(300);
      assertThat(s.remaining()).isEqualTo(1_300);
    });
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 1_300)).allowed()).isTrue();
    assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 1)).allowed())
        .as("the carried units are spent too").isFalse();

    assertThat(engine.quotas().getQuotaHistory(user)).singleElement().satisfies(r -> {
      assertThat(r.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
      assertThat(r.used()).isEqualTo(600);
      assertThat(r.carriedIn()).isZero();
      assertThat(r.rolledOver()).isEqualTo(300);
      assertThat(r.rolledOverParts()).containsExactly(300L);
    });
    assertThat(engine.quotas().resetMonthlyQuotas().periodsClosed()).as("closed once, by the consume").isZero();
    // another engine on the same store reads the same row
    assertThat(status(rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(300)), user, QuotaType.TOKENS).limit())
        .isEqualTo(1_300);
  }

  @Test
  void catchUpClosesCarryingPeriodsInOrderAndCarriedUnitsExpire() {
    // carried units may be used in the two periods after the one they were unused in; cap 200 % of the limit
    // the months are used through an engine that does not look at rollover (as after a deployment that
    // turned it on), so every period is left to the reset job's catch-up, in whatever order the store scans
    UsageEngine plain = rolloverEngine(dev.usage.RolloverPolicy.none());
    String user = user("expiry");
    clock.set("2026-01-20T12:00:00Z");
    plain.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 200)); // 800 unused
    clock.set("2026-02-20T12:00:00Z");
    plain.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 300));
    clock.set("2026-03-20T12:00:00Z");
    plain.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 100));
    settledAfter("2026-04-01T00:00:00Z");
    UsageEngine engine = rolloverEngine(dev.usage.RolloverPolicy.carryUpToPercent(200).expiringAfter(2));

    assertThat(engine.quotas().resetMonthlyQuotas().periodsClosed()).isGreaterThanOrEqualTo(3);

    // Jan: 800 unused. Feb: 300 from Jan's 800 first -> [Feb 1,000, Jan 500]. Mar: 100 from Jan's 500 ->
    // Jan's 400 have had their two periods and expire -> [Mar 1,000, Feb 1,000], within the 2,000 cap
    assertThat(engine.quotas().getQuotaHistory(user))
        .extracting(PeriodUsage::periodStart, PeriodUsage::carriedIn, PeriodUsage::used, PeriodUsage::rolledOverParts)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-01-01T00:00:00Z"), 0L, 200L, List.of(800L)),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-02-01T00:00:00Z"), 800L, 300L, List.of(1_000L, 500L)),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-01T00:00:00Z"), 1_500L, 100L,
                List.of(1_000L, 1_000L)));
    assertThat(status(engine, user, QuotaType.TOKENS).limit()).isEqualTo(3_000);
  }

  @Test
  void aPeriodWithoutUseCarriesOnItsUnusedLimit() {
    UsageEngine engine = rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(5_000));
    String user = user("idle");
    clock.set("2026-01-20T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 100));
    settledAfter("2026-02-01T00:00:00Z");
    engine.quotas().resetMonthlyQuotas(); // January closed; nothing is used in February
    clock.set("2026-03-10T12:00:00Z");

    assertThat(status(engine, user, QuotaType.TOKENS).limit()).as("1,000 + January's 900 + February's 1,000")
        .isEqualTo(2_900);
    assertThat(engine.quotas().getQuotaHistory(user)).extracting(PeriodUsage::used, PeriodUsage::rolledOver)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(100L, 900L), org.assertj.core.groups.Tuple.tuple(0L, 1_900L));
  }

  @Test
  void aUsersFirstPeriodCarriesNothingFromBeforeTheirFirstUse() {
    UsageEngine engine = rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(5_000));
    String user = user("new");
    settledAfter("2026-04-01T00:00:00Z");
    assertThat(status(engine, user, QuotaType.TOKENS).limit()).isEqualTo(1_000);
    assertThat(engine.quotas().getQuotaHistory(user)).isEmpty();
  }

  @Test
  void concurrentClosersAndConsumersCloseEachCarryingPeriodOnce() throws Exception {
    UsageEngine engine = rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(500));
    List<String> users = java.util.stream.IntStream.range(0, 20).mapToObj(i -> user("race")).toList();
    clock.set("2026-02-10T12:00:00Z");
    users.forEach(u -> engine.tracking().consumeQuota(Consumption.of(u, QuotaType.TOKENS, 700)));
    clock.set("2026-03-10T12:00:00Z");
    users.forEach(u -> engine.tracking().consumeQuota(Consumption.of(u, QuotaType.TOKENS, 100)));
    settledAfter("2026-04-01T00:00:00Z");

    Hammer.run(4, 3, Duration.ofMinutes(2), (t, a) -> t % 2 == 0 ? engine.quotas().resetMonthlyQuotas()
        : engine.tracking().consumeQuota(Consumption.of(users.get((t * 3 + a) % users.size()), QuotaType.TOKENS, 1)));

    for (String u : users) {
      assertThat(engine.quotas().getQuotaHistory(u)).as(u).extracting(PeriodUsage::carriedIn, PeriodUsage::rolledOver)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 300L), org.assertj.core.groups.Tuple.tuple(300L, 500L));
      assertThat(status(engine, u, QuotaType.TOKENS).limit()).as(u).isEqualTo(1_500);
    }
  }

  @Test
  void anAnchorChangeStartsACycleThatCarriesNothingInAndTheOldCyclesPeriodIsClosedOnItsOwnBounds() {
    UsageEngine engine = rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(5_000));
    String user = user("anchor");
    clock.set("2026-01-20T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 100)); // January: 900 unused
    clock.set("2026-02-10T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 300)); // February 1 - March 1, of 1,900
    clock.set("2026-02-20T12:00:00Z");
    engine.quotas().changeBillingCycle(user, ZoneId.of("UTC"), 15, "billing", "anchor on payment day");

    // February 15 - March 15 starts the new cycle: no January 15 - February 15 period was ever counted to carry from
    assertThat(status(engine, user, QuotaType.TOKENS)).satisfies(s -> {
      assertThat(s.limit()).isEqualTo(1_000);
      assertThat(s.carriedIn()).isZero();
      assertThat(s.used()).isZero();
    });
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 400));
    settledAfter("2026-03-15T00:00:00Z");
    engine.quotas().resetMonthlyQuotas();

    assertThat(engine.quotas().getQuotaHistory(user))
        .extracting(PeriodUsage::periodStart, PeriodUsage::periodEnd, PeriodUsage::carriedIn, PeriodUsage::used,
            PeriodUsage::rolledOver)
        .containsExactly(
            row("2026-01-01", "2026-02-01", 0, 100, 900),
            // the old cycle's last period, on its own bounds: it had January's 900, and carries nothing on
            row("2026-02-01", "2026-03-01", 900, 300, 0),
            row("2026-02-15", "2026-03-15", 0, 400, 600));
    assertThat(status(engine, user, QuotaType.TOKENS).limit()).as("March 15 - April 15: 1,000 + 600").isEqualTo(1_600);
    assertThat(engine.quotas().resetMonthlyQuotas().periodsClosed()).as("each closed once").isZero();
  }

  @Test
  void aZoneChangeKeepsTheCarryAndClosesNoPeriodTwice() {
    for (String zone : List.of("America/New_York", "Asia/Tokyo")) { // periods begin later, and earlier, than in UTC
      UsageEngine engine = rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(5_000));
      String user = user("moved");
      clock.set("2026-01-20T12:00:00Z");
      engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 100)); // January in UTC: 900 unused
      settledAfter("2026-02-01T00:00:00Z");
      engine.quotas().resetMonthlyQuotas();
      clock.set("2026-02-05T12:00:00Z");
      engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 200));
      clock.set("2026-02-10T12:00:00Z");
      engine.quotas().changeBillingCycle(user, ZoneId.of(zone), 1, "admin", "customer moved");

      // February, now in the new zone, keeps its counter and what January carried into it, on an instance that has
      // not seen February before too
      UsageEngine other = rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(5_000));
      assertThat(List.of(status(other, user, QuotaType.TOKENS), status(engine, user, QuotaType.TOKENS))).as(zone)
          .allSatisfy(s -> {
            assertThat(s.used()).isEqualTo(200);
            assertThat(s.carriedIn()).isEqualTo(900);
            assertThat(s.limit()).isEqualTo(1_900);
          });
      engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 300));
      clock.set("2026-03-02T12:00:00Z");
      engine.quotas().resetMonthlyQuotas();

      Instant february = java.time.LocalDate.parse("2026-02-01").atStartOfDay(ZoneId.of(zone)).toInstant();
      Instant march = java.time.LocalDate.parse("2026-03-01").atStartOfDay(ZoneId.of(zone)).toInstant();
      assertThat(engine.quotas().getQuotaHistory(user)).as(zone)
          .extracting(PeriodUsage::periodStart, PeriodUsage::periodEnd, PeriodUsage::carriedIn, PeriodUsage::used,
              PeriodUsage::rolledOver)
          .containsExactly(
              row("2026-01-01", "2026-02-01", 0, 100, 900),
              org.assertj.core.groups.Tuple.tuple(february, march, 900L, 500L, 1_400L));
      assertThat(status(engine, user, QuotaType.TOKENS)).as(zone).satisfies(s -> {
        assertThat(s.carriedIn()).isEqualTo(1_400);
        assertThat(s.limit()).isEqualTo(2_400);
      });
    }
  }

  @Test
  void aNewCycleWithoutUseCarriesNothingEvenOnceTheOldCyclesCountersAreGone() {
    UsageEngine engine = rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(5_000)); // counters kept 120 days
    String user = user("reanchored-idle");
    clock.set("2026-01-20T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 100)); // January: 900 unused
    clock.set("2026-02-20T12:00:00Z");
    engine.quotas().changeBillingCycle(user, ZoneId.of("UTC"), 15, "billing", "anchor on payment day");
    clock.set("2026-03-20T12:00:00Z");
    engine.quotas().resetMonthlyQuotas();

    // September 15 - October 15: no period of the new cycle was ever used, and the periods back to its start are
    // past counter retention; none of them carries anything, nor does January into them
    clock.set("2026-09-20T12:00:00Z");
    assertThat(status(engine, user, QuotaType.TOKENS)).satisfies(s -> {
      assertThat(s.carriedIn()).isZero();
      assertThat(s.limit()).isEqualTo(1_000);
    });
    assertThat(engine.quotas().getQuotaHistory(user)).extracting(PeriodUsage::periodStart)
        .containsExactly(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void aPeriodClosedInANewZoneIsNotClosedAgainAfterAnAnchorChange() {
    UsageEngine engine = rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(5_000));
    String user = user("moved-reanchored");
    clock.set("2026-02-05T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 200)); // February's counter, begun in UTC
    clock.set("2026-02-10T12:00:00Z");
    engine.quotas().changeBillingCycle(user, ZoneId.of("Asia/Tokyo"), 1, "admin", "customer moved");
    clock.set("2026-03-02T12:00:00Z");
    engine.quotas().resetMonthlyQuotas(); // February closed in Tokyo
    clock.set("2026-03-05T12:00:00Z");
    engine.quotas().changeBillingCycle(user, ZoneId.of("Asia/Tokyo"), 15, "billing", "anchor on payment day");
    clock.set("2026-03-20T12:00:00Z");

    engine.quotas().resetMonthlyQuotas(); // February's counter is now of the old cycle

    assertThat(engine.quotas().getQuotaHistory(user))
        .extracting(PeriodUsage::periodStart, PeriodUsage::periodEnd, PeriodUsage::used, PeriodUsage::rolledOver)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-01-31T15:00:00Z"),
            Instant.parse("2026-02-28T15:00:00Z"), 200L, 800L));
  }

  @Test
  void theOldCyclesPeriodIsClosedAfterAOneDayAnchorChangeFarFromUtc() {
    UsageEngine engine = rolloverEngine(dev.usage.RolloverPolicy.carryUpTo(5_000));
    String user = user("honolulu");
    ZoneId honolulu = ZoneId.of("Pacific/Honolulu"); // UTC-10: its midnights are 10:00 UTC
    engine.quotas().changeBillingCycle(user, honolulu, 2, "billing", "anchor on the 2nd");
    clock.set("2026-03-05T22:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 100)); // March 2 - April 2
    clock.set("2026-03-10T22:00:00Z");
    engine.quotas().changeBillingCycle(user, honolulu, 1, "billing", "anchor on the 1st");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 50)); // March 1 - April 1, the new cycle
    clock.set("2026-04-01T12:00:00Z");
    engine.quotas().resetMonthlyQuotas(); // the new cycle's March
    clock.set("2026-04-03T12:00:00Z");

    engine.quotas().resetMonthlyQuotas(); // the old cycle's

    assertThat(engine.quotas().getQuotaHistory(user))
        .extracting(PeriodUsage::periodStart, PeriodUsage::periodEnd, PeriodUsage::used, PeriodUsage::rolledOver)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-01T10:00:00Z"),
                Instant.parse("2026-04-01T10:00:00Z"), 50L, 950L),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-02T10:00:00Z"),
                Instant.parse("2026-04-02T10:00:00Z"), 100L, 0L));
  }

  @Test
  void aDailyCarryClosesEveryDayInZonesFarFromUtc() {
    for (String zone : List.of("Pacific/Honolulu", "Pacific/Auckland")) { // UTC-10, and UTC+13 in March
      UsageEngine engine = engine(b -> b.counterRetention(Duration.ofDays(120))
          .reservationTtl(Duration.ofMinutes(5))
          .idempotencyWindow(Duration.ofHours(1))
          .defaultQuota(Quota.daily(QuotaType.of("exports"), 100).withRollover(dev.usage.RolloverPolicy.carryUpTo(500))));
      String user = user("far");
      ZoneId z = ZoneId.of(zone);
      engine.quotas().changeBillingCycle(user, z, 1, "admin", "customer's zone");
      QuotaType exports = QuotaType.of("exports");
      clock.set(java.time.LocalDateTime.parse("2026-03-02T12:00:00").atZone(z).toInstant());
      engine.tracking().consumeQuota(Consumption.of(user, exports, 10)); // 90 unused
      clock.set(java.time.LocalDateTime.parse("2026-03-03T12:00:00").atZone(z).toInstant());
      assertThat(status(engine, user, exports).limit()).as(zone).isEqualTo(190);
      engine.tracking().consumeQuota(Consumption.of(user, exports, 150)); // the 90 carried in first: 40 unused
      clock.set(java.time.LocalDateTime.parse("2026-03-04T12:00:00").atZone(z).toInstant());

      assertThat(status(engine, user, exports)).as(zone).satisfies(s -> {
        assertThat(s.carriedIn()).isEqualTo(40);
        assertThat(s.limit()).isEqualTo(140);
      });
      assertThat(engine.quotas().getQuotaHistory(user)).as(zone)
          .extracting(PeriodUsage::periodStart, PeriodUsage::carriedIn, PeriodUsage::used, PeriodUsage::rolledOver)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(java.time.LocalDate.parse("2026-03-02").atStartOfDay(z).toInstant(),
                  0L, 10L, 90L),
              org.assertj.core.groups.Tuple.tuple(java.time.LocalDate.parse("2026-03-03").atStartOfDay(z).toInstant(),
                  90L, 150L, 40L));
    }
  }

  @Test
  void aDayKeepsItsCarryAcrossAZoneChangeOfMoreThanHalfADay() {
    QuotaType exports = QuotaType.of("exports");
    java.util.function.Supplier<UsageEngine> engines = () -> engine(b -> b.counterRetention(Duration.ofDays(120))
        .reservationTtl(Duration.ofMinutes(5))
        .idempotencyWindow(Duration.ofHours(1))
        .defaultQuota(Quota.daily(exports, 100).withRollover(dev.usage.RolloverPolicy.carryUpTo(500))));
    UsageEngine engine = engines.get();
    String user = user("akl-hnl");
    ZoneId auckland = ZoneId.of("Pacific/Auckland"); // UTC+12 in June
    engine.quotas().changeBillingCycle(user, auckland, 1, "admin", "customer's zone");
    for (int day = 7; day <= 9; day++) { // 10, 20 and 30 used: 90, then 170, then 240 carried on
      clock.set(java.time.LocalDateTime.of(2026, 6, day, 12, 0).atZone(auckland).toInstant());
      engine.tracking().consumeQuota(Consumption.of(user, exports, 10L * (day - 6)));
    }
    clock.set("2026-06-10T00:00:00Z"); // June 10, 12:00 in Auckland; June 9, 14:00 in Honolulu
    assertThat(status(engine, user, exports).carriedIn()).as("June 9 closed").isEqualTo(240);
    engine.quotas().changeBillingCycle(user, ZoneId.of("Pacific/Honolulu"), 1, "admin", "customer moved");

    // June 9 again, in Honolulu (its counter kept): it receives June 8's carry, as it did in Auckland, although June
    // 9's row in Auckland began nearer to June 8 in Honolulu than June 8's did
    assertThat(status(engines.get(), user, exports)).satisfies(s -> {
      assertThat(s.used()).isEqualTo(30);
      assertThat(s.carriedIn()).isEqualTo(170);
    });
  }

  /** A history row's bounds (UTC midnights), carried in, used and rolled over. */
  private static org.assertj.core.groups.Tuple row(String start, String end, long carriedIn, long used, long rolledOver) {
    return org.assertj.core.groups.Tuple.tuple(Instant.parse(start + "T00:00:00Z"), Instant.parse(end + "T00:00:00Z"),
        carriedIn, used, rolledOver);
  }

  @Test
  void periodsBeforeAScheduledDowngradeAreClosedWithTheTierTheyHad() {
    UsageEngine engine = engine(b -> b.counterRetention(Duration.ofDays(120))
        .reservationTtl(Duration.ofMinutes(5))
        .idempotencyWindow(Duration.ofHours(1))
        .tier(dev.usage.Tier.builder("pro").quota(Quota.monthly(QuotaType.CHARACTERS, 50_000))
            .quota(Quota.monthly(QuotaType.REQUESTS, 900))
            .quota(Quota.monthly(QuotaType.TOKENS, 5_000).withRollover(dev.usage.RolloverPolicy.carryUpTo(3_000)))
            .build())
        .tier(dev.usage.Tier.builder("basic").quota(Quota.monthly(QuotaType.CHARACTERS, 2_000))
            .quota(Quota.monthly(QuotaType.REQUESTS, 90))
            .quota(Quota.monthly(QuotaType.TOKENS, 1_000).withRollover(dev.usage.RolloverPolicy.carryUpTo(500)))
            .build()));
    String user = user("downgraded");
    engine.quotas().initializeUserQuotas(user, "pro", "signup");
    clock.set("2026-02-10T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.builder(user).characters(10).tokens(1_000).build());
    clock.set("2026-03-20T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 30_000)); // no tokens in March
    engine.quotas().changeTierAtNextPeriod(user, "basic", dev.usage.ChangeRequest.of("billing", "downgrade"));

    clock.set("2026-04-01T00:30:00Z"); // basic applies; March may still be charged
    engine.quotas().resetMonthlyQuotas(); // closes February
    assertThat(engine.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 77), "support", "more")
        .tier()).as("as it applies now").isEqualTo("basic");
    assertThat(engine.quotas().auditTrail(user)).last().extracting(dev.usage.AuditEntry::oldValue)
        .as("what applied before: basic's").isEqualTo("90/month hard");
    engine.quotas().removeQuotaOverride(user, QuotaType.REQUESTS, dev.usage.ChangeRequest.of("support", "back"));
    assertThat(engine.quotas().auditTrail(user)).last().satisfies(e -> {
      assertThat(e.oldValue()).isEqualTo("77/month hard");
      assertThat(e.newValue()).as("what applies now: basic's").isEqualTo("90/month hard");
    });
    assertThat(status(engine, user, QuotaType.TOKENS).limit()).as("nothing carried before March is final")
        .isEqualTo(1_000);
    settledAfter("2026-04-01T00:00:00Z");
    engine.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 77), "support", "more again");
    assertThat(storage.userQuotas().find(user).orElseThrow()).as("kept scheduled until the reset job closes March")
        .satisfies(u -> {
          assertThat(u.tier()).isEqualTo("pro");
          assertThat(u.scheduled()).isPresent();
        });

    engine.quotas().resetMonthlyQuotas();

    // March, with no tokens used, carries on pro's 5,000 and February's 3,000, within pro's cap of 3,000
    assertThat(engine.quotas().getQuotaHistory(user)).filteredOn(r -> r.periodStart().equals(
            Instant.parse("2026-03-01T00:00:00Z")))
        .extracting(PeriodUsage::type, PeriodUsage::limit, PeriodUsage::used, PeriodUsage::carriedIn,
            PeriodUsage::rolledOver)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(QuotaType.CHARACTERS, 50_000L, 30_000L, 0L, 0L),
            org.assertj.core.groups.Tuple.tuple(QuotaType.TOKENS, 5_000L, 0L, 3_000L, 3_000L));
    assertThat(storage.userQuotas().find(user).orElseThrow()).as("recorded once March is closed").satisfies(u -> {
      assertThat(u.tier()).isEqualTo("basic");
      assertThat(u.scheduled()).isEmpty();
      assertThat(u.override(QuotaType.REQUESTS)).contains(Quota.monthly(QuotaType.REQUESTS, 77));
    });
    assertThat(engine.quotas().auditTrail(user)).extracting(dev.usage.AuditEntry::action).containsExactly(
        "initialize", "schedule-tier", "override", "remove-override", "override", "apply-scheduled-tier");
    assertThat(engine.quotas().auditTrail(user)).last().satisfies(e -> {
      assertThat(e.oldValue()).isEqualTo("pro");
      assertThat(e.newValue()).isEqualTo("basic");
    });
    // basic's April receives what March carried on within its cap
    assertThat(status(engine, user, QuotaType.TOKENS)).satisfies(s -> {
      assertThat(s.limit()).isEqualTo(1_500);
      assertThat(s.carriedIn()).isEqualTo(500);
    });

    clock.set("2026-04-10T12:00:00Z");
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 200));
    engine.quotas().changeTier(user, "pro", "billing", "upgrade again");
    assertThat(status(engine, user, QuotaType.TOKENS).carriedIn()).as("pro's April receives 3,000").isEqualTo(3_000);
    settledAfter("2026-05-01T00:00:00Z");
    status(engine, user, QuotaType.TOKENS); // closes April: with pro, the tier it has now
    assertThat(engine.quotas().getQuotaHistory(user)).filteredOn(r -> r.type().equals(QuotaType.TOKENS)
            && r.periodStart().equals(Instant.parse("2026-04-01T00:00:00Z")))
        .singleElement().satisfies(r -> {
          assertThat(r.limit()).isEqualTo(5_000);
          assertThat(r.carriedIn()).isEqualTo(3_000);
          assertThat(r.used()).isEqualTo(200);
        });
  }

  @Test
  void aDueTierChangeWaitsOnlyForThePeriodsSpanningItThatHaveUse() {
    UsageEngine engine = engine(b -> b.counterRetention(Duration.ofDays(120))
        .reservationTtl(Duration.ofMinutes(5))
        .idempotencyWindow(Duration.ofHours(1))
        .defaultQuota(Quota.weekly(QuotaType.of("exports"), 5)));
    String idle = user("idle-week");
    String busy = user("busy-week");
    clock.set("2026-03-20T12:00:00Z");
    for (String u : List.of(idle, busy)) {
      engine.quotas().initializeUserQuotas(u, dev.usage.Tier.PREMIUM, "signup");
      engine.tracking().consumeQuota(Consumption.of(u, QuotaType.CHARACTERS, 10));
      engine.quotas().changeTierAtNextPeriod(u, dev.usage.Tier.FREE, dev.usage.ChangeRequest.of("billing", "down"));
    }
    clock.set("2026-04-01T12:00:00Z"); // a Wednesday: the week from March 30 spans the change
    engine.tracking().consumeQuota(Consumption.of(busy, QuotaType.of("exports"), 2));
    settledAfter("2026-04-01T00:00:00Z");

    engine.quotas().resetMonthlyQuotas();

    assertThat(storage.userQuotas().find(idle).orElseThrow().tier()).as("nothing to close before it")
        .isEqualTo(dev.usage.Tier.FREE);
    assertThat(storage.userQuotas().find(busy).orElseThrow().tier()).as("its week is not over")
        .isEqualTo(dev.usage.Tier.PREMIUM);
    settledAfter("2026-04-06T00:00:00Z");
    engine.quotas().resetMonthlyQuotas();
    assertThat(storage.userQuotas().find(busy).orElseThrow().tier()).isEqualTo(dev.usage.Tier.FREE);
    assertThat(engine.quotas().getQuotaHistory(busy)).extracting(PeriodUsage::type, PeriodUsage::periodStart)
        .contains(org.assertj.core.groups.Tuple.tuple(QuotaType.of("exports"), Instant.parse("2026-03-30T00:00:00Z")));
  }

  private UsageEngine basicAndProEngine() {
    return engine(b -> b.counterRetention(Duration.ofDays(120))
        .reservationTtl(Duration.ofMinutes(5))
        .idempotencyWindow(Duration.ofHours(1))
        .tier(dev.usage.Tier.builder("basic").quota(Quota.monthly(QuotaType.CHARACTERS, 2_000))
            .quota(Quota.monthly(QuotaType.REQUESTS, 100))
            .quota(Quota.monthly(QuotaType.TOKENS, 1_000).withRollover(dev.usage.RolloverPolicy.carryUpTo(500)))
            .quota(Quota.daily(QuotaType.of("exports"), 5).withRollover(dev.usage.RolloverPolicy.carryUpTo(5)))
            .build())
        .tier(dev.usage.Tier.builder("pro").quota(Quota.monthly(QuotaType.CHARACTERS, 50_000))
            .quota(Quota.monthly(QuotaType.REQUESTS, 900))
            .quota(Quota.monthly(QuotaType.TOKENS, 5_000).withRollover(dev.usage.RolloverPolicy.carryUpTo(3_000)))
            .quota(Quota.daily(QuotaType.of("exports"), 50).withRollover(dev.usage.RolloverPolicy.carryUpTo(50)))
            .build()));
  }

  @Test
  void periodsEndedBeforeAnImmediateChangeAreClosedWithThePlanTheyHadEvenWhenClosedAfterIt() {
    UsageEngine engine = basicAndProEngine();
    // the same changes for two users: one's periods are closed by the reset job, the other's by a look-up
    String byJob = user("upgraded-closed-by-the-job");
    String byLookup = user("upgraded-closed-by-a-look-up");
    QuotaType exports = QuotaType.of("exports");
    clock.set("2026-03-31T12:00:00Z");
    for (String user : List.of(byJob, byLookup)) {
      engine.quotas().initializeUserQuotas(user, "basic", "signup");
      engine.tracking().consumeQuota(Consumption.builder(user).characters(100).requests(3).tokens(200)
          .amount(exports, 1).build());
      engine.quotas().updateQuota(user, Quota.monthly(QuotaType.CHARACTERS, 3_000), "support", "a bit more");
    }
    // March and March 31 may still be charged (final at 01:05): the upgrade is made before either is closed
    clock.set("2026-04-01T00:30:00Z");
    for (String user : List.of(byJob, byLookup)) {
      engine.quotas().changeTier(user, "pro", "billing", "upgrade");
      engine.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 700), "support", "no period ended since");
    }

    clock.set("2026-04-01T12:00:00Z");
    // March closed with basic: 800 unused, basic carries up to 500, which pro's April receives whole
    assertThat(status(engine, byLookup, QuotaType.TOKENS)).satisfies(s -> {
      assertThat(s.limit()).isEqualTo(5_500);
      assertThat(s.carriedIn()).isEqualTo(500);
    });
    // March 31 closed with basic too: 4 of its 5 unused
    assertThat(status(engine, byLookup, exports).limit()).isEqualTo(54);
    engine.quotas().resetMonthlyQuotas(); // closes the other user's periods
    for (String user : List.of(byJob, byLookup)) {
      assertThat(engine.quotas().getQuotaHistory(user)).as(user).filteredOn(r -> r.periodStart().isBefore(
              Instant.parse("2026-04-01T00:00:00Z")))
          .extracting(PeriodUsage::type, PeriodUsage::limit, PeriodUsage::used, PeriodUsage::rolledOver)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(QuotaType.CHARACTERS, 3_000L, 100L, 0L),
              org.assertj.core.groups.Tuple.tuple(QuotaType.REQUESTS, 100L, 3L, 0L),
              org.assertj.core.groups.Tuple.tuple(QuotaType.TOKENS, 1_000L, 200L, 500L),
              org.assertj.core.groups.Tuple.tuple(exports, 5L, 1L, 4L));
      assertThat(status(engine, user, QuotaType.TOKENS).limit()).isEqualTo(5_500);
    }

    // a day of pro ended since the upgrade: its plan is kept for April 1, as basic's is for March
    String user = byJob;
    engine.tracking().consumeQuota(Consumption.of(user, exports, 2));
    clock.set("2026-04-02T00:30:00Z");
    engine.quotas().changeTier(user, "basic", "billing", "downgrade");
    assertThat(storage.userQuotas().find(user).orElseThrow().earlier())
        .extracting(dev.usage.EarlierSettings::changedAt, dev.usage.EarlierSettings::tier)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-31T12:00:00Z"), "basic"),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-04-01T00:30:00Z"), "basic"),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-04-02T00:30:00Z"), "pro"));
    assertThat(storage.userQuotas().find(user).orElseThrow().earlier().get(1).overrides())
        .as("the override set before the upgrade, as stored")
        .containsExactly(java.util.Map.entry(QuotaType.CHARACTERS, Quota.monthly(QuotaType.CHARACTERS, 3_000)));

    settledAfter("2026-04-02T00:00:00Z");
    UsageEngine another = basicAndProEngine(); // what the store kept, read by another instance
    another.quotas().resetMonthlyQuotas();
    // April 1 under pro: 4 carried in, 2 used, 52 unused within pro's cap of 50
    assertThat(another.quotas().getQuotaHistory(user)).filteredOn(r -> r.type().equals(exports)
            && r.periodStart().equals(Instant.parse("2026-04-01T00:00:00Z")))
        .singleElement().satisfies(r -> {
          assertThat(r.limit()).isEqualTo(50);
          assertThat(r.carriedIn()).isEqualTo(4);
          assertThat(r.used()).isEqualTo(2);
          assertThat(r.rolledOver()).isEqualTo(50);
        });
    // basic's April 2 receives within its cap of 5; April, not over, is under basic now
    assertThat(status(another, user, exports).limit()).isEqualTo(10);
    assertThat(status(another, user, QuotaType.TOKENS).limit()).isEqualTo(1_500);
  }
}
