package dev.usage.jdbc;

/** Two JVMs on one MariaDB, at its default REPEATABLE READ. */
class MariaDbSharedDatabaseIT extends SharedDatabaseScenario {

  @Override
  JdbcFixture fixture() {
    return new JdbcFixture.MariaDb();
  }
}
