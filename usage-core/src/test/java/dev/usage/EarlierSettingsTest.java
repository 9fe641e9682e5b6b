package dev.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.testkit.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which earlier settings a user's settings keep ({@link UserQuota#earlier}): one per change of an ended period's plan
 * with a period boundary since the last one kept (in any cycle kept), one per billing-cycle change, none for changes
 * that leave every ended period's plan as it was, none past the counter retention (and a month), at most
 * {@link UserQuota#MAX_EARLIER}; and which plan closes a period, after a zone change too. How they close periods on
 * every store is in {@code HistoryContract}.
 */
class EarlierSettingsTest {

  private static final ZoneId UTC = ZoneId.of("UTC");

  private final SettableClock clock = SettableClock.at("2026-03-10T12:00:00Z");
  private final InMemoryUsageStorage storage = InMemoryUsageStorage.create();
  private final UsageEngine engine = UsageEngine.builder().storage(storage).clock(clock).closeOnShutdown(false)
      .trackingMode(TrackingMode.SYNC).counterRetention(Duration.ofDays(35))
      .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000))
      .defaultQuota(Quota.daily(QuotaType.REQUESTS, 10)).build();

  private final List<UsageEngine> others = new ArrayList<>();

  @AfterEach
  void close() {
    engine.close();
    others.forEach(UsageEngine::close);
  }

  /** Another engine on the same store and clock, with only a monthly quota. */
  private UsageEngine monthlyEngine(Duration counterRetention) {
    UsageEngine e = UsageEngine.builder().storage(storage).clock(clock).closeOnShutdown(false)
        .trackingMode(TrackingMode.SYNC).counterRetention(counterRetention)
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 1_000)).build();
    others.add(e);
    return e;
  }

  private List<EarlierSettings> kept(String user) {
    return storage.userQuotas().find(user).orElseThrow().earlier();
  }

  private void override(String user, long limit) {
    engine.quotas().updateQuota(user, Quota.monthly(QuotaType.CHARACTERS, limit), "support", "limit " + limit);
  }

  @Test
  void eachPlanChangeKeepsThePlanBeforeItOncePerPeriodBoundary() {
    String user = "ada";
    engine.quotas().initializeUserQuotas(user, Tier.FREE, "signup");
    assertThat(kept(user)).as("initialising changes no plan in force").isEmpty();

    override(user, 2_000);
    clock.advance(Duration.ofHours(1));
    override(user, 3_000); // no period ended since the last kept: its plan is what every period ended by now had
    assertThat(kept(user)).singleElement().satisfies(e -> {
      assertThat(e.changedAt()).isEqualTo(Instant.parse("2026-03-10T12:00:00Z"));
      assertThat(e.tier()).isEqualTo(Tier.FREE);
      assertThat(e.overrides()).isEmpty();
    });

    clock.set("2026-03-11T00:00:01Z"); // a day of the daily quota ended
    engine.quotas().changeTier(user, Tier.PREMIUM, "billing", "upgrade");
    assertThat(kept(user)).extracting(EarlierSettings::changedAt, EarlierSettings::tier,
            e -> e.overrides().containsKey(QuotaType.CHARACTERS) ? e.overrides().get(QuotaType.CHARACTERS).limit() : 0L)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-10T12:00:00Z"), Tier.FREE, 0L),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-11T00:00:01Z"), Tier.FREE, 3_000L));
  }

  @Test
  void changesThatLeaveEveryEndedPeriodsPlanAsItWasKeepNoMoreAndDropNone() {
    String user = "bea";
    engine.quotas().initializeUserQuotas(user, Tier.FREE, "signup");
    override(user, 2_000);
    List<EarlierSettings> before = kept(user);
    assertThat(before).hasSize(1);

    clock.set("2026-03-12T12:00:00Z"); // days ended since
    engine.quotas().changeTierAtNextPeriod(user, Tier.PREMIUM, ChangeRequest.of("billing", "later")); // not due
    engine.tracking().consumeQuota(Consumption.of(user, QuotaType.CHARACTERS, 10));
    engine.quotas().resetUsage(user, QuotaType.CHARACTERS, ChangeRequest.of("support", "goodwill"));
    engine.quotas().cancelScheduledTierChange(user, ChangeRequest.of("billing", "stay"));
    engine.quotas().removeQuotaOverride(user, QuotaType.REQUESTS, ChangeRequest.of("support", "none to remove"));

    assertThat(kept(user)).isEqualTo(before);
  }

  @Test
  void aScheduleMadeWhileADueChangeIsUnrecordedKeepsTheTierTheMonthBeforeHad() {
    String user = "hal";
    engine.quotas().initializeUserQuotas(user, Tier.PREMIUM, "signup");
    engine.quotas().changeTierAtNextPeriod(user, Tier.FREE, ChangeRequest.of("billing", "downgrade"));
    clock.set("2026-04-01T00:10:00Z"); // free applies; March is not closed yet

    // the plan in force stays free's, but the stored settings would no longer tell March was premium's
    engine.quotas().changeTierAtNextPeriod(user, Tier.ENTERPRISE, ChangeRequest.of("billing", "upgrade in May"));

    UserQuota stored = storage.userQuotas().find(user).orElseThrow();
    assertThat(stored.tier()).isEqualTo(Tier.FREE);
    assertThat(stored.forPeriodEndingAt(Instant.parse("2026-04-01T00:00:00Z"))
        .asOf(Instant.parse("2026-03-01T00:00:00Z")).tier()).isEqualTo(Tier.PREMIUM);
  }

  @Test
  void movingBackToTheTierADueChangeLeftKeepsTheTierTheDaysSinceHad() {
    String user = "jon";
    engine.quotas().initializeUserQuotas(user, Tier.PREMIUM, "signup");
    engine.quotas().changeTierAtNextPeriod(user, Tier.FREE, ChangeRequest.of("billing", "downgrade"));
    clock.set("2026-04-02T00:10:00Z"); // April 1 was free's; the change is not recorded yet

    engine.quotas().changeTier(user, Tier.PREMIUM, "billing", "stays after all");

    UserQuota stored = storage.userQuotas().find(user).orElseThrow();
    assertThat(stored.tier()).isEqualTo(Tier.PREMIUM);
    assertThat(stored.forPeriodEndingAt(Instant.parse("2026-04-02T00:00:00Z"))
        .asOf(Instant.parse("2026-04-01T00:00:00Z")).tier()).isEqualTo(Tier.FREE);
    assertThat(stored.forPeriodEndingAt(Instant.parse("2026-04-01T00:00:00Z"))
        .asOf(Instant.parse("2026-03-01T00:00:00Z")).tier()).isEqualTo(Tier.PREMIUM);
  }

  @Test
  void aMonthEndedBeforeAnUpgradeAndAZoneChangeIsClosedWithItsPlanByEveryCloser() {
    UsageEngine tiered = UsageEngine.builder().storage(storage).clock(clock).closeOnShutdown(false)
        .trackingMode(TrackingMode.SYNC).reservationTtl(Duration.ofMinutes(5)).idempotencyWindow(Duration.ofHours(1))
        .tier(Tier.builder("basic").quota(Quota.monthly(QuotaType.TOKENS, 1_000)
            .withRollover(RolloverPolicy.carryUpTo(500))).build())
        .tier(Tier.builder("pro").quota(Quota.monthly(QuotaType.TOKENS, 5_000)
            .withRollover(RolloverPolicy.carryUpTo(3_000))).build()).build();
    others.add(tiered);
    // one user's March is closed by the reset job from its counter, the other's by a look-up from April
    List<String> users = List.of("kim-by-the-job", "kim-by-a-look-up");
    clock.set("2026-03-20T12:00:00Z");
    for (String user : users) {
      tiered.quotas().initializeUserQuotas(user, "basic", "signup");
      tiered.tracking().consumeQuota(Consumption.of(user, QuotaType.TOKENS, 200));
    }
    // March ended in UTC at midnight; the upgrade, then the move to Los Angeles, where March ends at 07:00 UTC
    clock.set("2026-04-01T00:30:00Z");
    users.forEach(u -> tiered.quotas().changeTier(u, "pro", "billing", "upgrade"));
    clock.set("2026-04-01T00:40:00Z");
    users.forEach(u -> tiered.quotas().changeBillingCycle(u, ZoneId.of("America/Los_Angeles"), 1,
        ChangeRequest.of("billing", "moved")));

    clock.set("2026-04-01T09:00:00Z");
    assertThat(tiered.quotas().getQuotaStatus(users.get(1))).filteredOn(q -> q.type().equals(QuotaType.TOKENS))
        .singleElement().satisfies(q -> assertThat(q.carriedIn()).isEqualTo(500));
    tiered.quotas().resetMonthlyQuotas();

    // basic's March: 800 unused, carried on within basic's cap of 500 (pro's would carry 3,000)
    for (String user : users) {
      assertThat(tiered.quotas().getQuotaHistory(user)).as(user).singleElement().satisfies(r -> {
        assertThat(r.limit()).isEqualTo(1_000);
        assertThat(r.used()).isEqualTo(200);
        assertThat(r.rolledOver()).isEqualTo(500);
      });
    }
  }

  @Test
  void billingCycleChangesAreKeptSoThatAPeriodOfACycleLeftStillGetsItsPlan() {
    UsageEngine monthly = monthlyEngine(Duration.ofDays(35));
    String user = "gus";
    monthly.quotas().initializeUserQuotas(user, Tier.FREE, "signup");
    monthly.quotas().updateQuota(user, Quota.monthly(QuotaType.CHARACTERS, 2_000), "support", "more");
    clock.set("2026-03-12T00:00:00Z");
    monthly.quotas().changeBillingCycle(user, ZoneId.of("UTC"), 20, ChangeRequest.of("billing", "anchor 20"));
    clock.set("2026-03-14T00:00:00Z");
    monthly.quotas().changeBillingCycle(user, ZoneId.of("UTC"), 5, ChangeRequest.of("billing", "anchor 5"));
    // the period from February 20 of the cycle left on March 14 ended on March 20: in no cycle of the user's now
    clock.set("2026-03-21T00:00:00Z");
    monthly.quotas().updateQuota(user, Quota.monthly(QuotaType.CHARACTERS, 3_000), "support", "even more");

    UserQuota stored = storage.userQuotas().find(user).orElseThrow();
    assertThat(stored.earlier()).extracting(EarlierSettings::changedAt, EarlierSettings::billingAnchorDay)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-10T12:00:00Z"), 1),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-12T00:00:00Z"), 1),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-14T00:00:00Z"), 20),
            org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-21T00:00:00Z"), 5));
    assertThat(stored.forPeriodEndingAt(Instant.parse("2026-03-20T00:00:00Z")).override(QuotaType.CHARACTERS))
        .contains(Quota.monthly(QuotaType.CHARACTERS, 2_000));
  }

  @Test
  void aChangeMadeByAnInstanceWhoseClockIsBehindIsKeptAfterTheOnesBefore() {
    String user = "ivy";
    engine.quotas().initializeUserQuotas(user, Tier.FREE, "signup");
    clock.set("2026-03-11T12:00:00Z");
    engine.quotas().changeBillingCycle(user, ZoneId.of("Asia/Tokyo"), 1, ChangeRequest.of("billing", "moved"));
    clock.set("2026-03-11T11:59:59Z"); // another instance, a second behind
    engine.quotas().changeBillingCycle(user, ZoneId.of("UTC"), 1, ChangeRequest.of("billing", "moved back"));

    assertThat(kept(user)).extracting(EarlierSettings::changedAt, e -> e.zone().getId()).containsExactly(
        org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-11T12:00:00Z"), "UTC"),
        org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-11T12:00:00Z"), "Asia/Tokyo"));
  }

  @Test
  void aBillingCycleChangeIsKeptForAMonthEvenWithAShortCounterRetention() {
    UsageEngine monthly = monthlyEngine(Duration.ofDays(7));
    String user = "lou";
    clock.set("2026-05-20T00:00:00Z");
    monthly.quotas().initializeUserQuotas(user, Tier.FREE, "signup");
    monthly.quotas().changeBillingCycle(user, ZoneId.of("UTC"), 15, ChangeRequest.of("billing", "anchor 15"));
    clock.set("2026-05-28T00:00:00Z");
    monthly.quotas().changeTier(user, Tier.PREMIUM, "billing", "upgrade"); // no period ended since the last kept
    // the month from May 1 of the cycle left on May 20 ended on June 1: the change after it is kept for it
    clock.set("2026-06-01T02:00:00Z");
    monthly.quotas().changeTier(user, Tier.ENTERPRISE, "billing", "upgrade again");

    assertThat(kept(user)).extracting(EarlierSettings::changedAt, EarlierSettings::tier).containsExactly(
        org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-05-20T00:00:00Z"), Tier.FREE),
        org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-06-01T02:00:00Z"), Tier.PREMIUM));
  }

  @Test
  void plansOlderThanTheCounterRetentionAreDroppedAndAtMostSixteenAreKept() {
    String user = "cyd";
    engine.quotas().initializeUserQuotas(user, Tier.FREE, "signup");
    override(user, 2_000);
    clock.set("2026-04-14T12:00:01Z"); // 35 days and a second later: no period the first stands for can close
    override(user, 3_000);
    assertThat(kept(user)).extracting(EarlierSettings::changedAt).containsExactly(clock.instant());

    for (int day = 1; day <= UserQuota.MAX_EARLIER + 3; day++) {
      clock.advance(Duration.ofDays(1));
      override(user, 3_000 + day);
    }
    List<EarlierSettings> kept = kept(user);
    assertThat(kept).hasSize(UserQuota.MAX_EARLIER);
    assertThat(kept.get(kept.size() - 1).changedAt()).isEqualTo(clock.instant());
    assertThat(kept.get(kept.size() - 1).overrides().get(QuotaType.CHARACTERS).limit()).as("the plan before the last")
        .isEqualTo(3_000 + UserQuota.MAX_EARLIER + 2);
    assertThat(kept.get(0).changedAt()).as("the oldest dropped first").isEqualTo(clock.instant()
        .minus(Duration.ofDays(UserQuota.MAX_EARLIER - 1)));
  }

  @Test
  void aPeriodIsClosedWithThePlanOfTheFirstChangeMadeAtOrAfterItsEnd() {
    Instant first = Instant.parse("2026-04-01T00:00:00Z");
    UserQuota user = UserQuota.of("dee", Tier.PREMIUM).withEarlier(List.of(
        new EarlierSettings(first, Tier.FREE, Map.of(), Optional.empty(), UTC, 1),
        new EarlierSettings(first.plusSeconds(60), "team", Map.of(), Optional.of(new TierChange(Tier.FREE, first)), UTC,
            1)));

    assertThat(user.forPeriodEndingAt(first.minusSeconds(1)).tier()).isEqualTo(Tier.FREE);
    assertThat(user.forPeriodEndingAt(first).tier()).as("a change at the boundary is after the period")
        .isEqualTo(Tier.FREE);
    assertThat(user.forPeriodEndingAt(first.plusSeconds(1))).satisfies(u -> {
      assertThat(u.tier()).isEqualTo("team");
      assertThat(u.scheduled()).as("with the change scheduled then").isPresent();
    });
    assertThat(user.forPeriodEndingAt(first.plusSeconds(61))).as("not ended by any change kept").isSameAs(user);
  }

  @Test
  void earlierPlansMustBeOrderedAndBounded() {
    Instant at = Instant.parse("2026-04-01T00:00:00Z");
    EarlierSettings older = new EarlierSettings(at, Tier.FREE, Map.of(), Optional.empty(), UTC, 1);
    EarlierSettings newer = new EarlierSettings(at.plusSeconds(1), Tier.FREE, Map.of(), Optional.empty(), UTC, 1);
    UserQuota user = UserQuota.of("eve", Tier.PREMIUM);

    assertThatThrownBy(() -> user.withEarlier(List.of(newer, older))).isInstanceOfSatisfying(
        InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("earlier"));
    List<EarlierSettings> many = new ArrayList<>();
    for (int i = 0; i <= UserQuota.MAX_EARLIER; i++) {
      many.add(new EarlierSettings(at.plusSeconds(i), Tier.FREE, Map.of(), Optional.empty(), UTC, 1));
    }
    assertThatThrownBy(() -> user.withEarlier(many)).isInstanceOfSatisfying(InvalidUsageException.class,
        e -> assertThat(e.field()).isEqualTo("earlier"));
    assertThatThrownBy(() -> new EarlierSettings(at, Tier.FREE,
        Map.of(QuotaType.TOKENS, Quota.monthly(QuotaType.CHARACTERS, 1)), Optional.empty(), UTC, 1))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("overrides"));
  }
}
