package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Statement;

/** PostgreSQL with its counters table under {@code LOCK TABLE … ACCESS EXCLUSIVE}. */
class PostgresStuckDatabaseIT extends StuckDatabaseScenario {

  @Override
  HikariDataSource pool() {
    return TestDatabases.postgres(4, "_stuck");
  }

  @Override
  void lockCounters(Statement s) throws Exception {
    s.execute("LOCK TABLE usage_counters IN ACCESS EXCLUSIVE MODE");
  }
}
