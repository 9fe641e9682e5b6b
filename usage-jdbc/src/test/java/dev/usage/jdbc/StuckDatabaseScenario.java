package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.Consumption;
import dev.usage.FailureMode;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.UsageStorageException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A database that stops answering (its tables locked by another session) gives a typed error within the
 * statement timeout, or a degraded allow when the engine is fail-open; never a hung caller.
 */
abstract class StuckDatabaseScenario {

  /** A pool on a database of the test's own (the test locks whole tables). */
  abstract HikariDataSource pool();

  /** Locks the table of counters from {@code c}, whose transaction is open, until it ends. */
  abstract void lockCounters(Statement s) throws Exception;

  @Test
  void aLockedTableGivesATypedErrorWithinTheTimeoutAndWorkResumesAfter() throws Exception {
    String user = "stuck-" + UUID.randomUUID();
    try (HikariDataSource ds = pool();
        JdbcUsageStorage storage = JdbcUsageStorage.builder(ds).queryTimeout(Duration.ofSeconds(1)).build();
        UsageEngine closed = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.SYNC)
            .closeOnShutdown(false).build();
        UsageEngine open = UsageEngine.builder().storage(storage).trackingMode(TrackingMode.SYNC)
            .failureMode(FailureMode.FAIL_OPEN).closeOnShutdown(false).build()) {
      Consumption one = Consumption.of(user, QuotaType.REQUESTS, 1);
      assertThat(closed.tracking().consumeQuota(one).allowed()).isTrue();

      try (Connection blocker = ds.getConnection(); Statement s = blocker.createStatement()) {
        blocker.setAutoCommit(false);
        lockCounters(s);

        long start = System.nanoTime();
        assertThatThrownBy(() -> closed.tracking().consumeQuota(one)).isInstanceOf(UsageStorageException.class)
            .hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));

        start = System.nanoTime();
        QuotaDecision degraded = open.tracking().consumeQuota(one);
        assertThat(degraded.allowed()).isTrue();
        assertThat(degraded.degraded()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));

        blocker.rollback();
      }
      QuotaDecision after = closed.tracking().consumeQuota(one);
      assertThat(after.allowed()).isTrue();
      assertThat(after.degraded()).isFalse();
      assertThat(closed.quotas().getQuotaStatus(user)).filteredOn(st -> st.type().equals(QuotaType.REQUESTS))
          .singleElement().satisfies(st -> assertThat(st.used()).as("the timed-out consumes counted nothing").isEqualTo(2));
    }
  }
}
