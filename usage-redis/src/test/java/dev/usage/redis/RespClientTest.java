package dev.usage.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link RespClient} against a fake server in the JVM that records the request and sends a canned reply. */
class RespClientTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  @Test
  void encodesCommandAsArrayOfBulkStrings() {
    assertThat(new String(RespClient.encode("SET", "k", "é"), StandardCharsets.UTF_8))
        .isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n");
  }

  @Test
  void sendsEncodedCommandAndRendersSimpleString() throws Exception {
    try (FakeRespServer server = new FakeRespServer("+PONG\r\n")) {
      assertThat(RespClient.call("127.0.0.1", server.port(), TIMEOUT, "PING")).isEqualTo("PONG");
      assertThat(server.request()).isEqualTo("*1\r\n$4\r\nPING\r\n");
    }
  }

  @Test
  void rendersIntegerBulkAndNil() throws Exception {
    try (FakeRespServer server = new FakeRespServer(":42\r\n")) {
      assertThat(RespClient.call("127.0.0.1", server.port(), TIMEOUT, "INCR", "k")).isEqualTo("42");
    }
    try (FakeRespServer server = new FakeRespServer("$7\r\na\r\nb\r\nc\r\n")) {
      assertThat(RespClient.call("127.0.0.1", server.port(), TIMEOUT, "GET", "k")).isEqualTo("a\r\nb\r\nc");
    }
    try (FakeRespServer server = new FakeRespServer("$-1\r\n")) {
      assertThat(RespClient.call("127.0.0.1", server.port(), TIMEOUT, "GET", "k")).isEqualTo("(nil)");
    }
  }

  @Test
  void flattensArraysOneElementPerLine() throws Exception {
    try (FakeRespServer server = new FakeRespServer("*3\r\n$4\r\nsave\r\n*2\r\n:1\r\n$0\r\n\r\n+x\r\n")) {
      assertThat(RespClient.call("127.0.0.1", server.port(), TIMEOUT, "CONFIG", "GET", "save"))
          .isEqualTo("save\n1\n\nx");
    }
  }

  @Test
  void throwsServerErrorText() throws Exception {
    try (FakeRespServer server = new FakeRespServer("-CLUSTERDOWN The cluster is down\r\n")) {
      assertThatThrownBy(() -> RespClient.call("127.0.0.1", server.port(), TIMEOUT, "GET", "k"))
          .isInstanceOf(RespClient.ErrorReply.class)
          .hasMessage("CLUSTERDOWN The cluster is down");
    }
  }

  @Test
  void timesOutWhenNoReplyComes() throws Exception {
    try (FakeRespServer server = new FakeRespServer("")) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> RespClient.call("127.0.0.1", server.port(), Duration.ofMillis(300), "PING"))
          .isInstanceOf(UncheckedIOException.class)
          .hasCauseInstanceOf(SocketTimeoutException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), TIMEOUT);
    }
  }

  @Test
  void failsWhenNothingListens() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    assertThatThrownBy(() -> RespClient.call("127.0.0.1", port, TIMEOUT, "PING"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("127.0.0.1:" + port);
  }
}
