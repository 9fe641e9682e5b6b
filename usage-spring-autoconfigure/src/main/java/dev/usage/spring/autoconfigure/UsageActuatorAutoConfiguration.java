package dev.usage.spring.autoconfigure;

import dev.usage.QuotaManagementService;
import dev.usage.UsageTrackingService;
import dev.usage.spring.actuate.UsageEndpoint;
import dev.usage.spring.actuate.UsageStoreHealthIndicator;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The {@code usage} actuator endpoint (when available: {@code management.endpoints.web.exposure.include})
 * and the {@code usage} health indicator of the store ({@code management.health.usage.enabled}).
 */
@AutoConfiguration(after = UsageAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "usage.enabled", matchIfMissing = true)
@ConditionalOnBean(UsageTrackingService.class)
@Import({UsageActuatorAutoConfiguration.EndpointConfiguration.class,
    UsageActuatorAutoConfiguration.HealthConfiguration.class})
public class UsageActuatorAutoConfiguration {

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
  static class EndpointConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(UsageEndpoint.class)
    UsageEndpoint usageEndpoint(UsageTrackingService tracking, UsageProperties properties, ObjectProvider<Clock> clock) {
      return new UsageEndpoint(tracking, clock.getIfUnique(Clock::systemUTC), properties.getTimeZone());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
  static class HealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "usageHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("usage")
    UsageStoreHealthIndicator usageHealthIndicator(QuotaManagementService quotas, UsageTrackingService tracking) {
      return new UsageStoreHealthIndicator(quotas, tracking);
    }
  }
}
