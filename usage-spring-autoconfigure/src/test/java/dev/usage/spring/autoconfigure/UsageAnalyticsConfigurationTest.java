package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.AnalyticsService;
import dev.usage.Pricing;
import dev.usage.QuotaType;
import dev.usage.UnusualUsageAlert;
import dev.usage.UsageEvent;
import dev.usage.UsageListener;
import dev.usage.UsageTrackingService;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Listener beans, the unusual-usage policy and job, and prices, from the context and {@code usage.*}. */
class UsageAnalyticsConfigurationTest {

  static final Instant HOUR = Instant.parse("2026-05-04T10:00:00Z");

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(UsageAutoConfigurationTest.USAGE)
      .withConfiguration(AutoConfigurations.of(UsageJobsAutoConfiguration.class))
      .withPropertyValues("usage.tracking.mode=sync");

  /** A listener bean that itself needs the analytics service, and a clock a little past {@link #HOUR}. */
  @Configuration(proxyBeanMethods = false)
  static class Listening {

    @Bean
    Clock clock() {
      return Clock.fixed(HOUR.plus(Duration.ofMinutes(67)), ZoneOffset.UTC);
    }

    @Bean
    Heard heard(AnalyticsService analytics) {
      return new Heard();
    }
  }

  static class Heard implements UsageListener {
    final List<Object> heard = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(UsageEvent event) {
      heard.add(event);
    }

    @Override
    public void onUnusualUsage(UnusualUsageAlert alert) {
      heard.add(alert);
    }
  }

  private static void await(Heard h, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (h.heard.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(h.heard).hasSize(count);
  }

  private static void track(UsageTrackingService t, Instant at, long characters) {
    t.trackUsage(UsageEvent.builder().userId("ada").occurredAt(at).characters(characters).build());
  }

  @Test
  void listenerBeansHearTheEngineAndTheUnusualUsageJobUsesThePolicyFromProperties() {
    runner.withUserConfiguration(Listening.class)
        .withPropertyValues("usage.unusual-usage.min-baseline-hours=2", "usage.unusual-usage.minimum-units.characters=500")
        .run(ctx -> {
          Heard h = ctx.getBean(Heard.class);
          UsageTrackingService t = ctx.getBean(UsageTrackingService.class);
          track(t, HOUR.minus(Duration.ofMinutes(90)), 100);
          track(t, HOUR.minus(Duration.ofMinutes(30)), 100);
          track(t, HOUR.plus(Duration.ofMinutes(5)), 1_000);
          await(h, 3);
          UsageJob job = ctx.getBean("usageUnusualUsageJob", UsageJob.class);
          assertThat(job.isRunning()).isTrue();
          job.runOnce(); // the last whole hour before 11:07 is 10:00
          await(h, 4);
          assertThat(h.heard.get(3)).isInstanceOfSatisfying(UnusualUsageAlert.class, a -> {
            assertThat(a.userId()).isEqualTo("ada");
            assertThat(a.type()).isEqualTo(QuotaType.CHARACTERS);
            assertThat(a.hourStart()).isEqualTo(HOUR);
            assertThat(a.baselineHours()).isEqualTo(2);
          });
        });
    // by default a baseline needs 24 active hours: the same usage alerts nobody
    runner.withUserConfiguration(Listening.class).run(ctx -> {
      UsageTrackingService t = ctx.getBean(UsageTrackingService.class);
      track(t, HOUR.minus(Duration.ofMinutes(90)), 100);
      track(t, HOUR.minus(Duration.ofMinutes(30)), 100);
      track(t, HOUR.plus(Duration.ofMinutes(5)), 1_000);
      assertThat(ctx.getBean(AnalyticsService.class).detectUnusualUsage(HOUR)).isEmpty();
    });
  }

  @Test
  void badUnusualUsageSettingsFailStartUpNamingTheProperty() {
    runner.withPropertyValues("usage.unusual-usage.threshold=0").run(ctx -> assertThat(ctx).getFailure().rootCause()
        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.unusual-usage.threshold"));
    runner.withPropertyValues("usage.unusual-usage.minimum-units.tokens=0").run(ctx -> assertThat(ctx).getFailure()
        .rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.unusual-usage.minimum-units.tokens"));
    runner.withPropertyValues("usage.unusual-usage.alert-window=-1h").run(ctx -> assertThat(ctx).getFailure()
        .rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.unusual-usage.alert-window"));
    runner.withPropertyValues("usage.jobs.unusual-usage-cron=hourly").run(ctx -> assertThat(ctx).getFailure()
        .rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.jobs.unusual-usage-cron"));
  }

  @Test
  void pricingFromPropertiesOnlyWithACurrency() {
    runner.run(ctx -> assertThat(ctx).doesNotHaveBean(Pricing.class));
    runner.withPropertyValues("usage.pricing.currency=eur", "usage.pricing.tiers.premium.price=19.00",
        "usage.pricing.tiers.premium.overage.tokens.price=2.00",
        "usage.pricing.tiers.premium.overage.tokens.per-units=100000").run(ctx -> {
          Pricing p = ctx.getBean(Pricing.class);
          assertThat(p.currency().getCurrencyCode()).isEqualTo("EUR");
          assertThat(p.tierPrice("premium")).isEqualTo(new BigDecimal("19.00"));
          assertThat(p.isPaid("free")).isFalse();
          assertThat(p.overage("premium", QuotaType.TOKENS)).hasValueSatisfying(o -> {
            assertThat(o.price()).isEqualTo(new BigDecimal("2.00"));
            assertThat(o.perUnits()).isEqualTo(100_000);
          });
        });
  }

  @Test
  void badPricesFailStartUpNamingTheProperty() {
    failsNaming("usage.pricing.currency", "usage.pricing.currency=euro");
    failsNaming("usage.pricing.tiers.premium.price", "usage.pricing.currency=EUR",
        "usage.pricing.tiers.premium.price=-1");
    failsNaming("usage.pricing.tiers.premium.overage.tokens.price", "usage.pricing.currency=EUR",
        "usage.pricing.tiers.premium.overage.tokens.per-units=10"); // an overage without a price
    failsNaming("usage.pricing.tiers.premium.overage.tokens.per-units", "usage.pricing.currency=EUR",
        "usage.pricing.tiers.premium.overage.tokens.price=1", "usage.pricing.tiers.premium.overage.tokens.per-units=0");
  }

  private void failsNaming(String property, String... values) {
    runner.withPropertyValues(values).run(ctx -> assertThat(ctx).getFailure().rootCause()
        .isInstanceOf(InvalidConfigurationPropertyValueException.class).hasMessageContaining(property));
  }
}
