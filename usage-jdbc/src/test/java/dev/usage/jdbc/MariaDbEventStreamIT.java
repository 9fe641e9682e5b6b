package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Streaming exports and their orders on MariaDB, in a database of its own emptied first. */
class MariaDbEventStreamIT extends AbstractEventStreamCheck {

  @Override
  HikariDataSource freshDatabase() {
    return TestDatabases.freshMariadb(4, "_stream");
  }
}
