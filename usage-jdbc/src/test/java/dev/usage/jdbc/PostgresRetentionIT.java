package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Retention on PostgreSQL on loopback, beside the rollup tests' tables. */
class PostgresRetentionIT extends RetentionCases {

  @Override
  HikariDataSource newPool() {
    return TestDatabases.postgres(12, "_agg");
  }
}
