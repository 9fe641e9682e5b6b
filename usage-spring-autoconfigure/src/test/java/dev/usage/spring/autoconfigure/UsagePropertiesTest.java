package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.AuditEntry;
import dev.usage.Consumption;
import dev.usage.Enforcement;
import dev.usage.Quota;
import dev.usage.QuotaLevel;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.UsageTrackingService;
import dev.usage.UserQuota;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.UsageStorage;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** {@code usage.*} binding, in properties and environment-variable form, and failures naming the property. */
class UsagePropertiesTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withConfiguration(UsageAutoConfigurationTest.USAGE);

  private static QuotaStatus status(AssertableApplicationContext ctx, String user, QuotaType type) {
    return ctx.getBean(QuotaManagementService.class).getQuotaStatus(user).stream()
        .filter(s -> s.type().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void defaultQuotaFromAnEnvironmentVariable() {
    runner.withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(
            new SystemEnvironmentPropertySource("test-systemEnvironment",
                Map.of("USAGE_QUOTAS_DEFAULTS_MONTHLY_CHARACTERS", "20000", "USAGE_TRACKING_MODE", "sync"))))
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(status(ctx, "alice", QuotaType.CHARACTERS).limit()).isEqualTo(20_000);
          assertThat(ctx.getBean(UsageProperties.class).getTracking().getMode()).isEqualTo(dev.usage.TrackingMode.SYNC);
        });
  }

  @Test
  void defaultsTiersAndPeriods() {
    runner.withPropertyValues("usage.quotas.defaults.daily.requests=50",
            "usage.quotas.defaults.monthly.custom.images=20",
            "usage.tiers.pro.parent=premium", "usage.tiers.pro.monthly.tokens=5000000",
            "usage.tiers.pro.weekly.characters=-1")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          QuotaStatus requests = status(ctx, "free-user", QuotaType.REQUESTS);
          assertThat(requests.limit()).isEqualTo(50);
          assertThat(requests.period()).isEqualTo(QuotaPeriod.DAY);
          assertThat(status(ctx, "free-user", QuotaType.of("images")).limit()).isEqualTo(20);
          QuotaManagementService quotas = ctx.getBean(QuotaManagementService.class);
          quotas.initializeUserQuotas("bob", "pro", "test");
          assertThat(status(ctx, "bob", QuotaType.TOKENS).limit()).isEqualTo(5_000_000);
          assertThat(status(ctx, "bob", QuotaType.CHARACTERS).isUnlimited()).isTrue();
          assertThat(status(ctx, "bob", QuotaType.REQUESTS).limit()).isEqualTo(5_000); // from premium
        });
  }

  @Test
  void userSettingsAreAppliedOnceAndAudited() {
    InMemoryUsageStorage storage = InMemoryUsageStorage.create();
    ApplicationContextRunner withUsers = runner.withBean("sharedStorage", UsageStorage.class, () -> storage,
            bd -> bd.setDestroyMethodName(""))
        .withPropertyValues("usage.users.alice.tier=premium", "usage.users.alice.daily.requests=10",
            "usage.users.alice.time-zone=Europe/Paris", "usage.users.alice.billing-anchor-day=15");
    // the storage outlives both contexts only because the engine's close of an in-memory storage keeps its data
    withUsers.run(ctx -> {
      assertThat(ctx).hasNotFailed();
      UserQuota alice = ctx.getBean(QuotaManagementService.class).getUserQuota("alice");
      assertThat(alice.tier()).isEqualTo("premium");
      assertThat(alice.override(QuotaType.REQUESTS)).hasValueSatisfying(q -> {
        assertThat(q.limit()).isEqualTo(10);
        assertThat(q.period()).isEqualTo(QuotaPeriod.DAY);
      });
      assertThat(alice.zone()).isEqualTo(ZoneId.of("Europe/Paris"));
      assertThat(alice.billingAnchorDay()).isEqualTo(15);
      assertThat(ctx.getBean(QuotaManagementService.class).auditTrail("alice"))
          .isNotEmpty().allSatisfy(e -> assertThat(e.actor()).isEqualTo(UsageUserSettingsInitializer.ACTOR));
    });
    int[] entries = new int[1];
    withUsers.run(ctx -> entries[0] = ctx.getBean(QuotaManagementService.class).auditTrail("alice").size());
    withUsers.run(ctx -> {
      List<AuditEntry> trail = ctx.getBean(QuotaManagementService.class).auditTrail("alice");
      assertThat(trail).hasSize(entries[0]); // a restart with the same properties changes nothing
    });
  }

  @Test
  void aBadSettingOfOneUserFailsStartUpWithNoUsersSettingsApplied() {
    InMemoryUsageStorage storage = InMemoryUsageStorage.create();
    runner.withBean("sharedStorage", UsageStorage.class, () -> storage, bd -> bd.setDestroyMethodName(""))
        .withPropertyValues("usage.users.alice.monthly.tokens=500", "usage.users.bob.billing-anchor-day=40")
        .run(ctx -> assertThat(org.springframework.core.NestedExceptionUtils.getMostSpecificCause(
            ctx.getStartupFailure())).isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
                e -> assertThat(e.getName()).isEqualTo("usage.users.bob.billing-anchor-day")));

    assertThat(storage.userQuotas().find("alice")).as("alice's settings, before bob's").isEmpty();
  }

  @Test
  void aUserWithTheMostOverridesSwapsOneForAnotherAtARestart() {
    InMemoryUsageStorage storage = InMemoryUsageStorage.create();
    ApplicationContextRunner shared = runner.withBean("sharedStorage", UsageStorage.class, () -> storage,
        bd -> bd.setDestroyMethodName(""));
    shared.withPropertyValues(java.util.stream.IntStream.range(0, UserQuota.MAX_OVERRIDES)
        .mapToObj(i -> "usage.users.carol.monthly.custom.c" + i + "=5").toArray(String[]::new))
        .run(ctx -> assertThat(ctx).hasNotFailed());
    shared.withPropertyValues(java.util.stream.IntStream.range(1, UserQuota.MAX_OVERRIDES + 1)
        .mapToObj(i -> "usage.users.carol.monthly.custom.c" + i + "=5").toArray(String[]::new)).run(ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx.getBean(QuotaManagementService.class).getUserQuota("carol").overrides())
              .hasSize(UserQuota.MAX_OVERRIDES).containsKey(QuotaType.of("c" + UserQuota.MAX_OVERRIDES))
              .doesNotContainKey(QuotaType.of("c0"));
        });
  }

  @Test
  void overridesThePropertiesNoLongerNameAreRemovedButAnAdministratorsStay() {
    InMemoryUsageStorage storage = InMemoryUsageStorage.create();
    ApplicationContextRunner shared = runner.withBean("sharedStorage", UsageStorage.class, () -> storage,
        bd -> bd.setDestroyMethodName(""));
    shared.withPropertyValues("usage.users.alice.monthly.tokens=500", "usage.users.alice.daily.requests=10",
        "usage.users.bob.monthly.tokens=700").run(ctx -> {
          assertThat(ctx).hasNotFailed();
          QuotaManagementService quotas = ctx.getBean(QuotaManagementService.class);
          // an administrator changes one override the properties set, and sets one of their own
          quotas.updateQuota("alice", Quota.daily(QuotaType.REQUESTS, 20), "admin", "support ticket");
          quotas.updateQuota("alice", Quota.monthly(QuotaType.CHARACTERS, 50), "admin", "support ticket");
        });
    ApplicationContextRunner later = shared.withPropertyValues("usage.users.alice.tier=free");
    later.run(ctx -> {
      assertThat(ctx).hasNotFailed();
      QuotaManagementService quotas = ctx.getBean(QuotaManagementService.class);
      UserQuota alice = quotas.getUserQuota("alice");
      assertThat(alice.override(QuotaType.TOKENS)).as("set by properties, no longer named").isEmpty();
      assertThat(alice.override(QuotaType.REQUESTS)).hasValue(Quota.daily(QuotaType.REQUESTS, 20));
      assertThat(alice.override(QuotaType.CHARACTERS)).hasValue(Quota.monthly(QuotaType.CHARACTERS, 50));
      AuditEntry last = quotas.auditTrail("alice").get(quotas.auditTrail("alice").size() - 1);
      assertThat(last.action()).isEqualTo("remove-override");
      assertThat(last.quotaType()).hasValue(QuotaType.TOKENS);
      assertThat(last.actor()).isEqualTo(UsageUserSettingsInitializer.ACTOR);
      // a user removed from the properties altogether keeps what is stored (documented)
      assertThat(quotas.getUserQuota("bob").override(QuotaType.TOKENS)).hasValue(Quota.monthly(QuotaType.TOKENS, 700));
    });
    int[] entries = new int[1];
    later.run(ctx -> entries[0] = ctx.getBean(QuotaManagementService.class).auditTrail("alice").size());
    later.run(ctx -> assertThat(ctx.getBean(QuotaManagementService.class).auditTrail("alice")).hasSize(entries[0]));
  }

  @Test
  void enforcementOfDefaultsTiersAndUserOverrides() {
    runner.withPropertyValues("usage.quotas.defaults.monthly.tokens=100", "usage.quotas.defaults.enforcement.tokens=soft",
            "usage.tiers.pro.parent=premium", "usage.tiers.pro.monthly.characters=10",
            "usage.tiers.pro.enforcement.characters=SOFT", "usage.tiers.pro.daily.requests=1",
            "usage.users.alice.tier=pro", "usage.users.alice.daily.custom.images=1",
            "usage.users.alice.enforcement.images=soft", "usage.users.alice.weekly.tokens=5")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
          assertThat(status(ctx, "bob", QuotaType.TOKENS).enforcement()).isEqualTo(Enforcement.SOFT);
          assertThat(tracking.consumeQuota(Consumption.of("bob", QuotaType.TOKENS, 150)).allowed()).isTrue();
          assertThat(status(ctx, "bob", QuotaType.TOKENS).used()).isEqualTo(150);
          assertThat(status(ctx, "bob", QuotaType.CHARACTERS).enforcement()).isEqualTo(Enforcement.HARD);

          assertThat(status(ctx, "alice", QuotaType.CHARACTERS).enforcement()).isEqualTo(Enforcement.SOFT);
          assertThat(tracking.consumeQuota(Consumption.of("alice", QuotaType.CHARACTERS, 20)).allowed()).isTrue();
          assertThat(status(ctx, "alice", QuotaType.REQUESTS).enforcement()).isEqualTo(Enforcement.HARD);
          UserQuota alice = ctx.getBean(QuotaManagementService.class).getUserQuota("alice");
          assertThat(alice.override(QuotaType.of("images")))
              .hasValue(Quota.daily(QuotaType.of("images"), 1).soft());
          assertThat(tracking.consumeQuota(Consumption.of("alice", QuotaType.of("images"), 3)).allowed()).isTrue();
          assertThat(alice.override(QuotaType.TOKENS)).as("hard unless named")
              .hasValue(Quota.weekly(QuotaType.TOKENS, 5));
          assertThat(tracking.consumeQuota(Consumption.of("alice", QuotaType.TOKENS, 6)).allowed()).isFalse();
        });
  }

  @Test
  void enforcementWithoutALimitBesideItFailsNamingTheProperty() {
    failsNaming("usage.tiers.pro.enforcement.tokens", "usage.tiers.pro.enforcement.tokens=soft",
        "usage.tiers.pro.monthly.characters=10");
  }

  @Test
  void enforcementOfABadTypeNameFailsNamingTheProperty() {
    failsNaming("usage.quotas.defaults.enforcement.Bad Name", "usage.quotas.defaults.monthly.requests=5",
        "usage.quotas.defaults.enforcement[Bad Name]=soft");
  }

  @Test
  void theHostsClockIsTheEnginesClock() {
    Instant now = Instant.parse("2031-03-15T10:00:00Z");
    runner.withBean(Clock.class, () -> Clock.fixed(now, ZoneOffset.UTC)).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      QuotaStatus characters = status(ctx, "alice", QuotaType.CHARACTERS);
      assertThat(characters.periodStart()).isEqualTo(Instant.parse("2031-03-01T00:00:00Z"));
      assertThat(characters.resetAt()).isEqualTo(Instant.parse("2031-04-01T00:00:00Z"));
    });
  }

  @Test
  void thresholdsSetTheStatusLevels() {
    runner.withPropertyValues("usage.quotas.defaults.monthly.characters=100", "usage.thresholds.yellow=0.5",
        "usage.thresholds.red=0.9").run(ctx -> {
          assertThat(ctx).hasNotFailed();
          UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
          tracking.consumeQuota(Consumption.of("alice", QuotaType.CHARACTERS, 60));
          assertThat(status(ctx, "alice", QuotaType.CHARACTERS).level()).isEqualTo(QuotaLevel.YELLOW);
          tracking.consumeQuota(Consumption.of("alice", QuotaType.CHARACTERS, 30));
          assertThat(status(ctx, "alice", QuotaType.CHARACTERS).level()).isEqualTo(QuotaLevel.RED);
        });
  }

  @Test
  void thresholdsOutOfOrderFailNamingTheProperty() {
    failsNaming("usage.thresholds", "usage.thresholds.yellow=0.9", "usage.thresholds.red=0.5");
  }

  @Test
  void batchLingerOutOfRangeFailsNamingTheProperty() {
    failsNaming("usage.tracking.batch-linger", "usage.tracking.batch-linger=2m");
  }

  @Test
  void writeAttemptsOutOfRangeFailNamingTheProperty() {
    failsNaming("usage.tracking.write-attempts", "usage.tracking.write-attempts=0");
  }

  @Test
  void settingsCacheSizeOutOfRangeFailsNamingTheProperty() {
    failsNaming("usage.settings-cache-size", "usage.settings-cache-size=-1");
  }

  private void failsNaming(String property, String... properties) {
    // the root cause, or the failure itself when a check before the binding threw it
    runner.withPropertyValues(properties).run(ctx -> assertThat(
            org.springframework.core.NestedExceptionUtils.getMostSpecificCause(ctx.getStartupFailure()))
        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .satisfies(e -> assertThat(((InvalidConfigurationPropertyValueException) e).getName()).isEqualTo(property))
        .hasMessageContaining(property));
  }

  @Test
  void negativeLimitFailsNamingTheProperty() {
    failsNaming("usage.quotas.defaults.monthly.characters", "usage.quotas.defaults.monthly.characters=-5");
  }

  @Test
  void bufferSizeOutOfRangeFailsNamingTheProperty() {
    failsNaming("usage.tracking.buffer-size", "usage.tracking.buffer-size=0");
  }

  @Test
  void unknownParentTierFailsNamingTheProperty() {
    failsNaming("usage.tiers.gold.parent", "usage.tiers.gold.parent=platinum");
  }

  @Test
  void unknownDefaultTierFailsNamingTheProperty() {
    failsNaming("usage.default-tier", "usage.default-tier=gold");
  }

  @Test
  void badCustomQuotaTypeFailsNamingTheProperty() {
    failsNaming("usage.quotas.defaults.monthly.custom.Bad Name", "usage.quotas.defaults.monthly.custom[Bad Name]=3");
  }

  @Test
  void oneTypeInTwoPeriodsFailsNamingTheSecond() {
    failsNaming("usage.quotas.defaults.daily.characters",
        "usage.quotas.defaults.monthly.characters=100", "usage.quotas.defaults.daily.characters=10");
  }

  @Test
  void retentionShorterThanReservationsAndKeysFailsNamingIt() {
    failsNaming("usage.counter-retention", "usage.counter-retention=1h");
  }

  @Test
  void aMisspeltPropertyFailsStartUpNamingItInsteadOfBeingIgnored() {
    // 'token' for 'tokens': ignored, the tier would quietly keep its parent's limit
    for (String misspelt : List.of("usage.tiers.pro.monthly.token=5000000", "usage.notifications.treshold=50",
        "usage.quotas.defaults.monthly.charaters=10", "usage.jobs.reset-crom=0 0 * * * *")) {
      String name = misspelt.substring(0, misspelt.indexOf('='));
      runner.withPropertyValues(misspelt).run(ctx -> assertThat(ctx).getFailure().rootCause()
          .isInstanceOf(UnboundConfigurationPropertiesException.class).hasMessageContaining(name));
    }
  }

  @Test
  void aUserIdThatSpringBootWouldAlterMustBeInBracketsAndIsAppliedAsWrittenThere() {
    // without brackets Boot binds the key 'aliceexample' (the '@' dropped, split at the dot)
    failsNaming("usage.users.alice@example.com.tier", "usage.users.alice@example.com.tier=premium");
    // a dot in the id: Boot would bind the user 'john', with 'doe.tier' ignored
    failsNaming("usage.users.john.doe.tier", "usage.users.john.doe.tier=premium");
    runner.withPropertyValues("usage.users.[alice@example.com].tier=premium", "usage.users.carol-2.tier=premium",
            "usage.users.Bob_Smith.tier=premium", "usage.users.dave.timeZone=Europe/Paris",
            "usage.users.dave.daily.requests=10", "usage.users.dave.rollover[tokens].cap=5",
            "usage.users.dave.monthly.tokens=100")
        .run(ctx -> {
          assertThat(ctx).hasNotFailed();
          QuotaManagementService quotas = ctx.getBean(QuotaManagementService.class);
          assertThat(quotas.getUserQuota("alice@example.com").tier()).isEqualTo("premium");
          assertThat(quotas.getUserQuota("carol-2").tier()).isEqualTo("premium");
          assertThat(quotas.getUserQuota("Bob_Smith").tier()).isEqualTo("premium");
          assertThat(quotas.getUserQuota("dave").zone()).isEqualTo(ZoneId.of("Europe/Paris"));
        });
  }

  @Test
  void unknownUserTierFailsNamingTheProperty() {
    failsNaming("usage.users.bob.tier", "usage.users.bob.tier=platinum");
  }

  @Test
  void badQueryTimeoutFailsNamingTheProperty() {
    runner.withUserConfiguration(UsageAutoConfigurationTest.H2.class)
        .withPropertyValues("usage.jdbc.query-timeout=0s")
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("usage.jdbc.query-timeout"));
  }

  @Test
  void badAnalyticsTimeoutFailsNamingTheProperty() {
    runner.withUserConfiguration(UsageAutoConfigurationTest.H2.class)
        .withPropertyValues("usage.jdbc.analytics-timeout=2d")
        .run(ctx -> assertThat(ctx).getFailure().rootCause()
            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
            .hasMessageContaining("usage.jdbc.analytics-timeout"));
  }
}
