package dev.usage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usage.Consumption;
import dev.usage.PeriodUsage;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaDecision;
import dev.usage.QuotaType;
import dev.usage.UsageEngine;
import dev.usage.UsageEvent;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The shipped DDL on a fresh, empty schema of one database: {@link JdbcSchema#create} creates every table
 * once and is a no-op afterwards; Flyway migrates {@link JdbcDialect#flywayLocation()} and the storage works
 * on the result. Subclasses provide fresh schemas (and drop them).
 */
abstract class AbstractSchemaCheck {

  static final Instant NOW = Instant.parse("2025-06-15T10:00:00Z");

  abstract JdbcDialect dialect();

  /** A pool on a new, empty schema (or database); closed and dropped by the subclass. */
  abstract DataSource freshSchema();

  @Test
  void createMakesEveryTableOnceAndIsANoOpAfterwards() {
    DataSource ds = freshSchema();
    assertThat(tables(ds)).isEmpty();

    assertThat(JdbcSchema.create(ds, dialect())).isTrue();
    List<String> created = tables(ds);
    assertThat(JdbcSchema.create(ds, dialect())).isFalse();

    assertThat(created).containsExactlyInAnyOrderElementsOf(shippedTables());
    assertThat(tables(ds)).isEqualTo(created);
    smoke(ds);
  }

  @Test
  void flywayMigratesTheShippedLocation() {
    DataSource ds = freshSchema();
    MigrateResult result = Flyway.configure().dataSource(ds).locations(dialect().flywayLocation())
        .failOnMissingLocations(true).load().migrate();

    assertThat(result.migrationsExecuted).isEqualTo(JdbcSchema.VERSION);
    assertThat(result.targetSchemaVersion).isEqualTo(Integer.toString(JdbcSchema.VERSION));
    assertThat(tables(ds)).containsAll(shippedTables()).contains("flyway_schema_history");
    assertThat(JdbcSchema.create(ds, dialect())).isFalse();
    smoke(ds);
  }

  @Test
  void createBringsAVersionOneSchemaUpToDate() throws Exception {
    DataSource ds = freshSchema();
    Jdbi.create(ds).useHandle(h -> JdbcSchema.statements(dialect(), 1).forEach(h::execute));
    try (Connection c = ds.getConnection()) {
      assertThat(JdbcSchema.indexExists(c, "usage_tracking", "usage_tracking_endpoint_time")).isFalse();
      assertThat(JdbcSchema.indexExists(c, "usage_tracking", "usage_tracking_user_time")).isTrue();
    }

    assertThat(JdbcSchema.create(ds, dialect())).as("tables existed").isFalse();
    try (Connection c = ds.getConnection()) {
      assertThat(JdbcSchema.indexExists(c, "usage_tracking", "usage_tracking_endpoint_time")).isTrue();
    }
    assertThat(JdbcSchema.create(ds, dialect())).isFalse();
    smoke(ds);
  }

  @Test
  void createBringsAVersionTwoSchemaUpToDateAndKeepsItsAuditRows() throws Exception {
    DataSource ds = freshSchema();
    Jdbi.create(ds).useHandle(h -> {
      JdbcSchema.statements(dialect(), 1).forEach(h::execute);
      JdbcSchema.statements(dialect(), 2).forEach(h::execute);
    });
    try (Connection c = ds.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(
        "INSERT INTO usage_audit (user_id, at, actor, action, quota_type, old_value, new_value, reason)"
            + " VALUES ('old', ?, 'admin', 'change-tier', NULL, 'free', 'premium', 'before v3')")) {
      ps.setObject(1, dialect().isMysqlFamily() ? java.time.LocalDateTime.ofInstant(NOW, ZoneOffset.UTC)
          : java.time.OffsetDateTime.ofInstant(NOW, ZoneOffset.UTC));
      ps.executeUpdate();
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
    try (Connection c = ds.getConnection()) {
      assertThat(JdbcSchema.migration(3).applied(c)).isFalse();
      assertThat(JdbcSchema.columnExists(c, "usage_audit", "request_id")).isFalse();
      assertThat(JdbcSchema.columnExists(c, "usage_audit", "reason")).isTrue();
    }

    assertThat(JdbcSchema.create(ds, dialect())).as("tables existed").isFalse();
    try (Connection c = ds.getConnection()) {
      assertThat(JdbcSchema.columnExists(c, "usage_audit", "request_id")).isTrue();
      assertThat(JdbcSchema.columnExists(c, "usage_audit", "entry_hash")).isTrue();
      assertThat(JdbcSchema.indexExists(c, "usage_audit", "usage_audit_request")).isTrue();
      assertThat(JdbcSchema.indexExists(c, "usage_audit", "usage_audit_actor_time")).isTrue();
    }
    assertThat(JdbcSchema.create(ds, dialect())).as("nothing left to apply").isFalse();
    JdbcUsageStorage storage = JdbcUsageStorage.builder(ds).build();
    assertThat(storage.userQuotas().auditTrail("old")).singleElement().satisfies(e -> {
      assertThat(e.reason()).isEqualTo("before v3");
      assertThat(e.at()).isEqualTo(NOW);
      assertThat(e.requestId()).isEmpty();
      assertThat(e.hash()).isEmpty();
    });
    try (UsageEngine engine = UsageEngine.builder().storage(storage).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .closeOnShutdown(false).auditHashChain(true).build()) {
      dev.usage.ChangeRequest once = dev.usage.ChangeRequest.of("admin", "after v3").withRequestId("r-1");
      engine.quotas().changeTier("old", "enterprise", once);
      engine.quotas().changeTier("old", "enterprise", once);
      assertThat(engine.quotas().auditTrail("old")).extracting(e -> e.requestId().orElse("-"))
          .containsExactly("-", "r-1");
      assertThat(engine.quotas().verifyAuditTrail("old").unchained()).isEqualTo(1);
      assertThat(engine.quotas().verifyAuditTrail("old").intact()).isTrue();
    }
    smoke(ds);
  }

  @Test
  void createBringsAVersionThreeSchemaUpToDateKeepingItsClosedPeriods() throws Exception {
    DataSource ds = freshSchema();
    Jdbi.create(ds).useHandle(h -> {
      for (int v = 1; v <= 3; v++) {
        JdbcSchema.statements(dialect(), v).forEach(h::execute);
      }
      h.execute("INSERT INTO usage_period_history (user_id, quota_type, period_start, period_kind, period_end,"
          + " quota_limit, used, rolled_over, closed_at) VALUES ('old', 'tokens', ?, 'MONTH', ?, 100, 40, 5, ?)",
          java.sql.Timestamp.from(Instant.parse("2025-04-01T00:00:00Z")),
          java.sql.Timestamp.from(Instant.parse("2025-05-01T00:00:00Z")), java.sql.Timestamp.from(NOW));
    });
    try (Connection c = ds.getConnection()) {
      assertThat(JdbcSchema.columnExists(c, "usage_period_history", "rolled_over")).isTrue();
      assertThat(JdbcSchema.columnExists(c, "usage_period_history", "rolled_over_parts")).isFalse();
    }

    assertThat(JdbcSchema.create(ds, dialect())).as("tables existed").isFalse();

    try (Connection c = ds.getConnection()) {
      assertThat(JdbcSchema.columnExists(c, "usage_period_history", "rolled_over_parts")).isTrue();
    }
    assertThat(JdbcUsageStorage.builder(ds).build().history().history("old")).singleElement().satisfies(r -> {
      assertThat(r.used()).isEqualTo(40);
      assertThat(r.carriedIn()).isZero();
      assertThat(r.rolledOver()).isEqualTo(5);
      assertThat(r.rolledOverParts()).containsExactly(5L);
    });
    smoke(ds);
  }

  @Test
  void createFinishesMigrationsThatStoppedPartWay() throws Exception {
    DataSource ds = freshSchema();
    Jdbi.create(ds).useHandle(h -> {
      JdbcSchema.statements(dialect(), 1).forEach(h::execute);
      JdbcSchema.statements(dialect(), 2).forEach(h::execute);
      // V3 stopped after its columns (a process killed while building an index: MariaDB and H2 commit each DDL
      // statement), V4 after its columns, before converting the rows closed earlier
      h.execute(JdbcSchema.statements(dialect(), 3).get(0));
      h.execute("INSERT INTO usage_period_history (user_id, quota_type, period_start, period_kind, period_end,"
          + " quota_limit, used, rolled_over, closed_at) VALUES ('old', 'tokens', ?, 'MONTH', ?, 100, 40, 5, ?)",
          java.sql.Timestamp.from(Instant.parse("2025-04-01T00:00:00Z")),
          java.sql.Timestamp.from(Instant.parse("2025-05-01T00:00:00Z")), java.sql.Timestamp.from(NOW));
      h.execute(JdbcSchema.statements(dialect(), 4).get(0));
      h.execute(JdbcSchema.statements(dialect(), 4).get(1));
    });
    try (Connection c = ds.getConnection()) {
      assertThat(JdbcSchema.indexExists(c, "usage_audit", "usage_audit_request")).as("V3 not marked applied").isFalse();
      assertThat(JdbcSchema.columnExists(c, "usage_period_history", "rolled_over_parts")).isTrue();
    }

    assertThat(JdbcSchema.create(ds, dialect())).as("tables existed").isFalse();

    try (Connection c = ds.getConnection()) {
      assertThat(JdbcSchema.indexExists(c, "usage_audit", "usage_audit_request")).isTrue();
      assertThat(JdbcSchema.columnExists(c, "user_quotas", "usage_resets")).isTrue();
    }
    assertThat(JdbcUsageStorage.builder(ds).build().history().history("old")).singleElement()
        .satisfies(r -> assertThat(r.rolledOverParts()).containsExactly(5L));
    assertThat(JdbcSchema.create(ds, dialect())).isFalse();
    smoke(ds);
  }

  @Test
  void createKeysTheHistoryByPeriodKindKeepingItsRows() throws Exception {
    DataSource ds = freshSchema();
    Instant march = Instant.parse("2025-03-01T00:00:00Z");
    Jdbi.create(ds).useHandle(h -> {
      for (int v = 1; v <= 5; v++) {
        JdbcSchema.statements(dialect(), v).forEach(h::execute);
      }
      h.execute("INSERT INTO usage_period_history (user_id, quota_type, period_start, period_kind, period_end,"
          + " quota_limit, used, rolled_over, closed_at) VALUES ('old', 'tokens', ?, 'MONTH', ?, 100, 40, 0, ?)",
          java.sql.Timestamp.from(march), java.sql.Timestamp.from(Instant.parse("2025-04-01T00:00:00Z")),
          java.sql.Timestamp.from(NOW));
      List<String> v6 = JdbcSchema.statements(dialect(), 6);
      if (v6.size() > 1) {
        h.execute(v6.get(0)); // H2 stopped between dropping the old key and adding the new one
      }
    });

    assertThat(JdbcSchema.create(ds, dialect())).isFalse();

    try (Connection c = ds.getConnection()) {
      assertThat(JdbcSchema.primaryKeyColumns(c, "usage_period_history")).map(s -> s.toLowerCase(Locale.ROOT))
          .containsExactlyInAnyOrder("user_id", "quota_type", "period_kind", "period_start");
    }
    JdbcPeriodHistoryStore history = JdbcUsageStorage.builder(ds).build().history();
    PeriodUsage day = new PeriodUsage("old", QuotaType.TOKENS, QuotaPeriod.DAY, march,
        Instant.parse("2025-03-02T00:00:00Z"), 10, 4, 0, NOW);
    assertThat(history.close(List.of(day))).containsExactly(day);
    assertThat(history.history("old")).extracting(PeriodUsage::period, PeriodUsage::used)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(QuotaPeriod.DAY, 4L),
            org.assertj.core.groups.Tuple.tuple(QuotaPeriod.MONTH, 40L));
    smoke(ds);
  }

  @Test
  void flywayUpgradesAVersionTwoSchema() {
    DataSource ds = freshSchema();
    Flyway.configure().dataSource(ds).locations(dialect().flywayLocation()).target("2").load().migrate();
    MigrateResult result = Flyway.configure().dataSource(ds).locations(dialect().flywayLocation()).load().migrate();
    assertThat(result.migrationsExecuted).isEqualTo(JdbcSchema.VERSION - 2);
    assertThat(result.targetSchemaVersion).isEqualTo(Integer.toString(JdbcSchema.VERSION));
    assertThat(JdbcSchema.create(ds, dialect())).isFalse();
    smoke(ds);
  }

  @Test
  void flywayUpgradesAVersionOneSchema() {
    DataSource ds = freshSchema();
    Flyway.configure().dataSource(ds).locations(dialect().flywayLocation()).target("1").load().migrate();
    MigrateResult result = Flyway.configure().dataSource(ds).locations(dialect().flywayLocation()).load().migrate();
    assertThat(result.migrationsExecuted).isEqualTo(JdbcSchema.VERSION - 1);
    assertThat(result.targetSchemaVersion).isEqualTo(Integer.toString(JdbcSchema.VERSION));
    smoke(ds);
  }

  /** A consume and an append (with a duplicate) on the schema, read back. */
  private void smoke(DataSource ds) {
    JdbcUsageStorage storage = JdbcUsageStorage.builder(ds).build();
    assertThat(storage.dialect()).isEqualTo(dialect());
    try (UsageEngine engine = UsageEngine.builder().storage(storage).clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .closeOnShutdown(false).build()) {
      QuotaDecision decision = engine.tracking().consumeQuota(
          Consumption.builder("smoke").characters(1_200).requests(1).build());
      assertThat(decision.allowed()).isTrue();
      QuotaDecision over = engine.tracking().consumeQuota(Consumption.builder("smoke").characters(9_000).build());
      assertThat(over.allowed()).isFalse();

      UsageEvent event = UsageEvent.builder().eventId("smoke-1").userId("smoke").occurredAt(NOW).characters(1_200)
          .requests(1).quantity(QuotaType.of("images"), 2).build();
      assertThat(storage.events().append(List.of(event, event.toBuilder().eventId("smoke-2").build()))).isEqualTo(2);
      assertThat(storage.events().append(List.of(event))).isZero();
      assertThat(storage.events().userTotals("smoke", NOW, NOW.plusSeconds(1))).isEqualTo(Map.of(
          QuotaType.CHARACTERS, 2_400L, QuotaType.REQUESTS, 2L, QuotaType.of("images"), 4L));
    }
  }

  /** The tables of the schema the data source connects to, lower case, sorted. */
  List<String> tables(DataSource ds) {
    return Jdbi.create(ds).withHandle(h -> h.createQuery(tablesSql()).mapTo(String.class).list()).stream()
        .map(t -> t.toLowerCase(Locale.ROOT)).sorted().toList();
  }

  /** A query listing the current schema's base tables. */
  abstract String tablesSql();

  List<String> shippedTables() {
    return JdbcSchema.statements(dialect()).stream().filter(s -> s.startsWith("CREATE TABLE "))
        .map(s -> s.substring("CREATE TABLE ".length()).split("[\\s(]")[0].toLowerCase(Locale.ROOT)).sorted().toList();
  }
}
