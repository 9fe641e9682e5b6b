package dev.usage.redis;

import dev.usage.testkit.StorageContracts;
import dev.usage.testkit.StorageFixture;

/** The contract kit on {@link RedisUsageStorage} over the shared standalone Redis on loopback. */
class RedisContractsIT extends StorageContracts {

  @Override
  protected StorageFixture fixture() {
    return new RedisFixture.Standalone();
  }
}
