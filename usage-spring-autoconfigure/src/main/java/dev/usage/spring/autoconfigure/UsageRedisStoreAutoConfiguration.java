package dev.usage.spring.autoconfigure;

import dev.usage.InvalidUsageException;
import dev.usage.UsageEngine;
import dev.usage.redis.RedisUsageStorage;
import dev.usage.spi.UsageStorage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * The Redis store over the host's Lettuce {@link RedisClient} or {@link RedisClusterClient} bean: chosen by
 * {@code usage.store=redis}, or first by {@code auto}. The client must reject commands while disconnected
 * ({@link RedisUsageStorage#recommendedOptions()}); the storage's builder refuses one that buffers. Because
 * the storage bean is made from the client bean, Spring destroys the engine before it shuts the client down.
 *
 * <p>With {@code usage.redis.durable-store=jdbc} the store is the recommended production shape: Redis for
 * the hot path (counters, reservations, idempotency keys), and the host's DataSource (usage-jdbc; tables per
 * {@code usage.jdbc.initialize-schema}) for the event log, the closed periods and, with
 * {@code usage.redis.durable-settings=true}, users' settings with their audit trail; counters Redis lost are
 * rebuilt from the SQL event log. The SQL part is the {@link RedisDurableStorage} bean, made from the
 * DataSource bean and destroyed after the engine.
 */
@AutoConfiguration(before = {UsageAutoConfiguration.class, UsageJdbcStoreAutoConfiguration.class},
    afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({RedisUsageStorage.class, RedisClient.class})
@ConditionalOnBooleanProperty(name = "usage.enabled", matchIfMissing = true)
@ConditionalOnUsageStore(UsageProperties.Store.REDIS)
@EnableConfigurationProperties(UsageProperties.class)
@Import({UsageUserIdsCheck.class, UsageRedisStoreAutoConfiguration.Standalone.class,
    UsageRedisStoreAutoConfiguration.Cluster.class})
public class UsageRedisStoreAutoConfiguration {

  /** Checked by name: this class must load without usage-jdbc. */
  private static final String JDBC_STORAGE = "dev.usage.jdbc.JdbcUsageStorage";

  /** Over a standalone (or Sentinel-managed) Redis. */
  @Configuration(proxyBeanMethods = false)
  static class Standalone {

    /** The engine closes its storage; Spring must not close it a second time. None when the host has its own engine. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean({UsageStorage.class, UsageEngine.class})
    @ConditionalOnSingleCandidate(RedisClient.class)
    RedisUsageStorage usageStorage(RedisClient client, UsageProperties properties, RedisDurableStorage durable) {
      return build(RedisUsageStorage.builder(client), properties.getRedis(), durable);
    }
  }

  /** Over a Redis Cluster. */
  @Configuration(proxyBeanMethods = false)
  static class Cluster {

    /** The engine closes its storage; Spring must not close it a second time. None when the host has its own engine. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean({UsageStorage.class, UsageEngine.class})
    @ConditionalOnSingleCandidate(RedisClusterClient.class)
    RedisUsageStorage usageStorage(RedisClusterClient client, UsageProperties properties, RedisDurableStorage durable) {
      return build(RedisUsageStorage.builder(client), properties.getRedis(), durable);
    }
  }

  /**
   * The stores beside Redis's counters ({@code usage.redis.durable-store}); made only when a Redis store is,
   * so a host with its own storage or engine needs no DataSource for it.
   */
  @Bean(destroyMethod = "close")
  @Lazy
  @ConditionalOnMissingBean
  RedisDurableStorage usageRedisDurableStorage(UsageProperties properties, ObjectProvider<DataSource> dataSources,
      ResourceLoader resources) {
    UsageProperties.Redis redis = properties.getRedis();
    if (redis.getDurableStore() == UsageProperties.DurableStore.NONE) {
      if (redis.isDurableSettings()) {
        throw new InvalidConfigurationPropertyValueException("usage.redis.durable-settings", true,
            "needs a durable store to keep the settings in (usage.redis.durable-store=jdbc)");
      }
      return RedisDurableStorage.none();
    }
    String property = "usage.redis.durable-store";
    if (!ClassUtils.isPresent(JDBC_STORAGE, resources.getClassLoader())) {
      throw new InvalidConfigurationPropertyValueException(property, redis.getDurableStore(),
          "the jdbc durable store needs usage-jdbc on the class path");
    }
    DataSource dataSource = dataSources.getIfUnique(() -> {
      throw new InvalidConfigurationPropertyValueException(property, redis.getDurableStore(),
          "the jdbc durable store needs exactly one DataSource bean");
    });
    return RedisDurableStorage.of(UsageJdbcStoreAutoConfiguration.durableStorage(dataSource, properties.getJdbc()),
        redis.isDurableSettings());
  }

  private static RedisUsageStorage build(RedisUsageStorage.Builder builder, UsageProperties.Redis redis,
      RedisDurableStorage durable) {
    durable.storage().ifPresent(sql -> {
      builder.events(sql.events()).history(sql.history()).reseedFrom(sql.events());
      if (durable.settings()) {
        builder.userQuotas(sql.userQuotas());
      }
    });
    try {
      return builder.keyPrefix(redis.getKeyPrefix()).commandTimeout(redis.getCommandTimeout())
          .liveFeedLength(redis.getLiveFeedLength()).publishQuotaChanges(redis.isPublishQuotaChanges()).build();
    } catch (InvalidUsageException e) {
      Map.Entry<String, Object> property = switch (e.field()) {
        case "keyPrefix" -> Map.entry("usage.redis.key-prefix", String.valueOf(redis.getKeyPrefix()));
        case "commandTimeout" -> Map.entry("usage.redis.command-timeout", String.valueOf(redis.getCommandTimeout()));
        case "liveFeedLength" -> Map.entry("usage.redis.live-feed-length", redis.getLiveFeedLength());
        case "publishQuotaChanges" -> Map.entry("usage.redis.publish-quota-changes", redis.isPublishQuotaChanges());
        default -> null;
      };
      if (property == null) {
        // not a property's fault: the host's client bean (its options, or the server it reaches)
        throw new IllegalStateException("The Redis client bean cannot carry the usage store: " + e.getMessage(), e);
      }
      throw new InvalidConfigurationPropertyValueException(property.getKey(), property.getValue(), e.getMessage());
    }
  }
}
