package dev.usage.redis;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a free loopback port in front of one server, for network faults that a killed or paused
 * server cannot give, above all "the command ran but the caller saw a failure". One thread per direction per
 * connection; bytes are forwarded as read, one chunk (one {@code read}) at a time.
 *
 * <p>Modes, switchable at any time and applying to open and new connections alike:
 * <ul>
 *   <li>{@link #pass()}: forward both ways (the initial mode); also disarms {@link #dropNextResponse()}.</li>
 *   <li>{@link #delay(Duration)}: hold each server-to-client chunk until {@code duration} after it was read.</li>
 *   <li>{@link #blackHole()}: forward nothing either way, keep every socket open. Bytes read meanwhile are held,
 *       not discarded, and each direction stops reading (so the kernel's buffers fill) — as with TCP across a
 *       network partition, they arrive after {@link #pass()}. So a command sent during the black hole runs on
 *       the server once it ends, though its caller has timed out, and the connection's replies stay in order.
 *       Call {@link #resetAll()} before {@link #pass()} to lose them instead.</li>
 * </ul>
 * <p>One-shot actions:
 * <ul>
 *   <li>{@link #dropNextResponse()}: the next server-to-client chunk (of any connection) is discarded and the
 *       connection stays open: the server ran the command, the client never sees the reply. It drops exactly
 *       the bytes of one {@code read} after it was armed, which is one whole reply for small replies sent to an
 *       idle client (a reply of more than a few kilobytes, or pipelined replies, may be split or merged across
 *       reads). A client that matches replies to commands by order (Lettuce) is then one reply behind on that
 *       connection; reset it ({@link #resetAll()}) before testing anything else through it.</li>
 *   <li>{@link #resetAll()}: closes every client connection abruptly (SO_LINGER 0, so the client gets an RST)
 *       and the matching server connections; new connections are accepted as before.</li>
 * </ul>
 *
 * <p>When the server refuses the proxy's connection (it is down), the client's connection is reset at once.
 * For a standalone server only: a cluster client learns the nodes' real addresses and would bypass the proxy.
 * Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final int CHUNK = 16 * 1024;

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Object modeChanged = new Object();
  private final AtomicBoolean dropArmed = new AtomicBoolean();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicLong droppedBytes = new AtomicLong();
  private volatile boolean blackHole;
  private volatile Duration responseDelay = Duration.ZERO;
  private volatile boolean closed;

  private TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getByName(RedisProcess.HOST));
  }

  /**
   * Starts a proxy in {@link #pass()} mode.
   *
   * @param host the server's host
   * @param port the server's port; it need not be up yet
   * @return the listening proxy; {@link #close()} it
   */
  public static TcpProxy start(String host, int port) {
    try {
      TcpProxy proxy = new TcpProxy(host, port);
      Thread acceptor = new Thread(proxy::acceptLoop, "tcp-proxy-" + proxy.port() + "-accept");
      acceptor.setDaemon(true);
      acceptor.start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a proxy port", e);
    }
  }

  /** The proxy's port on 127.0.0.1. */
  public int port() {
    return server.getLocalPort();
  }

  /** A Lettuce URI for the proxy, {@code redis://127.0.0.1:port}, with Lettuce's default timeout. */
  public RedisURI uri() {
    return RedisURI.create(RedisProcess.HOST, port());
  }

  /** Forwards both ways without delay; releases what a black hole held; disarms a pending drop. */
  public void pass() {
    dropArmed.set(false);
    switchMode(false, Duration.ZERO);
  }

  /** Discards the next server-to-client chunk (see the class comment for what a chunk is). */
  public void dropNextResponse() {
    dropArmed.set(true);
  }

  /** Forwards nothing either way and holds what was read, keeping the connections open (see the class comment). */
  public void blackHole() {
    switchMode(true, Duration.ZERO);
  }

  /** Forwards, holding each server-to-client chunk until {@code duration} after it was read. */
  public void delay(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration: must not be negative, was " + duration);
    }
    switchMode(false, duration);
  }

  /** Closes every open connection abruptly (RST to the client); the mode is unchanged. */
  public void resetAll() {
    for (Link link : links) {
      link.close(true);
    }
    synchronized (modeChanged) {
      modeChanged.notifyAll();
    }
  }

  /** How many client connections the proxy has accepted so far. */
  public int connectionsAccepted() {
    return accepted.get();
  }

  /** How many client connections are open now. */
  public int openConnections() {
    return links.size();
  }

  /** How many server-to-client bytes {@link #dropNextResponse()} has discarded so far. */
  public long droppedBytes() {
    return droppedBytes.get();
  }

  /** Stops accepting and resets every open connection. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // the accept loop ends either way
    }
    resetAll();
  }

  @Override
  public String toString() {
    return "TcpProxy 127.0.0.1:" + port() + " -> " + targetHost + ":" + targetPort;
  }

  private void switchMode(boolean hole, Duration delay) {
    synchronized (modeChanged) {
      blackHole = hole;
      responseDelay = delay;
      modeChanged.notifyAll();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      Socket upstream = new Socket();
      try {
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        upstream.connect(new InetSocketAddress(targetHost, targetPort), Math.toIntExact(CONNECT_TIMEOUT.toMillis()));
      } catch (IOException refused) {
        new Link(client, upstream).close(true);
        continue;
      }
      Link link = new Link(client, upstream);
      links.add(link);
      link.startPumps();
    }
  }

  /** One client connection and its server connection. */
  private final class Link {

    private final Socket client;
    private final Socket upstream;
    private final AtomicBoolean open = new AtomicBoolean(true);

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void startPumps() {
      String name = "tcp-proxy-" + port() + "-" + client.getPort();
      Thread requests = new Thread(() -> pump(client, upstream, false), name + "-request");
      Thread responses = new Thread(() -> pump(upstream, client, true), name + "-response");
      requests.setDaemon(true);
      responses.setDaemon(true);
      requests.start();
      responses.start();
    }

    private void pump(Socket from, Socket to, boolean response) {
      byte[] buffer = new byte[CHUNK];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          long readAt = System.nanoTime();
          if (!awaitOpenGate()) {
            return;
          }
          if (response) {
            if (dropArmed.compareAndSet(true, false)) {
              droppedBytes.addAndGet(n);
              continue;
            }
            sleepUntil(readAt + responseDelay.toNanos());
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // reset, closed or interrupted: the link ends below
      }
      close(false);
    }

    /** Blocks while the proxy is a black hole; false when the link was closed meanwhile. */
    private boolean awaitOpenGate() throws InterruptedException {
      synchronized (modeChanged) {
        while (blackHole && open.get()) {
          modeChanged.wait();
        }
      }
      return open.get();
    }

    void close(boolean reset) {
      if (!open.compareAndSet(true, false)) {
        return;
      }
      links.remove(this);
      try {
        if (reset) {
          client.setSoLinger(true, 0);
        }
      } catch (IOException ignored) {
        // already closed: nothing to reset
      }
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    long wait = deadline - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing is all we wanted
    }
  }
}
