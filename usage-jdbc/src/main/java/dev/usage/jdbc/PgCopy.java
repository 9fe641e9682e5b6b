package dev.usage.jdbc;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.postgresql.PGConnection;

/**
 * The PostgreSQL event insert: {@code COPY} into a session-local staging table, then one {@code INSERT ...
 * SELECT ... ON CONFLICT DO NOTHING}, whose row count is exactly the number of new events. Measured about
 * 1.5x faster than the prepared batch at 500 and 1,000 events (see the module README). Used only when
 * pgjdbc is on the class path and the pool's connection unwraps to it; otherwise the prepared batch is.
 *
 * <p>The staging table is created once per session ({@code ON COMMIT DELETE ROWS}) rather than per batch,
 * which would churn the system catalogs at every flush; its name carries the schema version, so a session
 * that outlives a migration does not reuse a stale column list.
 */
final class PgCopy {

  private static final boolean DRIVER_PRESENT = driverPresent();
  static final String STAGE = "usage_tracking_stage_v" + JdbcSchema.VERSION;

  private PgCopy() {}

  /** Whether {@code h}'s connection is pgjdbc's (which needs pgjdbc loadable in the first place). */
  static boolean usable(Handle h) {
    if (!DRIVER_PRESENT) {
      return false;
    }
    try {
      return h.getConnection().isWrapperFor(PGConnection.class);
    } catch (SQLException | LinkageError e) {
      return false;
    }
  }

  /**
   * Inserts the rows (values in {@link JdbcEventStore#COLUMNS} order) whose (user, event id) is not stored,
   * in the handle's transaction; the first of several rows with one key wins, as in the batch.
   *
   * @return how many rows were new
   */
  static int insert(Handle h, Db db, List<Object[]> rows) {
    StringBuilder csv = new StringBuilder(rows.size() * 320);
    Set<String> seen = new HashSet<>(rows.size() * 2);
    for (Object[] row : rows) {
      // user ids and event ids never contain control characters: a newline is a safe separator
      if (!seen.add(row[0] + "\n" + row[1])) {
        continue;
      }
      for (int i = 0; i < row.length; i++) {
        if (i > 0) {
          csv.append(',');
        }
        field(csv, db, row[i]);
      }
      csv.append('\n');
    }
    h.execute("CREATE TEMPORARY TABLE IF NOT EXISTS " + STAGE + " (LIKE usage_tracking) ON COMMIT DELETE ROWS");
    Connection c = h.getConnection();
    try {
      c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + STAGE + " (" + JdbcEventStore.COLUMNS
          + ") FROM STDIN (FORMAT csv)", new StringReader(csv.toString()));
    } catch (SQLException e) {
      throw new org.jdbi.v3.core.ConnectionException(e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read an in-memory buffer", e);
    }
    // the stage is emptied at commit (and by a rollback); one COPY per transaction never meets old rows
    return h.createUpdate("INSERT INTO usage_tracking (" + JdbcEventStore.COLUMNS + ") SELECT "
        + JdbcEventStore.COLUMNS + " FROM " + STAGE + " ON CONFLICT DO NOTHING").execute();
  }

  private static void field(StringBuilder csv, Db db, Object value) {
    if (value instanceof String s) {
      csv.append('"').append(s.replace("\"", "\"\"")).append('"');
    } else if (value instanceof Instant t) {
      csv.append(db.instantText(t));
    } else if (value instanceof Boolean b) {
      csv.append(b ? 't' : 'f');
    } else if (value instanceof Long || value instanceof Integer || value instanceof BigDecimal) {
      csv.append(value);
    } else if (!(value instanceof Argument)) {
      // the row's Arguments are typed nulls: an unquoted empty field is NULL in CSV
      throw new IllegalArgumentException("cannot copy " + (value == null ? "null" : value.getClass()));
    }
  }

  private static boolean driverPresent() {
    try {
      Class.forName("org.postgresql.PGConnection", false, PgCopy.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
