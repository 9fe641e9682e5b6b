package dev.usage.spring.autoconfigure;

import dev.usage.UsageEngine;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.UsageStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

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

  private static final Logger log = LoggerFactory.getLogger(UsageMemoryStoreAutoConfiguration.class);

  /** Spring Data Redis's connection factory, named: Spring Data Redis need not be on the class path. */
  private static final String SPRING_DATA_REDIS = "org.springframework.data.redis.connection.RedisConnectionFactory";

  /**
   * The engine closes its storage; Spring must not close it a second time. None when the host has its own engine.
   * When {@code usage.store=auto} comes to it although the host looks as if it meant Redis ({@code usage.redis.*}
   * set, or a Spring Data Redis connection factory but no Lettuce client bean), a warning says so: quotas kept in
   * each process alone are not shared by the host's instances.
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean({UsageStorage.class, UsageEngine.class})
  public InMemoryUsageStorage usageStorage(Environment environment, ListableBeanFactory beans) {
    Binder binder = Binder.get(environment);
    if (binder.bind("usage.store", UsageProperties.Store.class).orElse(UsageProperties.Store.AUTO)
        == UsageProperties.Store.AUTO) {
      String hint = null;
      ClassLoader loader = loader(beans);
      if (binder.bind("usage.redis", Bindable.mapOf(String.class, Object.class)).isBound()) {
        hint = "usage.redis.* is set";
      } else if (ClassUtils.isPresent(SPRING_DATA_REDIS, loader)
          && beans.getBeanNamesForType(ClassUtils.resolveClassName(SPRING_DATA_REDIS, loader), true, false)
          .length > 0) {
        hint = "the application has a Spring Data Redis connection factory";
      }
      if (hint != null) {
        log.warn("usage.store=auto chose the in-memory store: quotas are kept in this process only, not shared with"
            + " other instances, and lost on restart. {}, but the Redis store needs a Lettuce RedisClient or"
            + " RedisClusterClient bean (with RedisUsageStorage.recommendedOptions(), or recommendedClusterOptions()"
            + " for a Cluster). Define one, or set"
            + " usage.store=memory to keep the in-memory store without this warning", hint);
      }
    }
    return InMemoryUsageStorage.create();
  }

  /** The application's class loader, as the bean factory knows it. */
  private static ClassLoader loader(ListableBeanFactory beans) {
    return beans instanceof ConfigurableBeanFactory c && c.getBeanClassLoader() != null ? c.getBeanClassLoader()
        : UsageMemoryStoreAutoConfiguration.class.getClassLoader();
  }
}
