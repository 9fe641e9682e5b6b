package dev.usage.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Consumption;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.UsageTrackingService;
import dev.usage.redis.RedisClusterProcess;
import dev.usage.redis.RedisUsageStorage;
import dev.usage.spi.UsageStorage;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The Redis store chosen from the host's {@code RedisClusterClient} bean, on the 3-master Cluster that
 * usage-redis's tests start on loopback ports (shared by the test classes of this JVM, stopped at its exit;
 * skipped without the Redis binaries, failed then under {@code USAGE_IT_REQUIRED=true}).
 */
class RedisClusterStoreIT {

  private static RedisClusterProcess cluster;

  private final String prefix = "it-spring-cluster-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void startCluster() {
    cluster = RedisClusterProcess.shared();
  }

  private ApplicationContextRunner runner(Supplier<ClusterClientOptions> options) {
    return new ApplicationContextRunner().withConfiguration(UsageAutoConfigurationTest.USAGE)
        .withBean("redisClusterClient", RedisClusterClient.class, () -> {
          RedisClusterClient client = RedisClusterClient.create(cluster.uris());
          client.setOptions(options.get());
          return client;
        }, bd -> bd.setDestroyMethodName("shutdown"))
        .withPropertyValues("usage.redis.key-prefix=" + prefix);
  }

  @Test
  void aClusterClientBeanCarriesTheRedisStoreAcrossSlots() {
    runner(RedisUsageStorage::recommendedClusterOptions).run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx).getBean(UsageStorage.class).isInstanceOf(RedisUsageStorage.class);
      UsageTrackingService tracking = ctx.getBean(UsageTrackingService.class);
      // 30 users, spread over the masters by their hash tags
      for (int i = 0; i < 30; i++) {
        assertThat(tracking.consumeQuota(Consumption.builder("user-" + i).characters(100 + i).build()).allowed())
            .isTrue();
      }
      QuotaManagementService quotas = ctx.getBean(QuotaManagementService.class);
      for (int i = 0; i < 30; i++) {
        assertThat(quotas.getQuotaStatus("user-" + i)).filteredOn(s -> s.type().equals(QuotaType.CHARACTERS))
            .extracting(QuotaStatus::used).containsExactly(100L + i);
      }
    });
  }

  @Test
  void aClusterClientThatWouldBufferCommandsWhileDisconnectedIsRefusedAtStartUp() {
    // Lettuce's default options buffer commands while disconnected: a consume sent again after a reconnect
    // could count twice
    runner(() -> ClusterClientOptions.builder().build()).run(ctx -> assertThat(ctx).getFailure().rootCause()
        .hasMessageContaining("disconnectedBehavior").hasMessageContaining("recommendedClusterOptions()"));
  }
}
