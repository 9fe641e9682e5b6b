package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Retention on MariaDB on loopback, beside the rollup tests' tables. */
class MariaDbRetentionIT extends RetentionCases {

  @Override
  HikariDataSource newPool() {
    return TestDatabases.mariadb(12, "_agg");
  }
}
