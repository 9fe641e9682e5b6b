package dev.usage.redis;

import dev.usage.testkit.ServerAvailability;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The shared Redis on loopback for one test class: a client, a connector and a key prefix of the class's own
 * ({@code it-<uuid>}, and sub-prefixes of it from {@link #freshKeys()}), whose keys are deleted on close. Never flushes the server. Skips (or fails, under
 * {@code USAGE_IT_REQUIRED=true}) when Redis is not reachable.
 */
final class TestRedis implements AutoCloseable {

  static final String SERVER = "Redis at 127.0.0.1:6379";

  final RedisClient client;
  final RedisConnector connector;
  final RedisKeys keys;

  private TestRedis(RedisClient client, RedisConnector connector) {
    this.client = client;
    this.connector = connector;
    this.keys = new RedisKeys("it-" + UUID.randomUUID());
  }

  static TestRedis open() {
    RedisURI uri = RedisURI.create("redis://127.0.0.1:6379");
    uri.setTimeout(Duration.ofSeconds(10));
    RedisClient client = RedisClient.create(uri);
    try {
      return new TestRedis(client, RedisConnector.standalone(client, Duration.ofSeconds(10)));
    } catch (RuntimeException e) {
      client.shutdown();
      ServerAvailability.require(SERVER, false, String.valueOf(e.getMessage()));
      throw e;
    }
  }

  /** A new connection to the same server (closed by its user, or at the latest with the client). */
  RedisConnector newConnection() {
    return RedisConnector.standalone(client, Duration.ofSeconds(10));
  }

  /** Keys under a prefix of their own (inside this class's), for a test that needs system-wide data alone. */
  RedisKeys freshKeys() {
    return new RedisKeys(keys.prefix() + "-" + UUID.randomUUID());
  }

  /** Every key of this test class. */
  List<String> ownKeys() {
    List<String> out = new ArrayList<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = connector.sync().scan(cursor,
          ScanArgs.Builder.matches(keys.prefix() + "*").limit(1_000));
      out.addAll(page.getKeys());
      cursor = page;
    } while (!cursor.isFinished());
    return out;
  }

  @Override
  public void close() {
    try {
      List<String> own = ownKeys();
      for (int i = 0; i < own.size(); i += 500) {
        connector.sync().del(own.subList(i, Math.min(own.size(), i + 500)).toArray(String[]::new));
      }
    } finally {
      connector.close();
      client.shutdown();
    }
  }
}
