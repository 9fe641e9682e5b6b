package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Analytics on PostgreSQL equal the in-memory reference on random events. */
class PostgresAnalyticsDifferentialIT extends AbstractAnalyticsDifferentialCheck {

  @Override
  HikariDataSource database() {
    return TestDatabases.postgres(4);
  }
}
