package dev.usage.jdbc;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.postgresql.PGConnection;

/**
 * The PostgreSQL event insert. First, under a savepoint, one {@code COPY} straight into
 * {@code usage_tracking}: when none of the batch's (user, event id) keys is stored yet, which is the
 * common case, that is all (measured at about 1.5x a plain prepared batch of inserts). When one is (a
 * batch appended again after a failure, or one racing with an append of the same events), the unique key
 * refuses the whole {@code COPY}; the transaction rolls back to the savepoint and takes the exact path:
 * {@code COPY} into a session-local staging table, then one {@code INSERT ... SELECT ... ON CONFLICT DO
 * NOTHING ... RETURNING} the keys it stored. Either way the count is exactly the number of new events, and
 * which rows they were is known. Used only when pgjdbc is on the class path and the pool's connection
 * unwraps to it; otherwise the prepared batch is.
 *
 * <p>{@code COPY} goes through pgjdbc's copy API, not a prepared statement: the statement watchdog cannot
 * cancel it, so the transaction runs under {@code SET LOCAL statement_timeout} (the query timeout), which
 * the server enforces on lock waits too and which ends with the transaction.
 *
 * <p>The staging table is created once per session ({@code ON COMMIT DELETE ROWS}) rather than per batch,
 * which would churn the system catalogs at every flush; its name carries the schema version, so a session
 * that outlives a migration does not reuse a stale column list.
 */
final class PgCopy {

  private static final boolean DRIVER_PRESENT = driverPresent();
  static final String STAGE = "usage_tracking_stage_v" + JdbcSchema.VERSION;
  private static final String SAVEPOINT = "usage_copy";

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
   * in the handle's transaction; the first of several rows with one key wins, as in the batch. Sets in
   * {@code stored} the rows it inserted.
   *
   * @return how many rows were new
   */
  static int insert(Handle h, Db db, List<Object[]> rows, BitSet stored) {
    // before the savepoint, so that rolling back to it keeps the timeout
    h.execute("SET LOCAL statement_timeout = " + db.queryTimeout().toMillis());
    BitSet first = JdbcEventStore.firstVersions(rows);
    StringBuilder csv = new StringBuilder(rows.size() * 320);
    for (int r = first.nextSetBit(0); r >= 0; r = first.nextSetBit(r + 1)) {
      Object[] row = rows.get(r);
      for (int i = 0; i < row.length; i++) {
        if (i > 0) {
          csv.append(',');
        }
        field(csv, db, row[i]);
      }
      csv.append('\n');
    }
    String text = csv.toString();
    h.savepoint(SAVEPOINT);
    try {
      long copied = copy(h, "usage_tracking", text);
      h.releaseSavepoint(SAVEPOINT);
      stored.or(first);
      return Math.toIntExact(copied);
    } catch (RuntimeException e) {
      if (!Failure.isDuplicateKey(e)) {
        throw e;
      }
      h.rollbackToSavepoint(SAVEPOINT);
    }
    h.execute("CREATE TEMPORARY TABLE IF NOT EXISTS " + STAGE + " (LIKE usage_tracking) ON COMMIT DELETE ROWS");
    copy(h, STAGE, text);
    Map<String, Integer> rowOfKey = new HashMap<>(first.cardinality() * 2);
    for (int r = first.nextSetBit(0); r >= 0; r = first.nextSetBit(r + 1)) {
      rowOfKey.put(JdbcEventStore.key(rows.get(r)), r);
    }
    // the stage is emptied at commit (and by a rollback); one COPY per transaction never meets old rows
    List<String> inserted = h.createQuery("INSERT INTO usage_tracking (" + JdbcEventStore.COLUMNS + ") SELECT "
        + JdbcEventStore.COLUMNS + " FROM " + STAGE + " ON CONFLICT DO NOTHING RETURNING user_id, event_id")
        .map((rs, ctx) -> rs.getString(1) + "\n" + rs.getString(2)).list();
    inserted.forEach(key -> stored.set(rowOfKey.get(key)));
    return inserted.size();
  }

  private static long copy(Handle h, String table, String csv) {
    try {
      return h.getConnection().unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " ("
          + JdbcEventStore.COLUMNS + ") FROM STDIN (FORMAT csv)", new StringReader(csv));
    } catch (SQLException e) {
      throw new org.jdbi.v3.core.ConnectionException(e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read an in-memory buffer", e);
    }
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
