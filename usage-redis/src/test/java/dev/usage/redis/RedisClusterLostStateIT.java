package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.Consumption;
import dev.usage.Quota;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageStorageException;
import dev.usage.testkit.Storages;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Counters evicted on every master of the shared Cluster: refused, then forgiven by acceptDataLoss, once. */
class RedisClusterLostStateIT {

  private final String prefix = "lost-" + UUID.randomUUID().toString().substring(0, 8);
  private RedisClusterClient client;
  private RedisUsageStorage storage;
  private UsageEngine engine;

  @AfterEach
  void tearDown() {
    if (engine != null) {
      engine.close();
    }
    if (storage != null) {
      storage.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    RedisFixture.deleteEverywhere(prefix);
  }

  @Test
  void lostCountersOnEveryMasterAreRefusedUntilTheLossIsAcceptedAndALaterLossIsRefusedAgain() {
    client = RedisClusterClient.create(RedisFixture.uris());
    client.setOptions(RedisUsageStorage.recommendedClusterOptions());
    storage = RedisUsageStorage.builder(client).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(2)).build();
    engine = UsageEngine.builder().storage(Storages.shared(storage)).trackingMode(TrackingMode.SYNC)
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, 1_000)).closeOnShutdown(false).build();
    RedisKeys keys = new RedisKeys(prefix);
    List<String> users = new ArrayList<>();
    Set<String> masters = new HashSet<>();
    try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
      for (int i = 0; i < 30; i++) {
        String user = "u-" + i + "-" + UUID.randomUUID();
        users.add(user);
        engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 5));
        String counter = counterOf(c, keys, user);
        masters.add(c.getPartitions().getPartitionBySlot(SlotHash.getSlot(counter)).getNodeId());
        assertThat(c.sync().del(counter)).isOne(); // as an eviction would
      }
      assertThat(masters).as("the users' counters were on every master").hasSize(RedisClusterProcess.SIZE);

      for (String user : users) {
        assertThatThrownBy(() -> engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)))
            .isInstanceOf(UsageStorageException.class).hasMessageContaining("gone");
      }
      assertThat(storage.acceptDataLoss()).isEqualTo(users.size());
      for (String user : users) {
        assertThat(engine.tracking().consumeQuota(Consumption.of(user, QuotaType.REQUESTS, 1)).allowed()).isTrue();
        assertThat(used(user)).isEqualTo(1);
      }

      String again = users.get(0);
      assertThat(c.sync().del(counterOf(c, keys, again))).isOne();
      assertThatThrownBy(() -> engine.tracking().consumeQuota(Consumption.of(again, QuotaType.REQUESTS, 1)))
          .isInstanceOf(UsageStorageException.class).hasMessageContaining("gone");
    }
  }

  /** The user's one counter hash (a user's keys share a slot: one node holds them all). */
  private static String counterOf(StatefulRedisClusterConnection<String, String> c, RedisKeys keys, String user) {
    String pattern = keys.user(user) + "c:*";
    List<String> found = new ArrayList<>();
    for (var node : c.sync().upstream().asMap().values()) {
      found.addAll(node.keys(pattern));
    }
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private long used(String user) {
    return engine.quotas().getQuotaStatus(user).stream().filter(s -> s.type().equals(QuotaType.REQUESTS))
        .findFirst().map(QuotaStatus::used).orElseThrow();
  }
}
