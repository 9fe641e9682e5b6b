package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;

/** Appends on H2 (a batch of guarded inserts). */
class H2AppendTest extends AbstractAppendCheck {

  private HikariDataSource pool;

  @Override
  DataSource dataSource() {
    if (pool == null) {
      pool = TestDatabases.h2();
    }
    return pool;
  }

  @AfterEach
  void close() {
    if (pool != null) {
      pool.close();
    }
  }
}
