package dev.usage.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.QuotaExceededException;
import dev.usage.UsageTrackingService;
import dev.usage.spring.aop.QuotaGuardTest;
import dev.usage.spring.autoconfigure.UsageMetricsAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The meters count tracked calls, their processing time, denials and the tracking pipeline. */
class UsageMetricsTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(QuotaGuardTest.USAGE_AOP)
      .withConfiguration(AutoConfigurations.of(UsageMetricsAutoConfiguration.class))
      .withPropertyValues("usage.quotas.defaults.monthly.characters=100", "usage.tracking.mode=sync",
          "usage.users.frank.tier=premium", "usage.users.frank.monthly.characters=100")
      .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
      .withBean(QuotaGuardTest.TextService.class);

  @Test
  void countsTrackedCallsTheirTimeAndDenialsByTypeTierAndFeature() {
    runner.run(ctx -> {
      assertThat(ctx).hasSingleBean(UsageMetrics.class);
      MeterRegistry registry = ctx.getBean(MeterRegistry.class);
      QuotaGuardTest.TextService service = ctx.getBean(QuotaGuardTest.TextService.class);
      service.summarize("frank", "x".repeat(90));
      assertThatThrownBy(() -> service.summarize("frank", "x".repeat(20))).isInstanceOf(QuotaExceededException.class);
      assertThat(registry.get("usage.tracked").tag("feature", "summary").tag("outcome", "success").counter().count())
          .isEqualTo(1);
      assertThat(registry.get("usage.tracked").tag("outcome", "failure").counter().count()).isEqualTo(1);
      assertThat(registry.get("usage.processing").tag("feature", "summary")
          .tag("endpoint", "TextService.summarize").timer().count()).isEqualTo(2);
      assertThat(registry.get("usage.denials").tag("quota.type", "characters").tag("tier", "premium")
          .tag("feature", "summary").counter().count()).isEqualTo(1);
      UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
      assertThat(registry.get("usage.events.accepted").functionCounter().count())
          .isEqualTo(tracking.trackingStats().accepted()).isEqualTo(2);
      assertThat(registry.get("usage.events.pending").gauge().value()).isZero();
      assertThat(registry.get("usage.events.rejected").functionCounter().count()).isZero();
    });
  }

  @Test
  void noMetersWithoutMicrometer() {
    runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(UsageMetrics.class));
  }
}
