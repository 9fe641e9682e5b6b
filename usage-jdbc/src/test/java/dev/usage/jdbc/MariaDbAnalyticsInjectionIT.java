package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Hostile filter values are bound on MariaDB. */
class MariaDbAnalyticsInjectionIT extends AbstractAnalyticsInjectionCheck {

  @Override
  HikariDataSource database() {
    return TestDatabases.mariadb(4);
  }
}
