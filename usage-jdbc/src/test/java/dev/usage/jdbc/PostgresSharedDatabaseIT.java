package dev.usage.jdbc;

/** Two JVMs on one PostgreSQL. */
class PostgresSharedDatabaseIT extends SharedDatabaseScenario {

  @Override
  JdbcFixture fixture() {
    return new JdbcFixture.Postgres();
  }
}
