package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.UsageEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Appends on MariaDB: bulk batches (COM_STMT_BULK_EXECUTE), with an exact count of new events. */
class MariaDbAppendIT extends AbstractAppendCheck {

  private HikariDataSource pool;

  @Override
  DataSource dataSource() {
    if (pool == null) {
      // one connection: the session counters read below are the append's
      pool = TestDatabases.mariadb(1);
    }
    return pool;
  }

  @AfterEach
  void close() {
    if (pool != null) {
      pool.close();
    }
  }

  @Test
  void sendsABatchOfFiveHundredAsOneBulkInsert() {
    JdbcEventStore store = storage().events();
    String user = "bulk-" + UUID.randomUUID();
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      events.add(UsageEvent.builder().eventId("e" + i).userId(user).occurredAt(Instant.EPOCH).characters(1).build());
    }
    long before = inserts();
    assertThat(store.append(events)).isEqualTo(500);
    // one INSERT command for the 500 rows (the driver would send 500 without bulk), and one upsert marking
    // the events' single (day, user) rollup stale
    assertThat(inserts() - before).isEqualTo(2);
  }

  private long inserts() {
    return Jdbi.create(pool).withHandle(MariaDbAppendIT::comInsert);
  }

  private static long comInsert(Handle h) {
    return h.createQuery("SHOW SESSION STATUS LIKE 'Com_insert'").map((rs, ctx) -> rs.getLong(2)).one();
  }
}
