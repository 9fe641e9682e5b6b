package dev.usage.redis;

import dev.usage.testkit.SharedStoreScenario;
import dev.usage.testkit.StorageFixture;

/** Two JVMs on one 3-master Redis Cluster: 20 exact trials and a storm of new users. */
class RedisClusterSharedStoreIT extends SharedStoreScenario {

  @Override
  protected StorageFixture fixture() {
    return new RedisFixture.Cluster();
  }
}
