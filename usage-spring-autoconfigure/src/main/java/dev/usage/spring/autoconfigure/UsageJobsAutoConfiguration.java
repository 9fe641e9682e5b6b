package dev.usage.spring.autoconfigure;

import dev.usage.AnalyticsService;
import dev.usage.FileReportSink;
import dev.usage.QuotaManagementService;
import dev.usage.ReportSink;
import dev.usage.UsageReportJob;
import dev.usage.jdbc.JdbcUsageStorage;
import dev.usage.spi.UsageStorage;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/**
 * The periodic jobs: the reset job ({@code usage.jobs.reset-cron}), which closes finished periods into the
 * history, and with the JDBC store (or a Redis store whose event log is in SQL, {@code usage.redis.durable-store=jdbc})
 * the rollup of new events into {@code usage_aggregations} ({@code usage.jobs.aggregation-cron}); the hourly
 * unusual-usage check ({@code usage.jobs.unusual-usage-cron}); with {@code usage.reports.enabled}, the report of
 * each finished period ({@code usage.reports.*}). Off with
 * {@code usage.jobs.enabled=false}.
 */
@AutoConfiguration(after = UsageAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = {"usage.enabled", "usage.jobs.enabled"}, matchIfMissing = true)
@ConditionalOnBean(QuotaManagementService.class)
public class UsageJobsAutoConfiguration {

  private static final Logger log = LoggerFactory.getLogger(UsageJobsAutoConfiguration.class);

  /** The reset job. */
  @Bean
  @ConditionalOnMissingBean(name = "usageResetJob")
  public UsageJob usageResetJob(QuotaManagementService quotas, UsageProperties p, ObjectProvider<TaskScheduler> scheduler) {
    return new UsageJob("reset", "usage.jobs.reset-cron", p.getJobs().getResetCron(), p.getTimeZone(),
        quotas::resetMonthlyQuotas, scheduler);
  }

  /**
   * The unusual-usage job: examines the last whole hour and tells the engine's listeners. Idle (with a note
   * in the log) when the store keeps no analysable event log (Redis without a durable store).
   */
  @Bean
  @ConditionalOnMissingBean(name = "usageUnusualUsageJob")
  public UsageJob usageUnusualUsageJob(AnalyticsService analytics, ObjectProvider<UsageStorage> storages,
      UsageProperties p, ObjectProvider<TaskScheduler> scheduler) {
    Runnable job = analytics::detectUnusualUsage;
    UsageStorage storage = storages.getIfUnique();
    if (storage != null && storage.events().analytics().isEmpty()) {
      log.info("The usage store {} keeps no analysable event log; the unusual-usage job stays idle",
          storage.getClass().getSimpleName());
      job = () -> { };
    }
    return new UsageJob("unusual-usage", "usage.jobs.unusual-usage-cron", p.getJobs().getUnusualUsageCron(),
        p.getTimeZone(), job, scheduler);
  }

  /** The report job's renderer, from {@code usage.reports.*}, to the context's ReportSink or the directory. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "usage.reports.enabled")
  public UsageReportJob usageReportJob(AnalyticsService analytics, UsageProperties p, ObjectProvider<ReportSink> sinks,
      ObjectProvider<Clock> clock) {
    UsageProperties.Reports r = p.getReports();
    ReportSink sink = sinks.getIfUnique(() -> new FileReportSink(r.getDirectory()));
    UsageReportJob.Builder b = UsageReportJob.builder(analytics, sink).period(r.getPeriod()).format(r.getFormat())
        .zone(p.getTimeZone()).includeEvents(r.isIncludeEvents())
        .clock(clock.getIfUnique(Clock::systemUTC));
    UsagePropertiesMapper.named("usage.reports.top-users", r.getTopUsers(), () -> b.topUsers(r.getTopUsers()));
    return b.build();
  }

  /** The report job, scheduled. */
  @Bean
  @ConditionalOnMissingBean(name = "usageReportSchedule")
  @ConditionalOnBooleanProperty(name = "usage.reports.enabled")
  public UsageJob usageReportSchedule(UsageReportJob reports, UsageProperties p, ObjectProvider<TaskScheduler> scheduler) {
    return new UsageJob("report", "usage.reports.cron", p.getReports().getCron(), p.getTimeZone(),
        reports::runLastPeriod, scheduler);
  }

  /** The rollup job of the JDBC store. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(JdbcUsageStorage.class)
  @ConditionalOnBean(JdbcUsageStorage.class)
  static class Aggregation {

    @Bean
    @ConditionalOnMissingBean(name = "usageAggregationJob")
    UsageJob usageAggregationJob(JdbcUsageStorage storage, UsageProperties p, ObjectProvider<TaskScheduler> scheduler) {
      return new UsageJob("aggregation", "usage.jobs.aggregation-cron", p.getJobs().getAggregationCron(),
          p.getTimeZone(), () -> storage.aggregations().aggregatePending(), scheduler);
    }
  }

  /** The rollup job of the SQL event log beside a Redis store. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"dev.usage.jdbc.JdbcUsageStorage", "dev.usage.redis.RedisUsageStorage"})
  @ConditionalOnProperty(name = "usage.redis.durable-store", havingValue = "jdbc")
  @ConditionalOnBean(type = "dev.usage.redis.RedisUsageStorage")
  static class DurableAggregation {

    @Bean
    @ConditionalOnMissingBean(name = "usageAggregationJob")
    UsageJob usageAggregationJob(RedisDurableStorage durable, UsageProperties p, ObjectProvider<TaskScheduler> scheduler) {
      // a host's own RedisDurableStorage may hold another kind of storage: nothing to roll up then
      Runnable job = durable.storage().filter(JdbcUsageStorage.class::isInstance).map(JdbcUsageStorage.class::cast)
          .<Runnable>map(s -> () -> s.aggregations().aggregatePending()).orElse(() -> { });
      return new UsageJob("aggregation", "usage.jobs.aggregation-cron", p.getJobs().getAggregationCron(),
          p.getTimeZone(), job, scheduler);
    }
  }
}
