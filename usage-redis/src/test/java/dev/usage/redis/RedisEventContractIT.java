package dev.usage.redis;

import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.UsageStorage;
import dev.usage.testkit.EventContract;
import dev.usage.testkit.StorageFixture;
import java.util.Set;

/**
 * The contract kit's event log contract on the Redis event store (the other parts of the storage are the
 * in-memory ones).
 */
class RedisEventContractIT extends EventContract {

  @Override
  protected StorageFixture fixture() {
    return new StorageFixture() {
      private TestRedis redis;

      @Override
      public UsageStorage open() {
        redis = TestRedis.open();
        InMemoryUsageStorage memory = InMemoryUsageStorage.create();
        return UsageStorage.composite(memory.counters(),
            new RedisEventStore(redis.connector, redis.keys, RedisEventStore.DEFAULT_RETENTION), memory.userQuotas(),
            memory.history(), Set.of());
      }

      @Override
      public void close() {
        if (redis != null) {
          redis.close();
        }
      }
    };
  }
}
