package dev.usage.redis;

import dev.usage.testkit.ServerAvailability;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Preconditions of the Redis integration tests: the shared Redis on loopback (see TESTING.md) and the
 * {@code redis-server} / {@code redis-cli} binaries that {@link RedisProcess} and {@link RedisClusterProcess}
 * start. Each check skips the calling test with a message naming what is missing, or fails it when
 * {@code USAGE_IT_REQUIRED=true}, through {@link ServerAvailability#require}. Stateless and thread-safe.
 */
public final class RedisAvailability {

  /** The host of the shared Redis. */
  public static final String LOCAL_HOST = "127.0.0.1";

  /** The port of the shared Redis. */
  public static final int LOCAL_PORT = 6379;

  private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

  private RedisAvailability() {}

  /** Skips (or fails, when required) unless the shared Redis at 127.0.0.1:6379 answers {@code PING}. */
  public static void requireLocalRedis() {
    requireRedisAt(LOCAL_HOST, LOCAL_PORT);
  }

  /** Skips (or fails, when required) unless {@code redis-server} and {@code redis-cli} are installed. */
  public static void requireRedisBinaries() {
    requireBinaries("redis-server", "redis-cli");
  }

  /**
   * The {@code redis-server} executable: {@code /usr/bin/redis-server}, else the first on {@code PATH}.
   *
   * @throws IllegalStateException when there is none; call {@link #requireRedisBinaries()} first to skip instead
   */
  public static Path redisServer() {
    return find("redis-server").orElseThrow(() -> new IllegalStateException("redis-server not found"));
  }

  /**
   * The {@code redis-cli} executable: {@code /usr/bin/redis-cli}, else the first on {@code PATH}.
   *
   * @throws IllegalStateException when there is none; call {@link #requireRedisBinaries()} first to skip instead
   */
  public static Path redisCli() {
    return find("redis-cli").orElseThrow(() -> new IllegalStateException("redis-cli not found"));
  }

  /** Skips (or fails) unless a Redis at {@code host:port} answers {@code PING} with {@code PONG}. */
  static void requireRedisAt(String host, int port) {
    String server = "Redis at " + host + ":" + port;
    String reply;
    try {
      reply = RespClient.call(host, port, PING_TIMEOUT, "PING");
    } catch (RuntimeException e) {
      ServerAvailability.require(server, false, "PING failed: " + e.getMessage());
      return;
    }
    ServerAvailability.require(server, "PONG".equals(reply), "PING answered " + reply);
  }

  /** Skips (or fails) unless every named executable is found by {@link #find}. */
  static void requireBinaries(String... names) {
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      if (find(name).isEmpty()) {
        missing.add(name);
      }
    }
    ServerAvailability.require("Redis binaries " + String.join(", ", names), missing.isEmpty(),
        "not found in /usr/bin or on PATH: " + String.join(", ", missing));
  }

  /** An executable named {@code name} in {@code /usr/bin}, else the first one on {@code PATH}. */
  static Optional<Path> find(String name) {
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of("/usr/bin", name));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, name));
        }
      }
    }
    return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
  }
}
