package dev.usage.spring.autoconfigure;

import dev.usage.redis.RedisUsageStorage;
import dev.usage.testkit.ServerAvailability;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The Redis on 127.0.0.1:6379 for this module's ITs: the availability check (skip, or fail under
 * {@code USAGE_IT_REQUIRED=true}), a host's client bean as Spring Boot would make it, and the clean-up of a
 * test's own key prefix (the shared server is never flushed).
 */
final class LocalRedis {

  static final String URI = "redis://127.0.0.1:6379";
  private static final String SERVER = "Redis at 127.0.0.1:6379";

  private LocalRedis() {}

  /** Skips the test (fails it under {@code USAGE_IT_REQUIRED=true}) unless the server answers PING. */
  static void require() {
    RedisClient probe = RedisClient.create(RedisURI.create(URI));
    try (StatefulRedisConnection<String, String> c = probe.connect()) {
      ServerAvailability.require(SERVER, "PONG".equals(c.sync().ping()), "PING did not answer PONG");
    } catch (RuntimeException e) {
      ServerAvailability.require(SERVER, false, String.valueOf(e.getMessage()));
    } finally {
      probe.shutdown();
    }
  }

  /** {@code runner} with a host's {@code redisClient} bean (the storage's recommended options), shut down with the context. */
  static ApplicationContextRunner withClientBean(ApplicationContextRunner runner) {
    Consumer<BeanDefinition> shutdown = bd -> bd.setDestroyMethodName("shutdown");
    return runner.withBean("redisClient", RedisClient.class, () -> {
      RedisURI uri = RedisURI.create(URI);
      uri.setTimeout(Duration.ofSeconds(5));
      RedisClient client = RedisClient.create(uri);
      client.setOptions(RedisUsageStorage.recommendedOptions());
      return client;
    }, shutdown::accept);
  }

  /** Deletes every key that starts with {@code prefix}. */
  static void deleteKeys(String prefix) {
    RedisClient client = RedisClient.create(URI);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      List<String> keys = c.sync().keys(prefix + "*");
      if (!keys.isEmpty()) {
        c.sync().del(keys.toArray(String[]::new));
      }
    } finally {
      client.shutdown();
    }
  }
}
