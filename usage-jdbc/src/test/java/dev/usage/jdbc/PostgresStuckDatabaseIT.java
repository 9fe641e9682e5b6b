package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.UsageEvent;
import dev.usage.UsageStorageException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL with its counters table under {@code LOCK TABLE … ACCESS EXCLUSIVE}, and its event log under
 * {@code SHARE} (what a non-concurrent {@code CREATE INDEX} takes), which blocks the appends' {@code COPY}.
 */
class PostgresStuckDatabaseIT extends StuckDatabaseScenario {

  @Override
  HikariDataSource pool() {
    return TestDatabases.postgres(4, "_stuck");
  }

  @Override
  void lockCounters(Statement s) throws Exception {
    s.execute("LOCK TABLE usage_counters IN ACCESS EXCLUSIVE MODE");
  }

  @Test
  void aCopyBlockedByALockTimesOutWithinTheQueryTimeoutAndAppendsResumeAfter() throws Exception {
    Duration timeout = Duration.ofSeconds(1);
    UsageEvent event = UsageEvent.builder().userId("stuck-copy-" + UUID.randomUUID()).eventId("e")
        .occurredAt(Instant.parse("2025-05-05T05:05:05Z")).characters(1).build();
    try (HikariDataSource ds = pool();
        JdbcUsageStorage storage = JdbcUsageStorage.builder(ds).queryTimeout(timeout).build()) {
      try (Connection blocker = ds.getConnection(); Statement s = blocker.createStatement()) {
        blocker.setAutoCommit(false);
        try {
          s.execute("LOCK TABLE usage_tracking IN SHARE MODE");

          UsageStorageException failure = assertTimeoutPreemptively(timeout.plusSeconds(3),
              () -> assertThrows(UsageStorageException.class, () -> storage.events().append(List.of(event))));
          assertThat(failure).hasMessageContaining("timed out");
        } finally {
          // the database is shared by the test run: never leave the lock behind
          blocker.commit();
        }
      }
      assertThat(storage.events().append(List.of(event))).as("the timed-out append stored nothing").isOne();
    }
  }
}
