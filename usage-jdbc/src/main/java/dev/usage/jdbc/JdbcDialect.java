package dev.usage.jdbc;

import dev.usage.UsageStorageException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The SQL databases the adapter speaks. Chosen from the connection's metadata by {@link #detect}, or set
 * explicitly on the builder (for a proxy or driver that reports an unexpected product name).
 */
public enum JdbcDialect {
  /** H2 2.x, embedded or server: the laptop default. */
  H2("h2"),
  /** PostgreSQL 15 or later. */
  POSTGRESQL("postgresql"),
  /** MariaDB 10.11 or later. */
  MARIADB("mariadb"),
  /**
   * MySQL 8.0 or later: the MariaDB statements with MySQL's binary collation. Not exercised by this
   * project's tests (no MySQL server runs here).
   */
  MYSQL("mysql");

  private final String folder;

  JdbcDialect(String folder) {
    this.folder = folder;
  }

  /**
   * Where this dialect's versioned DDL lies on the class path, as Flyway expects a location
   * ({@code classpath:dev/usage/jdbc/schema/postgresql}, files {@code V1__usage_schema.sql}, ...).
   */
  public String flywayLocation() {
    return "classpath:" + resourceFolder();
  }

  /** The class-path folder of this dialect's DDL, without the {@code classpath:} prefix. */
  public String resourceFolder() {
    return "dev/usage/jdbc/schema/" + folder;
  }

  /** Whether the statements are MariaDB/MySQL's (which share everything but collations). */
  boolean isMysqlFamily() {
    return this == MARIADB || this == MYSQL;
  }

  /**
   * The dialect of the database behind {@code dataSource}, from its product name.
   *
   * @throws UsageStorageException when no connection can be had or the product is not supported
   */
  public static JdbcDialect detect(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return fromProductName(c.getMetaData());
    } catch (SQLException e) {
      throw new UsageStorageException("could not read the database's product name to choose a dialect", e);
    }
  }

  static JdbcDialect fromProductName(DatabaseMetaData meta) throws SQLException {
    String name = meta.getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (name.contains("h2")) {
      return H2;
    }
    if (name.contains("postgresql")) {
      return POSTGRESQL;
    }
    if (name.contains("mariadb")) {
      return MARIADB;
    }
    if (name.contains("mysql")) {
      // MariaDB's driver reports "MariaDB"; MySQL servers behind other drivers may still be MariaDB
      String version = meta.getDatabaseProductVersion().toLowerCase(Locale.ROOT);
      return version.contains("mariadb") ? MARIADB : MYSQL;
    }
    throw new UsageStorageException("unsupported database '" + meta.getDatabaseProductName()
        + "': supported are H2, PostgreSQL, MariaDB and MySQL (set the dialect explicitly for a compatible one)");
  }
}
