package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;

/** The shipped DDL and its Flyway location on fresh PostgreSQL schemas (dropped afterwards). */
class PostgresSchemaIT extends AbstractSchemaCheck {

  private final List<HikariDataSource> pools = new ArrayList<>();
  private final List<String> schemas = new ArrayList<>();

  @Override
  JdbcDialect dialect() {
    return JdbcDialect.POSTGRESQL;
  }

  @Override
  DataSource freshSchema() {
    TestDatabases.require("PostgreSQL at 127.0.0.1:5432", TestDatabases.PG_URL, "postgres", "");
    String schema = "usage_fresh_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    HikariDataSource admin = TestDatabases.pool(TestDatabases.PG_URL, "postgres", "", 1);
    try (admin) {
      Jdbi.create(admin).useHandle(h -> h.execute("CREATE SCHEMA " + schema));
    }
    schemas.add(schema);
    HikariDataSource ds = TestDatabases.pool(TestDatabases.PG_URL + "?currentSchema=" + schema, "postgres", "", 4);
    pools.add(ds);
    return ds;
  }

  @Override
  String tablesSql() {
    return "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        + " AND table_type = 'BASE TABLE'";
  }

  @AfterEach
  void drop() {
    pools.forEach(HikariDataSource::close);
    if (schemas.isEmpty()) {
      return;
    }
    try (HikariDataSource admin = TestDatabases.pool(TestDatabases.PG_URL, "postgres", "", 1)) {
      Jdbi.create(admin).useHandle(h -> schemas.forEach(s -> h.execute("DROP SCHEMA " + s + " CASCADE")));
    }
  }
}
