package dev.usage.redis;

import dev.usage.jdbc.JdbcUsageStorage;
import dev.usage.spi.UsageStorage;
import dev.usage.testkit.ServerAvailability;
import dev.usage.testkit.StorageFixture;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * {@link RedisUsageStorage} for the contract kit: on the shared Redis at 127.0.0.1:6379 ({@link Standalone}) or
 * on the test Cluster ({@link Cluster}). Every fixture of one test JVM uses one key prefix, made up by the first
 * and passed to second JVMs as the system property {@code usage.it.redis.prefix} (with the Cluster's ports as
 * {@code usage.it.redis.cluster}); the JVM that made the prefix deletes its keys (and the PostgreSQL schema
 * of the same name) when it exits.
 */
abstract class RedisFixture implements StorageFixture {

  static final String PREFIX_PROPERTY = "usage.it.redis.prefix";
  static final String CLUSTER_PROPERTY = "usage.it.redis.cluster";
  static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";

  private AutoCloseable client;
  private RedisUsageStorage storage;

  /** The key prefix of this test JVM (and of the second JVMs it starts). */
  static synchronized String prefix() {
    String prefix = System.getProperty(PREFIX_PROPERTY);
    if (prefix == null) {
      prefix = "usage-it-" + UUID.randomUUID().toString().substring(0, 8);
      System.setProperty(PREFIX_PROPERTY, prefix);
      String owned = prefix;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        deleteEverywhere(owned);
        dropSchema(schemaOf(owned));
      }, "redis-fixture-cleanup"));
    }
    return prefix;
  }

  @Override
  public UsageStorage open() {
    try {
      storage = build(prefix());
      return storage;
    } catch (RedisException e) {
      ServerAvailability.require(server(), false, String.valueOf(e.getMessage()));
      throw e;
    }
  }

  abstract String server();

  /** Opens the client (kept in {@link #client}) and builds the storage. */
  abstract RedisUsageStorage build(String prefix);

  void client(AutoCloseable c) {
    this.client = c;
  }

  /** A Redis {@code LSET} of the entry with another reason, past the library. */
  @Override
  public boolean tamperWithAuditEntry(String userId, int index, String reason) throws Exception {
    RedisKeys keys = new RedisKeys(prefix());
    String key = keys.audit(keys.user(userId));
    io.lettuce.core.cluster.api.sync.RedisClusterCommands<String, String> redis;
    AutoCloseable connection;
    if (client instanceof RedisClusterClient cluster) {
      StatefulRedisClusterConnection<String, String> c = cluster.connect();
      connection = c;
      redis = c.sync();
    } else {
      StatefulRedisConnection<String, String> c = ((RedisClient) client).connect();
      connection = c;
      redis = c.sync();
    }
    try (connection) {
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      com.fasterxml.jackson.databind.node.ObjectNode entry =
          (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(redis.lindex(key, index));
      entry.put("reason", reason);
      return "OK".equals(redis.lset(key, index, json.writeValueAsString(entry)));
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (storage != null) {
        storage.close();
      }
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  /** The shared Redis on loopback. */
  public static class Standalone extends RedisFixture {
    @Override
    String server() {
      return "Redis at 127.0.0.1:6379";
    }

    @Override
    RedisUsageStorage build(String prefix) {
      RedisAvailability.requireLocalRedis();
      RedisClient c = RedisClient.create(RedisURI.create("redis://127.0.0.1:6379"));
      c.setOptions(RedisUsageStorage.recommendedOptions());
      client(c);
      return RedisUsageStorage.builder(c).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(2)).build();
    }
  }

  /**
   * The production shape: Redis (the shared standalone server) for the hot path, settings and audit;
   * PostgreSQL on loopback for the event log and closed periods, and as the source counters are re-seeded from.
   * The PostgreSQL schema is this JVM's key prefix, created on first use and dropped when the JVM exits.
   */
  public static class WithPostgres extends RedisFixture {
    private JdbcUsageStorage sql;

    @Override
    String server() {
      return "Redis at 127.0.0.1:6379 and PostgreSQL at 127.0.0.1:5432";
    }

    @Override
    RedisUsageStorage build(String prefix) {
      RedisAvailability.requireLocalRedis();
      String schema = schemaOf(prefix);
      try (Connection c = DriverManager.getConnection(PG_URL, "postgres", ""); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
      } catch (SQLException e) {
        ServerAvailability.require("PostgreSQL at 127.0.0.1:5432", false, e.getMessage());
      }
      sql = JdbcUsageStorage.fromJdbcUrl(PG_URL + "?currentSchema=" + schema, "postgres", "").initializeSchema(true)
          .build();
      RedisClient c = RedisClient.create(RedisURI.create("redis://127.0.0.1:6379"));
      c.setOptions(RedisUsageStorage.recommendedOptions());
      client(c);
      return RedisUsageStorage.builder(c).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(2))
          .events(sql.events()).history(sql.history()).reseedFrom(sql.events()).build();
    }

    @Override
    public void close() throws Exception {
      try {
        super.close();
      } finally {
        if (sql != null) {
          sql.close();
        }
      }
    }
  }

  /** The test JVM's 3-master Cluster on loopback ({@link RedisClusterProcess#shared()}). */
  public static class Cluster extends RedisFixture {
    @Override
    String server() {
      return "Redis Cluster on loopback";
    }

    @Override
    RedisUsageStorage build(String prefix) {
      RedisClusterClient c = RedisClusterClient.create(uris());
      c.setOptions(RedisUsageStorage.recommendedClusterOptions());
      client(c);
      return RedisUsageStorage.builder(c).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(2)).build();
    }
  }

  /** The Cluster's nodes: those named by the first JVM, or the shared Cluster (started on first use). */
  static synchronized List<RedisURI> uris() {
    String ports = System.getProperty(CLUSTER_PROPERTY);
    if (ports == null) {
      RedisClusterProcess cluster = RedisClusterProcess.shared();
      ports = String.join(",", cluster.ports().stream().map(String::valueOf).toList());
      System.setProperty(CLUSTER_PROPERTY, ports);
    }
    return Arrays.stream(ports.split(",")).map(p -> RedisURI.create("redis://127.0.0.1:" + p)).toList();
  }

  /** The PostgreSQL schema of {@link WithPostgres} for a key prefix (never one of usage-jdbc's test schemas). */
  static String schemaOf(String prefix) {
    return "redis_" + prefix.replace('-', '_');
  }

  /** Drops the PostgreSQL schema of {@link WithPostgres}, if one was made. */
  private static void dropSchema(String schema) {
    try (Connection c = DriverManager.getConnection(PG_URL, "postgres", ""); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      // no server (then nothing was made)
    }
  }

  /** Deletes the prefix's keys on the shared Redis and, if this JVM used one, on the Cluster. */
  static void deleteEverywhere(String prefix) {
    try (RedisClient c = RedisClient.create(RedisURI.create("redis://127.0.0.1:6379"))) {
      try (StatefulRedisConnection<String, String> conn = c.connect()) {
        delete(conn.sync(), prefix);
      }
    } catch (RuntimeException e) {
      // the shared server may be gone already; its keys carry TTLs or die with it
    }
    if (System.getProperty(CLUSTER_PROPERTY) != null) {
      try (RedisClusterClient c = RedisClusterClient.create(uris())) {
        try (StatefulRedisClusterConnection<String, String> conn = c.connect()) {
          for (var node : conn.getPartitions()) {
            delete(conn.getConnection(node.getNodeId()).sync(), prefix);
          }
        }
      } catch (RuntimeException e) {
        // the Cluster is torn down with the JVM anyway
      }
    }
  }

  private static void delete(io.lettuce.core.cluster.api.sync.RedisClusterCommands<String, String> redis,
      String prefix) {
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1_000));
      for (String key : page.getKeys()) {
        redis.del(key);
      }
      cursor = page;
    } while (!cursor.isFinished());
  }
}
