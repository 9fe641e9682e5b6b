package dev.usage.redis;

import dev.usage.testkit.SharedStoreScenario;
import dev.usage.testkit.StorageFixture;

/** Two JVMs on one standalone Redis: 20 exact trials and a storm of new users. */
class RedisSharedStoreIT extends SharedStoreScenario {

  @Override
  protected StorageFixture fixture() {
    return new RedisFixture.Standalone();
  }
}
