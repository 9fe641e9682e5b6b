package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Statement;

/** MariaDB with its counters' user rows locked by a session that never commits. */
class MariaDbStuckDatabaseIT extends StuckDatabaseScenario {

  @Override
  HikariDataSource pool() {
    return TestDatabases.mariadb(4, "_stuck");
  }

  @Override
  void lockCounters(Statement s) throws Exception {
    // a session holding every row lock of the counters (and users) the way a stuck transaction would
    s.execute("SELECT COUNT(*) FROM usage_counters FOR UPDATE");
    s.execute("SELECT COUNT(*) FROM usage_user_state FOR UPDATE");
  }
}
