package dev.usage.spring.autoconfigure;

import dev.usage.InvalidUsageException;
import dev.usage.UsageEngine;
import dev.usage.redis.RedisUsageStorage;
import dev.usage.spi.UsageStorage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
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

/**
 * The Redis store over the host's Lettuce {@link RedisClient} or {@link RedisClusterClient} bean: chosen by
 * {@code usage.store=redis}, or first by {@code auto}. The client must reject commands while disconnected
 * ({@link RedisUsageStorage#recommendedOptions()}); the storage's builder refuses one that buffers. Because
 * the storage bean is made from the client bean, Spring destroys the engine before it shuts the client down.
 */
@AutoConfiguration(before = {UsageAutoConfiguration.class, UsageJdbcStoreAutoConfiguration.class},
    afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({RedisUsageStorage.class, RedisClient.class})
@ConditionalOnBooleanProperty(name = "usage.enabled", matchIfMissing = true)
@ConditionalOnUsageStore(UsageProperties.Store.REDIS)
@EnableConfigurationProperties(UsageProperties.class)
@Import({UsageRedisStoreAutoConfiguration.Standalone.class, UsageRedisStoreAutoConfiguration.Cluster.class})
public class UsageRedisStoreAutoConfiguration {

  /** Over a standalone (or Sentinel-managed) Redis. */
  @Configuration(proxyBeanMethods = false)
  static class Standalone {

    /** The engine closes its storage; Spring must not close it a second time. None when the host has its own engine. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean({UsageStorage.class, UsageEngine.class})
    @ConditionalOnSingleCandidate(RedisClient.class)
    RedisUsageStorage usageStorage(RedisClient client, UsageProperties properties) {
      return build(RedisUsageStorage.builder(client), properties.getRedis());
    }
  }

  /** Over a Redis Cluster. */
  @Configuration(proxyBeanMethods = false)
  static class Cluster {

    /** The engine closes its storage; Spring must not close it a second time. None when the host has its own engine. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean({UsageStorage.class, UsageEngine.class})
    @ConditionalOnSingleCandidate(RedisClusterClient.class)
    RedisUsageStorage usageStorage(RedisClusterClient client, UsageProperties properties) {
      return build(RedisUsageStorage.builder(client), properties.getRedis());
    }
  }

  private static RedisUsageStorage build(RedisUsageStorage.Builder builder, UsageProperties.Redis redis) {
    try {
      return builder.keyPrefix(redis.getKeyPrefix()).commandTimeout(redis.getCommandTimeout()).build();
    } catch (InvalidUsageException e) {
      String property = switch (e.field()) {
        case "keyPrefix" -> "usage.redis.key-prefix";
        case "commandTimeout" -> "usage.redis.command-timeout";
        default -> "usage.redis";
      };
      throw new InvalidConfigurationPropertyValueException(property, null, e.getMessage());
    }
  }
}
