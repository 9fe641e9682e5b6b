package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;

/** The shipped DDL and its Flyway location on fresh in-memory H2 databases. */
class H2SchemaTest extends AbstractSchemaCheck {

  private final List<HikariDataSource> pools = new ArrayList<>();

  @Override
  JdbcDialect dialect() {
    return JdbcDialect.H2;
  }

  @Override
  DataSource freshSchema() {
    HikariDataSource ds = TestDatabases.pool("jdbc:h2:mem:schema-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa",
        "", 4);
    pools.add(ds);
    return ds;
  }

  @Override
  String tablesSql() {
    return "SELECT table_name FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA"
        + " AND table_type = 'BASE TABLE'";
  }

  @AfterEach
  void close() {
    pools.forEach(HikariDataSource::close);
  }
}
