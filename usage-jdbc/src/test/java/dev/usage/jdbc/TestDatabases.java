package dev.usage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.usage.testkit.ServerAvailability;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * Pools on the test databases: H2 in memory, and PostgreSQL and MariaDB on loopback (see TESTING.md).
 * Server tests use a schema (PostgreSQL) or database (MariaDB) named after a checksum of the shipped DDL,
 * so a changed DDL gets fresh tables, and tests sharing one (including a second JVM) see the same data.
 */
public final class TestDatabases {

  public static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  public static final String MARIADB_URL = "jdbc:mariadb://127.0.0.1:3306/";

  private TestDatabases() {}

  /** A fresh in-memory H2 database with the schema. */
  public static HikariDataSource h2() {
    HikariDataSource ds = pool("jdbc:h2:mem:usage-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 16);
    JdbcSchema.create(ds, JdbcDialect.H2);
    return ds;
  }

  /** A pool on the PostgreSQL test schema, created with the shipped DDL if needed; skips when unreachable. */
  public static HikariDataSource postgres(int size) {
    return postgres(size, "");
  }

  /**
   * As {@link #postgres(int)}, in a schema of its own named with {@code suffix}: for tests whose
   * statements span all users (purges, rollups), which must not meet other tests' rows.
   */
  public static HikariDataSource postgres(int size, String suffix) {
    String schema = "usage_it_" + checksum(JdbcDialect.POSTGRESQL) + suffix;
    require("PostgreSQL at 127.0.0.1:5432", PG_URL, "postgres", "");
    try (Connection c = DriverManager.getConnection(PG_URL, "postgres", ""); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    HikariDataSource ds = pool(PG_URL + "?currentSchema=" + schema + "&ApplicationName=" + applicationName(suffix),
        "postgres", "", size);
    JdbcSchema.create(ds, JdbcDialect.POSTGRESQL);
    return ds;
  }

  /** As {@link #postgres(int, String)}, in a schema dropped and created again first: no rows of earlier runs. */
  public static HikariDataSource freshPostgres(int size, String suffix) {
    String schema = "usage_it_" + checksum(JdbcDialect.POSTGRESQL) + suffix;
    require("PostgreSQL at 127.0.0.1:5432", PG_URL, "postgres", "");
    try (Connection c = DriverManager.getConnection(PG_URL, "postgres", ""); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return postgres(size, suffix);
  }

  /** A pool on the MariaDB test database, created with the shipped DDL if needed; skips when unreachable. */
  public static HikariDataSource mariadb(int size) {
    return mariadb(size, "");
  }

  /** As {@link #mariadb(int)}, in a database of its own named with {@code suffix} (see {@link #postgres(int, String)}). */
  public static HikariDataSource mariadb(int size, String suffix) {
    String database = mariadbName(suffix);
    require("MariaDB at 127.0.0.1:3306", MARIADB_URL + "test", "root", "");
    try (Connection c = DriverManager.getConnection(MARIADB_URL + "test", "root", ""); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS " + database);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    HikariDataSource ds = pool(MARIADB_URL + database, "root", "", size);
    JdbcSchema.create(ds, JdbcDialect.MARIADB);
    return ds;
  }

  /** As {@link #mariadb(int, String)}, in a database dropped and created again first: no rows of earlier runs. */
  public static HikariDataSource freshMariadb(int size, String suffix) {
    require("MariaDB at 127.0.0.1:3306", MARIADB_URL + "test", "root", "");
    try (Connection c = DriverManager.getConnection(MARIADB_URL + "test", "root", ""); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + mariadbName(suffix));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return mariadb(size, suffix);
  }

  /** The PostgreSQL application name of the pools of {@link #postgres(int, String)}. */
  public static String applicationName(String suffix) {
    return "usage-it" + suffix;
  }

  /** The MariaDB database of {@link #mariadb(int, String)}. */
  public static String mariadbName(String suffix) {
    return "usage_it_" + checksum(JdbcDialect.MARIADB) + suffix;
  }

  static HikariDataSource pool(String url, String user, String password, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }

  /** Skips the test (or fails it, when servers are required), naming the server, unless it answers. */
  static void require(String server, String url, String user, String password) {
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      ServerAvailability.require(server, c.isValid(5), "connection not valid");
    } catch (SQLException e) {
      ServerAvailability.require(server, false, e.getMessage());
    }
  }

  private static String checksum(JdbcDialect dialect) {
    CRC32 crc = new CRC32();
    JdbcSchema.statements(dialect).forEach(s -> crc.update(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return Long.toHexString(crc.getValue());
  }

  /**
   * {@code ANALYZE} of the tables in the connection's current schema only: a bare {@code ANALYZE} reads every
   * schema of the shared test database (a benchmark's data set there makes it take minutes).
   */
  public static void analyzeCurrentSchema(org.jdbi.v3.core.Handle h) {
    h.execute("DO $$ DECLARE t RECORD; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname ="
        + " current_schema() LOOP EXECUTE format('ANALYZE %I', t.tablename); END LOOP; END $$");
  }
}
