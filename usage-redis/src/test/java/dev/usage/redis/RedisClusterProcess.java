package dev.usage.redis;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private Redis Cluster of three masters without replicas, each a {@link RedisProcess} started with
 * {@code --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000} (the config file
 * lands in the node's own directory, its working directory), joined with
 * {@code redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes}. {@link #start()} returns once
 * every node reports {@code cluster_state:ok} with all 16384 slots assigned and served.
 *
 * <p><b>As a fixture.</b> Starting a cluster takes a few seconds, so test classes share one per JVM:
 * {@link #shared()} starts it on first use and returns the same instance afterwards; teardown is the
 * {@link RedisProcess} shutdown hook, at JVM exit. Test classes sharing it must not {@link #close()} it and
 * should {@link #flushAll()} (or use key prefixes of their own) before relying on key counts. A test that needs
 * a cluster to itself calls {@link #start()} and closes it.
 *
 * <pre>{@code
 * // in a test class's @BeforeAll: started on first use in this JVM, then the same (healed) cluster
 * RedisClusterProcess cluster = RedisClusterProcess.shared();   // skips when the Redis binaries are missing
 * cluster.flushAll();
 * RedisClusterClient client = RedisClusterClient.create(cluster.uris());
 * // in its @AfterAll: client.shutdown(); never cluster.close(), other classes share it
 * }</pre>
 *
 * <p><b>Killing a node.</b> {@code node(i).kill9()} kills one master. With no replicas nothing takes over its
 * slots, and because {@code cluster-require-full-coverage} is on (the default) the whole cluster then refuses
 * <em>every</em> key with {@code CLUSTERDOWN The cluster is down}, not only the dead node's keys. That starts
 * once the other masters agree the node has failed: the node timeout (2 s) plus gossip, about 4 s after the kill
 * on this machine; until then keys on the surviving masters still work and the dead node's slots fail with
 * connection errors.
 * {@code node(i).restart()} brings it back on its port: it reloads {@code nodes.conf}, rejoins owning the
 * same slots with an empty dataset (the other masters keep their data), and the cluster returns to
 * {@code ok} after a few seconds ({@link #awaitOk(Duration)}). {@link #shared()} heals a shared cluster this
 * way (restarting dead nodes and waiting for {@code ok}) before handing it out, so one class's kill test does
 * not break the next class.
 *
 * <p>Thread-safe; {@link #shared()} is synchronized.
 */
public final class RedisClusterProcess implements AutoCloseable {

  /** Number of masters. */
  public static final int SIZE = 3;

  /** Number of hash slots every healthy cluster serves. */
  public static final int SLOTS = 16_384;

  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration OK_TIMEOUT = Duration.ofSeconds(30);

  private static RedisClusterProcess shared;

  private final List<RedisProcess> nodes;
  private volatile boolean closed;

  private RedisClusterProcess(List<RedisProcess> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Starts a cluster of its own and waits until it is {@code ok}. Skips the calling test (or fails it,
   * under {@code USAGE_IT_REQUIRED=true}) when the Redis binaries are not installed.
   *
   * @return the running cluster; {@link #close()} it
   * @throws IllegalStateException when it does not form; the message holds {@code redis-cli}'s output or
   *     the nodes' {@code CLUSTER INFO}
   */
  public static RedisClusterProcess start() {
    RedisAvailability.requireRedisBinaries();
    List<RedisProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < SIZE; i++) {
        nodes.add(RedisProcess.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "2000"));
      }
      create(nodes);
      RedisClusterProcess cluster = new RedisClusterProcess(nodes);
      cluster.awaitOk(OK_TIMEOUT);
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisProcess::stop);
      throw e;
    }
  }

  /**
   * The cluster shared by every test class of this JVM: started on the first call, then the same instance,
   * healed first when a test killed nodes (see the class comment). Stopped at JVM exit; do not close it
   * (a closed one is replaced by a new cluster on the next call).
   */
  public static synchronized RedisClusterProcess shared() {
    if (shared == null || shared.closed) {
      shared = start();
    } else {
      shared.heal();
    }
    return shared;
  }

  /** Lettuce URIs of the masters, in node order, with Lettuce's default timeout. */
  public List<RedisURI> uris() {
    return nodes.stream().map(RedisProcess::uri).toList();
  }

  /** The masters' ports, in node order. */
  public List<Integer> ports() {
    return nodes.stream().map(RedisProcess::port).toList();
  }

  /** Master {@code index} (0 to {@link #SIZE} - 1), to run commands on, kill or restart. */
  public RedisProcess node(int index) {
    return nodes.get(index);
  }

  /** Restarts every node that is not running, then waits until the cluster is {@code ok}. */
  public void heal() {
    for (RedisProcess node : nodes) {
      if (!node.isAlive()) {
        node.restart();
      }
    }
    awaitOk(OK_TIMEOUT);
  }

  /**
   * Waits until every node reports {@code cluster_state:ok}, {@value #SIZE} known nodes and all
   * {@value #SLOTS} slots assigned and ok.
   *
   * @throws IllegalStateException when that does not happen within {@code timeout}; the message holds
   *     what each node last reported
   */
  public void awaitOk(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> last = List.of();
    while (System.nanoTime() < deadline) {
      last = nodes.stream().map(RedisClusterProcess::clusterInfo).toList();
      if (last.stream().allMatch(RedisClusterProcess::isOk)) {
        return;
      }
      sleep(Duration.ofMillis(50));
    }
    throw new IllegalStateException("cluster " + ports() + " not ok within " + timeout + ": " + last);
  }

  /** Runs {@code FLUSHALL} on every master: an empty cluster for the next test. */
  public void flushAll() {
    nodes.forEach(node -> node.command("FLUSHALL"));
  }

  /** Kills every node (SIGKILL) and deletes their directories. */
  @Override
  public void close() {
    closed = true;
    nodes.forEach(RedisProcess::stop);
  }

  @Override
  public String toString() {
    return "Redis Cluster " + ports();
  }

  private static void create(List<RedisProcess> nodes) {
    List<String> command = new ArrayList<>(List.of(RedisAvailability.redisCli().toString(), "--cluster", "create"));
    nodes.forEach(node -> command.add(RedisProcess.HOST + ":" + node.port()));
    command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    try {
      Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
      // redis-cli writes little; reading to the end also waits for it to exit
      String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!cli.waitFor(CREATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        cli.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish: " + output);
      }
      if (cli.exitValue() != 0 || !output.contains("All " + SLOTS + " slots covered")) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + cli.exitValue() + ": " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run redis-cli", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the cluster", e);
    }
  }

  private static String clusterInfo(RedisProcess node) {
    try {
      return node.command("CLUSTER", "INFO");
    } catch (RuntimeException e) {
      return node + ": " + e.getMessage();
    }
  }

  private static boolean isOk(String info) {
    return info.contains("cluster_state:ok\r")
        && info.contains("cluster_slots_assigned:" + SLOTS + "\r")
        && info.contains("cluster_slots_ok:" + SLOTS + "\r")
        && info.contains("cluster_known_nodes:" + SIZE + "\r");
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
