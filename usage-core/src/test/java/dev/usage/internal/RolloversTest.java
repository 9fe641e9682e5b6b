package dev.usage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.RolloverPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rollover arithmetic: caps, the order carried units are used in, expiry, and amounts near the maximum. */
class RolloversTest {

  private static final long MAX = Quota.MAX_AMOUNT;

  @Test
  void withoutACarryingPolicyNothingCarries() {
    assertThat(Rollovers.carry(List.of(50L), 1_000, 100, RolloverPolicy.none())).isEmpty();
  }

  @Test
  void unusedLimitCarriesUpToTheAbsoluteCap() {
    assertThat(Rollovers.carry(List.of(), 1_000, 600, RolloverPolicy.carryUpTo(300))).containsExactly(300L);
    assertThat(Rollovers.carry(List.of(), 1_000, 900, RolloverPolicy.carryUpTo(300))).containsExactly(100L);
    assertThat(Rollovers.carry(List.of(), 1_000, 1_000, RolloverPolicy.carryUpTo(300))).isEmpty();
    assertThat(Rollovers.carry(List.of(), 1_000, 5_000, RolloverPolicy.carryUpTo(300))).as("a SOFT overrun").isEmpty();
  }

  @Test
  void percentCapIsOfTheLimitAndTheSmallerCapWins() {
    assertThat(Rollovers.carry(List.of(), 1_000, 0, RolloverPolicy.carryUpToPercent(25))).containsExactly(250L);
    assertThat(Rollovers.carry(List.of(), 1_000, 0, RolloverPolicy.carryUpToPercent(250))).containsExactly(1_000L);
    assertThat(Rollovers.carry(List.of(), 1_000, 0, new RolloverPolicy(true, 100, 25, 0))).containsExactly(100L);
    assertThat(Rollovers.carry(List.of(), 1_000, 0, new RolloverPolicy(true, 400, 25, 0))).containsExactly(250L);
  }

  @Test
  void carriedUnitsAreUsedBeforeTheLimitOldestFirst() {
    RolloverPolicy policy = RolloverPolicy.carryUpToPercent(1_000).expiringAfter(3);
    // carried in: 100 from the period before (youngest), 200 from the one before that
    assertThat(Rollovers.carry(List.of(100L, 200L), 1_000, 250, policy)).as("250 used: 200 old, then 50 young")
        .containsExactly(1_000L, 50L);
    assertThat(Rollovers.carry(List.of(100L, 200L), 1_000, 400, policy)).as("the carried 300, then 100 of the limit")
        .containsExactly(900L);
  }

  @Test
  void nothingExpiresWithoutAnExpiryAndTheCapDropsTheOldestFirst() {
    assertThat(Rollovers.carry(List.of(700L), 1_000, 100, RolloverPolicy.carryUpTo(5_000))).containsExactly(1_600L);
    RolloverPolicy expiring = RolloverPolicy.carryUpTo(1_500).expiringAfter(3);
    assertThat(Rollovers.carry(List.of(800L, 600L), 1_000, 0, expiring)).as("1,000 + 800 + 600 capped at 1,500")
        .containsExactly(1_000L, 500L);
  }

  @Test
  void aPeriodReceivesWhatThePeriodBeforeCarriedOnWithinItsOwnPolicy() {
    List<Long> carriedOn = List.of(3_000L, 2_000L, 1_000L); // under a policy of three periods, youngest first
    assertThat(Rollovers.receive(carriedOn, Quota.monthly(dev.usage.QuotaType.TOKENS, 1_000)
        .withRollover(RolloverPolicy.carryUpTo(10_000).expiringAfter(3)))).as("the same policy: whole")
        .containsExactly(3_000L, 2_000L, 1_000L);
    assertThat(Rollovers.receive(carriedOn, Quota.monthly(dev.usage.QuotaType.TOKENS, 1_000)
        .withRollover(RolloverPolicy.carryUpTo(10_000).expiringAfter(2)))).as("parts older than it lets live expire")
        .containsExactly(3_000L, 2_000L);
    assertThat(Rollovers.receive(carriedOn, Quota.monthly(dev.usage.QuotaType.TOKENS, 1_000)
        .withRollover(RolloverPolicy.carryUpTo(4_000).expiringAfter(3)))).as("its cap drops the oldest first")
        .containsExactly(3_000L, 1_000L);
    assertThat(Rollovers.receive(carriedOn, Quota.monthly(dev.usage.QuotaType.TOKENS, 1_000)
        .withRollover(RolloverPolicy.carryUpTo(5_500)))).as("nothing expires: one part").containsExactly(5_500L);
    assertThat(Rollovers.receive(carriedOn, Quota.monthly(dev.usage.QuotaType.TOKENS, 1_000))).as("no rollover")
        .isEmpty();
    assertThat(Rollovers.receive(carriedOn, Quota.unlimited(dev.usage.QuotaType.TOKENS)
        .withRollover(RolloverPolicy.carryUpTo(5_500)))).as("unlimited").isEmpty();
  }

