package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Appends on PostgreSQL, through COPY (pgjdbc) and through the prepared batch (any other driver). */
class PostgresAppendIT {

  private HikariDataSource pool;

  HikariDataSource pool() {
    if (pool == null) {
      pool = TestDatabases.postgres(2);
    }
    return pool;
  }

  @AfterEach
  void close() {
    if (pool != null) {
      pool.close();
    }
  }

  @Nested
  class Copy extends AbstractAppendCheck {
    @Override
    DataSource dataSource() {
      return pool();
    }

    @Test
    void appendsThroughTheStagingTable() {
      String user = "copy-" + UUID.randomUUID();
      storage().events().append(List.of(event(user, "a", Instant.EPOCH, 1)));
      // the stage exists only in a session that appended with COPY (one connection: this one)
      long stages = Jdbi.create(pool()).withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM pg_class WHERE relname = ? AND relpersistence = 't'").bind(0, PgCopy.STAGE)
          .mapTo(Long.class).one());
      assertThat(stages).isPositive();
    }
  }

  @Nested
  class PreparedBatch extends AbstractAppendCheck {
    @Override
    DataSource dataSource() {
      return EventAppendHarness.hidingPgjdbc(pool());
    }

    @Override
    JdbcUsageStorage storage() {
      return JdbcUsageStorage.builder(dataSource()).dialect(JdbcDialect.POSTGRESQL).build();
    }
  }
}
