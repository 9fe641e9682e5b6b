package dev.usage.redis;

import dev.usage.testkit.ServerAvailability;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.UUID;

/**
 * The shared Redis on loopback, with a key prefix of its own ({@code it-<uuid>}) so that tests running in
 * parallel (and other projects' keys) are never touched; {@link #close} deletes every key under the prefix.
 * Skips the test class when the server is not reachable (fails it under {@code USAGE_IT_REQUIRED=true}).
 */
final class LocalRedis implements AutoCloseable {

  static final String SERVER = "Redis at 127.0.0.1:6379";

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisConnector connector;
  private final RedisKeys keys;

  private LocalRedis(RedisClient client, StatefulRedisConnection<String, String> connection) {
    this.client = client;
    this.connection = connection;
    this.connector = RedisConnector.standalone(client, Duration.ofSeconds(10));
    this.keys = new RedisKeys("it-" + UUID.randomUUID());
  }

  /** Connects, or skips (fails when required) naming the server. */
  static LocalRedis open() {
    RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(6379)
        .withTimeout(Duration.ofSeconds(10)).build());
    try {
      return new LocalRedis(client, client.connect());
    } catch (RedisException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      ServerAvailability.require(SERVER, false, String.valueOf(e.getMessage()));
      throw new AssertionError("unreachable", e);
    }
  }

  RedisConnector connector() {
    return connector;
  }

  RedisKeys keys() {
    return keys;
  }

  /** Plain commands, for looking at (or tampering with) what the stores wrote. */
  RedisCommands<String, String> commands() {
    return connection.sync();
  }

  @Override
  public void close() {
    try {
      RedisCommands<String, String> redis = connection.sync();
      ScanCursor cursor = ScanCursor.INITIAL;
      ScanArgs match = ScanArgs.Builder.matches(keys.prefix() + "*").limit(500);
      do {
        KeyScanCursor<String> page = redis.scan(cursor, match);
        if (!page.getKeys().isEmpty()) {
          redis.del(page.getKeys().toArray(String[]::new));
        }
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      connector.close();
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
