package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;

/** Connections killed with {@code KILL CONNECTION} under load. */
class MariaDbConnectionKillIT extends ConnectionKillScenario {

  @Override
  HikariDataSource pool() {
    return TestDatabases.mariadb(8, "_kill");
  }

  @Override
  ServerFaults faults() {
    return ServerFaults.mariadb(TestDatabases.mariadbName("_kill"));
  }
}
