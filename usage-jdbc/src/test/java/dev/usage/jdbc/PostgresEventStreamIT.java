package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Streaming exports and their orders on PostgreSQL, in a schema of their own emptied first. */
class PostgresEventStreamIT extends AbstractEventStreamCheck {

  @Override
  HikariDataSource freshDatabase() {
    return TestDatabases.freshPostgres(4, "_stream");
  }
}
