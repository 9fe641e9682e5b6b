package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.spi.UsageStorage;
import dev.usage.testkit.StorageFixture;
import java.util.function.Supplier;

/** A contract-kit fixture over a test database; subclasses name the database. Public no-arg for second JVMs. */
public abstract class JdbcFixture implements StorageFixture {

  private final Supplier<HikariDataSource> pools;
  private HikariDataSource pool;

  protected JdbcFixture(Supplier<HikariDataSource> pools) {
    this.pools = pools;
  }

  @Override
  public UsageStorage open() {
    pool = pools.get();
    return JdbcUsageStorage.builder(pool).build();
  }

  /** The pool {@link #open()} made. */
  public HikariDataSource pool() {
    return pool;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.close();
    }
  }

  /** H2 in memory. */
  public static final class H2 extends JdbcFixture {
    public H2() {
      super(TestDatabases::h2);
    }
  }

  /** PostgreSQL on loopback. */
  public static final class Postgres extends JdbcFixture {
    public Postgres() {
      super(() -> TestDatabases.postgres(24));
    }
  }

  /** MariaDB on loopback. */
  public static final class MariaDb extends JdbcFixture {
    public MariaDb() {
      super(() -> TestDatabases.mariadb(24));
    }
  }
}
