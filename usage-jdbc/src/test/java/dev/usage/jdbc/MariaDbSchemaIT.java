package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;

/** The shipped DDL and its Flyway location on fresh MariaDB databases (dropped afterwards). */
class MariaDbSchemaIT extends AbstractSchemaCheck {

  private final List<HikariDataSource> pools = new ArrayList<>();
  private final List<String> databases = new ArrayList<>();

  @Override
  JdbcDialect dialect() {
    return JdbcDialect.MARIADB;
  }

  @Override
  DataSource freshSchema() {
    TestDatabases.require("MariaDB at 127.0.0.1:3306", TestDatabases.MARIADB_URL + "test", "root", "");
    String database = "usage_fresh_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (HikariDataSource admin = TestDatabases.pool(TestDatabases.MARIADB_URL + "test", "root", "", 1)) {
      Jdbi.create(admin).useHandle(h -> h.execute("CREATE DATABASE " + database));
    }
    databases.add(database);
    HikariDataSource ds = TestDatabases.pool(TestDatabases.MARIADB_URL + database, "root", "", 4);
    pools.add(ds);
    return ds;
  }

  @Override
  String tablesSql() {
    return "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        + " AND table_type = 'BASE TABLE'";
  }

  @AfterEach
  void drop() {
    pools.forEach(HikariDataSource::close);
    if (databases.isEmpty()) {
      return;
    }
    try (HikariDataSource admin = TestDatabases.pool(TestDatabases.MARIADB_URL + "test", "root", "", 1)) {
      Jdbi.create(admin).useHandle(h -> databases.forEach(d -> h.execute("DROP DATABASE " + d)));
    }
  }
}
