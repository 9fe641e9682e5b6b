package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.ExportFormat;
import dev.usage.ReportSink;
import dev.usage.UsageEvent;
import dev.usage.UsageReportJob;
import dev.usage.UsageTrackingService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The report job from {@code usage.reports.*}: off by default, files in the directory or to the host's sink. */
class UsageReportsConfigurationTest {

  @TempDir
  Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(UsageAutoConfigurationTest.USAGE)
      .withConfiguration(AutoConfigurations.of(UsageJobsAutoConfiguration.class))
      .withUserConfiguration(FixedClock.class)
      .withPropertyValues("usage.tracking.mode=sync");

  @Configuration(proxyBeanMethods = false)
  static class FixedClock {
    @Bean
    Clock clock() {
      return Clock.fixed(Instant.parse("2026-11-28T00:15:00Z"), ZoneOffset.UTC);
    }
  }

  /** What the host's sink was given. */
  static final List<String> NAMES = new CopyOnWriteArrayList<>();

  @Configuration(proxyBeanMethods = false)
  static class OwnSink {
    @Bean
    ReportSink sink() {
      return (name, format, content) -> {
        content.writeTo(java.io.OutputStream.nullOutputStream());
        NAMES.add(name + " " + format.mediaType());
        return true;
      };
    }
  }

  @Test
  void offByDefault() {
    runner.run(ctx -> {
      assertThat(ctx).doesNotHaveBean(UsageReportJob.class);
      assertThat(ctx).doesNotHaveBean("usageReportSchedule");
    });
  }

  @Test
  void reportsYesterdayIntoTheDirectoryOnSchedule() {
    runner.withPropertyValues("usage.reports.enabled=true", "usage.reports.period=day", "usage.reports.format=json",
        "usage.reports.directory=" + dir).run(ctx -> {
          UsageTrackingService t = ctx.getBean(UsageTrackingService.class);
          t.trackUsage(UsageEvent.builder().userId("ada").occurredAt(Instant.parse("2026-11-27T10:00:00Z"))
              .characters(12).build());
          UsageJob schedule = ctx.getBean("usageReportSchedule", UsageJob.class);
          assertThat(schedule.isRunning()).isTrue();
          schedule.runOnce();
          assertThat(dir.resolve("usage-summary-2026-11-27.json")).exists();
          assertThat(Files.readString(dir.resolve("usage-events-2026-11-27.json"))).contains("\"ada\"");
        });
  }

  @Test
  void theHostsSinkWinsOverTheDirectory() {
    runner.withUserConfiguration(OwnSink.class).withPropertyValues("usage.reports.enabled=true",
        "usage.reports.include-events=false", "usage.reports.directory=" + dir).run(ctx -> {
          NAMES.clear();
          ctx.getBean(UsageReportJob.class).runLastPeriod();
          assertThat(NAMES).containsExactly("usage-summary-2026-10.csv text/csv");
          assertThat(dir.toFile().list()).isEmpty();
        });
  }

  @Test
  void badSettingsFailStartUpNamingTheProperty() {
    runner.withPropertyValues("usage.reports.enabled=true", "usage.reports.top-users=5000").run(ctx -> assertThat(ctx)
        .getFailure().rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.reports.top-users"));
    runner.withPropertyValues("usage.reports.enabled=true", "usage.reports.cron=monthly").run(ctx -> assertThat(ctx)
        .getFailure().rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("usage.reports.cron"));
    runner.withPropertyValues("usage.reports.enabled=true", "usage.reports.format=xml").run(ctx -> assertThat(ctx)
        .getFailure().hasStackTraceContaining("usage.reports.format"));
  }
}
