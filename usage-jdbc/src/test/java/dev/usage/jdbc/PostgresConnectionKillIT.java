package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Connections killed with {@code pg_terminate_backend} under load. */
class PostgresConnectionKillIT extends ConnectionKillScenario {

  @Override
  HikariDataSource pool() {
    return TestDatabases.postgres(8, "_kill");
  }

  @Override
  ServerFaults faults() {
    return ServerFaults.postgres(TestDatabases.applicationName("_kill"));
  }
}
