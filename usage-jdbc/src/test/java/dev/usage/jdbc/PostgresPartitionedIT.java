package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's monthly partitioned {@code usage_tracking} (the SQL block is read from the README, so the
 * documentation cannot drift from what is tested), in a schema of its own: appends (COPY path) land in
 * their month, duplicates are skipped as documented, totals are right, and retention drops a month.
 */
class PostgresPartitionedIT {

  private static final Instant JAN = Instant.parse("2025-01-15T10:00:00.000001Z");
  private static final Instant FEB = Instant.parse("2025-02-10T23:59:59.999999Z");
  private static final Instant MAR = Instant.parse("2025-03-01T00:00:00Z");

  private String schema;
  private HikariDataSource pool;

  @BeforeEach
  void createLayout() throws IOException {
    TestDatabases.require("PostgreSQL at 127.0.0.1:5432", TestDatabases.PG_URL, "postgres", "");
    schema = "usage_part_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (HikariDataSource admin = TestDatabases.pool(TestDatabases.PG_URL, "postgres", "", 1)) {
      Jdbi.create(admin).useHandle(h -> h.execute("CREATE SCHEMA " + schema));
    }
    pool = TestDatabases.pool(TestDatabases.PG_URL + "?currentSchema=" + schema, "postgres", "", 2);
    List<String> partitioned = readmeDdl();
    Jdbi.create(pool).useTransaction(h -> {
      for (String sql : JdbcSchema.statements(JdbcDialect.POSTGRESQL)) {
        if (!sql.startsWith("CREATE TABLE usage_tracking (") && !sql.contains(" ON usage_tracking (")) {
          h.execute(sql);
        }
      }
      partitioned.forEach(h::execute);
    });
  }

  @AfterEach
  void drop() {
    if (pool != null) {
      pool.close();
    }
    try (HikariDataSource admin = TestDatabases.pool(TestDatabases.PG_URL, "postgres", "", 1)) {
      Jdbi.create(admin).useHandle(h -> h.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }
  }

  @Test
  void appendsDeduplicatesAndTotalsOnMonthlyPartitions() {
    String kind = Jdbi.create(pool).withHandle(h -> h.createQuery(
        "SELECT relkind FROM pg_class WHERE oid = 'usage_tracking'::regclass").mapTo(String.class).one());
    assertThat(kind).isEqualTo("p");
    JdbcEventStore store = JdbcUsageStorage.builder(pool).build().events();
    List<UsageEvent> batch = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Instant at = i % 3 == 0 ? JAN : i % 3 == 1 ? FEB : MAR;
      batch.add(event("u" + (i % 5), "e" + i, at.plusSeconds(i % 7), 10));
    }
    batch.add(event("u0", "e0", JAN, 99)); // same id and time within the batch: skipped
    assertThat(store.append(batch)).isEqualTo(300);
    assertThat(store.append(batch)).isZero(); // a retried batch: exactly once

    // the documented limit: the same id with another occurred_at is a second row
    assertThat(store.append(List.of(event("u0", "e0", FEB, 1)))).isEqualTo(1);

    Instant febStart = Instant.parse("2025-02-01T00:00:00Z");
    Instant marStart = Instant.parse("2025-03-01T00:00:00Z");
    assertThat(store.userTotals("u0", febStart, marStart)).isEqualTo(Map.of(
        QuotaType.CHARACTERS, 20 * 10L + 1, QuotaType.REQUESTS, 21L));
    assertThat(rows("usage_tracking_2025_01")).isEqualTo(100);
    assertThat(rows("usage_tracking_2025_02")).isEqualTo(101);
    assertThat(rows("usage_tracking_2025_03")).isEqualTo(100);
    assertThat(rows("usage_tracking_default")).isZero();

    // an event outside every month lands in the default partition
    assertThat(store.append(List.of(event("u1", "late", Instant.parse("2026-07-01T00:00:00Z"), 1)))).isEqualTo(1);
    assertThat(rows("usage_tracking_default")).isEqualTo(1);

    // retention: dropping January's partition removes January only
    Jdbi.create(pool).useHandle(h -> h.execute("DROP TABLE usage_tracking_2025_01"));
    assertThat(store.userTotals("u0", Instant.parse("2025-01-01T00:00:00Z"), febStart)).isEmpty();
    assertThat(store.userTotals("u0", febStart, marStart).get(QuotaType.CHARACTERS)).isEqualTo(201L);
  }

  private static UsageEvent event(String user, String id, Instant at, long characters) {
    return UsageEvent.builder().eventId(id).userId(user).occurredAt(at).characters(characters).requests(1).build();
  }

  private long rows(String partition) {
    return Jdbi.create(pool).withHandle((Handle h) -> h.createQuery("SELECT COUNT(*) FROM " + partition)
        .mapTo(Long.class).one());
  }

  /** The statements of the README's partitioned-DDL block. */
  static List<String> readmeDdl() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String block = readme.substring(readme.indexOf("<!-- partitioned-ddl:start -->"),
        readme.indexOf("<!-- partitioned-ddl:end -->"));
    block = block.substring(block.indexOf("```sql") + 6, block.lastIndexOf("```"));
    List<String> out = new ArrayList<>();
    for (String sql : block.split(";")) {
      if (!sql.isBlank()) {
        out.add(sql.strip());
      }
    }
    return out;
  }
}
