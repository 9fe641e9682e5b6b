package dev.usage.jdbc;

import dev.usage.UsageException;
import dev.usage.UsageStorageException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BinaryOperator;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.jdbi.v3.core.statement.SqlStatements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapter's access to the database: JDBI over the host's {@link DataSource}, bounded retries of
 * transient failures, translation of every driver failure into {@link UsageStorageException}, and the
 * dialect's exact encoding of instants. Thread-safe.
 */
final class Db implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Db.class);

  final Jdbi jdbi;
  final JdbcDialect dialect;
  private final int maxAttempts;
  private final long reconnectBudgetNanos;
  private final Duration queryTimeout;
  private final StatementWatchdog watchdog;
  private final DataSource dataSource;

  Db(DataSource dataSource, JdbcDialect dialect, Duration queryTimeout, int maxAttempts) {
    this.jdbi = Jdbi.create(dataSource);
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.maxAttempts = maxAttempts;
    this.queryTimeout = queryTimeout;
    // after the database dropped connections, a pool may hand out several dead ones in a row before it
    // has replaced them: retries of a lost connection are bounded by time (the statement timeout), not count
    this.reconnectBudgetNanos = queryTimeout.toNanos();
    // a stuck database (lock waits included) fails the statement instead of hanging the caller:
    // MariaDB/MySQL enforce it in the server (max_statement_time); elsewhere a watchdog cancels it
    if (dialect.isMysqlFamily()) {
      jdbi.getConfig(SqlStatements.class).setQueryTimeout((int) Math.max(1, (queryTimeout.toMillis() + 999) / 1000));
      jdbi.setStatementBuilderFactory(c -> new NoGeneratedKeys());
      this.watchdog = null;
    } else {
      this.watchdog = new StatementWatchdog(queryTimeout);
      jdbi.addCustomizer(new StatementCustomizer() {
        @Override
        public void beforeExecution(PreparedStatement stmt, StatementContext ctx) {
          ctx.addCleanable(watchdog.arm(stmt)::run);
        }
      });
    }
  }

  /**
   * Prepares statements with {@code prepareStatement(sql)}. JDBI's default passes result set type and
   * concurrency, and for that call MariaDB Connector/J 3.x assumes {@code RETURN_GENERATED_KEYS}, which
   * (before MariaDB 11.5) turns every batch from one bulk command into one command per row.
   */
  private static final class NoGeneratedKeys extends DefaultStatementBuilder {
    @Override
    public PreparedStatement create(Connection conn, String sql, StatementContext ctx) throws SQLException {
      if (ctx.isReturningGeneratedKeys() || ctx.isConcurrentUpdatable()) {
        return super.create(conn, sql, ctx);
      }
      return conn.prepareStatement(sql);
    }
  }

  /**
   * Runs {@code work} in one transaction. Deadlocks, serialization failures and racing inserts are
   * retried, up to the attempt limit. A broken connection is retried, for up to the statement timeout, when
   * the transaction had not reached its commit (the database rolled it back) or when {@code idempotent}
   * says running it twice is harmless; otherwise the outcome is unknown and the caller gets a
   * {@link UsageStorageException} saying so.
   */
  <T> T transaction(String what, boolean idempotent, HandleCallback<T, RuntimeException> work) {
    return run(what, idempotent, true, work, null);
  }

  /**
   * As {@link #transaction}, for idempotent work whose second run answers as a replay: when a run's commit broke the
   * connection (the database may have made it) and a later run answers, {@code afterLostCommit} is given the answer
   * the broken run computed before its commit and the later run's, and says which stands (the broken run's, where
   * the later one replays its own effect).
   */
  <T> T transaction(String what, HandleCallback<T, RuntimeException> work, BinaryOperator<T> afterLostCommit) {
    return run(what, true, true, work, afterLostCommit);
  }

  /** Runs {@code work} on a connection in auto-commit mode, retrying as {@link #transaction} does. */
  <T> T autocommit(String what, boolean idempotent, HandleCallback<T, RuntimeException> work) {
    return run(what, idempotent, false, work, null);
  }

  private <T> T run(String what, boolean idempotent, boolean inTransaction, HandleCallback<T, RuntimeException> work,
      BinaryOperator<T> afterLostCommit) {
    // the answer of the run whose commit is being sent, kept only where a lost commit's answer is weighed
    List<T> committing = afterLostCommit == null ? null : new ArrayList<>(1);
    return attempts(what, idempotent, inTransaction, afterLostCommit, committing, state -> {
      if (inTransaction) {
        return jdbi.inTransaction(h -> {
          state[SENT] = true;
          T result = work.withHandle(h);
          state[REACHED_COMMIT] = true;
          if (committing != null) {
            committing.clear();
            committing.add(result);
          }
          return result;
        });
      }
      return jdbi.withHandle(h -> {
        state[SENT] = true;
        return autoCommitted(h.getConnection(), () -> work.withHandle(h));
      });
    });
  }

  /** Work on a plain JDBC connection, for the hottest single statements (no JDBI handle per call). */
  @FunctionalInterface
  interface ConnectionWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} on a connection of the pool in auto-commit mode, retrying as {@link #autocommit}
   * does; statements should run through {@link #executeQuery} so that they time out.
   */
  <T> T autocommitJdbc(String what, boolean idempotent, ConnectionWork<T> work) {
    return attempts(what, idempotent, false, null, null, state -> {
      try (Connection c = dataSource.getConnection()) {
        state[SENT] = true;
        return autoCommitted(c, () -> work.run(c));
      }
    });
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code work} with auto-commit on, as the single-statement paths need: a pool configured with
   * auto-commit off would otherwise roll their writes back when the connection returns to it.
   */
  private static <T> T autoCommitted(Connection c, SqlWork<T> work) throws SQLException {
    if (c.getAutoCommit()) {
      return work.run();
    }
    c.setAutoCommit(true);
    try {
      return work.run();
    } finally {
      c.setAutoCommit(false);
    }
  }

  /**
   * Runs {@code work} once on a connection of its own, for a query whose rows are streamed to a caller:
   * on PostgreSQL in a read-only transaction (pgjdbc fetches a result set in batches of the fetch size
   * only with auto-commit off), rolled back afterwards; elsewhere in the connection's mode. Never retried:
   * rows may already have been handed on. Driver failures become {@link UsageStorageException}; what
   * {@code work} throws otherwise (a consumer's exception) propagates as it is.
   */
  <T> T streaming(String what, ConnectionWork<T> work) {
    try (Connection c = dataSource.getConnection()) {
      if (!postgres()) {
        return work.run(c);
      }
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        return work.run(c);
      } finally {
        try {
          c.rollback();
        } finally {
          c.setAutoCommit(autoCommit);
        }
      }
    } catch (SQLException e) {
      throw translate(what, Failure.of(e), e, 1, false);
    }
  }

  /** Executes a prepared query under the statement timeout. */
  ResultSet executeQuery(PreparedStatement statement) throws SQLException {
    if (watchdog == null) {
      return statement.executeQuery();
    }
    Runnable disarm = watchdog.arm(statement);
    try {
      return statement.executeQuery();
    } finally {
      disarm.run();
    }
  }

  /** Binds an instant to a plain JDBC statement as {@link #instant(Instant)} does. */
  void setInstant(PreparedStatement statement, int position, Instant value) throws SQLException {
    statement.setObject(position, encode(value));
  }

  private static final int SENT = 0;
  private static final int REACHED_COMMIT = 1;

  /** One try; {@code state[SENT]}: a connection was had and work began; {@code state[REACHED_COMMIT]}. */
  @FunctionalInterface
  private interface Attempt<T> {
    T run(boolean[] state) throws Exception;
  }

  /**
   * @param afterLostCommit see {@link #transaction(String, HandleCallback, BinaryOperator)}; null: the answer stands
   * @param committing holds, once a run has sent its commit, the answer it computed; null with no {@code
   *     afterLostCommit}
   */
  private <T> T attempts(String what, boolean idempotent, boolean inTransaction, BinaryOperator<T> afterLostCommit,
      List<T> committing, Attempt<T> attempt) {
    long reconnectDeadline = System.nanoTime() + reconnectBudgetNanos;
    T lost = null; // the answer of the latest run whose commit broke the connection
    for (int n = 1; ; n++) {
      boolean[] state = {false, false};
      try {
        T answer = attempt.run(state);
        return lost == null || afterLostCommit == null ? answer : afterLostCommit.apply(lost, answer);
      } catch (UsageException e) {
        throw e;
      } catch (JdbiException | SQLException e) {
        Failure failure = Failure.of(e);
        boolean safe = switch (failure) {
          case TRANSIENT -> true;
          // nothing was sent without a connection; a transaction that did not reach its commit was rolled back
          case CONNECTION -> idempotent || !state[SENT] || (inTransaction && !state[REACHED_COMMIT]);
          default -> false;
        };
        boolean again = safe && (failure == Failure.CONNECTION
            ? System.nanoTime() - reconnectDeadline < 0 : n < maxAttempts);
        if (!again) {
          throw translate(what, failure, e, n, safe);
        }
        if (committing != null && failure == Failure.CONNECTION && state[REACHED_COMMIT] && !committing.isEmpty()) {
          lost = committing.get(0); // the commit may have been made
        }
        LOG.debug("{}: {} failure on attempt {}, retrying", what, failure, n, e);
        pause(n);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Runs the transaction just begun on {@code h} at READ COMMITTED on MariaDB/MySQL (the default of the
   * other databases): their REPEATABLE READ makes range statements ({@code INSERT ... SELECT}, a range
   * {@code DELETE}) lock the gaps they scan, blocking other writers. A one-transaction setting: the pooled
   * connection keeps its own level.
   */
  void readCommitted(Handle h) {
    if (dialect.isMysqlFamily()) {
      h.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    }
  }

  /**
   * How long a statement may run, lock waits included. For a statement that is not a JDBI or prepared one
   * (pgjdbc's {@code COPY}), which neither the watchdog nor the driver's query timeout reaches.
   */
  Duration queryTimeout() {
    return queryTimeout;
  }

  /** Stops the statement watchdog. */
  @Override
  public void close() {
    if (watchdog != null) {
      watchdog.close();
    }
  }

  private static UsageStorageException translate(String what, Failure failure, Exception e, int attempts,
      boolean wasRetryable) {
    String message = switch (failure) {
      case TIMEOUT -> what + " timed out in the database";
      case CONNECTION -> wasRetryable
          ? what + " failed: no working database connection after " + attempts + " attempts"
          : what + " failed: the connection broke while committing; it may or may not have been applied";
      case TRANSIENT -> what + " failed: still conflicting after " + attempts + " attempts";
      default -> what + " failed in the database";
    };
    return new UsageStorageException(message + " (" + rootMessage(e) + ")", e);
  }

  private static String rootMessage(Throwable t) {
    Throwable last = t;
    for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof SQLException) {
        return c.getMessage();
      }
      last = c;
    }
    return last.getMessage();
  }

  private static void pause(int attempt) {
    long bound = Math.min(100, 1L << Math.min(attempt + 1, 7));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, bound + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UsageStorageException("interrupted while retrying", e);
    }
  }

  /** An instant as the dialect stores it exactly: microseconds, UTC. */
  Argument instant(Instant value) {
    Object bound = encode(value);
    return (position, statement, ctx) -> statement.setObject(position, bound);
  }

  private Object encode(Instant value) {
    Instant micros = value.truncatedTo(ChronoUnit.MICROS);
    return dialect.isMysqlFamily()
        ? LocalDateTime.ofInstant(micros, ZoneOffset.UTC)
        : OffsetDateTime.ofInstant(micros, ZoneOffset.UTC);
  }

  /** An instant as text the dialect parses exactly (for {@code COPY} and array arguments): ISO-8601 in UTC, microseconds. */
  String instantText(Instant value) {
    return value.truncatedTo(ChronoUnit.MICROS).toString();
  }

  /** A nullable instant argument. */
  Argument nullableInstant(Instant value) {
    if (value != null) {
      return instant(value);
    }
    int type = dialect.isMysqlFamily() ? java.sql.Types.TIMESTAMP : java.sql.Types.TIMESTAMP_WITH_TIMEZONE;
    return (position, statement, ctx) -> statement.setNull(position, type);
  }

  /** A null string argument. */
  Argument nullString() {
    return (position, statement, ctx) -> statement.setNull(position, java.sql.Types.VARCHAR);
  }

  /** A null decimal argument. */
  Argument nullDecimal() {
    return (position, statement, ctx) -> statement.setNull(position, java.sql.Types.DECIMAL);
  }

  /** Reads an instant column written by {@link #instant}; null stays null. */
  Instant instant(ResultSet rs, String column) throws SQLException {
    if (dialect.isMysqlFamily()) {
      LocalDateTime t = rs.getObject(column, LocalDateTime.class);
      return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /** Whether the dialect is PostgreSQL. */
  boolean postgres() {
    return dialect == JdbcDialect.POSTGRESQL;
  }

  /**
   * Binds {@code args} to the statement's positional parameters: instants in the dialect's exact encoding,
   * {@link Argument}s as they are, strings, numbers and booleans by their JDBC types.
   */
  <S extends SqlStatement<S>> S bind(S statement, Object... args) {
    for (int i = 0; i < args.length; i++) {
      Object v = args[i];
      if (v instanceof Instant t) {
        statement.bind(i, instant(t));
      } else if (v instanceof Argument a) {
        statement.bind(i, a);
      } else if (v instanceof String text) {
        statement.bind(i, text);
      } else if (v instanceof Long n) {
        statement.bind(i, n.longValue());
      } else if (v instanceof Integer n) {
        statement.bind(i, n.intValue());
      } else if (v instanceof Boolean b) {
        statement.bind(i, b.booleanValue());
      } else if (v instanceof BigDecimal d) {
        statement.bind(i, d);
      } else if (v instanceof Double d) {
        statement.bind(i, d.doubleValue());
      } else {
        throw new IllegalArgumentException("cannot bind " + (v == null ? "null" : v.getClass()) + " at " + i);
      }
    }
    return statement;
  }

  /** Runs an update with positional arguments; the number of rows it changed. */
  int update(Handle h, String sql, Object... args) {
    return bind(h.createUpdate(sql), args).execute();
  }

  /**
   * An insert that skips rows whose key exists without an error on PostgreSQL ({@code ON CONFLICT DO
   * NOTHING}) and MariaDB/MySQL ({@code INSERT IGNORE}); on H2 a plain insert, whose duplicate-key error
   * {@link #insertIfAbsent} ignores.
   *
   * @param target table and column list, e.g. {@code t (a, b)}
   * @param values the values clause, e.g. {@code VALUES (?, ?)}
   */
  String insertIgnoring(String target, String values) {
    return switch (dialect) {
      case POSTGRESQL -> "INSERT INTO " + target + " " + values + " ON CONFLICT DO NOTHING";
      case MARIADB, MYSQL -> "INSERT IGNORE INTO " + target + " " + values;
      case H2 -> "INSERT INTO " + target + " " + values;
    };
  }

  /**
   * An insert that skips a row whose key exists and can run inside a transaction: {@code ON CONFLICT DO
   * NOTHING} (PostgreSQL), {@code INSERT IGNORE} (MariaDB/MySQL), or on H2 an {@code INSERT ... SELECT}
   * guarded by {@code NOT EXISTS} on the key, the first {@code keyColumns} of {@code columns} (a racing
   * insert of the same key fails there with a duplicate key, and the transaction is retried). Bind its
   * arguments with {@link #keyed}.
   *
   * @param values the placeholders (or literals) of one row, e.g. {@code ?, ?, 1}
   */
  String insertUnlessKeyExists(String table, String columns, String values, int keyColumns) {
    if (dialect != JdbcDialect.H2) {
      return insertIgnoring(table + " (" + columns + ")", "VALUES (" + values + ")");
    }
    String[] names = columns.split(",\\s*");
    StringBuilder key = new StringBuilder();
    for (int i = 0; i < keyColumns; i++) {
      key.append(i == 0 ? "" : " AND ").append(names[i]).append(" = ?");
    }
    return "INSERT INTO " + table + " (" + columns + ") SELECT " + values + " FROM DUAL WHERE NOT EXISTS"
        + " (SELECT 1 FROM " + table + " WHERE " + key + ")";
  }

  /** The arguments of {@link #insertUnlessKeyExists} for one row: on H2 the row's key values follow it. */
  Object[] keyed(Object[] row, int keyColumns) {
    if (dialect != JdbcDialect.H2) {
      return row;
    }
    Object[] args = java.util.Arrays.copyOf(row, row.length + keyColumns);
    System.arraycopy(row, 0, args, row.length, keyColumns);
    return args;
  }

  /**
   * Inserts a row unless its key exists, in auto-commit mode: whether this call inserted it. A duplicate
   * key (also one raced in by another caller) is not an error.
   */
  boolean insertIfAbsent(Handle h, String sql, Object... args) {
    try {
      return update(h, sql, args) > 0;
    } catch (JdbiException e) {
      if (Failure.isDuplicateKey(e)) {
        return false;
      }
      throw e;
    }
  }
}
