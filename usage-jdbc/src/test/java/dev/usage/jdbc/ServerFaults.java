package dev.usage.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Server-side faults for the tests: killing the connections of one application from another session. */
interface ServerFaults {

  /** Kills every connection of the application under test; how many. */
  int killAll() throws SQLException;

  /** PostgreSQL: {@code pg_terminate_backend} on the backends of one {@code application_name}. */
  static ServerFaults postgres(String applicationName) {
    return () -> {
      try (Connection c = DriverManager.getConnection(TestDatabases.PG_URL, "postgres", "");
          PreparedStatement s = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
              + " WHERE application_name = ? AND pid <> pg_backend_pid()")) {
        s.setString(1, applicationName);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    };
  }

  /** MariaDB: {@code KILL CONNECTION} on every session using one database. */
  static ServerFaults mariadb(String database) {
    return () -> {
      try (Connection c = DriverManager.getConnection(TestDatabases.MARIADB_URL + "test", "root", "")) {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
            "SELECT id FROM information_schema.PROCESSLIST WHERE db = ? AND id <> CONNECTION_ID()")) {
          s.setString(1, database);
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getLong(1));
            }
          }
        }
        int killed = 0;
        for (long id : ids) {
          try (PreparedStatement k = c.prepareStatement("KILL CONNECTION " + id)) {
            k.execute();
            killed++;
          } catch (SQLException gone) {
            // ended meanwhile
          }
        }
        return killed;
      }
    };
  }
}
