package dev.usage.benchmarks.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.usage.benchmarks.Bucket4jProxyConsume;
import dev.usage.benchmarks.ConsumeShape;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The peer on PostgreSQL: Bucket4j 8.14's PostgreSQL proxy manager over the same kind of pool as the other
 * sides, glued per user and quota by {@link Bucket4jProxyConsume} (the same glue as the Redis suite's Lettuce
 * side), on a table of its own ({@code b4j_buckets (id BIGINT PRIMARY KEY, state BYTEA, expires_at BIGINT)}, the
 * shape Bucket4j documents) in the trial's fresh schema, dropped with it. Bucket key {@code user * 3 + quota}.
 *
 * <p>Which proxy manager: {@code Bucket4jPostgreSQL.selectForUpdateBasedBuilder}. Bucket4j documents two for
 * PostgreSQL and names neither the default; on an existing bucket the select-for-update one takes a
 * transaction of {@code SELECT state ... FOR UPDATE} and {@code UPDATE}, the advisory-lock one the same plus a
 * {@code SELECT pg_advisory_xact_lock(?)} first, so select-for-update is the one with fewer round trips per
 * consume (the better case for Bucket4j), and it needs no lock id beside the key. Expiration as on the Lettuce
 * side ({@code basedOnTimeForRefillingBucketUpToMax(10 s)}: it writes {@code expires_at}; nothing expires
 * during a run, the refill being 3,650 days away).
 *
 * <p>Three quotas: the idempotency key is an {@code INSERT INTO b4j_keys ... ON CONFLICT DO NOTHING}
 * (auto-commit) before the buckets, as an application would remember it beside them.
 */
final class Bucket4jPostgresConsume {

  private Bucket4jPostgresConsume() {}

  static Bucket4jProxyConsume<Long> create(HikariDataSource pool, int users, ConsumeShape shape) {
    try {
      BenchDatabases.execute(pool, "CREATE TABLE b4j_buckets (id BIGINT PRIMARY KEY, state BYTEA, expires_at BIGINT)");
      BenchDatabases.execute(pool, "CREATE TABLE b4j_keys (idempotency_key VARCHAR(128) PRIMARY KEY)");
      PostgreSQLSelectForUpdateBasedProxyManager<Long> proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(pool)
          .table("b4j_buckets")
          .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
          .build();
      int quotas = shape.types().length;
      return new Bucket4jProxyConsume<>(proxies, (user, q) -> (long) user * quotas + q, users, shape,
          key -> remember(pool, key), pool::close);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private static boolean remember(HikariDataSource pool, String key) {
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(
        "INSERT INTO b4j_keys (idempotency_key) VALUES (?) ON CONFLICT DO NOTHING")) {
      s.setString(1, key);
      return s.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
