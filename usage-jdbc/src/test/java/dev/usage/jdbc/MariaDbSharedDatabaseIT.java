package dev.usage.jdbc;

import dev.usage.testkit.SharedStoreScenario;
import dev.usage.testkit.StorageFixture;

/** Two JVMs on one MariaDB, at its default REPEATABLE READ. */
class MariaDbSharedDatabaseIT extends SharedStoreScenario {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.MariaDb();
  }
}
