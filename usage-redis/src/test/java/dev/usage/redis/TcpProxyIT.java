package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TcpProxy} between Lettuce and a private Redis: each mode as a Lettuce client sees it. */
class TcpProxyIT {

  private static ClientResources resources;
  private static RedisProcess redis;

  private TcpProxy proxy;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;

  @BeforeAll
  static void startRedis() {
    redis = RedisProcess.start();
    resources = DefaultClientResources.create();
  }

  @AfterAll
  static void stopRedis() {
    resources.shutdown(0, 2, TimeUnit.SECONDS);
    redis.stop();
  }

  @BeforeEach
  void startProxy() {
    redis.command("FLUSHALL");
    proxy = TcpProxy.start(RedisProcess.HOST, redis.port());
  }

  @AfterEach
  void stopProxy() {
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    proxy.close();
  }

  @Test
  void passForwardsBothWays() {
    RedisCommands<String, String> commands = connect(Duration.ofSeconds(2));
    String large = "x".repeat(200_000);
    commands.set("small", "v");
    commands.set("large", large);

    assertThat(commands.get("small")).isEqualTo("v");
    assertThat(commands.get("large")).isEqualTo(large);
    assertThat(redis.command("STRLEN", "large")).isEqualTo("200000");
    assertThat(proxy.uri().getPort()).isEqualTo(proxy.port()).isNotEqualTo(redis.port());
    assertThat(proxy.connectionsAccepted()).isEqualTo(1);
    assertThat(proxy.openConnections()).isEqualTo(1);
  }

  @Test
  void droppedResponseTimesOutThoughCommandRanAndLeavesConnectionOneReplyBehind() {
    RedisCommands<String, String> commands = connect(Duration.ofMillis(500));
    assertThat(commands.ping()).isEqualTo("PONG");

    proxy.dropNextResponse();
    assertThatThrownBy(() -> commands.incr("k")).isInstanceOf(RedisCommandTimeoutException.class);
    assertThat(redis.command("GET", "k")).isEqualTo("1");
    assertThat(proxy.droppedBytes()).as("exactly the reply :1\\r\\n").isEqualTo(4);
    assertThat(proxy.openConnections()).isEqualTo(1);

    // Lettuce hands each reply to the oldest command awaiting one: the timed-out INCR takes this one
    assertThatThrownBy(() -> commands.incr("k")).isInstanceOf(RedisCommandTimeoutException.class);
    assertThat(redis.command("GET", "k")).isEqualTo("2");

    proxy.resetAll();
    assertThat(commands.incr("k")).as("in step again on a new connection").isEqualTo(3);
    assertThat(proxy.connectionsAccepted()).isEqualTo(2);
  }

  @Test
  void resetWhileReplyIsLostFailsInFlightCommandWhichRanOnce() throws Exception {
    connect(Duration.ofSeconds(5));
    RedisAsyncCommands<String, String> async = connection.async();
    proxy.dropNextResponse();
    RedisFuture<Long> incr = async.incr("k");
    await().atMost(Duration.ofSeconds(2)).until(() -> proxy.droppedBytes() == 4);

    proxy.resetAll();
    assertThatThrownBy(() -> incr.get(2, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("Connection reset");
    assertThat(async.ping().get(2, TimeUnit.SECONDS)).isEqualTo("PONG");
    assertThat(redis.command("GET", "k")).as("not re-sent after reconnecting").isEqualTo("1");
    assertThat(proxy.connectionsAccepted()).isEqualTo(2);
  }

  @Test
  void resetAllMakesClientReconnect() {
    RedisCommands<String, String> commands = connect(Duration.ofSeconds(2));
    commands.set("k", "v");
    assertThat(proxy.connectionsAccepted()).isEqualTo(1);

    proxy.resetAll();
    long reset = System.nanoTime();
    assertThat(proxy.openConnections()).isZero();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).ignoreExceptions()
        .until(() -> "v".equals(commands.get("k")));
    System.out.printf("Lettuce answered again %d ms after the reset%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reset));

    assertThat(proxy.connectionsAccepted()).isEqualTo(2);
    assertThat(proxy.openConnections()).isEqualTo(1);
  }

  @Test
  void blackHoleTimesOutAndHeldCommandRunsAfterPass() throws Exception {
    RedisCommands<String, String> commands = connect(Duration.ofMillis(500));
    commands.set("k", "0");

    proxy.blackHole();
    long start = System.nanoTime();
    assertThatThrownBy(() -> commands.incr("k")).isInstanceOf(RedisCommandTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(450), Duration.ofMillis(1500));
    Thread.sleep(200);
    assertThat(redis.command("GET", "k")).as("held, not yet forwarded").isEqualTo("0");
    assertThat(proxy.openConnections()).isEqualTo(1);

    proxy.pass();
    await().atMost(Duration.ofSeconds(2)).until(() -> "1".equals(redis.command("GET", "k")));
    assertThat(commands.incr("k")).as("replies still in step on the same connection").isEqualTo(2);
    assertThat(proxy.connectionsAccepted()).isEqualTo(1);
  }

  @Test
  void delayHoldsEachResponse() {
    RedisCommands<String, String> commands = connect(Duration.ofSeconds(2));
    commands.ping();

    proxy.delay(Duration.ofMillis(300));
    long start = System.nanoTime();
    commands.ping();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(290), Duration.ofMillis(1000));

    proxy.pass();
    start = System.nanoTime();
    commands.ping();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
  }

  @Test
  void downstreamServerDownResetsClient() {
    try (TcpProxy toNowhere = TcpProxy.start(RedisProcess.HOST, freeLoopbackPort())) {
      RedisURI uri = RedisURI.builder(toNowhere.uri()).withTimeout(Duration.ofSeconds(2)).build();
      client = RedisClient.create(resources, uri);
      assertThatThrownBy(() -> client.connect()).isInstanceOf(RedisConnectionException.class);
      assertThat(toNowhere.connectionsAccepted()).isEqualTo(1);
      assertThat(toNowhere.openConnections()).isZero();
    }
  }

  private RedisCommands<String, String> connect(Duration timeout) {
    client = RedisClient.create(resources, RedisURI.builder(proxy.uri()).withTimeout(timeout).build());
    connection = client.connect();
    return connection.sync();
  }

  private static int freeLoopbackPort() {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
