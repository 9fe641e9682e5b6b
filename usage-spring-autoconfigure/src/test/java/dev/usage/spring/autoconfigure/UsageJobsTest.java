package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.UsageTrackingService;
import dev.usage.jdbc.JdbcUsageStorage;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The periodic jobs are scheduled with the context and refuse a bad cron expression by its property. */
class UsageJobsTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(UsageAutoConfigurationTest.USAGE)
      .withConfiguration(AutoConfigurations.of(UsageJobsAutoConfiguration.class));

  @Test
  void resetJobIsScheduledWithTheContextAndAggregationOnlyWithJdbc() {
    runner.run(ctx -> {
      assertThat(ctx).getBeans(UsageJob.class).containsOnlyKeys("usageResetJob", "usageUnusualUsageJob");
      assertThat(ctx.getBean("usageResetJob", UsageJob.class).isRunning()).isTrue();
    });
    runner.withUserConfiguration(UsageAutoConfigurationTest.H2.class).withPropertyValues("usage.tracking.mode=sync")
        .run(ctx -> {
          assertThat(ctx).getBeans(UsageJob.class)
              .containsOnlyKeys("usageResetJob", "usageAggregationJob", "usageUnusualUsageJob");
          UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
          tracking.trackUsage(tracking.event("alice").feature("f").characters(5).build());
          JdbcUsageStorage storage = ctx.getBean(JdbcUsageStorage.class);
          assertThat(storage.aggregations().pendingDays()).isNotEmpty();
          ctx.getBean("usageAggregationJob", UsageJob.class).runOnce();
          assertThat(storage.aggregations().pendingDays()).isEmpty();
        });
  }

  @Test
  void noJobsWhenSwitchedOff() {
    runner.withPropertyValues("usage.jobs.enabled=false").run(ctx -> assertThat(ctx).doesNotHaveBean(UsageJob.class));
  }

  @Test
  void badCronFailsNamingTheProperty() {
    runner.withPropertyValues("usage.jobs.reset-cron=every hour").run(ctx -> assertThat(ctx).getFailure().rootCause()
        .isInstanceOf(InvalidConfigurationPropertyValueException.class).hasMessageContaining("usage.jobs.reset-cron"));
  }
}
