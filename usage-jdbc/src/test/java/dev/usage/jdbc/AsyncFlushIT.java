package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** The async buffer's flush on close, on PostgreSQL (the COPY path). */
class AsyncFlushIT extends AbstractAsyncFlush {

  @Override
  HikariDataSource pool() {
    return TestDatabases.postgres(4);
  }
}
