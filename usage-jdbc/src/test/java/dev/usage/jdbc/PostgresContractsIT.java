package dev.usage.jdbc;

import dev.usage.testkit.StorageFixture;

/** The contract kit on PostgreSQL on loopback. */
class PostgresContractsIT extends JdbcContracts {

  @Override
  StorageFixture fixture() {
    return new JdbcFixture.Postgres();
  }
}
