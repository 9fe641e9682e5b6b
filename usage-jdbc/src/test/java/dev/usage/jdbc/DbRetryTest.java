package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.UsageStorageException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.ConnectionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** How database failures are retried or turned into typed errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DbRetryTest {

  private final HikariDataSource pool = TestDatabases.h2();
  private final Db db = new Db(pool, JdbcDialect.H2, Duration.ofSeconds(1), 5);

  @AfterAll
  void close() {
    db.close();
    pool.close();
  }

  private static RuntimeException failure(String state, int code) {
    return new ConnectionException(new SQLException("simulated", state, code));
  }

  @Test
  void deadlocksAreRetriedUntilTheyPass() {
    AtomicInteger calls = new AtomicInteger();
    String result = db.transaction("test", false, h -> {
      if (calls.incrementAndGet() < 3) {
        throw failure("40P01", 0);
      }
      return "done";
    });
    assertThat(result).isEqualTo("done");
    assertThat(calls).hasValue(3);
  }

  @Test
  void aMariaDbSnapshotIsolationConflictIsRetried() {
    // innodb_snapshot_isolation (on by default since MariaDB 11.6.2): a locking read met a row committed after the
    // transaction's snapshot was taken ("Record has changed since last read"), which a new transaction does not meet
    AtomicInteger calls = new AtomicInteger();
    String result = db.transaction("consume", false, h -> {
      if (calls.incrementAndGet() < 2) {
        throw failure("HY000", 1020);
      }
      return "done";
    });
    assertThat(result).isEqualTo("done");
    assertThat(calls).hasValue(2);
  }

  @Test
  void deadlocksThatPersistGiveATypedErrorAfterTheAttemptLimit() {
    for (RuntimeException deadlock : new RuntimeException[] {failure("40001", 1213), failure("40P01", 0),
        failure("40001", 0)}) {
      AtomicInteger calls = new AtomicInteger();
      assertThatThrownBy(() -> db.transaction("consume", false, h -> {
        calls.incrementAndGet();
        throw deadlock;
      })).isInstanceOf(UsageStorageException.class).hasMessageContaining("still conflicting after 5 attempts");
      assertThat(calls).hasValue(5);
    }
  }

  @Test
  void onlyARunWhoseCommitBrokeTheConnectionHasItsAnswerWeighedAgainstTheRetrys() {
    // a connection lost before the commit rolled the work back, and a deadlock's rollback too: the retry's answer
    // stands (a lost commit is in H2LostCommitTest: it needs a connection whose commit fails after it is made)
    for (RuntimeException beforeCommit : new RuntimeException[] {
        new ConnectionException(new SQLTransientConnectionException("reset", "08006")), failure("40P01", 0)}) {
      AtomicInteger calls = new AtomicInteger();
      String answer = db.transaction("consume", h -> {
        if (calls.incrementAndGet() == 1) {
          throw beforeCommit;
        }
        return "replayed";
      }, (lost, retried) -> "the lost run's");
      assertThat(answer).isEqualTo("replayed");
      assertThat(calls).hasValue(2);
    }
  }

  @Test
  void aTimeoutIsNotRetried() {
    for (RuntimeException timeout : new RuntimeException[] {failure("57014", 0), failure("HY000", 1205),
        failure("70100", 1969), failure("HYT00", 50200)}) {
      AtomicInteger calls = new AtomicInteger();
      assertThatThrownBy(() -> db.transaction("consume", true, h -> {
        calls.incrementAndGet();
        throw timeout;
      })).isInstanceOf(UsageStorageException.class).hasMessageContaining("timed out");
      assertThat(calls).hasValue(1);
    }
  }

  @Test
  void aConnectionLostOutsideATransactionIsRetriedOnlyWhenIdempotent() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> db.autocommit("consume", false, h -> {
      calls.incrementAndGet();
      throw new ConnectionException(new SQLTransientConnectionException("reset", "08006"));
    })).isInstanceOf(UsageStorageException.class).hasMessageContaining("may or may not have been applied");
    assertThat(calls).hasValue(1);

    AtomicInteger idempotent = new AtomicInteger();
    Integer read = db.autocommit("read", true, h -> {
      if (idempotent.incrementAndGet() < 4) {
        throw failure("57P01", 0);
      }
      return 1;
    });
    assertThat(read).isEqualTo(1);
    assertThat(idempotent).hasValue(4);
  }

  @Test
  void aConnectionLostBeforeCommitIsRetriedAndKeepsBeingRetriedOnlyWithinTheStatementTimeout() {
    AtomicInteger calls = new AtomicInteger();
    String result = db.transaction("consume", false, h -> {
      if (calls.incrementAndGet() < 3) {
        throw failure("08003", 0);
      }
      return "done";
    });
    assertThat(result).isEqualTo("done");

    long start = System.nanoTime();
    assertThatThrownBy(() -> db.transaction("consume", false, h -> {
      throw failure("08006", 0);
    })).isInstanceOf(UsageStorageException.class).hasMessageContaining("no working database connection");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));
  }

  @Test
  void otherFailuresAreTypedAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> db.autocommit("read", true, h -> {
      calls.incrementAndGet();
      return h.createQuery("SELECT no_such_column FROM usage_counters").mapTo(Long.class).list();
    })).isInstanceOf(UsageStorageException.class).hasMessageContaining("read failed in the database")
        .hasCauseInstanceOf(org.jdbi.v3.core.JdbiException.class);
    assertThat(calls).hasValue(1);
  }
}
