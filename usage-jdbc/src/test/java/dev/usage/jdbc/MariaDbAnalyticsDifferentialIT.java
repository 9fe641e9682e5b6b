package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Analytics on MariaDB equal the in-memory reference on random events. */
class MariaDbAnalyticsDifferentialIT extends AbstractAnalyticsDifferentialCheck {

  @Override
  HikariDataSource database() {
    return TestDatabases.mariadb(4);
  }
}
