package dev.usage.jdbc;

import dev.usage.testkit.StorageContracts;
import dev.usage.testkit.StorageFixture;

/** The contract kit on H2 in memory (no server needed). */
class H2ContractsTest extends StorageContracts {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.H2();
  }
}
