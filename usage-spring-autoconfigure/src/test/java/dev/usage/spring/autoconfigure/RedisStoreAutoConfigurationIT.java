package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Consumption;
import dev.usage.QuotaManagementService;
import dev.usage.UsageTrackingService;
import dev.usage.redis.RedisUsageStorage;
import dev.usage.spi.UsageStorage;
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

  private final String prefix = "it-spring-" + UUID.randomUUID();

  @BeforeEach
  void requireRedis() {
    LocalRedis.require();
  }

  @AfterEach
  void deleteKeys() {
    LocalRedis.deleteKeys(prefix);
  }

  private ApplicationContextRunner runner() {
    return LocalRedis.withClientBean(new ApplicationContextRunner().withConfiguration(UsageAutoConfigurationTest.USAGE))
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
