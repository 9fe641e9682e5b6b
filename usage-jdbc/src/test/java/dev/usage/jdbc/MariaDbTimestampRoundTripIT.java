package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Exact instants on MariaDb. */
class MariaDbTimestampRoundTripIT extends AbstractTimestampRoundTrip {

  @Override
  HikariDataSource pool() {
    return TestDatabases.mariadb(4);
  }

  @Override
  JdbcDialect dialect() {
    return JdbcDialect.MARIADB;
  }
}
