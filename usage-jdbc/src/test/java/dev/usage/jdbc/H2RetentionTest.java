package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Retention on H2 in memory (no server needed). */
class H2RetentionTest extends RetentionCases {

  @Override
  HikariDataSource newPool() {
    return TestDatabases.h2();
  }
}
