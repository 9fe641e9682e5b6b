package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.BufferedReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RedisProcess}: a private server that a test may kill, restart, pause and flush. */
class RedisProcessIT {

  private static ClientResources resources;

  private RedisProcess redis;
  private RedisClient client;

  @BeforeAll
  static void resources() {
    resources = DefaultClientResources.create();
  }

  @AfterAll
  static void shutdownResources() {
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  @BeforeEach
  void start() {
    redis = RedisProcess.start("--maxmemory-policy", "allkeys-lru");
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    redis.stop();
  }

  @Test
  void startsPrivateServerWithNothingOnDiskAndExtraArguments() throws Exception {
    assertThat(redis.port()).isBetween(20_000, 29_999);
    assertThat(redis.uri().getPort()).isEqualTo(redis.port());
    assertThat(redis.command("CONFIG", "GET", "save")).isEqualTo("save\n");
    assertThat(redis.command("CONFIG", "GET", "appendonly")).isEqualTo("appendonly\nno");
    assertThat(redis.command("CONFIG", "GET", "maxmemory-policy")).isEqualTo("maxmemory-policy\nallkeys-lru");
    assertThat(redis.command("CONFIG", "GET", "dir")).isEqualTo("dir\n" + redis.dir().toRealPath());
    assertThat(redis.dir().resolve("redis.log")).isNotEmptyFile();
    assertThat(redis.command("INFO", "server")).contains("process_id:" + redis.pid() + "\r");

    RedisCommands<String, String> commands = connect(Duration.ofSeconds(2));
    commands.set("k", "v");
    assertThat(commands.get("k")).isEqualTo("v");
    assertThat(redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction")).isEqualTo("OK");
    assertThat(redis.command("GET", "k")).isEqualTo("v");
  }

  @Test
  void kill9FailsCommandsWithinTimeoutAndRestartComesBackEmptyOnSamePort() {
    RedisCommands<String, String> commands = connect(Duration.ofMillis(500));
    commands.set("k", "v");
    long oldPid = redis.pid();

    assertThat(redis.kill9()).as("exit status of a SIGKILLed process").isEqualTo(128 + 9);
    assertThat(redis.isAlive()).isFalse();
    long start = System.nanoTime();
    assertThatThrownBy(() -> commands.get("k")).isInstanceOf(RedisCommandTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(400), Duration.ofMillis(1500));

    redis.restart();
    assertThat(redis.pid()).isNotEqualTo(oldPid);
    assertThat(redis.uri().getPort()).isEqualTo(redis.port());
    long restarted = System.nanoTime();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .until(() -> "PONG".equals(commands.ping()));
    System.out.printf("Lettuce reconnected %d ms after the restarted server answered PING%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted));
    assertThat(commands.get("k")).as("nothing persisted across SIGKILL").isNull();
  }

  @Test
  void restartWaitsForItsPortToBeFree() throws Exception {
    int port = redis.port();
    redis.kill9();
    ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getByName(RedisProcess.HOST));
    CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(700);
        squatter.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    long start = System.nanoTime();
    redis.restart();
    release.join();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
    assertThat(redis.port()).isEqualTo(port);
    assertThat(redis.command("PING")).isEqualTo("PONG");
    assertThat(redis.log()).contains("Address already in use");
  }

  @Test
  void pauseBlocksCommandsForAboutThePause() {
    RedisCommands<String, String> commands = connect(Duration.ofSeconds(5));
    commands.set("p", "0");

    long start = System.nanoTime();
    redis.pause(Duration.ofMillis(700));
    commands.incr("p");
    Duration blocked = Duration.ofNanos(System.nanoTime() - start);

    assertThat(blocked).isBetween(Duration.ofMillis(650), Duration.ofMillis(2000));
    assertThat(commands.get("p")).isEqualTo("1");
  }

  @Test
  void scriptFlushThroughCommandForgetsLoadedScripts() {
    RedisCommands<String, String> commands = connect(Duration.ofSeconds(2));
    String sha = commands.scriptLoad("return 41 + 1");
    assertThat(commands.<Long>evalsha(sha, ScriptOutputType.INTEGER)).isEqualTo(42L);

    assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("OK");

    assertThat(commands.scriptExists(sha)).containsExactly(false);
    assertThatThrownBy(() -> commands.evalsha(sha, ScriptOutputType.INTEGER))
        .isInstanceOf(RedisNoScriptException.class);
    assertThatThrownBy(() -> redis.command("EVALSHA", sha, "0"))
        .isInstanceOf(RespClient.ErrorReply.class)
        .hasMessageStartingWith("NOSCRIPT");
  }

  @Test
  void stopKillsProcessAndDeletesDirectory() {
    long pid = redis.pid();
    Path dir = redis.dir();
    redis.stop();
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(dir).doesNotExist();
    assertThatThrownBy(() -> redis.command("PING")).isInstanceOf(UncheckedIOException.class);
    assertThatThrownBy(redis::restart).isInstanceOf(IllegalStateException.class);
    redis.stop();
  }

  @Test
  void shutdownHookKillsServersOfExitingJvm() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Orphan.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<String> lines;
    try (BufferedReader out = child.inputReader(StandardCharsets.UTF_8)) {
      lines = out.lines().toList();
    }
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("the child's server directory existed while it ran").isZero();
    assertThat(lines).as("child output").hasSize(2);
    long pid = Long.parseLong(lines.get(0));
    Path dir = Path.of(lines.get(1));

    await().atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty());
    assertThat(dir).doesNotExist();
  }

  private RedisCommands<String, String> connect(Duration timeout) {
    RedisURI uri = RedisURI.builder(redis.uri()).withTimeout(timeout).build();
    client = RedisClient.create(resources, uri);
    StatefulRedisConnection<String, String> connection = client.connect();
    return connection.sync();
  }

  /** A JVM that starts a server, prints its pid and directory, and exits without stopping it. */
  public static final class Orphan {

    public static void main(String[] args) {
      RedisProcess redis = RedisProcess.start();
      System.out.println(redis.pid());
      System.out.println(redis.dir());
      System.out.flush();
      if (!Files.isDirectory(redis.dir())) {
        System.exit(2);
      }
    }
  }
}
