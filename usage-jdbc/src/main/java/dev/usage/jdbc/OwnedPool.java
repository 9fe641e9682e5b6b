package dev.usage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.usage.UsageStorageException;
import javax.sql.DataSource;

/** A HikariCP pool opened by {@link JdbcUsageStorage#fromJdbcUrl} and closed with the storage. */
final class OwnedPool implements AutoCloseable {

  private final String url;
  private final String username;
  private final String password;
  private HikariDataSource pool;

  OwnedPool(String url, String username, String password) {
    this.url = url;
    this.username = username;
    this.password = password;
  }

  /** A pool of its own with the same settings, not opened: each storage built opens and closes its own. */
  OwnedPool another() {
    return new OwnedPool(url, username, password);
  }

  DataSource open() {
    try {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url);
      config.setUsername(username);
      config.setPassword(password);
      config.setPoolName("usage-jdbc");
      config.setConnectionTimeout(5_000);
      config.setMaximumPoolSize(16);
      pool = new HikariDataSource(config);
      return pool;
    } catch (NoClassDefFoundError e) {
      throw new UsageStorageException("fromJdbcUrl needs HikariCP (com.zaxxer:HikariCP) on the class path", e);
    } catch (RuntimeException e) {
      throw new UsageStorageException("could not open a connection pool for " + url + " (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.close();
    }
  }
}
