package dev.usage.spring.autoconfigure;

import dev.usage.UsageEngine;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.UsageStorage;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The in-memory store: chosen by {@code usage.store=memory}, or by {@code auto} when neither a Redis client
 * nor a DataSource gave a store. Counters live in this process only and are lost on restart.
 */
@AutoConfiguration(before = UsageAutoConfiguration.class,
    after = {UsageRedisStoreAutoConfiguration.class, UsageJdbcStoreAutoConfiguration.class})
@ConditionalOnClass(UsageStorage.class)
@ConditionalOnBooleanProperty(name = "usage.enabled", matchIfMissing = true)
@ConditionalOnUsageStore(UsageProperties.Store.MEMORY)
public class UsageMemoryStoreAutoConfiguration {

  /** The engine closes its storage; Spring must not close it a second time. None when the host has its own engine. */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean({UsageStorage.class, UsageEngine.class})
  public InMemoryUsageStorage usageStorage() {
    return InMemoryUsageStorage.create();
  }
}
