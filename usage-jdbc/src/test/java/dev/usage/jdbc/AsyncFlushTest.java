package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The async buffer's flush on close, on H2 in memory. */
class AsyncFlushTest extends AbstractAsyncFlush {

  @Override
  HikariDataSource pool() {
    return TestDatabases.h2();
  }
}
