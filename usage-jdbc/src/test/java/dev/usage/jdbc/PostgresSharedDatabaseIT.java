package dev.usage.jdbc;

import dev.usage.testkit.SharedStoreScenario;
import dev.usage.testkit.StorageFixture;

/** Two JVMs on one PostgreSQL. */
class PostgresSharedDatabaseIT extends SharedStoreScenario {

  @Override
  protected StorageFixture fixture() {
    return new JdbcFixture.Postgres();
  }
}
