package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usage.testkit.ServerAvailability;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * {@link RedisAvailability}'s checks against fake servers and missing binaries: they pass only on a
 * {@code PONG}, and otherwise skip (or fail under {@code USAGE_IT_REQUIRED=true}) naming what is missing.
 */
class RedisAvailabilityTest {

  /** What {@link ServerAvailability#require} throws in this JVM: a failure when required, else an abort. */
  private static final Class<? extends Throwable> REFUSAL =
      ServerAvailability.required() ? AssertionFailedError.class : TestAbortedException.class;

  @Test
  void passesWhenServerAnswersPong() throws Exception {
    try (FakeRespServer server = new FakeRespServer("+PONG\r\n")) {
      assertThatCode(() -> RedisAvailability.requireRedisAt("127.0.0.1", server.port())).doesNotThrowAnyException();
      assertThat(server.request()).isEqualTo("*1\r\n$4\r\nPING\r\n");
    }
  }

  @Test
  void refusesNamingServerWhenNothingListens() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    assertThatThrownBy(() -> RedisAvailability.requireRedisAt("127.0.0.1", port))
        .isInstanceOf(REFUSAL)
        .hasMessageContaining("Redis at 127.0.0.1:" + port + " is not reachable");
  }

  @Test
  void refusesWhenServerAnswersAnError() throws Exception {
    try (FakeRespServer server = new FakeRespServer("-NOAUTH Authentication required.\r\n")) {
      assertThatThrownBy(() -> RedisAvailability.requireRedisAt("127.0.0.1", server.port()))
          .isInstanceOf(REFUSAL)
          .hasMessageContaining("Redis at 127.0.0.1:" + server.port())
          .hasMessageContaining("NOAUTH");
    }
  }

  @Test
  void refusesNamingMissingBinary() {
    assertThat(RedisAvailability.find("no-such-redis-binary-7f3a")).isEmpty();
    assertThatThrownBy(() -> RedisAvailability.requireBinaries("no-such-redis-binary-7f3a"))
        .isInstanceOf(REFUSAL)
        .hasMessageContaining("not found in /usr/bin or on PATH: no-such-redis-binary-7f3a");
  }
}
