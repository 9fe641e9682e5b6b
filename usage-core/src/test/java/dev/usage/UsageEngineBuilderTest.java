package dev.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Engine configuration: defaults a user relies on, and bad settings refused with the setting's name. */
class UsageEngineBuilderTest {

  @Test
  void defaultsAreTheDocumentedTiersAndQuotas() {
    try (UsageEngine engine = UsageEngine.builder().closeOnShutdown(false).build()) {
      engine.quotas().initializeUserQuotas("p", Tier.PREMIUM, "test");
      engine.quotas().initializeUserQuotas("e", Tier.ENTERPRISE, "test");

      assertThat(limits(engine, "f")).containsExactly(10_000L, 500L, 100_000L);
      assertThat(limits(engine, "p")).containsExactly(100_000L, 5_000L, 1_000_000L);
      assertThat(limits(engine, "e")).containsExactly(1_000_000L, 50_000L, 10_000_000L);
      assertThat(engine.quotas().getQuotaStatus("f")).allSatisfy(s -> {
        assertThat(s.period()).isEqualTo(QuotaPeriod.MONTH);
        assertThat(s.enforcement()).isEqualTo(Enforcement.HARD);
      });
    }
  }

  /** Limits ordered by type name: characters, requests, tokens. */
  private static java.util.List<Long> limits(UsageEngine engine, String user) {
    return engine.quotas().getQuotaStatus(user).stream().map(QuotaStatus::limit).toList();
  }

