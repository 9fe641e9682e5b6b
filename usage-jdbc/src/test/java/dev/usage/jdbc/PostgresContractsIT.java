package dev.usage.jdbc;

import dev.usage.testkit.StorageContracts;
import dev.usage.testkit.StorageFixture;

/** The contract kit on PostgreSQL on loopback. */
class PostgresContractsIT extends StorageContracts {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.Postgres();
  }
}
