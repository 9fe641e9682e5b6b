package dev.usage.redis;

import dev.usage.testkit.StorageContracts;
import dev.usage.testkit.StorageFixture;

/** The contract kit on {@link RedisUsageStorage} over a 3-master Redis Cluster the tests start on loopback. */
class RedisClusterContractsIT extends StorageContracts {

  @Override
  protected StorageFixture fixture() {
    return new RedisFixture.Cluster();
  }
}