  @Test
  void configuredDefaultsFlowIntoTiersThatDoNotSetTheType() {
    try (UsageEngine engine = UsageEngine.builder().closeOnShutdown(false)
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, 20_000))
        .defaultQuota(Quota.daily(QuotaType.of("images"), 3))
        .build()) {
      engine.quotas().initializeUserQuotas("p", Tier.PREMIUM, "test");

      assertThat(engine.tracking().getUserUsage("f").quota(QuotaType.CHARACTERS).orElseThrow().limit()).isEqualTo(20_000);
      assertThat(engine.tracking().getUserUsage("p").quota(QuotaType.CHARACTERS).orElseThrow().limit()).isEqualTo(100_000);
      assertThat(engine.tracking().getUserUsage("p").quota(QuotaType.of("images")).orElseThrow().period())
          .isEqualTo(QuotaPeriod.DAY);
    }
  }

  static Stream<Arguments> badSettings() {
    return Stream.of(
        bad("thresholds", b -> b.thresholds(0.9, 0.8)),
        bad("thresholds", b -> b.thresholds(0, 1)),
        bad("reservationTtl", b -> b.reservationTtl(Duration.ZERO)),
        bad("idempotencyWindow", b -> b.idempotencyWindow(Duration.ofSeconds(-1))),
        bad("counterRetention", b -> b.counterRetention(Duration.ofDays(-1))),
        bad("flushInterval", b -> b.flushInterval(null)),
        bad("batchLinger", b -> b.batchLinger(Duration.ofMillis(-1))),
        bad("batchLinger", b -> b.batchLinger(Duration.ofMinutes(2))),
        bad("closeTimeout", b -> b.closeTimeout(Duration.ZERO)),
        bad("bufferCapacity", b -> b.bufferCapacity(0)),
        bad("batchSize", b -> b.batchSize(-5)),
        bad("writeAttempts", b -> b.writeAttempts(0)),
        bad("settingsCacheSize", b -> b.settingsCacheSize(-1)),
        bad("settingsCacheSize", b -> b.settingsCacheSize(10_000_001)),
        bad("clock", b -> b.clock(null)),
        bad("failureMode", b -> b.failureMode(null)),
        bad("defaultTier", b -> b.defaultTier("gold")),
        bad("defaultTier", b -> b.clearTiers()),
        bad("tier.parent", b -> b.tier(Tier.builder("team").parent("nobody").build())),
        bad("tier.parent", b -> b.tier(Tier.builder(Tier.FREE).parent(Tier.ENTERPRISE).build())),
        bad("tier.parent", b -> b.tier(Tier.builder("loop").parent("loop").build())),
        bad("tier", b -> b.tier(Tier.builder(" ").build())),
        bad("counterRetention", b -> b.counterRetention(java.time.temporal.ChronoUnit.FOREVER.getDuration())),
        bad("counterRetention", b -> b.counterRetention(Duration.ofHours(24))),
        bad("reservationTtl", b -> b.reservationTtl(Duration.ofDays(4000))),
        bad("idempotencyWindow", b -> b.idempotencyWindow(java.time.temporal.ChronoUnit.FOREVER.getDuration())),
        bad("offerTimeout", b -> b.offerTimeout(Duration.ofDays(1))),
        bad("batchSize", b -> b.batchSize(Integer.MAX_VALUE)),
        bad("bufferCapacity", b -> b.bufferCapacity(50_000_000)),
        bad("rollover.expiresAfterPeriods", b -> b.defaultQuota(Quota.monthly(QuotaType.TOKENS, 10)
            .withRollover(RolloverPolicy.carryUpTo(5).expiringAfter(RolloverPolicy.MAX_EXPIRY + 1)))),
        // the carry into a day or week would arrive only after it ended (settle delay 24 h 5 min, 7 days 5 min)
        bad("rollover", b -> b.defaultQuota(Quota.daily(QuotaType.REQUESTS, 10)
            .withRollover(RolloverPolicy.carryUpTo(5)))),
        // under a day, but not under the 22 hours of a day DST shortens (by two hours in Antarctica/Troll)
        bad("rollover", b -> b.reservationTtl(Duration.ofMinutes(5)).idempotencyWindow(Duration.ofHours(22))
            .defaultQuota(Quota.daily(QuotaType.REQUESTS, 10).withRollover(RolloverPolicy.carryUpTo(5)))),
        bad("rollover", b -> b.idempotencyWindow(Duration.ofDays(7)).tier(Tier.builder("team")
            .quota(Quota.weekly(QuotaType.REQUESTS, 10).withRollover(RolloverPolicy.carryAll())).build())));
  }

  private static Arguments bad(String field, Consumer<UsageEngine.Builder> setting) {
    return Arguments.of(field, setting);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSettings")
  void badSettingIsRefusedNamingIt(String field, Consumer<UsageEngine.Builder> setting) {
    assertThatThrownBy(() -> {
      UsageEngine.Builder b = UsageEngine.builder().closeOnShutdown(false);
      setting.accept(b);
      b.build().close();
    }).isInstanceOfSatisfying(InvalidUsageException.class, e -> assertThat(e.field()).isEqualTo(field));
  }

  @Test
  void aCarryingQuotaWhoseCarryWouldArriveAfterItsPeriodEndedIsRefused() {
    Quota daily = Quota.daily(QuotaType.REQUESTS, 10).withRollover(RolloverPolicy.carryUpTo(5));

    assertThatThrownBy(() -> UsageEngine.builder().closeOnShutdown(false)
        .tier(Tier.builder("team").quota(daily).build()).build().close())
        .isInstanceOfSatisfying(InvalidUsageException.class, e -> {
          assertThat(e.field()).isEqualTo("rollover");
          assertThat(e.getMessage()).contains("tier 'team'", "requests per day", "PT24H5M",
              "reservationTtl + idempotencyWindow", "shorter idempotencyWindow", "longer period");
        });
    // a week is longer than the default delay: allowed
    UsageEngine.builder().closeOnShutdown(false)
        .defaultQuota(Quota.weekly(QuotaType.REQUESTS, 10).withRollover(RolloverPolicy.carryUpTo(5))).build().close();
  }

  @Test
  void aDailyCarryArrivesOnceThePreviousDayIsFinal() {
    dev.usage.testkit.SettableClock clock = dev.usage.testkit.SettableClock.at("2026-03-15T10:00:00Z");
    Quota daily = Quota.daily(QuotaType.REQUESTS, 10).withRollover(RolloverPolicy.carryUpTo(5));
    try (UsageEngine engine = UsageEngine.builder().closeOnShutdown(false).clock(clock)
        .trackingMode(TrackingMode.SYNC).idempotencyWindow(Duration.ofHours(1)).defaultQuota(daily).build()) {
      engine.tracking().consumeQuota(Consumption.of("u", QuotaType.REQUESTS, 2));

      clock.set("2026-03-16T01:04:59Z"); // March 15 may still be charged until 1 h 5 min after its end
      assertThat(engine.tracking().getUserUsage("u").quota(QuotaType.REQUESTS).orElseThrow().limit()).isEqualTo(10);
      clock.set("2026-03-16T01:05:00Z");
      assertThat(engine.tracking().getUserUsage("u").quota(QuotaType.REQUESTS).orElseThrow())
          .satisfies(s -> {
            assertThat(s.carriedIn()).isEqualTo(5);
            assertThat(s.limit()).isEqualTo(15);
          });
    }
  }

  @Test
  void closeIsIdempotentAndClosesTheStorageOnce() {
    int[] closes = new int[1];
    dev.usage.memory.InMemoryUsageStorage real = dev.usage.memory.InMemoryUsageStorage.create();
    dev.usage.spi.UsageStorage counting = new dev.usage.spi.UsageStorage() {
      @Override
      public dev.usage.spi.CounterStore counters() {
        return real.counters();
      }

      @Override
      public dev.usage.spi.EventStore events() {
        return real.events();
      }

      @Override
      public dev.usage.spi.UserQuotaStore userQuotas() {
        return real.userQuotas();
      }

      @Override
      public dev.usage.spi.PeriodHistoryStore history() {
        return real.history();
      }

      @Override
      public dev.usage.spi.NotificationLedger notifications() {
        return real.notifications();
      }

      @Override
      public java.util.Set<dev.usage.spi.StorageCapability> capabilities() {
        return java.util.Set.of();
      }

      @Override
      public void close() {
        closes[0]++;
      }
    };
    UsageEngine engine = UsageEngine.builder().storage(counting).closeOnShutdown(false).build();

    engine.close();
    engine.close();

    assertThat(closes[0]).isEqualTo(1);
  }
}
