package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Hostile filter values are bound on H2 in memory. */
class H2AnalyticsInjectionTest extends AbstractAnalyticsInjectionCheck {

  @Override
  HikariDataSource database() {
    return TestDatabases.h2();
  }
}
