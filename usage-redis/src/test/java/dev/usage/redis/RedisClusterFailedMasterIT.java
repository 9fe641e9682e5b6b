package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.testkit.Storages;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A master that failed after its slots went elsewhere (as after a failover) stays in the Cluster's node table until
 * it is forgotten ({@code CLUSTER FORGET}): the storage's operations over every master pass over it. Made here with
 * a fourth master that never held slots, killed: the other masters flag it {@code fail}.
 */
class RedisClusterFailedMasterIT {

  private final String prefix = "failed-" + UUID.randomUUID().toString().substring(0, 8);
  private RedisClusterProcess cluster;
  private RedisProcess extra;
  private RedisClusterClient client;
  private RedisUsageStorage storage;

  @AfterEach
  void tearDown() {
    if (storage != null) {
      storage.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (extra != null) {
      extra.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aFailedMasterWithoutSlotsLeftInTheNodeTableIsPassedOver() {
    cluster = RedisClusterProcess.start();
    extra = RedisProcess.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
        "--cluster-node-timeout", "2000");
    cluster.node(0).command("CLUSTER", "MEET", RedisProcess.HOST, Integer.toString(extra.port()));
    String at = RedisProcess.HOST + ":" + extra.port() + "@";
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (int i = 0; i < RedisClusterProcess.SIZE; i++) {
        if (!cluster.node(i).command("CLUSTER", "NODES").contains(at)) {
          return false;
        }
      }
      return true;
    });
    extra.kill9();
    // the node timeout (2 s), then the masters agree: "master,fail"
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.node(0).command("CLUSTER", "NODES").lines()
        .anyMatch(l -> l.contains(at) && l.contains("master,fail") && !l.contains("fail?")));

    client = RedisClusterClient.create(cluster.uris());
    client.setOptions(RedisUsageStorage.recommendedClusterOptions());
    // building reads every master's version and memory policy and writes its slot sentinels
    storage = RedisUsageStorage.builder(client).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(2)).build();
    try (UsageEngine engine = UsageEngine.builder().storage(Storages.shared(storage)).trackingMode(TrackingMode.SYNC)
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000)).closeOnShutdown(false).build()) {
      for (int i = 0; i < 10; i++) {
        assertThat(engine.tracking().consumeQuota(Consumption.of("u-" + i, QuotaType.REQUESTS, 1)).allowed())
            .isTrue();
      }
      // scans every master: nothing lost
      assertThat(storage.acceptDataLoss()).isZero();
      assertThat(engine.quotas().resetMonthlyQuotas()).isNotNull();
    }
  }
}
