package dev.usage.benchmarks.redis;

import dev.usage.redis.RedisUsageStorage;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Redis the benchmarks run on, and what every side of a comparison shares: a client configured with
 * {@link RedisUsageStorage#recommendedOptions()}, the storage's default command timeout, and a key prefix of
 * its own per trial, whose keys are deleted after the trial ({@code SCAN MATCH <prefix>:*} and {@code DEL}:
 * the server is shared, so never {@code FLUSHALL}). Override the server with {@code -Dbench.redis.uri}
 * (default {@code redis://127.0.0.1:6379}).
 */
final class BenchRedis {

  static final String URI = System.getProperty("bench.redis.uri", "redis://127.0.0.1:6379");

  /** The storage's default command timeout, given to every side's connection. */
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  private BenchRedis() {}

  /** A client with the options the storage requires; fails with the address when Redis is not reachable. */
  static RedisClient client() {
    RedisClient client = RedisClient.create(RedisURI.create(URI));
    client.setOptions(RedisUsageStorage.recommendedOptions());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().ping();
    } catch (RedisException e) {
      client.shutdown();
      throw new IllegalStateException("Redis at " + URI + " is needed for this benchmark: " + e.getMessage(), e);
    }
    return client;
  }

  /** A key prefix no other trial uses (the storage allows {@code [A-Za-z0-9._-]{1,64}}). */
  static String freshPrefix() {
    return "ubench-" + Long.toString(System.currentTimeMillis(), 36) + "-"
        + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  }

  /** Deletes every key under {@code prefix} (SCAN MATCH + DEL); returns how many. */
  static long deleteKeys(RedisClient client, String prefix) {
    if (!prefix.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("not a plain prefix: " + prefix);
    }
    long deleted = 0;
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> sync = c.sync();
      ScanArgs match = ScanArgs.Builder.matches(prefix + ":*").limit(1_000);
      KeyScanCursor<String> page = sync.scan(ScanCursor.INITIAL, match);
      while (true) {
        List<String> keys = page.getKeys();
        if (!keys.isEmpty()) {
          deleted += sync.del(keys.toArray(String[]::new));
        }
        if (page.isFinished()) {
          break;
        }
        page = sync.scan(page, match);
      }
    }
    return deleted;
  }

  /** The server and its persistence settings, for the results' machine line. */
  static String server() {
    RedisClient client = RedisClient.create(RedisURI.create(URI));
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> sync = c.sync();
      String version = "?";
      for (String line : sync.info("server").split("\r?\n")) {
        if (line.startsWith("redis_version:")) {
          version = line.substring("redis_version:".length()).strip();
        }
      }
      StringBuilder b = new StringBuilder("Redis ").append(version).append(" at ").append(URI).append(" (");
      String sep = "";
      for (String setting : List.of("maxmemory-policy", "appendonly", "save", "io-threads")) {
        String value;
        try {
          Map<String, String> got = sync.configGet(setting);
          value = got.getOrDefault(setting, "?");
        } catch (RedisException e) {
          value = "?";
        }
        b.append(sep).append(setting).append('=').append(value.isEmpty() ? "''" : value);
        sep = ", ";
      }
      return b.append(')').toString();
    } catch (RedisException e) {
      return "Redis at " + URI + " unreachable (" + e.getMessage() + ")";
    } finally {
      client.shutdown();
    }
  }
}
