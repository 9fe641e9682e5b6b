package dev.usage.jdbc;

import dev.usage.testkit.StorageContracts;
import dev.usage.testkit.StorageFixture;

/** The contract kit on MariaDB on loopback, at its default REPEATABLE READ. */
class MariaDbContractsIT extends StorageContracts {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.MariaDb();
  }

  /** A schema of its own, emptied first: the shared one holds every earlier run's events. */
  @Override
  protected StorageFixture wholeStoreFixture() {
    return JdbcFixture.over(() -> TestDatabases.freshMariadb(24, "_invalid"));
  }
}
