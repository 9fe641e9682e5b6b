package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.RolloverPolicy;
import dev.usage.UsageTrackingService;
import dev.usage.testkit.SettableClock;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code rollover.<type>.*} beside the limits of the defaults, tiers and users: carried units, and refusals. */
class RolloverPropertiesTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withConfiguration(UsageAutoConfigurationTest.USAGE);

  private static QuotaStatus status(AssertableApplicationContext ctx, String user, QuotaType type) {
    return ctx.getBean(QuotaManagementService.class).getQuotaStatus(user).stream()
        .filter(s -> s.type().equals(type)).findFirst().orElseThrow();
  }

  private static void consume(AssertableApplicationContext ctx, String user, QuotaType type, long units) {
    assertThat(ctx.getBean(UsageTrackingService.class).consumeQuota(Consumption.of(user, type, units)).allowed())
        .isTrue();
  }

  @Test
  void eachPropertyReachesThePolicyOfTheQuotaBesideIt() {
    PeriodLimits limits = new PeriodLimits();
    limits.getMonthly().setCharacters(100L);
    limits.getMonthly().setTokens(1_000L);
    limits.getWeekly().setRequests(10L);
    RolloverProperties characters = new RolloverProperties();
    characters.setCapPercent(30);
    characters.setExpiresAfterPeriods(2);
    RolloverProperties tokens = new RolloverProperties();
    tokens.setCap(-1L);
    RolloverProperties requests = new RolloverProperties();
    requests.setCap(4L);
    requests.setCapPercent(50);
    limits.getRollover().putAll(Map.of("characters", characters, "tokens", tokens, "requests", requests));

    Map<QuotaType, Quota> quotas = UsagePropertiesMapper.quotas("usage.quotas.defaults", limits);

    assertThat(quotas.get(QuotaType.CHARACTERS).rollover()).isEqualTo(RolloverPolicy.carryUpToPercent(30).expiringAfter(2));
    assertThat(quotas.get(QuotaType.TOKENS).rollover()).isEqualTo(RolloverPolicy.carryAll());
    assertThat(quotas.get(QuotaType.REQUESTS)).isEqualTo(new Quota(QuotaType.REQUESTS, 10, QuotaPeriod.WEEK,
        dev.usage.Enforcement.HARD, new RolloverPolicy(true, 4, 50, 0)));
  }

  @Test
  void unusedUnitsOfTheDefaultsTiersAndUsersCarryIntoTheNextMonth() {
    SettableClock clock = SettableClock.at("2026-02-10T12:00:00Z");
    runner.withBean(Clock.class, () -> clock)
        .withPropertyValues("usage.quotas.defaults.monthly.requests=10",
            "usage.quotas.defaults.rollover.requests.cap=5",
            "usage.tiers.pro.monthly.characters=100", "usage.tiers.pro.rollover.characters.cap-percent=30",
            "usage.tiers.pro.rollover.characters.expires-after-periods=2",
            "usage.tiers.pro.monthly.tokens=1000", "usage.tiers.pro.rollover.tokens.cap=-1",
            "usage.users.alice.tier=pro", "usage.users.alice.monthly.custom.images=4",
            "usage.users.alice.rollover.images.cap-percent=50")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          QuotaType images = QuotaType.of("images");
          consume(ctx, "bob", QuotaType.REQUESTS, 2);
          consume(ctx, "alice", QuotaType.CHARACTERS, 10);
          consume(ctx, "alice", QuotaType.TOKENS, 100);
          consume(ctx, "alice", images, 1);
          assertThat(status(ctx, "bob", QuotaType.REQUESTS).carriedIn()).isZero();

          clock.set("2026-03-02T00:10:00Z"); // February is final 24 h 5 min after its end
          ctx.getBean(QuotaManagementService.class).resetMonthlyQuotas();

          QuotaStatus requests = status(ctx, "bob", QuotaType.REQUESTS);
          assertThat(requests.carriedIn()).as("8 unused, cap 5").isEqualTo(5);
          assertThat(requests.limit()).isEqualTo(15);
          assertThat(status(ctx, "alice", QuotaType.CHARACTERS).carriedIn()).as("90 unused, 30 % of 100").isEqualTo(30);
          assertThat(status(ctx, "alice", QuotaType.TOKENS).carriedIn()).as("no cap").isEqualTo(900);
          assertThat(status(ctx, "alice", images).carriedIn()).as("3 unused, 50 % of 4").isEqualTo(2);
          assertThat(ctx.getBean(QuotaManagementService.class).getUserQuota("alice").override(images))
              .hasValue(Quota.monthly(images, 4).withRollover(RolloverPolicy.carryUpToPercent(50)));
        });
  }

  @Test
  void aRolloverWithoutALimitBesideItFailsNamingTheProperty() {
    failsNaming("usage.tiers.pro.rollover.tokens", "usage.tiers.pro.monthly.characters=10",
        "usage.tiers.pro.rollover.tokens.cap=5");
    failsNaming("usage.users.alice.rollover.requests", "usage.quotas.defaults.monthly.requests=10",
        "usage.users.alice.rollover.requests.cap=5");
  }

  @Test
  void aRolloverWithoutACapFailsNamingTheCap() {
    failsNaming("usage.quotas.defaults.rollover.requests.cap", "usage.quotas.defaults.monthly.requests=10",
        "usage.quotas.defaults.rollover.requests.expires-after-periods=2");
  }

  @Test
  void valuesTheLibraryRefusesFailNamingTheirProperty() {
    failsNaming("usage.quotas.defaults.rollover.requests.cap", "usage.quotas.defaults.monthly.requests=10",
        "usage.quotas.defaults.rollover.requests.cap=-7");
    failsNaming("usage.quotas.defaults.rollover.requests.cap", "usage.quotas.defaults.monthly.requests=10",
        "usage.quotas.defaults.rollover.requests.cap=0");
    failsNaming("usage.tiers.pro.rollover.requests.cap-percent", "usage.tiers.pro.daily.requests=10",
        "usage.tiers.pro.rollover.requests.cap-percent=2000");
    failsNaming("usage.tiers.pro.rollover.requests.expires-after-periods", "usage.tiers.pro.daily.requests=10",
        "usage.tiers.pro.rollover.requests.cap=3", "usage.tiers.pro.rollover.requests.expires-after-periods=25");
    failsNaming("usage.quotas.defaults.rollover.Bad Name", "usage.quotas.defaults.monthly.requests=10",
        "usage.quotas.defaults.rollover[Bad Name].cap=3");
    // a daily carry would arrive after the day ended: named as the window that makes it late
    failsNaming("usage.idempotency-window", "usage.tiers.pro.daily.requests=10", "usage.tiers.pro.rollover.requests.cap=3");
  }

  private void failsNaming(String property, String... properties) {
    runner.withPropertyValues(properties).run(ctx -> assertThat(ctx).getFailure().rootCause()
        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .satisfies(e -> assertThat(((InvalidConfigurationPropertyValueException) e).getName()).isEqualTo(property))
        .hasMessageContaining(property));
  }
}
