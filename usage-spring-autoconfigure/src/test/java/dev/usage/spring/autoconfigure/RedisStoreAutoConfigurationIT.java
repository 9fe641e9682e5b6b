package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Consumption;
import dev.usage.QuotaManagementService;
import dev.usage.UsageTrackingService;
import dev.usage.redis.RedisUsageStorage;
import dev.usage.spi.UsageStorage;
import dev.usage.testkit.ServerAvailability;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The Redis store chosen from the host's Lettuce client, on the shared Redis at 127.0.0.1:6379 (skipped when
 * it is not reachable, failed under {@code USAGE_IT_REQUIRED=true}). Keys go under a prefix of this test's
 * own, deleted afterwards; the server is never flushed.
 */
class RedisStoreAutoConfigurationIT {

  private static final String SERVER = "Redis at 127.0.0.1:6379";

  private final String prefix = "it-spring-" + UUID.randomUUID();

  @BeforeEach
  void requireRedis() {
    RedisClient probe = RedisClient.create(RedisURI.create("redis://127.0.0.1:6379"));
    try (StatefulRedisConnection<String, String> c = probe.connect()) {
      ServerAvailability.require(SERVER, "PONG".equals(c.sync().ping()), "PING did not answer PONG");
    } catch (RuntimeException e) {
      ServerAvailability.require(SERVER, false, String.valueOf(e.getMessage()));
    } finally {
      probe.shutdown();
    }
  }

  @AfterEach
  void deleteKeys() {
    RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      List<String> keys = c.sync().keys(prefix + "*");
      if (!keys.isEmpty()) {
        c.sync().del(keys.toArray(String[]::new));
      }
    } finally {
      client.shutdown();
    }
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner().withConfiguration(UsageAutoConfigurationTest.USAGE)
        .withBean("redisClient", RedisClient.class, () -> {
          RedisURI uri = RedisURI.create("redis://127.0.0.1:6379");
          uri.setTimeout(Duration.ofSeconds(5));
          RedisClient client = RedisClient.create(uri);
          client.setOptions(RedisUsageStorage.recommendedOptions());
          return client;
        }, bd -> bd.setDestroyMethodName("shutdown"))
        .withPropertyValues("usage.redis.key-prefix=" + prefix);
  }

  @Test
  void redisStoreFromTheHostsClientBeanAheadOfADataSource() {
    runner().withUserConfiguration(UsageAutoConfigurationTest.H2.class).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx).getBean(UsageStorage.class).isInstanceOf(RedisUsageStorage.class);
      UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
      assertThat(tracking.consumeQuota(Consumption.builder("alice").characters(700).build()).allowed()).isTrue();
      assertThat(ctx.getBean(QuotaManagementService.class).getQuotaStatus("alice"))
          .anySatisfy(s -> assertThat(s.used()).isEqualTo(700));
    });
  }

  @Test
  void explicitJdbcStoreWinsOverTheRedisClient() {
    runner().withUserConfiguration(UsageAutoConfigurationTest.H2.class).withPropertyValues("usage.store=jdbc")
        .run(ctx -> assertThat(ctx).getBean(UsageStorage.class).isNotInstanceOf(RedisUsageStorage.class));
  }

  @Test
  void badKeyPrefixFailsNamingTheProperty() {
    runner().withPropertyValues("usage.redis.key-prefix=has space").run(ctx -> assertThat(ctx).getFailure()
        .rootCause().hasMessageContaining("usage.redis.key-prefix"));
  }
}
