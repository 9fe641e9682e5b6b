package dev.usage.benchmarks.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.QuotaType;
import dev.usage.benchmarks.ConsumeShape;
import dev.usage.benchmarks.ConsumeSide;
import dev.usage.benchmarks.IdempotencyKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bare baseline, plain JDBC on the same kind of pool, on tables of its own with the counters' key shape
 * (user, quota type, period) and one pre-seeded row per user and quota. One quota: one conditional
 * {@code UPDATE ... SET used = used + ? WHERE <key> AND used + ? <= quota_limit} per consume (auto-commit).
 * Three quotas with a key: one transaction of an {@code INSERT} of the key into {@code bare_keys} (its primary
 * key refuses a key seen before) and one conditional {@code UPDATE} of the user's three rows
 * ({@code used + CASE quota_type ... END <= quota_limit}), committed when it changed all three, else rolled back.
 */
final class BareConsume implements ConsumeSide {

  private static final String UPDATE = "UPDATE bare_counters SET used = used + ?"
      + " WHERE user_id = ? AND quota_type = ? AND period_id = ? AND used + ? <= quota_limit";

  private static final String AMOUNT = "CASE quota_type WHEN 'characters' THEN " + ConsumeShape.CHARACTERS
      + " WHEN 'requests' THEN 1 WHEN 'tokens' THEN " + ConsumeShape.TOKENS + " END";
  private static final String UPDATE_THREE = "UPDATE bare_counters SET used = used + " + AMOUNT
      + " WHERE user_id = ? AND period_id = ? AND quota_type IN ('characters', 'requests', 'tokens')"
      + " AND used + " + AMOUNT + " <= quota_limit";
  private static final String INSERT_KEY = "INSERT INTO bare_keys (idempotency_key, user_id) VALUES (?, ?)";

  private final HikariDataSource pool;
  private final ConsumeShape shape;
  private final String[] users;
  private final String period = YearMonth.now(ZoneOffset.UTC).toString();
  private final IdempotencyKeys keys = new IdempotencyKeys();
  private final LongAdder admitted = new LongAdder();
  private final boolean readSettings;

  BareConsume(HikariDataSource pool, int users, ConsumeShape shape, boolean readSettings) {
    this.pool = pool;
    this.shape = shape;
    this.readSettings = readSettings;
    BenchDatabases.execute(pool, "CREATE TABLE bare_settings (user_id VARCHAR(128) NOT NULL PRIMARY KEY,"
        + " tier VARCHAR(128) NOT NULL, overrides VARCHAR(4000) NOT NULL, zone VARCHAR(64) NOT NULL,"
        + " billing_anchor_day INTEGER NOT NULL, version BIGINT NOT NULL)");
    BenchDatabases.execute(pool, "CREATE TABLE bare_counters (user_id VARCHAR(128) NOT NULL,"
        + " quota_type VARCHAR(64) NOT NULL, period_id VARCHAR(16) NOT NULL, used BIGINT NOT NULL,"
        + " quota_limit BIGINT NOT NULL, PRIMARY KEY (user_id, quota_type, period_id))");
    BenchDatabases.execute(pool, "CREATE TABLE bare_keys (idempotency_key VARCHAR(128) NOT NULL PRIMARY KEY,"
        + " user_id VARCHAR(128) NOT NULL)");
    this.users = new String[users];
    try (Connection c = pool.getConnection();
        PreparedStatement insert = c.prepareStatement(
            "INSERT INTO bare_counters (user_id, quota_type, period_id, used, quota_limit) VALUES (?, ?, ?, 0, ?)")) {
      for (int i = 0; i < users; i++) {
        this.users[i] = "user-" + i;
        for (QuotaType type : shape.types()) {
          insert.setString(1, this.users[i]);
          insert.setString(2, type.name());
          insert.setString(3, period);
          insert.setLong(4, ConsumeShape.LIMIT);
          insert.addBatch();
        }
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
    boolean done = shape.keyed() ? consumeThree(user) : consumeOne(user);
    if (!done) {
      throw new IllegalStateException("bare consume not admitted for " + users[user]);
    }
    admitted.increment();
  }

  private boolean consumeOne(int user) {
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(UPDATE)) {
      s.setLong(1, 1);
      s.setString(2, users[user]);
      s.setString(3, QuotaType.REQUESTS.name());
      s.setString(4, period);
      s.setLong(5, 1);
      return s.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean consumeThree(int user) {
    return consumeThree(user, keys.next(user));
  }

  private boolean consumeThree(int user, String key) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement k = c.prepareStatement(INSERT_KEY); PreparedStatement u = c.prepareStatement(UPDATE_THREE)) {
        k.setString(1, key);
        k.setString(2, users[user]);
        k.executeUpdate();
        u.setString(1, users[user]);
        u.setString(2, period);
        if (u.executeUpdate() == 3) {
          c.commit();
          return true;
        }
        c.rollback();
        return false;
      } catch (SQLException e) {
        // a key seen before (primary key violation) is refused: nothing counted
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
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

  /**
   * The counters add up to the admitted consumes, per quota, one row per user and quota; with keys, one key row
   * per admitted consume, and the first key sent again is refused and counts nothing.
   */
  @Override
  public void verify() {
    if (shape.keyed()) {
      boolean counted;
      try {
        counted = consumeThree(keys.firstUser(), IdempotencyKeys.FIRST);
      } catch (IllegalStateException e) {
        counted = false;
      }
      if (counted) {
        throw new IllegalStateException("idempotency key k1 sent again was counted");
      }
      long keyRows = BenchDatabases.queryLong(pool, "SELECT COUNT(*) FROM bare_keys");
      if (keyRows != admitted.sum()) {
        throw new IllegalStateException("bare_keys holds " + keyRows + " keys but " + admitted.sum() + " were admitted");
      }
    }
    Map<QuotaType, Long> used = new TreeMap<>();
    long rows = 0;
    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT quota_type, SUM(used), COUNT(*) FROM bare_counters GROUP BY quota_type")) {
      while (rs.next()) {
        used.put(QuotaType.of(rs.getString(1)), rs.getLong(2));
        rows += rs.getLong(3);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    Map<QuotaType, Long> expected = shape.units(admitted.sum());
    if (!used.equals(expected) || rows != (long) users.length * shape.types().length) {
      throw new IllegalStateException("bare_counters hold " + used + " in " + rows + " rows but " + admitted.sum()
          + " consumes were admitted (expected " + expected + ")");
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
