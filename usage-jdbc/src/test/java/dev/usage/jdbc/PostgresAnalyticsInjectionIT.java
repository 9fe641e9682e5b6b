package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Hostile filter values are bound on PostgreSQL. */
class PostgresAnalyticsInjectionIT extends AbstractAnalyticsInjectionCheck {

  @Override
  HikariDataSource database() {
    return TestDatabases.postgres(4);
  }
}
