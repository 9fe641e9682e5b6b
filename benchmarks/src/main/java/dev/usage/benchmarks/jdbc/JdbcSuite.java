package dev.usage.benchmarks.jdbc;

import dev.usage.benchmarks.BenchmarkGroup;
import dev.usage.benchmarks.Effort;
import dev.usage.benchmarks.Suite;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The JDBC suite: ours beside bare JDBC (and, on PostgreSQL, Bucket4j's PostgreSQL proxy) over a matrix of
 * users (10,000 and one hot user), shapes (one quota; three quotas + idempotency key) and threads (1, 8, 32) on
 * PostgreSQL and embedded H2 (consume), and ingestion into PostgreSQL and H2 beside a bare batch insert (and
 * COPY on PostgreSQL), run and reported by {@link Suite} (interleaved rounds, medians, ratios) into the
 * {@code <!-- jdbc-results:begin -->} block of RESULTS.md. By default the matrix is surveyed in one round of
 * short forks ({@link #SURVEY}) and the target points are measured in two rounds of the annotated forks; {@code
 * -f N} (and {@code -wi}, {@code -w}, {@code -i}, {@code -r}) set every point alike. Options: see {@link Suite};
 * {@code benchmarks/run-jdbc.sh} builds and runs it.
 */
public final class JdbcSuite {

  static final String PG_OURS = "PostgresConsumeBenchmark.ours";
  static final String PG_BARE = "PostgresConsumeBenchmark.bare";
  static final String PG_BUCKET4J = "PostgresConsumeBenchmark.bucket4j";
  static final String H2_OURS = "H2ConsumeBenchmark.ours";
  static final String H2_BARE = "H2ConsumeBenchmark.bare";

  /** A point of the matrix outside the targets: one round, a 2 s warm-up iteration, 2 measured of 2 s. */
  static final Effort SURVEY = new Effort(1, 1, 2, 2, 2);
  /** The target points: two rounds of the annotated forks. */
  static final Effort TARGET = Effort.rounds(2);
  /** Ingestion: two rounds of 2 x 3 s warm-up and 3 x 3 s measured. */
  static final Effort INGEST = new Effort(2, 2, 3, 3, 3);

  static final String PG_TARGET = "users=10000 shape=ONE_QUOTA threads=32";
  static final String H2_TARGET = "users=10000 shape=ONE_QUOTA threads=8";

  static final Suite SUITE = Suite.builder("jdbc")
      .heading("JDBC")
      .benchmarkPackage("dev.usage.benchmarks.jdbc")
      .group(matrix(PG_OURS, PG_BARE, PG_BUCKET4J).effort(TARGET, PG_TARGET))
      .group(matrix(H2_OURS, H2_BARE).effort(TARGET, H2_TARGET))
      .group(BenchmarkGroup.of("PostgresIngestBenchmark.append", "PostgresIngestBenchmark.asyncEngine",
          "PostgresIngestBenchmark.bare", "PostgresIngestBenchmark.bareCopy").effort(INGEST))
      .group(BenchmarkGroup.of("H2IngestBenchmark.append", "H2IngestBenchmark.asyncEngine", "H2IngestBenchmark.bare")
          .effort(INGEST))
      .target("PostgreSQL consume, 1 quota, 32 threads, 10,000 users", PG_OURS, PG_BARE, 0.8, PG_TARGET)
      .diagnostic("(diagnostic) PostgreSQL consume, ours / Bucket4j PostgreSQL (about 2× wanted)", PG_OURS,
          PG_BUCKET4J, PG_TARGET)
      .target("H2 consume, 1 quota, 8 threads, 10,000 users", H2_OURS, H2_BARE, 0.5, H2_TARGET)
      .diagnostic("(diagnostic) PostgreSQL consume, ours / bare", PG_OURS, PG_BARE, "")
      .diagnostic("(diagnostic) PostgreSQL consume, ours / Bucket4j PostgreSQL", PG_OURS, PG_BUCKET4J, "")
      .diagnostic("(diagnostic) H2 consume, ours / bare", H2_OURS, H2_BARE, "")
      .target("PostgreSQL ingestion, append(1,000)", "PostgresIngestBenchmark.append",
          "PostgresIngestBenchmark.bare", 0.8)
      .target("PostgreSQL ingestion, ASYNC engine flushing 1,000", "PostgresIngestBenchmark.asyncEngine",
          "PostgresIngestBenchmark.bare", 0.8)
      .diagnostic("(diagnostic) PostgreSQL ingestion, append(1,000) / bare COPY", "PostgresIngestBenchmark.append",
          "PostgresIngestBenchmark.bareCopy")
      .diagnostic("(diagnostic) H2 ingestion, append(1,000) / bare INSERT batch", "H2IngestBenchmark.append",
          "H2IngestBenchmark.bare")
      .diagnostic("(diagnostic) H2 ingestion, ASYNC engine flushing 1,000 / bare INSERT batch",
          "H2IngestBenchmark.asyncEngine", "H2IngestBenchmark.bare")
      .software(JdbcSuite::software)
      .build();

  /** The consume matrix of the issue, surveyed briefly; callers add the efforts of their target points. */
  static BenchmarkGroup matrix(String... sides) {
    return BenchmarkGroup.of(sides)
        .param("users", "10000", "1")
        .param("shape", "ONE_QUOTA", "THREE_QUOTAS_WITH_KEY")
        .threads(1, 8, 32)
        .effort(SURVEY);
  }

  private JdbcSuite() {}

  public static void main(String[] args) throws Exception {
    SUITE.run(args);
  }

  private static String software() {
    return postgres() + ", " + h2()
        + ", pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION
        + ", HikariCP " + Suite.mavenVersion("com.zaxxer", "HikariCP")
        + ", JDBI " + Suite.mavenVersion("org.jdbi", "jdbi3-core")
        + ", Bucket4j " + Suite.mavenVersion("com.bucket4j", "bucket4j_jdk17-postgresql");
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
