package dev.usage.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.netty.util.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection this storage opens from the host's client (standalone or Cluster), with the command views
 * the stores use. Lettuce connections are thread-safe and pipeline concurrent commands, so one is shared by
 * every thread; every command waits at most {@link #timeout()}.
 *
 * <p>A command that timed out may still be answered later, or never (a reply lost on the way). Lettuce
 * matches replies to commands in order, so after a lost reply every later command on the connection would
 * take the reply of the one before it. The connection is therefore replaced after a timeout
 * ({@link #replaceAfterTimeout}): in the background, so that no caller waits for the new one.
 */
final class RedisConnector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisConnector.class);
  /** How often Redis's clock is compared with this host's. */
  static final int CLOCK_CHECK_SECONDS = 60;
  /** How many times each node's clock is read per check: the best reading is kept ({@link #measureClock}). */
  static final int CLOCK_READINGS = 3;

  /**
   * This host's clocks, in microseconds: the wall clock (since the epoch) and a monotonic one (any origin, never
   * stepped). Tests set them.
   */
  record HostClock(LongSupplier wallMicros, LongSupplier monoMicros) {
    static final HostClock SYSTEM = new HostClock(RedisConnector::systemMicros, () -> System.nanoTime() / 1_000);
  }

  /** One connection and its views. */
  private record View(StatefulConnection<String, String> connection, RedisClusterCommands<String, String> sync,
      RedisClusterAsyncCommands<String, String> async, StatefulRedisClusterConnection<String, String> cluster) {}

  private final Supplier<View> connect;
  private final Duration timeout;
  private final boolean isCluster;
  private final ScheduledExecutorService reconnector;
  private final AtomicLong nonces = new AtomicLong();
  private final Set<StatefulConnection<String, String>> retiring = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean replacing = new AtomicBoolean();
  private final HostClock hostClock;
  private volatile View view;
  private volatile boolean closed;
  /** Redis's clock less this host's wall clock, in microseconds ({@link #measureClock}). */
  private volatile long clockOffsetMicros;
  /**
   * Redis's clock less this host's monotonic one, in microseconds ({@link #measureClock}): Redis's now is told by
   * the monotonic clock from the last measurement on, so that this host's wall clock stepped meanwhile (NTP) moves
   * no deadline. Until the first measurement, this host's wall clock stands for Redis's.
   */
  private volatile long redisLessMonoMicros;
  /**
   * This host's wall clock less its monotonic one at the last measurement: when it moves by a quarter of the
   * timeout, one of them jumped (the monotonic clock stands still while the host sleeps; NTP steps the wall clock),
   * and Redis's clock is measured again at once ({@link #redisNowMicros}).
   */
  private volatile long wallLessMonoMicros;
  /** Whether a measurement asked for by a jump is on its way, and when the last was asked for (nanoTime). */
  private final AtomicBoolean remeasuring = new AtomicBoolean();
  private volatile long remeasuredAt = System.nanoTime() - 1_000_000_000L;
  private volatile long clockSpreadMicros;
  private volatile ScheduledExecutorService clockChecks;

  private RedisConnector(Supplier<View> connect, Duration timeout, boolean isCluster, HostClock hostClock) {
    this.connect = connect;
    this.timeout = timeout;
    this.isCluster = isCluster;
    this.hostClock = hostClock;
    this.redisLessMonoMicros = hostClock.wallMicros().getAsLong() - hostClock.monoMicros().getAsLong();
    this.wallLessMonoMicros = redisLessMonoMicros;
    this.view = connect.get();
    ScheduledThreadPoolExecutor reconnecting = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "usage-redis-reconnect");
      t.setDaemon(true);
      return t;
    });
    // on close, the old connections' delayed closes are not waited for: close() closes them
    reconnecting.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.reconnector = reconnecting;
  }

  /** A connector on a standalone server (or Sentinel-managed master) through the host's client. */
  static RedisConnector standalone(RedisClient client, Duration timeout) {
    return standalone(client, timeout, HostClock.SYSTEM);
  }

  /** As {@link #standalone(RedisClient, Duration)}, with this host's clocks read from {@code hostClock}. */
  static RedisConnector standalone(RedisClient client, Duration timeout, HostClock hostClock) {
    return new RedisConnector(() -> {
      StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8);
      c.setTimeout(timeout);
      return new View(c, c.sync(), c.async(), null);
    }, timeout, false, hostClock);
  }

  /** A connector on a Cluster through the host's client. */
  static RedisConnector cluster(RedisClusterClient client, Duration timeout) {
    return new RedisConnector(() -> {
      StatefulRedisClusterConnection<String, String> c = client.connect(StringCodec.UTF8);
      c.setTimeout(timeout);
      return new View(c, c.sync(), c.async(), c);
    }, timeout, true, HostClock.SYSTEM);
  }

  /** The system's wall clock, in microseconds since the epoch. */
  static long systemMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }

  /**
   * Measures Redis's clock now and then every {@value #CLOCK_CHECK_SECONDS} seconds, on a thread of its own (the
   * reconnecting thread must not wait for it). For the connector the stores use; a subscription's needs none.
   *
   * @return whether the first measurement succeeded
   */
  boolean startClockChecks() {
    boolean measured;
    try {
      measureClock();
      measured = true;
    } catch (RuntimeException e) {
      log.debug("Could not read Redis's clock", e);
      measured = false;
    }
    ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "usage-redis-clock");
      t.setDaemon(true);
      return t;
    });
    clockChecks = checks;
    checks.scheduleWithFixedDelay(() -> {
      try {
        measureClock();
      } catch (RuntimeException e) {
        // the last reading stands; the next check tries again
        log.debug("Could not read Redis's clock", e);
      }
    }, CLOCK_CHECK_SECONDS, CLOCK_CHECK_SECONDS, TimeUnit.SECONDS);
    return measured;
  }

  /**
   * Measures how far Redis's clock ({@code TIME}) is ahead of this host's, in microseconds (negative: behind), on
   * the standalone server or on each Cluster master: the deadlines the scripts compare with Redis's clock
   * ({@link #deadline}) are sent in Redis's time. Each reading is the least the offset can be (Redis's time less
   * this host's when the answer came back): of a node's {@value #CLOCK_READINGS} readings the greatest is kept
   * (one the host was late to take, a pause of its own after the answer came, would make every deadline early by
   * that much until the next check), and the offset kept is the least of the masters': a deadline is then never
   * later in any master's time than it should be, so no write is applied after its caller gave up; a master
   * whose clock is ahead of the others' by more than half a timeout refuses writes as late (see
   * {@link #clockSpreadMicros()}).
   *
   * @return Redis's clock less this host's wall clock
   * @throws RedisException a node did not answer
   */
  long measureClock() {
    long least = Long.MAX_VALUE;
    long leastWall = 0;
    long most = Long.MIN_VALUE;
    for (RedisClusterCommands<String, String> node : nodes()) {
      long best = Long.MIN_VALUE;
      long bestWall = 0;
      for (int i = 0; i < CLOCK_READINGS; i++) {
        List<String> time = node.time();
        long mono = hostClock.monoMicros().getAsLong();
        long wall = hostClock.wallMicros().getAsLong();
        long redis = Long.parseLong(time.get(0)) * 1_000_000 + Long.parseLong(time.get(1));
        if (redis - mono > best) {
          best = redis - mono;
          bestWall = redis - wall;
        }
      }
      if (best < least) {
        least = best;
        leastWall = bestWall;
      }
      most = Math.max(most, best);
    }
    if (least != Long.MAX_VALUE) {
      redisLessMonoMicros = least;
      clockOffsetMicros = leastWall;
      wallLessMonoMicros = least - leastWall;
      clockSpreadMicros = most - least;
    }
    return clockOffsetMicros;
  }

  /** How far apart the Cluster masters' clocks were at the last measurement, in microseconds (0 standalone). */
  long clockSpreadMicros() {
    return clockSpreadMicros;
  }

  /**
   * Now by Redis's clock, in microseconds since the epoch: as last measured ({@link #measureClock}), moved on by
   * this host's monotonic clock.
   */
  long redisNowMicros() {
    long mono = hostClock.monoMicros().getAsLong();
    long jump = hostClock.wallMicros().getAsLong() - mono - wallLessMonoMicros;
    if (Math.abs(jump) >= timeout.toNanos() / 4_000) {
      // until measured again (a few milliseconds), a host that slept is behind: writes are refused as late, never
      // applied after their callers gave up
      measureSoon();
    }
    return mono + redisLessMonoMicros;
  }

  /**
   * Measures Redis's clock on the clock checks' thread now, unless a measurement is under way or one was asked for
   * less than a second ago.
   */
  private void measureSoon() {
    ScheduledExecutorService checks = clockChecks;
    if (checks == null || System.nanoTime() - remeasuredAt < 1_000_000_000L
        || !remeasuring.compareAndSet(false, true)) {
      return;
    }
    remeasuredAt = System.nanoTime();
    try {
      checks.execute(() -> {
        try {
          measureClock();
        } catch (RuntimeException e) {
          log.debug("Could not read Redis's clock", e);
        } finally {
          remeasuring.set(false);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      remeasuring.set(false);
    }
  }

  /** Redis's clock less this host's wall clock, in microseconds, as last measured ({@link #measureClock}). */
  long clockOffsetMicros() {
    return clockOffsetMicros;
  }

  /** Blocking commands, each bounded by {@link #timeout()}. */
  RedisClusterCommands<String, String> sync() {
    return view.sync();
  }

  /** Pipelined commands, for bulk work. */
  RedisClusterAsyncCommands<String, String> async() {
    return view.async();
  }

  boolean isCluster() {
    return isCluster;
  }

  /**
   * The client's timer ({@code ClientResources.timer()}: a wheel that ticks on its own, every 100 ms by
   * default, and also runs Lettuce's command timeouts).
   */
  Timer timer() {
    return view.connection().getResources().timer();
  }

  /** How long a command may take before its caller is told the outcome is unknown. */
  Duration timeout() {
    return timeout;
  }

  /**
   * When an operation that starts now gives up waiting for Redis ({@link System#nanoTime()}): one command
   * timeout from now, shared by every call the operation makes (a consume's fast call and its full call, a
   * {@code NOSCRIPT}'s {@code EVAL}), so that a caller is answered within the timeout however many calls it took.
   */
  long giveUpAt() {
    return System.nanoTime() + timeout.toNanos();
  }

  /**
   * The instant, in microseconds of Redis's clock, after which a write sent now by an operation that gives up
   * at {@code giveUpAt} ({@link #giveUpAt()}) must no longer be applied: half of what is left of its time from
   * now, so that a write applied in time has the other half to get its reply back to its caller before the
   * caller is told the outcome is unknown (the scripts compare it with Redis's clock). It is told in Redis's time
   * ({@link #redisNowMicros}): a Redis clock ahead by half a timeout would otherwise refuse every write as late.
   */
  String deadline(long giveUpAt) {
    long left = Math.max(0, giveUpAt - System.nanoTime());
    return Long.toString(redisNowMicros() + left / 2_000);
  }

  /** A value no other command of this connector carries (see {@link RedisScripts#run}). */
  String nonce() {
    return Long.toString(nonces.incrementAndGet(), 36);
  }

  /**
   * The servers holding data, in a stable order: the standalone server, or each Cluster master (by node
   * id; not a failed one that serves no slot), each through a connection of its own (for node-wide commands such
   * as {@code SCAN} and {@code INFO}).
   */
  List<RedisClusterCommands<String, String>> nodes() {
    return List.copyOf(nodesById().values());
  }

  /**
   * Calls {@code action} with every key matching {@code match}: {@code SCAN} on each of {@link #nodes()} in
   * turn. A key may come more than once (a rehash or a slot migration meanwhile); {@code what} names the
   * operation in errors.
   */
  void forEachKey(String match, String what, java.util.function.Consumer<String> action) {
    for (RedisClusterCommands<String, String> node : nodes()) {
      ScanCursor at = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page;
        try {
          page = node.scan(at, ScanArgs.Builder.matches(match).limit(1_000));
        } catch (RedisException e) {
          throw RedisScripts.failure(what, e);
        }
        page.getKeys().forEach(action);
        at = page;
      } while (!at.isFinished());
    }
  }

  /**
   * A field of a node's {@code INFO server} ({@code redis_version}, {@code run_id}, ...); empty when the node does
   * not name it. {@code what} names the operation in errors.
   */
  static Optional<String> serverInfo(RedisClusterCommands<String, String> node, String field, String what) {
    return info(node, "server", field, what);
  }

  /** As {@link #serverInfo}, for a field of another section of {@code INFO} ({@code memory}, ...). */
  static Optional<String> info(RedisClusterCommands<String, String> node, String section, String field, String what) {
    String info;
    try {
      info = node.info(section);
    } catch (RedisException e) {
      throw RedisScripts.failure(what, e);
    }
    return info.lines().filter(l -> l.startsWith(field + ":")).findFirst()
        .map(l -> l.substring(field.length() + 1).trim());
  }

  /** As {@link #nodes()}, by node id ({@code "standalone"} for a standalone server), in the same order. */
  java.util.SortedMap<String, RedisClusterCommands<String, String>> nodesById() {
    View v = view;
    java.util.SortedMap<String, RedisClusterCommands<String, String>> out = new java.util.TreeMap<>();
    if (v.cluster() == null) {
      out.put("standalone", v.sync());
      return out;
    }
    try {
      for (RedisClusterNode n : v.cluster().getPartitions()) {
        // a master that failed and serves no slot (its replica took them over) stays in the Cluster's node table
        // until it is forgotten: it holds none of the data. One that failed holding slots, or is only suspected
        // (PFAIL), does: an operation over every master must not pass over its keys
        boolean gone = n.getSlots().isEmpty()
            && (n.is(RedisClusterNode.NodeFlag.FAIL) || n.is(RedisClusterNode.NodeFlag.NOADDR));
        if (n.is(RedisClusterNode.NodeFlag.UPSTREAM) && !gone) {
          StatefulRedisConnection<String, String> c = v.cluster().getConnection(n.getNodeId());
          c.setTimeout(timeout);
          out.put(n.getNodeId(), c.sync());
        }
      }
    } catch (RedisException e) {
      // a master that cannot be reached
      throw RedisScripts.failure("connect to every master of the Cluster", e);
    }
    return out;
  }

  /** {@link #inStep}'s probe: answers its argument, writes nothing, runs on a stale replica too (Redis 7). */
  static final String PROBE = "#!lua flags=no-writes,allow-stale\nreturn ARGV[1]";

  /** What {@link #inStep} found. */
  enum Step {
    /** The probe came back as its own reply: the replies on the connection are in step with its commands. */
    IN_STEP,
    /**
     * Another reply came back, or none within the command timeout: a reply was lost on the connection, which
     * must be replaced.
     */
    SHIFTED,
    /**
     * Could not be told: the connection was replaced meanwhile, or the probe was refused (while a script runs too
     * long, {@code BUSY}; while loading, {@code LOADING}) or failed. Says nothing against the connection.
     */
    UNKNOWN
  }

  /**
   * Whether the replies on {@code sentOn} still come in step with its commands: a fresh value, sent on it now, comes
   * back as its own reply. A reply lost earlier on a connection shifts every later one to the command before its
   * own, so an error reply meant for one command (a {@code NOSCRIPT}, a refusal) may reach the one sent before it,
   * whose script did run. The probe is an {@code EVAL} of a script that returns its argument and writes nothing
   * ({@link #PROBE}): the storage's ACL user runs scripts anyway (a host may not allow it {@code ECHO}), and a
   * script that writes nothing runs where writes are refused (a replica, out of memory). On a Cluster
   * {@link Step#IN_STEP} without a probe: it would go to some node, not necessarily the one that answered.
   */
  CompletableFuture<Step> inStep(Object sentOn) {
    View v = view;
    if (isCluster) {
      return CompletableFuture.completedFuture(Step.IN_STEP);
    }
    if (v.connection() != sentOn) {
      return CompletableFuture.completedFuture(Step.UNKNOWN);
    }
    String probe = "in-step-" + nonce();
    try {
      return v.async().<String>eval(PROBE, ScriptOutputType.VALUE, new String[0], probe).toCompletableFuture()
          .handle((r, e) -> {
            if (e == null) {
              return probe.equals(r) ? Step.IN_STEP : Step.SHIFTED;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return cause instanceof RedisCommandTimeoutException ? Step.SHIFTED : Step.UNKNOWN;
          });
    } catch (RedisException e) {
      return CompletableFuture.completedFuture(Step.UNKNOWN);
    }
  }

  /** The connection commands go on now: what {@link #replaceAfterTimeout(Object)} compares. */
  Object connection() {
    return view.connection();
  }

  /**
   * As {@link #replaceAfterTimeout()}, for a command sent on {@code sentOn} ({@link #connection()} when it was
   * sent): nothing when that connection has been replaced since, so that a command of a retired connection never
   * costs the new one.
   *
   * @return whether the connection in use was the command's (a replacement was asked for)
   */
  boolean replaceAfterTimeout(Object sentOn) {
    if (view.connection() != sentOn) {
      return false;
    }
    replaceAfterTimeout();
    return true;
  }

  /**
   * After a command timed out: opens a new connection in the background and swaps it in, then closes the
   * old one once every command still on it has had its reply or timed out. One replacement at a time; should the
   * server still be unreachable, the next timeout tries again.
   */
  void replaceAfterTimeout() {
    if (closed || !replacing.compareAndSet(false, true)) {
      return;
    }
    try {
      reconnector.execute(() -> {
        try {
          View old = view;
          View fresh = connect.get();
          if (closed) {
            fresh.connection().close();
            return;
          }
          view = fresh;
          if (closed) {
            // close() ran meanwhile and closed the view it saw, which may have been the old one
            fresh.connection().close();
          }
          // commands still on the old connection get their replies, or time out, before it closes
          retiring.add(old.connection());
          boolean scheduled = false;
          if (!closed) {
            try {
              reconnector.schedule(() -> {
                retiring.remove(old.connection());
                old.connection().closeAsync();
              }, 2 * timeout.toMillis() + 100, TimeUnit.MILLISECONDS);
              scheduled = true;
            } catch (java.util.concurrent.RejectedExecutionException closing) {
              // close() shut the executor down meanwhile
            }
          }
          if (!scheduled) {
            // close() ran meanwhile, and may not have seen the old connection among the retiring: close it now
            retiring.remove(old.connection());
            old.connection().close();
          }
        } catch (RuntimeException e) {
          log.warn("Replacing the Redis connection after a timeout failed (the next timeout tries again): {}",
              e.toString());
        } finally {
          replacing.set(false);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      replacing.set(false);
    }
  }

  @Override
  public void close() {
    closed = true;
    // not interrupted: a replacement connecting now would give up waiting while Lettuce goes on connecting, and
    // the connection it opens would be no one's. It finds the connector closed and closes that connection itself
    reconnector.shutdown();
    ScheduledExecutorService checks = clockChecks;
    if (checks != null) {
      checks.shutdownNow();
    }
    retiring.forEach(StatefulConnection::close);
    view.connection().close();
  }
}
