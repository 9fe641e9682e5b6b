package dev.usage.example;

import dev.usage.redis.RedisUsageStorage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * The {@code redis} profile's Lettuce client, from {@code example.redis.uri}: the usage engine's
 * auto-configuration finds it and keeps counters, reservations and idempotency keys on Redis (with
 * {@code usage.redis.durable-store=jdbc}, history stays in PostgreSQL). The client rejects commands while
 * disconnected, as the store requires: a command replayed after a reconnect could count a request twice.
 */
@Configuration(proxyBeanMethods = false)
@Profile("redis")
public class RedisConfiguration {

  @Bean(destroyMethod = "shutdown")
  RedisClient redisClient(@Value("${example.redis.uri}") String uri) {
    RedisClient client = RedisClient.create(RedisURI.create(uri));
    client.setOptions(RedisUsageStorage.recommendedOptions());
    return client;
  }
}
