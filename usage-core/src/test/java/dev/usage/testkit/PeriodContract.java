package dev.usage.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.Tier;
import dev.usage.UsageEngine;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Periods on the storage (semantics 4): counters are kept per period, and a new period begins at its
 * boundary with no job run, so usage of one period never counts in the next. Months follow the user's
 * zone and billing anchor day (the 31st clamps to the month's last day without drifting); days and
 * weeks begin at local midnight (or the first local instant when DST skips it). Statuses report the
 * period's start and reset instants, a denial's {@code retryAfter} is the time to the reset, and a
 * limit change within a period keeps the usage counted. Expected instants were worked out by hand.
 */
public abstract class PeriodContract extends AbstractStorageContract {

  private static final String ADMIN = "period-contract";
  private static final ZoneId UTC = ZoneId.of("UTC");

  private static QuotaDecision consume(UsageEngine engine, String user, QuotaType type, long amount) {
    return engine.tracking().consumeQuota(Consumption.of(user, type, amount));
  }

  private static void assertPeriod(QuotaStatus s, String start, String reset) {
    assertThat(s.periodStart()).as("periodStart of %s", s.type()).isEqualTo(Instant.parse(start));
    assertThat(s.resetAt()).as("resetAt of %s", s.type()).isEqualTo(Instant.parse(reset));
  }

  private static void assertDenied(QuotaDecision d, QuotaType type, Duration retryAfter) {
    assertThat(d.allowed()).as("allowed").isFalse();
    assertThat(d.violated()).containsExactly(type);
    assertThat(d.retryAfter()).isEqualTo(retryAfter);
  }

  private String userIn(UsageEngine engine, String hint, ZoneId zone, int anchorDay) {
    String user = user(hint);
    engine.quotas().changeBillingCycle(user, zone, anchorDay, ADMIN, "billing cycle for the test");
    return user;
  }

  @Test
  void newMonthStartsAtItsBoundaryWithoutAJob() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 3)));
    String user = user("month");
    assertThat(consume(engine, user, QuotaType.REQUESTS, 3).allowed()).isTrue();

    clock.set("2026-03-31T23:59:59.999999999Z");
    assertDenied(consume(engine, user, QuotaType.REQUESTS, 1), QuotaType.REQUESTS, Duration.ofNanos(1));

    clock.set("2026-04-01T00:00:00Z");
    QuotaStatus fresh = status(engine, user, QuotaType.REQUESTS);
    assertThat(fresh.used()).isZero();
    assertPeriod(fresh, "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z");
    QuotaDecision admitted = consume(engine, user, QuotaType.REQUESTS, 3);
    assertThat(admitted.allowed()).isTrue();
    assertThat(admitted.status(QuotaType.REQUESTS).orElseThrow().used()).isEqualTo(3);
    assertThat(consume(engine, user, QuotaType.REQUESTS, 1).allowed()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "Europe/Paris,        2026-02-28T23:00:00Z, 2026-03-31T22:00:00Z, 2026-04-30T22:00:00Z",
      "America/New_York,    2026-03-01T05:00:00Z, 2026-04-01T04:00:00Z, 2026-05-01T04:00:00Z",
      "Africa/Cairo,        2026-02-28T22:00:00Z, 2026-03-31T22:00:00Z, 2026-04-30T21:00:00Z",
      "Australia/Lord_Howe, 2026-02-28T13:00:00Z, 2026-03-31T13:00:00Z, 2026-04-30T13:30:00Z"
  })
  void newMonthStartsAtLocalMidnightWithoutAJob(ZoneId zone, String march, String april, String may) {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 2)));
    String user = userIn(engine, "local-month", zone, 1);
    QuotaDecision filled = consume(engine, user, QuotaType.REQUESTS, 2);
    assertThat(filled.allowed()).isTrue();
    assertPeriod(filled.status(QuotaType.REQUESTS).orElseThrow(), march, april);
    assertPeriod(status(engine, user, QuotaType.REQUESTS), march, april);
    assertDenied(consume(engine, user, QuotaType.REQUESTS, 1), QuotaType.REQUESTS,
        Duration.between(Instant.parse(START), Instant.parse(april)));

    clock.set(Instant.parse(april).minusNanos(1));
    assertDenied(consume(engine, user, QuotaType.REQUESTS, 1), QuotaType.REQUESTS, Duration.ofNanos(1));

    clock.set(april);
    QuotaDecision admitted = consume(engine, user, QuotaType.REQUESTS, 2);
    assertThat(admitted.allowed()).isTrue();
    assertThat(admitted.status(QuotaType.REQUESTS).orElseThrow().used()).isEqualTo(2);
    assertPeriod(status(engine, user, QuotaType.REQUESTS), april, may);
  }

  @Test
  void sameInstantIsANewMonthInLordHoweButNotInNewYork() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1)));
    String lordHowe = userIn(engine, "lord-howe", ZoneId.of("Australia/Lord_Howe"), 1);
    String newYork = userIn(engine, "new-york", ZoneId.of("America/New_York"), 1);
    assertThat(consume(engine, lordHowe, QuotaType.REQUESTS, 1).allowed()).isTrue();
    assertThat(consume(engine, newYork, QuotaType.REQUESTS, 1).allowed()).isTrue();

    clock.set("2026-04-01T00:00:00Z"); // UTC's midnight: after Lord Howe's, before New York's
    assertThat(consume(engine, lordHowe, QuotaType.REQUESTS, 1).allowed()).isTrue();
    assertDenied(consume(engine, newYork, QuotaType.REQUESTS, 1), QuotaType.REQUESTS, Duration.ofHours(4));

    clock.set("2026-04-01T04:00:00Z");
    assertThat(consume(engine, newYork, QuotaType.REQUESTS, 1).allowed()).isTrue();
  }

  @ParameterizedTest(name = "{0}: February ends on the {1}")
  @CsvSource({"2027, 28", "2028, 29"})
  void anchor31MonthEndsOnFebruarysLastDayAndReturnsToThe31st(int year, int februaryEnd) {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 2)));
    String user = userIn(engine, "anchor-31", UTC, 31);
    String february = year + "-02-" + februaryEnd + "T00:00:00Z";
    String march = year + "-03-31T00:00:00Z";

    clock.set(year + "-02-10T12:00:00Z");
    assertThat(consume(engine, user, QuotaType.REQUESTS, 2).allowed()).isTrue();
    assertPeriod(status(engine, user, QuotaType.REQUESTS), year + "-01-31T00:00:00Z", february);
    clock.set(Instant.parse(february).minusNanos(1));
    assertDenied(consume(engine, user, QuotaType.REQUESTS, 1), QuotaType.REQUESTS, Duration.ofNanos(1));

    clock.set(february);
    assertThat(consume(engine, user, QuotaType.REQUESTS, 2).allowed()).isTrue();
    assertPeriod(status(engine, user, QuotaType.REQUESTS), february, march);
    clock.set(year + "-03-" + februaryEnd + "T12:00:00Z"); // a drifting anchor would have reset here
    assertDenied(consume(engine, user, QuotaType.REQUESTS, 1), QuotaType.REQUESTS,
        Duration.between(clock.instant(), Instant.parse(march)));

    clock.set(march);
    assertThat(consume(engine, user, QuotaType.REQUESTS, 2).allowed()).isTrue();
    assertPeriod(status(engine, user, QuotaType.REQUESTS), march, year + "-04-30T00:00:00Z");
  }

  @Test
  void anchorDayWithoutAMidnightStartsAtItsFirstLocalInstant() {
    // Cairo's clocks jump from 00:00 to 01:00 (+03:00) on 2026-04-24
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1)));
    String user = userIn(engine, "cairo-24", ZoneId.of("Africa/Cairo"), 24);
    clock.set("2026-04-10T12:00:00Z");
    assertThat(consume(engine, user, QuotaType.REQUESTS, 1).allowed()).isTrue();
    assertPeriod(status(engine, user, QuotaType.REQUESTS), "2026-03-23T22:00:00Z", "2026-04-23T22:00:00Z");

    clock.set("2026-04-23T21:59:59.999999999Z");
    assertDenied(consume(engine, user, QuotaType.REQUESTS, 1), QuotaType.REQUESTS, Duration.ofNanos(1));
    clock.set("2026-04-23T22:00:00Z");
    assertThat(consume(engine, user, QuotaType.REQUESTS, 1).allowed()).isTrue();
    assertPeriod(status(engine, user, QuotaType.REQUESTS), "2026-04-23T22:00:00Z", "2026-05-23T21:00:00Z");
  }

  @Test
  void retryAfterIsTheTimeToTheLatestResetAmongViolatedQuotas() {
    UsageEngine engine = engine(b -> b
        .defaultQuota(Quota.daily(QuotaType.REQUESTS, 1))
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 10)));
    String user = user("retry");
    assertThat(engine.tracking().consumeQuota(Consumption.builder(user).requests(1).characters(10).build()).allowed())
        .isTrue();

    Duration toMidnight = Duration.ofHours(14);
    Duration toApril = Duration.ofDays(16).plusHours(14);
    assertDenied(consume(engine, user, QuotaType.REQUESTS, 1), QuotaType.REQUESTS, toMidnight);
    assertDenied(consume(engine, user, QuotaType.CHARACTERS, 1), QuotaType.CHARACTERS, toApril);
    QuotaDecision both = engine.tracking().consumeQuota(Consumption.builder(user).requests(1).characters(1).build());
    assertThat(both.allowed()).isFalse();
    assertThat(both.violated()).containsExactlyInAnyOrder(QuotaType.REQUESTS, QuotaType.CHARACTERS);
    assertThat(both.retryAfter()).isEqualTo(toApril);
  }

  @Test
  void dailyQuotaResetsAtLocalMidnightWhileMonthlyQuotaKeepsCounting() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.daily(QuotaType.REQUESTS, 2)));
    String user = userIn(engine, "daily", ZoneId.of("America/New_York"), 1);
    Consumption call = Consumption.builder(user).requests(1).characters(100).build();
    clock.set("2026-03-07T15:00:00Z");
    assertThat(engine.tracking().consumeQuota(call).allowed()).isTrue();
    assertThat(engine.tracking().consumeQuota(call).allowed()).isTrue();
    assertDenied(engine.tracking().consumeQuota(call), QuotaType.REQUESTS, Duration.ofHours(14));

    clock.set("2026-03-08T04:59:59.999999999Z");
    assertDenied(engine.tracking().consumeQuota(call), QuotaType.REQUESTS, Duration.ofNanos(1));

    clock.set("2026-03-08T05:00:00Z");
    QuotaDecision nextDay = engine.tracking().consumeQuota(call);
    assertThat(nextDay.allowed()).isTrue();
    QuotaStatus requests = nextDay.status(QuotaType.REQUESTS).orElseThrow();
    assertThat(requests.used()).isEqualTo(1);
    assertPeriod(requests, "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"); // a 23-hour day
    QuotaStatus characters = status(engine, user, QuotaType.CHARACTERS);
    assertThat(characters.used()).isEqualTo(300);
    assertPeriod(characters, "2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z");
  }

  @ParameterizedTest(name = "{0} day from {1}")
  @CsvSource({
      "Europe/Paris,        2026-03-28T23:00:00Z, 2026-03-29T22:00:00Z",
      "Europe/Paris,        2026-10-24T22:00:00Z, 2026-10-25T23:00:00Z",
      "America/New_York,    2026-11-01T04:00:00Z, 2026-11-02T05:00:00Z",
      "Africa/Cairo,        2026-04-23T22:00:00Z, 2026-04-24T21:00:00Z",
      "Africa/Cairo,        2026-10-28T21:00:00Z, 2026-10-29T22:00:00Z",
      "Australia/Lord_Howe, 2026-04-04T13:00:00Z, 2026-04-05T13:30:00Z",
      "Australia/Lord_Howe, 2026-10-03T13:30:00Z, 2026-10-04T13:00:00Z"
  })
  void dailyQuotaFollowsTheLocalDayOnDstChangeDays(ZoneId zone, Instant dayStart, Instant dayEnd) {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.daily(QuotaType.REQUESTS, 3)));
    String user = userIn(engine, "dst-day", zone, 1);
    clock.set(dayStart.minusNanos(1));
    assertThat(consume(engine, user, QuotaType.REQUESTS, 3).allowed()).as("the day before").isTrue();

    clock.set(dayStart);
    assertThat(consume(engine, user, QuotaType.REQUESTS, 3).allowed()).as("the DST day").isTrue();
    assertPeriod(status(engine, user, QuotaType.REQUESTS), dayStart.toString(), dayEnd.toString());
    assertDenied(consume(engine, user, QuotaType.REQUESTS, 1), QuotaType.REQUESTS, Duration.between(dayStart, dayEnd));

    clock.set(dayEnd.minusNanos(1));
    assertThat(consume(engine, user, QuotaType.REQUESTS, 1).allowed()).isFalse();
    clock.set(dayEnd);
    assertThat(consume(engine, user, QuotaType.REQUESTS, 3).allowed()).as("the day after").isTrue();
  }

  @Test
  void weeklyQuotaResetsAtLocalMondayWhileMonthlyQuotaKeepsCounting() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.weekly(QuotaType.TOKENS, 5)));
    String user = userIn(engine, "weekly", ZoneId.of("Europe/Paris"), 1);
    Consumption call = Consumption.builder(user).tokens(5).characters(100).build();
    clock.set("2026-03-29T12:00:00Z"); // Sunday, the day Paris moves to summer time
    assertThat(engine.tracking().consumeQuota(call).allowed()).isTrue();
    assertPeriod(status(engine, user, QuotaType.TOKENS), "2026-03-22T23:00:00Z", "2026-03-29T22:00:00Z");
    assertDenied(consume(engine, user, QuotaType.TOKENS, 1), QuotaType.TOKENS, Duration.ofHours(10));

    clock.set("2026-03-29T21:59:59.999999999Z");
    assertDenied(consume(engine, user, QuotaType.TOKENS, 1), QuotaType.TOKENS, Duration.ofNanos(1));

    clock.set("2026-03-29T22:00:00Z");
    assertThat(engine.tracking().consumeQuota(call).allowed()).isTrue();
    assertPeriod(status(engine, user, QuotaType.TOKENS), "2026-03-29T22:00:00Z", "2026-04-05T22:00:00Z");
    QuotaStatus characters = status(engine, user, QuotaType.CHARACTERS);
    assertThat(characters.used()).isEqualTo(200);
    assertPeriod(characters, "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z");
  }

  @Test
  void weeklyQuotaKeepsCountingAcrossNewYearWhileMonthlyQuotaResets() {
    UsageEngine engine = engine(b -> b
        .defaultQuota(Quota.weekly(QuotaType.TOKENS, 5))
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 100)));
    String user = user("new-year");
    clock.set("2026-12-31T12:00:00Z");
    assertThat(consume(engine, user, QuotaType.TOKENS, 5).allowed()).isTrue();
    assertThat(consume(engine, user, QuotaType.CHARACTERS, 100).allowed()).isTrue();

    clock.set("2027-01-01T00:00:00Z");
    assertThat(consume(engine, user, QuotaType.CHARACTERS, 100).allowed()).isTrue();
    assertDenied(consume(engine, user, QuotaType.TOKENS, 1), QuotaType.TOKENS, Duration.ofDays(3));
    assertPeriod(status(engine, user, QuotaType.TOKENS), "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z");

    clock.set("2027-01-04T00:00:00Z");
    assertThat(consume(engine, user, QuotaType.TOKENS, 5).allowed()).isTrue();
  }

  @Test
  void usageIsKeptWhenTheLimitChangesWithinThePeriod() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 10)));
    String user = user("limit-change");
    assertThat(consume(engine, user, QuotaType.REQUESTS, 8).allowed()).isTrue();

    engine.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 5), ADMIN, "downgrade");
    QuotaStatus lowered = status(engine, user, QuotaType.REQUESTS);
    assertThat(lowered.limit()).isEqualTo(5);
    assertThat(lowered.used()).isEqualTo(8);
    assertThat(lowered.remaining()).isZero();
    assertThat(consume(engine, user, QuotaType.REQUESTS, 1).allowed()).isFalse();

    engine.quotas().updateQuota(user, Quota.monthly(QuotaType.REQUESTS, 12), ADMIN, "upgrade");
    assertThat(status(engine, user, QuotaType.REQUESTS).remaining()).isEqualTo(4);
    assertThat(consume(engine, user, QuotaType.REQUESTS, 4).allowed()).isTrue();
    assertThat(consume(engine, user, QuotaType.REQUESTS, 1).allowed()).isFalse();

    clock.set("2026-04-01T00:00:00Z");
    assertThat(status(engine, user, QuotaType.REQUESTS).used()).isZero();
    assertThat(consume(engine, user, QuotaType.REQUESTS, 12).allowed()).isTrue();
  }

  @Test
  void usageIsKeptWhenTheUserChangesTierWithinThePeriod() {
    UsageEngine engine = engine(b -> b.defaultQuota(Quota.monthly(QuotaType.REQUESTS, 10)));
    String user = user("tier-change");
    assertThat(consume(engine, user, QuotaType.REQUESTS, 10).allowed()).isTrue();

    engine.quotas().changeTier(user, Tier.PREMIUM, ADMIN, "upgrade");
    QuotaStatus premium = status(engine, user, QuotaType.REQUESTS);
    assertThat(premium.limit()).isEqualTo(5_000);
    assertThat(premium.used()).isEqualTo(10);
    assertThat(premium.remaining()).isEqualTo(4_990);
  }
}
