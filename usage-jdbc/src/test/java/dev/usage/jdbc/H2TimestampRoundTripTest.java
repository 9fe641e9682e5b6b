package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Exact instants on H2. */
class H2TimestampRoundTripTest extends AbstractTimestampRoundTrip {

  @Override
  HikariDataSource pool() {
    return TestDatabases.h2();
  }

  @Override
  JdbcDialect dialect() {
    return JdbcDialect.H2;
  }
}
