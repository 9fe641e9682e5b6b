package dev.usage.redis;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A private {@code redis-server} for one test (or one test class): started on a free loopback port with
 * nothing kept on disk ({@code --save "" --appendonly no}), in a temporary directory of its own that
 * holds its log ({@code redis.log}), its stdout/stderr ({@code stdout.log}) and, for a cluster node,
 * its {@code nodes.conf}. Unlike the shared Redis on 6379 it may be killed, paused, flushed and
 * reconfigured.
 *
 * <p>Faults: {@link #kill9()} sends SIGKILL ({@link Process#destroyForcibly()} is {@code kill(pid, SIGKILL)}
 * on Linux; the process gets no chance to save or to close its clients' connections politely, the kernel
 * closes them), {@link #restart()} starts it again on the same port with the same arguments and an empty
 * dataset, and {@link #pause(Duration)} runs {@code CLIENT PAUSE <ms> ALL}.
 *
 * <p>Ports come from {@link FreePorts} (20000–29999, with {@code port + 10000}, a cluster node's bus port, free
 * as well). A port taken between the probe and the server's bind is retried with another one.
 *
 * <p>No process outlives the JVM: every started process is registered with one JVM shutdown hook that
 * kills it and deletes its directory; {@link #stop()} does the same at once. (A JVM that is itself
 * SIGKILLed runs no hook; its servers then stay until killed by hand.) The methods are thread-safe.
 */
public final class RedisProcess implements AutoCloseable {

  /** The loopback address every process binds to. */
  public static final String HOST = "127.0.0.1";

  private static final Set<RedisProcess> RUNNING = ConcurrentHashMap.newKeySet();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
  private static final int PORT_ATTEMPTS = 5;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(RedisProcess::reap), "redis-process-reaper"));
  }

  private final int port;
  private final Path dir;
  private final List<String> argv;
  private volatile Process process;
  private boolean stopped;

  private RedisProcess(int port, Path dir, List<String> extraArgs) {
    this.port = port;
    this.dir = dir;
    List<String> args = new ArrayList<>(List.of(RedisAvailability.redisServer().toString(),
        "--port", Integer.toString(port), "--bind", HOST,
        "--save", "", "--appendonly", "no", "--daemonize", "no",
        "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString()));
    args.addAll(extraArgs);
    this.argv = List.copyOf(args);
  }

  /**
   * Starts a server and waits until it answers {@code PING}. Skips the calling test (or fails it, under
   * {@code USAGE_IT_REQUIRED=true}) when the Redis binaries are not installed.
   *
   * @param extraArgs appended to the command line, e.g. {@code "--maxmemory-policy", "allkeys-lru"}; later
   *     options win over the defaults above
   * @return the running server; {@link #stop()} it
   * @throws IllegalStateException when the server does not come up; the message holds its log
   */
  public static RedisProcess start(String... extraArgs) {
    RedisAvailability.requireRedisBinaries();
    Path dir = ScratchFiles.createDirectory("usage-redis-");
    IllegalStateException lastFailure = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      RedisProcess redis = new RedisProcess(FreePorts.pairOn(HOST), dir, List.of(extraArgs));
      try {
        synchronized (redis) {
          redis.launch(false);
        }
        return redis;
      } catch (PortInUse e) {
        RUNNING.remove(redis);
        lastFailure = e;
      } catch (RuntimeException e) {
        RUNNING.remove(redis);
        ScratchFiles.delete(dir);
        throw e;
      }
    }
    ScratchFiles.delete(dir);
    throw lastFailure;
  }

  /** The port it listens on, 127.0.0.1 only; the same after {@link #restart()}. */
  public int port() {
    return port;
  }

  /** A Lettuce URI for {@code redis://127.0.0.1:port} with Lettuce's default timeout (set your own). */
  public RedisURI uri() {
    return RedisURI.create(HOST, port);
  }

  /** Its private directory (working directory of the server: relative paths in arguments land here). */
  public Path dir() {
    return dir;
  }

  /** The process id of the current incarnation. */
  public long pid() {
    return process.pid();
  }

  /** Whether the current incarnation is running. */
  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /**
   * Kills the server with SIGKILL and waits until it is gone; nothing is saved and no client is told.
   * Does nothing when it is not running.
   *
   * @return the exit status Java reports, {@code 137} (128 + SIGKILL) on Linux, or {@code -1} when it was
   *     not running
   */
  public synchronized int kill9() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return -1;
    }
    p.destroyForcibly();
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing " + this, e);
    }
  }

  /**
   * Starts the server again on the same port, with the same arguments and directory, after
   * {@link #kill9()} (or kills it first when it is running); waits until it answers {@code PING}. Binding is
   * retried for a few seconds while the port is still taken. The dataset starts empty (nothing was kept),
   * except what the directory restores by design, such as a cluster node's {@code nodes.conf}.
   *
   * @throws IllegalStateException when it was stopped, or does not come up; the message holds its log
   */
  public synchronized void restart() {
    if (stopped) {
      throw new IllegalStateException(this + " was stopped");
    }
    kill9();
    launch(true);
  }

  /**
   * Runs {@code CLIENT PAUSE <ms> ALL}: every client's commands (this fixture's {@link #command} included)
   * block for {@code duration} from now; the call itself returns at once.
   */
  public void pause(Duration duration) {
    command("CLIENT", "PAUSE", Long.toString(duration.toMillis()), "ALL");
  }

  /**
   * Runs one raw command on a fresh connection (no Lettuce): e.g. {@code SCRIPT FLUSH}, {@code FLUSHALL},
   * {@code CONFIG SET maxmemory-policy allkeys-lru}, {@code INFO memory}.
   *
   * @return the reply rendered by {@link RespClient}: text, digits, {@code (nil)}, or array elements one per line
   * @throws RespClient.ErrorReply when Redis answers with an error
   * @throws UncheckedIOException when it is down or does not answer within 5 seconds
   */
  public String command(String... args) {
    return RespClient.call(HOST, port, COMMAND_TIMEOUT, args);
  }

  /** The server's log so far (all incarnations), for failure messages. */
  public String log() {
    return ScratchFiles.read(dir.resolve("redis.log"), 0) + ScratchFiles.read(dir.resolve("stdout.log"), 0);
  }

  /** Kills the server (SIGKILL) and deletes its directory; later calls do nothing. */
  public synchronized void stop() {
    stopped = true;
    kill9();
    RUNNING.remove(this);
    ScratchFiles.delete(dir);
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "redis-server " + HOST + ":" + port;
  }

  private void launch(boolean retryBind) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      long logOffset = ScratchFiles.size(dir.resolve("redis.log"));
      Process p;
      try {
        p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot run " + argv.get(0), e);
      }
      process = p;
      RUNNING.add(this);
      if (awaitUp(p, deadline)) {
        return;
      }
      kill9();
      String log = ScratchFiles.read(dir.resolve("redis.log"), logOffset);
      if (log.contains("Address already in use")) {
        if (retryBind && System.nanoTime() < deadline) {
          sleep(Duration.ofMillis(100));
          continue;
        }
        throw new PortInUse(this + " could not bind: " + log);
      }
      throw new IllegalStateException(this + " did not answer PING within " + START_TIMEOUT + "; log:\n" + log
          + ScratchFiles.read(dir.resolve("stdout.log"), 0));
    }
  }

  /** Polls until this process (not some other server on the port) answers, it dies, or the deadline passes. */
  private boolean awaitUp(Process p, long deadline) {
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        return false;
      }
      try (RespClient client = RespClient.connect(HOST, port, PROBE_TIMEOUT)) {
        if ("PONG".equals(client.call("PING"))
            && client.call("INFO", "server").contains("process_id:" + p.pid() + "\r")) {
          return true;
        }
      } catch (RuntimeException notYet) {
        // refused while it binds, or LOADING: poll again
      }
      sleep(Duration.ofMillis(20));
    }
    return false;
  }

  /** Kills without taking the monitor: the shutdown hook must not wait for a thread stuck in a call. */
  private void reap() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
    }
    ScratchFiles.delete(dir);
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The server could not bind its port (or its cluster bus port). */
  private static final class PortInUse extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    PortInUse(String message) {
      super(message);
    }
  }
}
