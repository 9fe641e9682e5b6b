package dev.usage.redis;

import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.StorageCapability;
import dev.usage.spi.UsageStorage;
import dev.usage.testkit.ServerAvailability;
import dev.usage.testkit.StorageFixture;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** Redis counters on 127.0.0.1:6379 under the fixed prefix {@code usage-it-counters}; the rest in memory. */
public class CounterOnlyFixture implements StorageFixture {

  private RedisClient client;
  private RedisConnector connector;

  @Override
  public UsageStorage open() {
    client = RedisClient.create(RedisURI.create("redis://127.0.0.1:6379"));
    client.setOptions(ClientOptions.builder().disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    try {
      connector = RedisConnector.standalone(client, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      ServerAvailability.require("Redis at 127.0.0.1:6379", false, e.getMessage());
    }
    connector.sync();
    RedisKeys keys = new RedisKeys("usage-it-counters");
    new RedisSentinels(connector, keys).ensure();
    RedisCounterStore counters = new RedisCounterStore(connector, keys, Optional.empty(), false);
    InMemoryUsageStorage memory = InMemoryUsageStorage.create();
    return UsageStorage.composite(counters, memory.events(), memory.userQuotas(), memory.history(),
        Set.of(StorageCapability.SHARED_ACROSS_PROCESSES));
  }

  @Override
  public void close() {
    if (connector != null) {
      connector.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
