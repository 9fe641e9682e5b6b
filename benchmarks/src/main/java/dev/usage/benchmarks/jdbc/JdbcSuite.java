package dev.usage.benchmarks.jdbc;

import dev.usage.benchmarks.Suite;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The JDBC suite: ours beside bare JDBC on PostgreSQL and embedded H2 (consume), and PostgreSQL ingestion,
 * run and reported by {@link Suite} (interleaved rounds, medians, ratios) into the
 * {@code <!-- jdbc-results:begin -->} block of RESULTS.md. Options: see {@link Suite}; {@code benchmarks/run-jdbc.sh}
 * builds and runs it.
 */
public final class JdbcSuite {

  static final Suite SUITE = Suite.builder("jdbc")
      .heading("JDBC")
      .benchmarkPackage("dev.usage.benchmarks.jdbc")
      .group("PostgresConsumeBenchmark.ours", "PostgresConsumeBenchmark.bare",
          "PostgresConsumeBenchmark.bareReadingSettings")
      .group("H2ConsumeBenchmark.ours", "H2ConsumeBenchmark.bare", "H2ConsumeBenchmark.bareReadingSettings")
      .group("PostgresIngestBenchmark.append", "PostgresIngestBenchmark.asyncEngine", "PostgresIngestBenchmark.bare",
          "PostgresIngestBenchmark.bareCopy")
      .target("PostgreSQL consume, 32 threads, 10,000 users", "PostgresConsumeBenchmark.ours",
          "PostgresConsumeBenchmark.bare", 0.8)
      .diagnostic("(diagnostic) PostgreSQL bare + settings SELECT", "PostgresConsumeBenchmark.bareReadingSettings",
          "PostgresConsumeBenchmark.bare")
      .target("H2 consume, 8 threads, 10,000 users", "H2ConsumeBenchmark.ours", "H2ConsumeBenchmark.bare", 0.5)
      .diagnostic("(diagnostic) H2 bare + settings SELECT", "H2ConsumeBenchmark.bareReadingSettings",
          "H2ConsumeBenchmark.bare")
      .target("PostgreSQL ingestion, append(1,000)", "PostgresIngestBenchmark.append",
          "PostgresIngestBenchmark.bare", 0.8)
      .target("PostgreSQL ingestion, ASYNC engine flushing 1,000", "PostgresIngestBenchmark.asyncEngine",
          "PostgresIngestBenchmark.bare", 0.8)
      .diagnostic("(diagnostic) PostgreSQL ingestion, append(1,000) / bare COPY", "PostgresIngestBenchmark.append",
          "PostgresIngestBenchmark.bareCopy")
      .software(JdbcSuite::software)
      .build();

  private JdbcSuite() {}

  public static void main(String[] args) throws Exception {
    SUITE.run(args);
  }

  private static String software() {
    return postgres() + ", " + h2()
        + ", pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION
        + ", HikariCP " + Suite.mavenVersion("com.zaxxer", "HikariCP")
        + ", JDBI " + Suite.mavenVersion("org.jdbi", "jdbi3-core");
  }

  private static String postgres() {
    try (Connection c = DriverManager.getConnection(BenchDatabases.PG_URL, BenchDatabases.PG_USER,
        BenchDatabases.PG_PASSWORD); Statement s = c.createStatement()) {
      StringBuilder b = new StringBuilder("PostgreSQL ").append(c.getMetaData().getDatabaseProductVersion())
          .append(" on loopback (");
      String sep = "";
      for (String setting : List.of("shared_buffers", "synchronous_commit", "fsync", "wal_level", "max_connections")) {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
          rs.next();
          b.append(sep).append(setting).append('=').append(rs.getString(1));
          sep = ", ";
        }
      }
      return b.append(')').toString();
    } catch (SQLException e) {
      return "PostgreSQL unreachable (" + e.getMessage() + ")";
    }
  }

  private static String h2() {
    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:", "sa", "")) {
      return "H2 " + c.getMetaData().getDatabaseProductVersion() + " (embedded, in memory)";
    } catch (SQLException e) {
      return "H2 unavailable (" + e.getMessage() + ")";
    }
  }
}
