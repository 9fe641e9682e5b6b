package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Streaming exports and their orders on H2 in memory. */
class H2EventStreamTest extends AbstractEventStreamCheck {

  @Override
  HikariDataSource freshDatabase() {
    return TestDatabases.h2();
  }
}
