package dev.usage.redis;

import dev.usage.testkit.StorageContracts;
import dev.usage.testkit.StorageFixture;

/** The contract kit on the production shape: Redis for the hot path, PostgreSQL for events and history. */
class RedisWithPostgresContractsIT extends StorageContracts {

  @Override
  protected StorageFixture fixture() {
    return new RedisFixture.WithPostgres();
  }
}
