package dev.usage.spring.autoconfigure;

import dev.usage.AnalyticsService;
import dev.usage.Pricing;
import dev.usage.QuotaManagementService;
import dev.usage.UsageEngine;
import dev.usage.UsageListener;
import dev.usage.UsageTrackingService;
import dev.usage.spi.UsageStorage;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * The usage engine and its services, over the {@link UsageStorage} bean that a store auto-configuration
 * (Redis, JDBC, memory) or the host provides. Every bean backs off when the host defines one of its type.
 *
 * <p>The engine is closed with the context: it stops accepting events and writes everything buffered. It
 * depends on the storage bean, which depends on the host's DataSource or Redis client, so Spring destroys
 * the engine first and the events reach the store before its connections close.
 */
@AutoConfiguration
@ConditionalOnClass(UsageEngine.class)
@ConditionalOnBooleanProperty(name = "usage.enabled", matchIfMissing = true)
@EnableConfigurationProperties(UsageProperties.class)
@Import(UsageUserIdsCheck.class)
public class UsageAutoConfiguration {

  /**
   * The engine, built from {@code usage.*}, the host's {@link Clock} bean when it has exactly one (else the
   * system clock in UTC), and then every {@link UsageEngineBuilderCustomizer}.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public UsageEngine usageEngine(UsageProperties properties, ObjectProvider<UsageStorage> storage,
      ObjectProvider<Clock> clock, ObjectProvider<UsageEngineBuilderCustomizer> customizers) {
    UsageStorage store = storage.getIfUnique(() -> {
      throw new InvalidConfigurationPropertyValueException("usage.store", properties.getStore(),
          "no storage could be made: " + switch (properties.getStore()) {
            case JDBC -> "the jdbc store needs usage-jdbc on the class path and exactly one DataSource bean";
            case REDIS -> "the redis store needs usage-redis on the class path and exactly one Lettuce "
                + "RedisClient or RedisClusterClient bean";
            default -> "there is no UsageStorage bean, or there are several";
          });
    });
    UsageEngine.Builder builder = UsagePropertiesMapper.apply(properties, UsageEngine.builder().storage(store));
    clock.ifUnique(builder::clock);
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return UsagePropertiesMapper.build(builder, properties);
  }

  /** Tracking, checking and consuming. */
  @Bean
  @ConditionalOnMissingBean
  public UsageTrackingService usageTrackingService(UsageEngine engine) {
    return engine.tracking();
  }

  /** Quota settings and the throwing enforcement call. */
  @Bean
  @ConditionalOnMissingBean
  public QuotaManagementService quotaManagementService(UsageEngine engine) {
    return engine.quotas();
  }

  /** Reports over the event log. */
  @Bean
  @ConditionalOnMissingBean
  public AnalyticsService usageAnalyticsService(UsageEngine engine) {
    return engine.analytics();
  }

  /** Applies {@code usage.users.*} to the store once the context is ready. */
  @Bean
  @ConditionalOnMissingBean
  public UsageUserSettingsInitializer usageUserSettingsInitializer(UsageEngine engine, UsageProperties properties,
      Environment environment) {
    return new UsageUserSettingsInitializer(engine.quotas(), properties, environment);
  }

  /** Registers the context's {@link dev.usage.UsageListener} beans with the engine. */
  @Bean
  @ConditionalOnMissingBean
  public UsageListenerRegistrar usageListenerRegistrar(UsageEngine engine, ObjectProvider<UsageListener> listeners) {
    return new UsageListenerRegistrar(engine, listeners);
  }

  /** Prices for {@link AnalyticsService#revenue}, from {@code usage.pricing.*}, when a currency is set. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(name = "usage.pricing.currency")
  public Pricing usagePricing(UsageProperties properties) {
    return UsagePropertiesMapper.pricing(properties.getPricing());
  }
}
