package dev.usage.jdbc;

import dev.usage.testkit.StorageContracts;
import dev.usage.testkit.StorageFixture;

/** The contract kit on PostgreSQL on loopback. */
class PostgresContractsIT extends StorageContracts {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.Postgres();
  }

  /** A schema of its own, emptied first: the shared one holds every earlier run's events. */
  @Override
  protected StorageFixture wholeStoreFixture() {
    return JdbcFixture.over(() -> TestDatabases.freshPostgres(24, "_invalid"));
  }
}
