package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The rollups on PostgreSQL on loopback, in a schema of their own. */
class PostgresAggregationIT extends AggregationCases {

  @Override
  HikariDataSource newPool() {
    return TestDatabases.postgres(12, "_agg");
  }
}
