package dev.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.testkit.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Admin changes that meet one another: a tier change scheduled for the next period and a billing-cycle change, a
 * tier change that drops a scheduled one, an override that changes only its rollover, and resets kept through a
 * month with a DST change. The service's logic is the same on every store; this runs it in memory.
 */
class QuotaManagementTest {

  private static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");

  private final SettableClock clock = SettableClock.at("2025-01-10T00:00:00Z");
  private final UsageEngine engine = UsageEngine.builder().storage(InMemoryUsageStorage.create()).clock(clock)
      .closeOnShutdown(false).trackingMode(TrackingMode.SYNC)
      .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000)).defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 5_000))
      .reservationTtl(Duration.ofMinutes(1)).idempotencyWindow(Duration.ofMinutes(10)).build();
  private final QuotaManagementService quotas = engine.quotas();

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void aTierChangeScheduledForTheNextPeriodMovesWithABillingCycleChange() {
    quotas.initializeUserQuotas("u", Tier.PREMIUM, "admin");
    quotas.changeTierAtNextPeriod("u", Tier.FREE, ChangeRequest.of("admin", "downgrade at renewal"));
    // the user's months now begin at midnight in Los Angeles: January ends at 08:00 UTC on February 1
    quotas.changeBillingCycle("u", LOS_ANGELES, 1, ChangeRequest.of("admin", "moved").withRequestId("c-1"));

    assertThat(quotas.getUserQuota("u").scheduled()).hasValueSatisfying(
        c -> assertThat(c.effectiveAt()).isEqualTo(Instant.parse("2025-02-01T08:00:00Z")));
    AuditEntry moved = last(quotas.auditTrail("u"));
    assertThat(moved.oldValue()).isEqualTo("zone=UTC anchorDay=1 (scheduled: tier=free from 2025-02-01T00:00:00Z)");
    assertThat(moved.newValue())
        .isEqualTo("zone=America/Los_Angeles anchorDay=1 (scheduled: tier=free from 2025-02-01T08:00:00Z)");
    // a repeat of the request is one, its value naming the moved change notwithstanding
    quotas.changeBillingCycle("u", LOS_ANGELES, 1, ChangeRequest.of("admin", "moved").withRequestId("c-1"));
    assertThat(quotas.auditTrail("u")).hasSize(3);
    clock.set("2025-01-31T20:00:00Z"); // still January in Los Angeles
    assertThat(quotas.getUserQuota("u").tier()).isEqualTo(Tier.PREMIUM);
    clock.set("2025-02-01T08:00:00Z");
    assertThat(quotas.getUserQuota("u").tier()).isEqualTo(Tier.FREE);
  }

  @Test
  void aTierChangeThatDropsAScheduledOneSaysSoInTheAuditTrail() {
    quotas.initializeUserQuotas("u", Tier.PREMIUM, "admin");
    quotas.changeTierAtNextPeriod("u", Tier.FREE, ChangeRequest.of("admin", "downgrade at renewal"));
    quotas.changeTier("u", Tier.PREMIUM, "admin", "stays on premium after all");

    assertThat(quotas.getUserQuota("u").scheduled()).isEmpty();
    AuditEntry last = last(quotas.auditTrail("u"));
    assertThat(last.action()).isEqualTo("change-tier");
    assertThat(last.oldValue()).isEqualTo("premium (scheduled: tier=free from 2025-02-01T00:00:00Z)");
    assertThat(last.newValue()).isEqualTo("premium");
  }

  @Test
  void anOverrideThatChangesOnlyItsRolloverIsAuditedAsAChangeAndIsNotARepeat() {
    Quota plain = Quota.monthly(QuotaType.REQUESTS, 1_000);
    Quota carrying = plain.withRollover(RolloverPolicy.carryUpTo(500).expiringAfter(3));
    assertThat(quotas.updateQuota("u", plain.withRollover(RolloverPolicy.carryUpToPercent(50)), "admin", "half")
        .override(QuotaType.REQUESTS)).isPresent();
    assertThat(last(quotas.auditTrail("u")).newValue()).isEqualTo("1000/month hard carry up to 50%");
    quotas.updateQuota("u", plain, ChangeRequest.of("admin", "plain").withRequestId("r-1"));
    quotas.updateQuota("u", carrying, "admin", "carry the unused part");

    AuditEntry last = last(quotas.auditTrail("u"));
    assertThat(last.oldValue()).isEqualTo("1000/month hard");
    assertThat(last.newValue()).isEqualTo("1000/month hard carry up to 500 for 3 periods");
    // another quota under a request id already used is a conflict, not a repeat that changes nothing
    assertThatThrownBy(() -> quotas.updateQuota("u", carrying, ChangeRequest.of("admin", "again").withRequestId("r-1")))
        .isInstanceOf(IdempotencyConflictException.class);
    assertThat(quotas.getUserQuota("u").override(QuotaType.REQUESTS)).contains(carrying);
  }

  @Test
  void aResetOfTheCurrentMonthIsKeptToItsEndInAMonthOf31DaysAndAnHour() {
    clock.set("2025-10-02T10:00:00Z");
    quotas.changeBillingCycle("u", ZoneId.of("Europe/Berlin"), 1, "admin", "Berlin");
    engine.tracking().consumeQuota(Consumption.of("u", QuotaType.REQUESTS, 700));
    quotas.resetUsage("u", QuotaType.REQUESTS, ChangeRequest.of("support", "refund"));

    // 23:30 on October 31 in Berlin (CET): October began at 22:00 UTC on September 30, 31 days and 1 hour before
    // November; the settle delay here is 11 minutes
    clock.set("2025-10-31T22:30:00Z");
    quotas.resetUsage("u", QuotaType.CHARACTERS, ChangeRequest.of("support", "refund"));

    assertThat(quotas.getUserQuota("u").resets()).containsKeys(QuotaType.REQUESTS, QuotaType.CHARACTERS);
    assertThat(engine.tracking().consumeQuota(Consumption.of("u", QuotaType.REQUESTS, 1_000)).allowed())
        .as("the 700 forgiven in October stay forgiven").isTrue();
  }

  private static AuditEntry last(List<AuditEntry> trail) {
    return trail.get(trail.size() - 1);
  }
}
