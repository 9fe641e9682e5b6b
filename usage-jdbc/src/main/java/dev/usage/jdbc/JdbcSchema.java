package dev.usage.jdbc;

import dev.usage.UsageStorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The opt-in schema initializer: creates the adapter's tables from the DDL shipped in the jar when they
 * do not exist yet, and brings a schema it created at an earlier version up to date. Applications that
 * manage their schema with Flyway point it at {@link JdbcDialect#flywayLocation()} instead (the files are
 * Flyway migrations, {@code V1__usage_schema.sql}, {@code V2__usage_tracking_endpoint_index.sql},
 * {@code V3__audit_request_id.sql}, {@code V4__period_history_rollover.sql},
 * {@code V5__user_quotas_scheduled_changes.sql}, {@code V6__period_history_kind_key.sql},
 * {@code V7__user_quotas_earlier_settings.sql}, ...).
 *
 * <p>Each migration after the first names the column, index or primary-key column whose presence shows that it
 * was applied (the last thing it creates); a later version adds its {@link Migration} to {@code LATER} and raises
 * {@link #VERSION}.
 */
public final class JdbcSchema {

  /** The schema version this library's statements need: 1 + the size of {@code LATER}. */
  public static final int VERSION = 7;

  /** The migration files after the first, by version (V2, V3, ...), each with what shows it applied. */
  private static final List<Migration> LATER = List.of(
      Migration.index("V2__usage_tracking_endpoint_index.sql", "usage_tracking", "usage_tracking_endpoint_time"),
      Migration.index("V3__audit_request_id.sql", "usage_audit", "usage_audit_request"),
      Migration.column("V4__period_history_rollover.sql", "usage_period_history", "rolled_over_parts"),
      Migration.column("V5__user_quotas_scheduled_changes.sql", "user_quotas", "usage_resets"),
      Migration.primaryKey("V6__period_history_kind_key.sql", "usage_period_history", "period_kind"),
      Migration.column("V7__user_quotas_earlier_settings.sql", "user_quotas", "earlier_settings"));

  static {
    if (LATER.size() != VERSION - 1) {
      throw new IllegalStateException("JdbcSchema.VERSION must be 1 + the number of later migrations");
    }
  }

  /** What a migration leaves behind that shows it applied. */
  enum Marker {
    /** A column of the table. */
    COLUMN,
    /** An index of the table. */
    INDEX,
    /** A column of the table's primary key. */
    PRIMARY_KEY
  }

  /**
   * A migration after the first: its file, and the column or index {@code name} of {@code table} whose presence
   * shows that it applied.
   */
  record Migration(String file, String table, Marker marker, String name) {

    static Migration index(String file, String table, String index) {
      return new Migration(file, table, Marker.INDEX, index);
    }

    static Migration column(String file, String table, String column) {
      return new Migration(file, table, Marker.COLUMN, column);
    }

    static Migration primaryKey(String file, String table, String column) {
      return new Migration(file, table, Marker.PRIMARY_KEY, column);
    }

    boolean applied(Connection c) throws SQLException {
      return switch (marker) {
        case INDEX -> indexExists(c, table, name);
        case COLUMN -> columnExists(c, table, name);
        case PRIMARY_KEY -> primaryKeyColumns(c, table).stream().anyMatch(name::equalsIgnoreCase);
      };
    }
  }

  private JdbcSchema() {}

  /**
   * Creates the tables (every version's DDL) unless {@code usage_counters} exists already; when it does,
   * applies, in order, the later versions whose marking column or index is missing (a schema this method created
   * at an earlier version), each without the statements whose column or index exists (a run that stopped
   * part-way is finished), and completes V4's conversion of rows it did not reach. Each step runs in one
   * transaction where the database has transactional DDL (PostgreSQL); MariaDB and H2 commit each DDL statement.
   * Not meant to race another instance's first run on an empty schema.
   *
   * @return whether the tables were created by this call
   * @throws UsageStorageException when the database refuses the DDL
   */
  public static boolean create(DataSource dataSource, JdbcDialect dialect) {
    try (Connection c = dataSource.getConnection()) {
      if (exists(c, "usage_counters")) {
        for (int v = 2; v <= VERSION; v++) {
          Migration later = LATER.get(v - 2);
          if (!later.applied(c)) {
            execute(c, notYetApplied(c, statements(dialect, v)));
          }
        }
        // V4's last step, should a run have stopped after its columns (MariaDB and H2 commit each DDL statement):
        // rows closed before V4 carried on what they rolled over as one part. Looked for with a plain read first
        // (no locks; on MariaDB an UPDATE without an index would lock every row it scans until it commits)
        if (unconverted(c)) {
          execute(c, List.of(statements(dialect, 4).get(2) + " AND rolled_over_parts = ''"));
        }
        return false;
      }
      execute(c, statements(dialect));
      return true;
    } catch (SQLException e) {
      throw new UsageStorageException("could not create the usage schema (" + e.getMessage() + ")", e);
    }
  }

  /** An added column's table and name: {@code ADD COLUMN c} (MariaDB, PostgreSQL) or {@code ADD (c} (H2). */
  private static final Pattern ADDS_COLUMN =
      Pattern.compile("(?is)^ALTER TABLE (\\w+) ADD (?:COLUMN |\\()\\s*(\\w+)\\b.*");
  /** A created index's name and table. */
  private static final Pattern CREATES_INDEX = Pattern.compile("(?is)^CREATE (?:UNIQUE )?INDEX (\\w+) ON (\\w+)\\b.*");
  /** A primary key dropped in a statement of its own (H2), whose table is then left without one. */
  private static final Pattern DROPS_PRIMARY_KEY = Pattern.compile("(?is)^ALTER TABLE (\\w+) DROP PRIMARY KEY");

  /**
   * {@code statements} less those whose column or index exists: a migration that stopped part-way where each DDL
   * statement commits on its own (MariaDB, H2) is finished by the next start instead of failing it for good on its
   * first statement ("duplicate column"). A statement adding several columns adds all or none; the first is checked.
   */
  static List<String> notYetApplied(Connection c, List<String> statements) throws SQLException {
    List<String> out = new ArrayList<>();
    for (String sql : statements) {
      Matcher column = ADDS_COLUMN.matcher(sql);
      Matcher index = CREATES_INDEX.matcher(sql);
      Matcher dropsKey = DROPS_PRIMARY_KEY.matcher(sql);
      boolean done = column.matches() ? columnExists(c, column.group(1), column.group(2))
          : index.matches() ? indexExists(c, index.group(2), index.group(1))
          : dropsKey.matches() && primaryKeyColumns(c, dropsKey.group(1)).isEmpty();
      if (!done) {
        out.add(sql);
      }
    }
    return out;
  }

  /** Whether a history row closed before V4 still lacks its parts: V4's last step did not reach it. */
  private static boolean unconverted(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM usage_period_history"
        + " WHERE rolled_over > 0 AND rolled_over_parts = '' LIMIT 1")) {
      return rs.next();
    }
  }

  private static void execute(Connection c, List<String> statements) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  /** As {@link #create(DataSource, JdbcDialect)}, with the dialect detected. */
  public static boolean create(DataSource dataSource) {
    return create(dataSource, JdbcDialect.detect(dataSource));
  }

  /** The DDL statements of every version up to the current one for {@code dialect}, in order. */
  public static List<String> statements(JdbcDialect dialect) {
    List<String> all = new ArrayList<>();
    for (int v = 1; v <= VERSION; v++) {
      all.addAll(statements(dialect, v));
    }
    return all;
  }

  /** The DDL statements of version {@code version} (1..{@link #VERSION}) for {@code dialect}, in order. */
  static List<String> statements(JdbcDialect dialect, int version) {
    String file = version == 1 ? "V1__usage_schema.sql" : LATER.get(version - 2).file();
    String path = dialect.resourceFolder() + "/" + file;
    String script;
    try (InputStream in = JdbcSchema.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing from the jar: " + path);
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path, e);
    }
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inBody = false; // inside a $$-quoted function body, whose semicolons end nothing
    for (String line : script.split("\n")) {
      String trimmed = line.strip();
      if (!inBody && (trimmed.startsWith("--") || trimmed.isEmpty())) {
        continue;
      }
      current.append(line).append('\n');
      if (line.split("\\$\\$", -1).length % 2 == 0) {
        inBody = !inBody;
      }
      if (!inBody && trimmed.endsWith(";")) {
        String sql = current.toString().strip();
        out.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    return out;
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    for (String name : List.of(table, table.toUpperCase(java.util.Locale.ROOT))) {
      try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), null, name, new String[] {"TABLE",
          "PARTITIONED TABLE", "BASE TABLE"})) {
        while (rs.next()) {
          String schema = rs.getString("TABLE_SCHEM");
          if (schema == null || visible(c, schema)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Whether {@code table} of the connection's schema has an index named {@code index}. */
  static boolean indexExists(Connection c, String table, String index) throws SQLException {
    return metadata(c, table, (m, name) -> m.getIndexInfo(c.getCatalog(), c.getSchema(), name, false, true),
        "INDEX_NAME").stream().anyMatch(index::equalsIgnoreCase);
  }

  /** Whether {@code table} of the connection's schema has a column named {@code column}. */
  static boolean columnExists(Connection c, String table, String column) throws SQLException {
    return metadata(c, table, (m, name) -> m.getColumns(c.getCatalog(), c.getSchema(), name, null), "COLUMN_NAME")
        .stream().anyMatch(column::equalsIgnoreCase);
  }

  /** The columns of {@code table}'s primary key in the connection's schema; empty when it has none. */
  static List<String> primaryKeyColumns(Connection c, String table) throws SQLException {
    return metadata(c, table, (m, name) -> m.getPrimaryKeys(c.getCatalog(), c.getSchema(), name), "COLUMN_NAME");
  }

  /** A query of the database's metadata about one table. */
  @FunctionalInterface
  private interface TableMetadata {
    ResultSet of(DatabaseMetaData metadata, String table) throws SQLException;
  }

  /**
   * The values of {@code field} in the rows {@code query} answers for {@code table}, asked by its name as written
   * and upper-cased (H2 keeps unquoted names upper-case).
   */
  private static List<String> metadata(Connection c, String table, TableMetadata query, String field)
      throws SQLException {
    List<String> out = new ArrayList<>();
    for (String name : List.of(table, table.toUpperCase(java.util.Locale.ROOT))) {
      try (ResultSet rs = query.of(c.getMetaData(), name)) {
        while (rs.next()) {
          out.add(rs.getString(field));
        }
      }
    }
    return out;
  }

  /** The migration of {@code version} (2..{@link #VERSION}). */
  static Migration migration(int version) {
    return LATER.get(version - 2);
  }

  private static boolean visible(Connection c, String schema) throws SQLException {
    String current = c.getSchema();
    return current == null || current.equalsIgnoreCase(schema);
  }
}
