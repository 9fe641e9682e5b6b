package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.EventFilter;
import dev.usage.InvalidUsageException;
import dev.usage.TimeRange;
import dev.usage.UsageStorageException;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Analytics statements run under their own timeout: a report waiting on a locked event log is not cut off
 * by the hot path's short statement timeout, and is by a short analytics timeout.
 */
class PostgresAnalyticsTimeoutIT {

  private static final EventQuery DAY = new EventQuery(EventFilter.of(TimeRange.of(Instant.parse("2031-01-01T00:00:00Z"),
      Instant.parse("2031-01-02T00:00:00Z"))), "free");

  @Test
  void analyticsOutwaitTheHotPathTimeoutButNotTheirOwn() throws Exception {
    try (HikariDataSource ds = TestDatabases.postgres(4, "_analytics_timeout");
        JdbcUsageStorage patient = JdbcUsageStorage.builder(ds).queryTimeout(Duration.ofSeconds(1))
            .analyticsTimeout(Duration.ofSeconds(30)).build();
        JdbcUsageStorage hasty = JdbcUsageStorage.builder(ds).queryTimeout(Duration.ofSeconds(30))
            .analyticsTimeout(Duration.ofSeconds(1)).build()) {
      EventAnalytics slow = patient.events().analytics().orElseThrow();
      EventAnalytics quick = hasty.events().analytics().orElseThrow();
      try (Connection blocker = ds.getConnection(); Statement s = blocker.createStatement()) {
        blocker.setAutoCommit(false);
        s.execute("LOCK TABLE usage_tracking IN ACCESS EXCLUSIVE MODE");

        long start = System.nanoTime();
        assertThatThrownBy(() -> quick.group(DAY, Set.of())).isInstanceOf(UsageStorageException.class)
            .hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

        CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(
            () -> slow.group(DAY, Set.of()).get(0).totals().events());
        Thread.sleep(2_500); // past the hot path's 1 s
        assertThat(waiting).isNotDone();
        blocker.rollback();
        assertThat(waiting.get(20, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(0L);
      }
    }
  }

  @Test
  void refusesAnAnalyticsTimeoutOutOfRange() {
    assertThatThrownBy(() -> JdbcUsageStorage.builder(new org.h2.jdbcx.JdbcDataSource())
        .analyticsTimeout(Duration.ofMillis(10))).isInstanceOfSatisfying(InvalidUsageException.class,
            e -> assertThat(e.field()).isEqualTo("analyticsTimeout"));
    assertThatThrownBy(() -> JdbcUsageStorage.builder(new org.h2.jdbcx.JdbcDataSource())
        .analyticsTimeout(Duration.ofHours(25))).isInstanceOfSatisfying(InvalidUsageException.class,
            e -> assertThat(e.field()).isEqualTo("analyticsTimeout"));
  }
}
