package dev.usage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.spi.UsageStorage;
import dev.usage.testkit.StorageFixture;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
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

  /** An SQL {@code UPDATE} of the entry's reason, past the library. */
  @Override
  public boolean tamperWithAuditEntry(String userId, int index, String reason) throws Exception {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(true);
      List<Long> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM usage_audit WHERE user_id = ? ORDER BY id")) {
        ps.setString(1, userId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE usage_audit SET reason = ? WHERE id = ?")) {
        ps.setString(1, reason);
        ps.setLong(2, ids.get(index));
        return ps.executeUpdate() == 1;
      }
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.close();
    }
  }

  /** A fixture over the pools {@code pools} makes (a schema of a test's own). */
  static JdbcFixture over(Supplier<HikariDataSource> pools) {
    return new JdbcFixture(pools) {};
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
