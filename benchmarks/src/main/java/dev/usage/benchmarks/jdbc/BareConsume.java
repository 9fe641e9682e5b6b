package dev.usage.benchmarks.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.benchmarks.ConsumeSide;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bare baseline: one conditional {@code UPDATE ... SET used = used + ? WHERE <key> AND used + ? <= quota_limit}
 * per consume, plain JDBC on the same kind of pool, on a table of its own with the counters' key shape
 * (user, quota type, period) and one pre-seeded row per user.
 */
final class BareConsume implements ConsumeSide {

  private static final String UPDATE = "UPDATE bare_counters SET used = used + ?"
      + " WHERE user_id = ? AND quota_type = ? AND period_id = ? AND used + ? <= quota_limit";

  private final HikariDataSource pool;
  private final String[] users;
  private final String period = YearMonth.now(ZoneOffset.UTC).toString();
  private final LongAdder admitted = new LongAdder();
  private final boolean readSettings;

  BareConsume(HikariDataSource pool, int users, boolean readSettings) {
    this.pool = pool;
    this.readSettings = readSettings;
    BenchDatabases.execute(pool, "CREATE TABLE bare_settings (user_id VARCHAR(128) NOT NULL PRIMARY KEY,"
        + " tier VARCHAR(128) NOT NULL, overrides VARCHAR(4000) NOT NULL, zone VARCHAR(64) NOT NULL,"
        + " billing_anchor_day INTEGER NOT NULL, version BIGINT NOT NULL)");
    this.users = new String[users];
    BenchDatabases.execute(pool, "CREATE TABLE bare_counters (user_id VARCHAR(128) NOT NULL,"
        + " quota_type VARCHAR(64) NOT NULL, period_id VARCHAR(16) NOT NULL, used BIGINT NOT NULL,"
        + " quota_limit BIGINT NOT NULL, PRIMARY KEY (user_id, quota_type, period_id))");
    try (Connection c = pool.getConnection();
        PreparedStatement insert = c.prepareStatement(
            "INSERT INTO bare_counters (user_id, quota_type, period_id, used, quota_limit) VALUES (?, 'REQUESTS', ?, 0, ?)")) {
      for (int i = 0; i < users; i++) {
        this.users[i] = "user-" + i;
        insert.setString(1, this.users[i]);
        insert.setString(2, period);
        insert.setLong(3, EngineConsume.LIMIT);
        insert.addBatch();
      }
      insert.executeBatch();
    } catch (SQLException e) {
      throw new IllegalStateException("seeding bare_counters failed", e);
    }
  }

  @Override
  public void consume(int user) {
    if (readSettings) {
      readSettings(user);
    }
    int changed;
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(UPDATE)) {
      s.setLong(1, 1);
      s.setString(2, users[user]);
      s.setString(3, "REQUESTS");
      s.setString(4, period);
      s.setLong(5, 1);
      changed = s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    if (changed != 1) {
      throw new IllegalStateException("bare consume not admitted for " + users[user]);
    }
    admitted.increment();
  }

  /** The settings lookup the engine makes before a consume: no row for these users (defaults apply). */
  private void readSettings(int user) {
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(
        "SELECT tier, overrides, zone, billing_anchor_day, version FROM bare_settings WHERE user_id = ?")) {
      s.setString(1, users[user]);
      try (var rs = s.executeQuery()) {
        if (rs.next()) {
          throw new IllegalStateException("no settings were stored");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void verify() {
    long stored = BenchDatabases.queryLong(pool, "SELECT COALESCE(SUM(used), 0) FROM bare_counters");
    if (stored != admitted.sum()) {
      throw new IllegalStateException("bare_counters hold " + stored + " units but " + admitted.sum() + " were admitted");
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
