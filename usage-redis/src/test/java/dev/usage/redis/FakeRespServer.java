package dev.usage.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A fake Redis in the JVM for unit tests of the fixtures: accepts one connection on a free loopback port,
 * reads one request, writes a canned reply and keeps the socket open until closed.
 */
final class FakeRespServer implements AutoCloseable {

  private final ServerSocket server;
  private final CompletableFuture<String> request = new CompletableFuture<>();
  private volatile Socket accepted;

  /** Starts listening; {@code reply} is written verbatim (an empty one means never answer). */
  FakeRespServer(String reply) throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread thread = new Thread(() -> serve(reply), "fake-redis");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** The bytes of the first read on the accepted connection, as text. */
  String request() throws Exception {
    return request.get(2, TimeUnit.SECONDS);
  }

  private void serve(String reply) {
    try {
      accepted = server.accept();
      byte[] buffer = new byte[1024];
      int n = accepted.getInputStream().read(buffer);
      request.complete(new String(buffer, 0, Math.max(n, 0), StandardCharsets.UTF_8));
      accepted.getOutputStream().write(reply.getBytes(StandardCharsets.UTF_8));
      accepted.getOutputStream().flush();
    } catch (IOException e) {
      request.completeExceptionally(e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    Socket s = accepted;
    if (s != null) {
      s.close();
    }
  }
}
