package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Exact instants on Postgres. */
class PostgresTimestampRoundTripIT extends AbstractTimestampRoundTrip {

  @Override
  HikariDataSource pool() {
    return TestDatabases.postgres(4);
  }

  @Override
  JdbcDialect dialect() {
    return JdbcDialect.POSTGRESQL;
  }
}
