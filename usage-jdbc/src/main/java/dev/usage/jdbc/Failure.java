package dev.usage.jdbc;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/** What kind of database failure a throwable is, read from the SQLSTATE and vendor codes of its causes. */
enum Failure {
  /** Deadlock, serialization failure or a racing duplicate key: the transaction was rolled back; run it again. */
  TRANSIENT,
  /** The connection broke or could not be had: whether the last command took effect is unknown. */
  CONNECTION,
  /** A statement or lock wait ran past its timeout; the statement was rolled back. */
  TIMEOUT,
  /** Anything else. */
  OTHER;

  private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "23505");
  private static final Set<String> TIMEOUT_STATES = Set.of("57014", "55P03", "HYT00", "HYT01");
  private static final Set<String> CONNECTION_STATES = Set.of("57P01", "57P02", "57P03", "70100");

  /** Whether {@code t} is a unique-key violation (SQLSTATE 23505, MariaDB/MySQL 1062). */
  static boolean isDuplicateKey(Throwable t) {
    for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof SQLException e && ("23505".equals(e.getSQLState()) || e.getErrorCode() == 1062)) {
        return true;
      }
    }
    return false;
  }

  static Failure of(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException e) {
        Failure f = ofSql(e);
        if (f != OTHER) {
          return f;
        }
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return OTHER;
  }

  private static Failure ofSql(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    int code = e.getErrorCode();
    // MariaDB/MySQL vendor codes first: their SQLSTATEs are shared by unrelated errors
    switch (code) {
      case 1213: // deadlock found
      case 1062: // duplicate entry (an insert raced another)
        if (state.startsWith("40") || state.startsWith("23")) {
          return TRANSIENT;
        }
        break;
      case 1205: // lock wait timeout exceeded
      case 1317: // query execution was interrupted (a cancelled statement)
      case 1969: // max_statement_time exceeded
      case 3024: // MySQL: maximum statement execution time exceeded
        return TIMEOUT;
      case 1927: // connection was killed
      case 1053: // server shutdown in progress
        return CONNECTION;
      case 1020: // MariaDB: record has changed since last read (innodb_snapshot_isolation, on by default since
        // 11.6.2): a locking read met a row committed after the transaction's snapshot; rolled back, run again
      case 90131: // H2: concurrent update
        return TRANSIENT;
      case 50200: // H2: lock timeout
        return TIMEOUT;
      default:
        break;
    }
    if (TIMEOUT_STATES.contains(state) || e instanceof java.sql.SQLTimeoutException) {
      return TIMEOUT;
    }
    if (TRANSIENT_STATES.contains(state)) {
      return TRANSIENT;
    }
    if (state.startsWith("08") || CONNECTION_STATES.contains(state)
        || e instanceof SQLNonTransientConnectionException || e instanceof SQLTransientConnectionException) {
      return CONNECTION;
    }
    return OTHER;
  }
}
