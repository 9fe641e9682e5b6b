package dev.usage.spring.autoconfigure;

import dev.usage.QuotaManagementService;
import dev.usage.UsageTrackingService;
import dev.usage.spring.actuate.UsageMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/** Micrometer meters of the engine and the guards ({@link UsageMetrics}), on the host's meter registry. */
@AutoConfiguration(after = UsageAutoConfiguration.class, afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, UsageTrackingService.class})
@ConditionalOnBooleanProperty(name = "usage.enabled", matchIfMissing = true)
@ConditionalOnBean(UsageTrackingService.class)
@ConditionalOnSingleCandidate(MeterRegistry.class)
public class UsageMetricsAutoConfiguration {

  /** The meters; also a guard listener, for denials and tracked calls. */
  @Bean
  @ConditionalOnMissingBean
  public UsageMetrics usageMetrics(MeterRegistry registry, UsageTrackingService tracking,
      QuotaManagementService quotas) {
    return new UsageMetrics(registry, tracking, quotas);
  }
}
