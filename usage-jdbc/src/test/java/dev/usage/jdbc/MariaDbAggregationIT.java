package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The rollups on MariaDB on loopback, in a database of their own. */
class MariaDbAggregationIT extends AggregationCases {

  @Override
  HikariDataSource newPool() {
    return TestDatabases.mariadb(12, "_agg");
  }
}
