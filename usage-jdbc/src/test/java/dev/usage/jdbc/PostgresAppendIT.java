package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.QuotaType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Appends on PostgreSQL, through COPY (pgjdbc: straight into the table, or through the staging table when
 * some ids are stored) and through the prepared batch (any other driver).
 */
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
    void aNewBatchIsCopiedStraightInAndOneWithStoredIdsGoesThroughTheStagingTable() {
      // one connection, so that every append and the look at the session's temporary tables share a session
      try (HikariDataSource one = TestDatabases.postgres(1)) {
        JdbcEventStore events = JdbcUsageStorage.builder(one).build().events();
        String user = "copy-" + UUID.randomUUID();
        assertThat(events.append(List.of(event(user, "a", Instant.EPOCH, 1), event(user, "b", Instant.EPOCH, 1))))
            .isEqualTo(2);
        assertThat(stages(one)).isZero();

        // "b" is stored: the direct COPY is refused, rolled back to its savepoint, and the stage takes over
        assertThat(events.append(List.of(event(user, "b", Instant.EPOCH, 5), event(user, "c", Instant.EPOCH, 1))))
            .isEqualTo(1);
        assertThat(stages(one)).isOne();
        assertThat(events.userTotals(user, Instant.EPOCH, Instant.EPOCH.plusSeconds(1)))
            .containsEntry(QuotaType.CHARACTERS, 3L);
      }
    }

    private long stages(DataSource ds) {
      return Jdbi.create(ds).withHandle(h -> h.createQuery("SELECT COUNT(*) FROM pg_class WHERE relname = ?"
          + " AND relnamespace = pg_my_temp_schema()").bind(0, PgCopy.STAGE).mapTo(Long.class).one());
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
