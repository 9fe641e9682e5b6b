package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Analytics on H2 in memory equal the in-memory reference on random events. */
class H2AnalyticsDifferentialTest extends AbstractAnalyticsDifferentialCheck {

  @Override
  HikariDataSource database() {
    return TestDatabases.h2();
  }
}
