package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The rollups on H2 in memory (no server needed). */
class H2AggregationTest extends AggregationCases {

  @Override
  HikariDataSource newPool() {
    return TestDatabases.h2();
  }
}
