package dev.usage.redis;

import dev.usage.testkit.StorageContracts;
import dev.usage.testkit.StorageFixture;

/** The contract kit with Redis counters (standalone, 127.0.0.1:6379) and the rest in memory. */
class RedisCountersContractsIT extends StorageContracts {

  @Override
  protected StorageFixture fixture() {
    return new CounterOnlyFixture();
  }
}