  @Test
  void carriedUnitsExpireAfterTheirPeriods() {
    RolloverPolicy oneePeriod = RolloverPolicy.carryUpToPercent(1_000).expiringAfter(1);
    assertThat(Rollovers.carry(List.of(500L), 1_000, 100, oneePeriod)).as("last period's 400 left expire")
        .containsExactly(1_000L);
    RolloverPolicy twoPeriods = RolloverPolicy.carryUpToPercent(1_000).expiringAfter(2);
    assertThat(Rollovers.carry(List.of(500L, 300L), 1_000, 100, twoPeriods))
        .as("the older part (200 left) has had its two periods; the younger carries once more")
        .containsExactly(1_000L, 500L);
  }

  @Test
  void unlimitedQuotasCarryNothing() {
    assertThat(Rollovers.carry(List.of(), Quota.UNLIMITED, 5, RolloverPolicy.carryAll())).isEmpty();
    assertThat(RolloverPolicy.carryAll().cap(Quota.UNLIMITED)).isZero();
  }

  @Test
  void amountsNearTheMaximumSaturateAtIt() {
    assertThat(RolloverPolicy.carryUpToPercent(1_000).cap(MAX)).as("no overflow in limit x percent").isEqualTo(MAX);
    assertThat(Rollovers.carry(List.of(MAX), MAX, 0, RolloverPolicy.carryAll())).containsExactly(MAX);
    assertThat(Rollovers.carry(List.of(MAX - 1), MAX, 1, RolloverPolicy.carryAll())).as("the carried unit is used first")
        .containsExactly(MAX);
    assertThat(Rollovers.carry(List.of(MAX, MAX), MAX, MAX, RolloverPolicy.carryAll().expiringAfter(3)))
        .as("capped at the maximum, oldest dropped first").containsExactly(MAX);
    assertThat(Rollovers.carryThroughUnused(List.of(5L), MAX, RolloverPolicy.carryAll(), 1_000_000))
        .containsExactly(MAX);
  }

  @Test
  void periodsWithoutUseCarryOnAsIfEachWereClosed() {
    RolloverPolicy policy = RolloverPolicy.carryUpTo(10_000);
    List<Long> stepped = List.of(300L);
    for (int i = 0; i < 4; i++) {
      stepped = Rollovers.carry(stepped, 1_000, 0, policy);
    }
    assertThat(Rollovers.carryThroughUnused(List.of(300L), 1_000, policy, 4)).isEqualTo(stepped).containsExactly(4_300L);
    assertThat(Rollovers.carryThroughUnused(List.of(300L), 1_000, policy, 400)).containsExactly(10_000L);
    RolloverPolicy expiring = RolloverPolicy.carryUpToPercent(1_000).expiringAfter(2);
    assertThat(Rollovers.carryThroughUnused(List.of(300L, 200L), 1_000, expiring, 50)).containsExactly(1_000L, 1_000L);
  }

  @Test
  void policiesAreCheckedNamingTheField() {
    assertThatThrownBy(() -> RolloverPolicy.carryUpTo(5).expiringAfter(RolloverPolicy.MAX_EXPIRY + 1))
        .isInstanceOfSatisfying(InvalidUsageException.class,
            e -> assertThat(e.field()).isEqualTo("rollover.expiresAfterPeriods"));
    assertThatThrownBy(() -> RolloverPolicy.carryUpToPercent(1_001))
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo("rollover.capPercent"));
  }
}
