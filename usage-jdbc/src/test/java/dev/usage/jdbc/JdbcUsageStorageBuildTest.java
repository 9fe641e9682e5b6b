package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.UsageEvent;
import dev.usage.UsageStorageException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** What building a storage opens, and what it leaves when it fails. */
class JdbcUsageStorageBuildTest {

  @Test
  void eachStorageBuiltFromAJdbcUrlHasAPoolOfItsOwn() {
    JdbcUsageStorage.Builder builder = JdbcUsageStorage.fromJdbcUrl(
        "jdbc:h2:mem:build-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "").initializeSchema(true);
    JdbcUsageStorage first = builder.build();
    try (JdbcUsageStorage second = builder.build()) {
      first.close();

      // the second still has its pool (the two shared one, which closing the first closed)
      assertThat(second.events().append(List.of(UsageEvent.builder().eventId("e").userId("u")
          .occurredAt(Instant.parse("2026-03-15T10:00:00Z")).characters(3).build()))).isEqualTo(1);
    }
  }

  @Test
  void aStorageThatCannotBeBuiltLeavesNoThreadRunning() {
    DataSource down = new DataSource() {
      @Override
      public Connection getConnection() throws SQLException {
        throw new SQLTransientConnectionException("the database is down", "08001");
      }

      @Override
      public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
      }

      @Override
      public PrintWriter getLogWriter() {
        return null;
      }

      @Override
      public void setLogWriter(PrintWriter out) {}

      @Override
      public void setLoginTimeout(int seconds) {}

      @Override
      public int getLoginTimeout() {
        return 0;
      }

      @Override
      public Logger getParentLogger() {
        return Logger.getGlobal();
      }

      @Override
      public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
      }

      @Override
      public boolean isWrapperFor(Class<?> iface) {
        return false;
      }
    };
    long before = watchdogs();

    assertThatThrownBy(() -> JdbcUsageStorage.builder(down).dialect(JdbcDialect.H2).build())
        .isInstanceOf(UsageStorageException.class);

    // at most as many: a storage an earlier test closed may still be stopping its thread
    assertThat(watchdogs()).as("statement watchdog threads alive").isLessThanOrEqualTo(before);
  }

  private static long watchdogs() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("usage-jdbc-statement-watchdog")).count();
  }
}
