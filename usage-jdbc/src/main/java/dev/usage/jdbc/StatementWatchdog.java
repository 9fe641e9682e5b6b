package dev.usage.jdbc;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels statements that run past the timeout. Used instead of {@link Statement#setQueryTimeout} where
 * that is costly: pgjdbc schedules a task on one JVM-wide {@code java.util.Timer} per statement (a point
 * of contention under many threads), and H2 runs {@code SET QUERY_TIMEOUT}, which empties the session's
 * statement cache so that every statement is parsed again. Arming is a map insert; one daemon thread
 * checks deadlines every tenth of the timeout. A statement cancelled this way fails with the driver's
 * "cancelled" error, which the adapter reports as a timeout. Thread-safe.
 */
final class StatementWatchdog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StatementWatchdog.class);

  private final long timeoutNanos;
  private final Map<Statement, Long> deadlines = new ConcurrentHashMap<>();
  private final ScheduledExecutorService checker;

  StatementWatchdog(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
    this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "usage-jdbc-statement-watchdog");
      t.setDaemon(true);
      return t;
    });
    long period = Math.max(20, timeout.toMillis() / 10);
    checker.scheduleWithFixedDelay(this::cancelOverdue, period, period, TimeUnit.MILLISECONDS);
  }

  /** Watches {@code statement} from now on; the returned handle stops watching it. */
  Runnable arm(Statement statement) {
    deadlines.put(statement, System.nanoTime() + timeoutNanos);
    return () -> deadlines.remove(statement);
  }

  private void cancelOverdue() {
    long now = System.nanoTime();
    deadlines.forEach((statement, deadline) -> {
      if (now - deadline >= 0 && deadlines.remove(statement, deadline)) {
        try {
          statement.cancel();
        } catch (SQLException | RuntimeException e) {
          LOG.debug("could not cancel an overdue statement", e);
        }
      }
    });
  }

  @Override
  public void close() {
    checker.shutdownNow();
  }
}
