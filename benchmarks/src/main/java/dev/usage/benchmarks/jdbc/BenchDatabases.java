package dev.usage.benchmarks.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The databases the JDBC benchmarks run on, and the one pool configuration both sides of every
 * comparison use (ours and the bare statement get the same HikariCP settings and the same size).
 *
 * <p>PostgreSQL: every trial drops and re-creates the schema {@code bench} (system property
 * {@code bench.pg.schema}), so no benchmark ever meets test data or another trial's rows. Overrides:
 * {@code bench.pg.url} (default {@code jdbc:postgresql://127.0.0.1:5432/test}), {@code bench.pg.user}
 * ({@code postgres}), {@code bench.pg.password} (empty). H2: a fresh in-memory database per trial.
 */
final class BenchDatabases {

  static final String PG_URL = System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
  static final String PG_USER = System.getProperty("bench.pg.user", "postgres");
  static final String PG_PASSWORD = System.getProperty("bench.pg.password", "");
  static final String PG_SCHEMA = System.getProperty("bench.pg.schema", "bench");

  private BenchDatabases() {}

  /** Drops and re-creates the bench schema, then opens a pool whose connections use it. */
  static HikariDataSource freshPostgres(int poolSize) {
    if (!PG_SCHEMA.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("bench.pg.schema must be a plain lower-case identifier: " + PG_SCHEMA);
    }
    try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
      s.execute("CREATE SCHEMA " + PG_SCHEMA);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + PG_URL + " is needed for this benchmark: " + e.getMessage(), e);
    }
    String sep = PG_URL.contains("?") ? "&" : "?";
    return pool(PG_URL + sep + "currentSchema=" + PG_SCHEMA, PG_USER, PG_PASSWORD, poolSize);
  }

  /** Drops the bench schema (at the end of a trial). */
  static void dropPostgres() {
    try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new, empty in-memory H2 database that lives as long as the pool. */
  static HikariDataSource freshH2(int poolSize) {
    return pool("jdbc:h2:mem:bench-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", poolSize);
  }

  /** The pool settings shared by both sides of a comparison: HikariCP defaults but for size and timeout. */
  static HikariDataSource pool(String url, String user, String password, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setConnectionTimeout(30_000);
    config.setPoolName("bench-" + size);
    return new HikariDataSource(config);
  }

  /** Runs one statement outside the measured code (setup, checks). */
  static void execute(DataSource ds, String sql) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** A single number from a query (setup, checks). */
  static long queryLong(DataSource ds, String sql) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The server's version string, for the results' machine section. */
  static String version(DataSource ds) {
    try (Connection c = ds.getConnection()) {
      return c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
    } catch (SQLException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
