package dev.usage.redis;

import dev.usage.InvalidUsageException;
import dev.usage.UsageListener;
import dev.usage.UsageStorageException;
import dev.usage.internal.Checks;
import dev.usage.spi.CounterStore;
import dev.usage.spi.EventStore;
import dev.usage.spi.NotificationLedger;
import dev.usage.spi.PeriodHistoryStore;
import dev.usage.spi.StorageCapability;
import dev.usage.spi.UsageStorage;
import dev.usage.spi.UserQuotaStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage on Redis, standalone or Cluster, through a Lettuce client the host owns: the quota hot path
 * (counters, reservations, idempotency markers; one script, so one round trip, per decision), users'
 * settings with their audit trail, closed periods, an event log with hourly and daily rollups, and a live
 * feed of events (and, if asked, quota changes) that every instance can follow.
 *
 * <p><b>Production shape.</b> Redis for the hot path and PostgreSQL (usage-jdbc) for the event log and
 * history: {@code RedisUsageStorage.builder(client).events(jdbc.events()).history(jdbc.history())
 * .reseedFrom(jdbc.events())}. Settings and their audit trail may come from SQL too ({@link Builder#userQuotas});
 * the engine then reads a user's settings from SQL at every consume, because Redis can no longer check that
 * a cached copy is current (this storage then does not declare {@link StorageCapability#CHECKS_SETTINGS_VERSION}).
 * Kept on Redis, they are lost with its data like the counters, but nothing can rebuild them: a user whose
 * settings are gone reads as one who never had any, and gets the defaults.
 *
 * <p><b>Client.</b> A command a client buffers while disconnected and sends after reconnecting could count a
 * consumption twice, so the client must reject commands while disconnected
 * ({@code ClientOptions.disconnectedBehavior(REJECT_COMMANDS)}); {@link #recommendedOptions()} and
 * {@link #recommendedClusterOptions()} give options that do (with topology refresh on Cluster), and
 * {@link #builder} refuses a client that would buffer, or that would not reconnect on its own (its connection
 * would stay down after the first Redis restart). A consume, commit or release waits at most
 * {@link Builder#commandTimeout}, however many calls it makes (a consume that the fast script hands to the full
 * one, an {@code EVAL} after a {@code NOSCRIPT}), unless it recovers lost state (a slot's new data epoch, or
 * re-seeding from the event log: each step of that, and the call after it, has a timeout of its own); other
 * operations wait at most that per call. Then the caller gets {@link dev.usage.UsageStorageException}, which
 * says whether the operation may have been applied; a write that Redis runs only after its deadline changes
 * nothing.
 *
 * <p><b>Memory policy.</b> Counters carry TTLs, so any eviction policy but {@code noeviction} may drop them;
 * at start-up a warning names the policy (read with {@code CONFIG GET}, or from {@code INFO memory} where
 * {@code CONFIG} is forbidden; another warning says so when neither tells it). A dropped counter is detected
 * (see {@link RedisCounterStore}).
 *
 * <p><b>Upgrades.</b> The scripts' data layout may change between versions of this library (before 1.0 it
 * does), and an older version's scripts may misread what a newer one wrote: instances sharing a key prefix
 * must all run the same version. Stop every instance of the old version before starting the new one.
 *
 * <p>{@link #close()} closes the connections this storage opened (and the client, for {@link #fromUri}),
 * never a client the host passed in.
 */
public final class RedisUsageStorage implements UsageStorage {

  private static final Logger log = LoggerFactory.getLogger(RedisUsageStorage.class);
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final RedisCounterStore counters;
  private final EventStore events;
  private final UserQuotaStore userQuotas;
  private final PeriodHistoryStore history;
  private final NotificationLedger notifications;
  private final Optional<RedisLiveFeed> liveFeed;
  private final RedisRollups rollups;
  private final Set<StorageCapability> capabilities;
  private final List<UsageListener> listeners;
  private final AutoCloseable ownedClient;
  private final List<String> startupWarnings = new ArrayList<>();

  private RedisUsageStorage(Builder b) {
    this.keys = new RedisKeys(b.keyPrefix);
    this.redis = b.connect.get();
    try {
      requireVersion();
      checkMemoryPolicy();
      checkClock(b.commandTimeout);
      RedisSentinels.State sentinels = new RedisSentinels(redis, keys).ensure();
      if (sentinels == RedisSentinels.State.PARTLY_MISSING) {
        warn("Redis has lost the data of some hash slots (their sentinels under '" + keys.prefix() + "' are gone):"
            + " consumes of users in those slots fail until they are re-seeded (reseedFrom) or acceptDataLoss()"
            + " is called");
      } else if (sentinels == RedisSentinels.State.CREATED && b.reseedFrom == null) {
        // the one moment a loss of everything while no instance ran could be seen, and it cannot be told apart
        warn("Redis holds no slot sentinels under '" + keys.prefix() + "': starting as a new installation. If it"
            + " held quota state that it lost while no instance was running (a restart without persistence,"
            + " FLUSHALL), every user's counters start again from zero: configure reseedFrom(eventStore) to have"
            + " them rebuilt from the event log");
      } else if (sentinels == RedisSentinels.State.CREATED) {
        log.info("Redis holds no slot sentinels under '{}': created them (users' counters missing since are"
            + " re-seeded from the event log)", keys.prefix());
      }
      if (b.reseedFrom != null && b.reseedFrom != b.events) {
        warn("reseedFrom is not the event log this storage writes (events(..)): a counter Redis loses is rebuilt"
            + " from a log an engine over this storage does not write to, and misses that engine's usage unless the"
            + " host records every event there itself. Give the same log to both: events(log).reseedFrom(log)");
      }
      Supplier<RedisConnector> connections = b.connections;
      this.liveFeed = b.liveFeedLength > 0
          ? Optional.of(new RedisLiveFeed(redis, keys, b.liveFeedLength, connections)) : Optional.empty();
      if (b.events == null) {
        this.events = new RedisEventStore(redis, keys, b.eventRetention, liveFeed);
      } else {
        // the feed carries the new events of a log kept elsewhere too
        this.events = liveFeed.<EventStore>map(f -> new FeedingEventStore(b.events, f)).orElse(b.events);
      }
      this.userQuotas = b.userQuotas != null ? b.userQuotas : new RedisUserQuotaStore(redis, keys);
      this.history = b.history != null ? b.history : new RedisPeriodHistoryStore(redis, keys);
      this.notifications = b.notifications != null ? b.notifications : new RedisNotificationLedger(redis, keys);
      this.counters = new RedisCounterStore(redis, keys, Optional.ofNullable(b.reseedFrom), b.userQuotas == null);
      this.listeners = b.publishQuotaChanges ? List.of(new QuotaChangePublisher(liveFeed.orElseThrow())) : List.of();
      this.rollups = new RedisRollups(redis, keys);
      EnumSet<StorageCapability> caps = EnumSet.of(StorageCapability.SHARED_ACROSS_PROCESSES);
      if (b.userQuotas == null) {
        caps.add(StorageCapability.CHECKS_SETTINGS_VERSION);
      }
      this.capabilities = Set.copyOf(caps);
      this.ownedClient = b.ownedClient;
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  /** A builder over a standalone (or Sentinel-managed) Redis through the host's client. */
  public static Builder builder(RedisClient client) {
    return builder(client, RedisConnector.HostClock.SYSTEM);
  }

  /** A builder over a standalone Redis, with this host's clocks read from {@code hostClock} (tests set them). */
  static Builder builder(RedisClient client, RedisConnector.HostClock hostClock) {
    Checks.notNull("client", client);
    requireRejectingWhileDisconnected(client.getOptions(), "RedisUsageStorage.recommendedOptions()");
    return new Builder(timeout -> RedisConnector.standalone(client, timeout, hostClock), null);
  }

  /** A builder over a Redis Cluster through the host's client. */
  public static Builder builder(RedisClusterClient client) {
    Checks.notNull("client", client);
    ClientOptions options = client.getOptions();
    requireRejectingWhileDisconnected(options, "RedisUsageStorage.recommendedClusterOptions()");
    if (options instanceof ClusterClientOptions cluster) {
      ClusterTopologyRefreshOptions refresh = cluster.getTopologyRefreshOptions();
      if (!refresh.isPeriodicRefreshEnabled() && refresh.getAdaptiveRefreshTriggers().isEmpty()) {
        log.warn("The Redis Cluster client refreshes its topology neither periodically nor adaptively: after a"
            + " failover or resharding it keeps sending to the old nodes; see recommendedClusterOptions()");
      }
    }
    return new Builder(timeout -> RedisConnector.cluster(client, timeout), null);
  }

  /**
   * A storage on the standalone Redis at {@code uri} (e.g. {@code redis://127.0.0.1:6379}) with a client of its
   * own, configured with {@link #recommendedOptions()} and closed with the storage.
   */
  public static RedisUsageStorage fromUri(String uri) {
    RedisURI parsed;
    try {
      parsed = RedisURI.create(Objects.requireNonNull(uri, "uri"));
    } catch (RuntimeException e) {
      throw new InvalidUsageException("uri", "must be a Redis URI such as redis://127.0.0.1:6379, was " + uri);
    }
    RedisClient client = RedisClient.create(parsed);
    client.setOptions(recommendedOptions());
    try {
      return new Builder(timeout -> RedisConnector.standalone(client, timeout), client).build();
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  /**
   * Client options this storage needs: commands are rejected, not buffered, while disconnected, and commands
   * in flight when a connection drops are failed, not sent again after the reconnect (Lettuce's default
   * "at least once" would run a consume twice).
   */
  public static ClientOptions recommendedOptions() {
    return ClientOptions.builder().autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).replayFilter(command -> true)
        .timeoutOptions(TimeoutOptions.enabled()).build();
  }

  /** As {@link #recommendedOptions()}, for Cluster, with periodic and adaptive topology refresh. */
  public static ClusterClientOptions recommendedClusterOptions() {
    ClusterClientOptions.Builder b = ClusterClientOptions.builder();
    b.autoReconnect(true).disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled())
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enablePeriodicRefresh(Duration.ofSeconds(30))
            .enableAllAdaptiveRefreshTriggers().build());
    b.replayFilter(command -> true);
    return b.build();
  }

  /**
   * Refuses options under which a consume could count twice or the connection stay down; the error names
   * {@code advice}, the options to use instead.
   */
  private static void requireRejectingWhileDisconnected(ClientOptions options, String advice) {
    if (!options.isAutoReconnect()) {
      throw new InvalidUsageException("client.options.autoReconnect", "must be true: without it the storage's"
          + " connection stays down after the first disconnect (a Redis restart, say) until the JVM restarts; use "
          + advice);
    }
    if (options.getDisconnectedBehavior() != ClientOptions.DisconnectedBehavior.REJECT_COMMANDS) {
      throw new InvalidUsageException("client.options.disconnectedBehavior", "must be REJECT_COMMANDS (was "
          + options.getDisconnectedBehavior() + "): a command buffered while disconnected and sent after the"
          + " reconnect could count a consumption twice; use " + advice);
    }
    if (!options.getReplayFilter().test(new Command<>(CommandType.EVALSHA, null))
        || !options.getReplayFilter().test(new Command<>(CommandType.EVAL, null))) {
      throw new InvalidUsageException("client.options.replayFilter", "must filter EVALSHA and EVAL out: a script in"
          + " flight when the connection dropped, sent again after the reconnect, could count a consumption twice;"
          + " use " + advice);
    }
  }

  /** The scripts use {@code PEXPIRE ... NX|GT} (Redis 7.0): refuse an older server before any script runs. */
  private void requireVersion() {
    for (RedisClusterCommands<String, String> node : redis.nodes()) {
      String version = RedisConnector.serverInfo(node, "redis_version", "read the server version").orElse("");
      int major = version.isEmpty() ? -1 : Integer.parseInt(version.split("\\.")[0]);
      if (major >= 0 && major < 7) {
        throw new InvalidUsageException("client", "needs Redis 7.0 or later, the server is " + version);
      }
    }
  }

  private void checkMemoryPolicy() {
    for (RedisClusterCommands<String, String> node : redis.nodes()) {
      String value = memoryPolicy(node);
      if (value.isEmpty()) {
        warn("Cannot read Redis maxmemory-policy (CONFIG GET and INFO memory were refused or did not name it): if"
            + " it is not noeviction, Redis may evict quota counters and the records that detect their loss. Make"
            + " sure it is noeviction (with enough maxmemory)");
      } else if (!value.equals("noeviction")) {
        warn("Redis maxmemory-policy is " + value + ": it may evict quota counters and the records that detect"
            + " their loss, and" + (value.startsWith("allkeys") ? " the slot sentinels" : " reservations' expiry"
            + " records") + ". The fast consume path never reads a user's record, so a least-recently-used or"
            + " least-frequently-used policy tends to evict it first; a counter evicted after it starts again from"
            + " zero unless reseedFrom(eventStore) is configured (which rebuilds the usage recorded as events). Set"
            + " noeviction (with enough maxmemory)");
      }
    }
  }

  /**
   * The node's {@code maxmemory-policy}, from {@code CONFIG GET}, or from {@code INFO memory} where {@code CONFIG}
   * is renamed or forbidden (as managed services do); empty when neither answers it.
   */
  private static String memoryPolicy(RedisClusterCommands<String, String> node) {
    try {
      String value = node.configGet("maxmemory-policy").getOrDefault("maxmemory-policy", "");
      if (!value.isEmpty()) {
        return value;
      }
    } catch (RedisException e) {
      log.debug("Cannot read Redis maxmemory-policy with CONFIG GET: {}", e.toString());
    }
    try {
      return RedisConnector.info(node, "memory", "maxmemory_policy", "read the memory policy").orElse("");
    } catch (UsageStorageException e) {
      log.debug("Cannot read Redis maxmemory-policy with INFO memory: {}", e.toString());
      return "";
    }
  }

  /**
   * Warns when Redis's clock is far from this host's: the deadlines of writes are corrected by the difference
   * (measured every minute and carried on by this host's monotonic clock, see {@link RedisConnector#deadline}), but
   * a Redis clock that jumps between two measurements makes writes refused as late (jumped ahead) or applied after
   * their caller gave up (jumped back) until the next.
   */
  private void checkClock(Duration timeout) {
    if (!redis.startClockChecks()) {
      warn("Could not read Redis's clock (TIME): the deadlines of writes are sent in this host's time until it is"
          + " read (every minute); a Redis clock ahead of this host's by half the command timeout refuses writes"
          + " as late");
      return;
    }
    long quarter = timeout.toNanos() / 4_000;
    long offset = redis.clockOffsetMicros();
    if (Math.abs(offset) >= quarter) {
      warn("Redis's clock is " + Math.abs(offset / 1_000) + " ms " + (offset > 0 ? "ahead of" : "behind")
          + " this host's, a quarter of the command timeout (" + timeout.toMillis() + " ms) or more: this storage"
          + " corrects the deadlines of its writes by it, measured every minute; keep both clocks in step (NTP)");
    }
    if (redis.clockSpreadMicros() >= quarter) {
      warn("The Redis Cluster masters' clocks are " + redis.clockSpreadMicros() / 1_000 + " ms apart, a quarter of"
          + " the command timeout (" + timeout.toMillis() + " ms) or more: deadlines follow the master furthest"
          + " behind, and a master ahead of it by half the timeout refuses writes as late; keep them in step (NTP)");
    }
  }

  private void warn(String warning) {
    startupWarnings.add(warning);
    log.warn(warning);
  }

  /** The warnings logged while this storage was built (memory policy, lost slots). */
  List<String> startupWarnings() {
    return List.copyOf(startupWarnings);
  }

  @Override
  public CounterStore counters() {
    return counters;
  }

  @Override
  public EventStore events() {
    return events;
  }

  @Override
  public UserQuotaStore userQuotas() {
    return userQuotas;
  }

  @Override
  public PeriodHistoryStore history() {
    return history;
  }

  @Override
  public NotificationLedger notifications() {
    return notifications;
  }

  /**
   * Hourly and daily rollups of the Redis event log (empty when the event log is elsewhere: {@link
   * Builder#events}).
   */
  public RedisRollups rollups() {
    return rollups;
  }

  /** The live feed, unless switched off ({@link Builder#liveFeedLength} 0). */
  public Optional<RedisLiveFeed> liveFeed() {
    return liveFeed;
  }

  @Override
  public Set<StorageCapability> capabilities() {
    return capabilities;
  }

  /** With {@link Builder#publishQuotaChanges}, the listener that publishes the engine's quota changes. */
  @Override
  public List<UsageListener> listeners() {
    return listeners;
  }

  /**
   * Accepts that Redis lost data: users whose state was lost (all of it, or a counter evicted) start afresh,
   * their lost usage forgotten. Until then, or until re-seeding is configured, their consumes fail instead of
   * silently starting from zero. An administrator's decision; users whose state is intact are not affected.
   *
   * <p>It forgives the losses there are while it runs: it re-creates the missing slot sentinels and visits
   * every user's record ({@code SCAN}, node by node on a Cluster), dropping the entries of counters that are
   * gone. A counter lost afterwards is detected again. Takes a script call per user.
   *
   * <p>With {@link Builder#reseedFrom} there is nothing to accept: lost counters are rebuilt from the event log as
   * their users come back. Called anyway, it makes a consume restart such a counter at zero, while the commit of a
   * reservation held across the loss, if it comes first, rebuilds the counter from the log (the hold recorded it).
   *
   * @return the number of lost counters forgiven (besides the users of slots that lost everything)
   */
  public long acceptDataLoss() {
    new RedisSentinels(redis, keys).createMissing();
    long forgiven = new RedisLostState(redis, keys, Optional.empty()).forgiveAll();
    log.warn("Redis data loss accepted under '{}': {} lost counters, and the users of slots that lost everything,"
        + " start afresh", keys.prefix(), forgiven);
    return forgiven;
  }

  /** The client {@link #fromUri} made, which {@link #close()} shuts down; null for a host's client. */
  AutoCloseable ownedClient() {
    return ownedClient;
  }

  @Override
  public void close() {
    try {
      liveFeed.ifPresent(RedisLiveFeed::close);
      redis.close();
    } finally {
      if (ownedClient != null) {
        try {
          ownedClient.close();
        } catch (Exception e) {
          log.debug("Closing the Redis client failed: {}", e.toString());
        }
      }
    }
  }

  /** Options of a {@link RedisUsageStorage}. */
  public static final class Builder {

    private final java.util.function.Function<Duration, RedisConnector> connector;
    private final AutoCloseable ownedClient;
    private Supplier<RedisConnector> connect;
    private Supplier<RedisConnector> connections;
    private String keyPrefix = "usage";
    private Duration commandTimeout = Duration.ofSeconds(1);
    private Duration eventRetention = RedisEventStore.DEFAULT_RETENTION;
    private int liveFeedLength = RedisLiveFeed.DEFAULT_MAX_LENGTH;
    private boolean publishQuotaChanges;
    private EventStore events;
    private UserQuotaStore userQuotas;
    private PeriodHistoryStore history;
    private NotificationLedger notifications;
    private EventStore reseedFrom;

    private Builder(java.util.function.Function<Duration, RedisConnector> connector, AutoCloseable ownedClient) {
      this.connector = connector;
      this.ownedClient = ownedClient;
    }

    /** The start of every key, {@code [A-Za-z0-9._-]{1,64}}. Default {@code usage}. */
    public Builder keyPrefix(String prefix) {
      this.keyPrefix = prefix;
      return this;
    }

    /**
     * The longest wait for a consume, commit or release (all its calls to Redis together), and for each call of
     * other operations; then the caller gets a typed error. Default 1 s.
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = timeout;
      return this;
    }

    /** How long the Redis event log keeps a user's events after their last append. Default 35 days. */
    public Builder eventRetention(Duration retention) {
      this.eventRetention = retention;
      return this;
    }

    /** Entries kept in each live-feed stream; 0 switches the feed off. Default 10,000. */
    public Builder liveFeedLength(int entries) {
      this.liveFeedLength = entries;
      return this;
    }

    /**
     * Whether the engine built over this storage publishes every quota change (a consume, a reservation and its
     * commit or release, a settings change) to the live feed, with each quota's standing as the engine reports
     * it ({@link LiveQuotaChange}). Published from the engine's listener thread ({@link RedisUsageStorage#listeners()},
     * which an engine built over this storage registers; one over {@code UsageStorage.composite} of its parts must
     * be given them with {@code UsageEngine.Builder.listener}), without waiting. Default false.
     */
    public Builder publishQuotaChanges(boolean publish) {
      this.publishQuotaChanges = publish;
      return this;
    }

    /**
     * The event log from another store (e.g. PostgreSQL) instead of Redis. Its new events are still published to
     * the live feed, unless the feed is switched off, without waiting for Redis: each appended batch that held
     * at least one new event (a batch appended again after a failure holds none and is not published; an event
     * recorded again in a batch with new ones, as a replayed consume records it, is published again under the
     * same id). They are not counted in {@link RedisUsageStorage#rollups()}: analytics come from that store.
     */
    public Builder events(EventStore events) {
      this.events = Checks.notNull("events", events);
      return this;
    }

    /**
     * Users' settings and audit trail from another store instead of Redis. The engine then reads settings at
     * every consume (see the class comment).
     */
    public Builder userQuotas(UserQuotaStore userQuotas) {
      this.userQuotas = Checks.notNull("userQuotas", userQuotas);
      return this;
    }

    /** Closed periods in another store instead of Redis. */
    public Builder history(PeriodHistoryStore history) {
      this.history = Checks.notNull("history", history);
      return this;
    }

    /** The notification ledger in another store instead of Redis. */
    public Builder notifications(NotificationLedger notifications) {
      this.notifications = Checks.notNull("notifications", notifications);
      return this;
    }

    /**
     * The durable event log counters are rebuilt from when Redis lost them (restart without persistence,
     * failover to an empty replica, FLUSHALL, eviction): a user's counter is re-created with the sum of the
     * events of its period. Without it such a user's consumes fail until {@link #acceptDataLoss()}.
     *
     * <p>The rebuilt counter holds what the log holds: usage recorded as events ({@code trackUsage},
     * {@code @TrackUsage}) and already written (an asynchronous recorder's buffer is not). A consume or a committed
     * reservation that records no event of its own is not in the log, so a counter re-seeded after such usage
     * comes back lower by it; record an event for every consume whose usage must survive a loss of Redis's data.
     * The log is the one the engine writes to: give it to {@link #events} too (a start-up warning says so
     * otherwise).
     *
     * <p>A user Redis holds no record of (a new user, or one whose record was lost) is seeded from the log at
     * their first call. Later, a counter of theirs Redis does not know is seeded too if its period began before
     * that seeding (it may have been lost with the rest); one of a period begun since starts at zero, as for
     * any user: the log's events of a period's first moments may be calls charged to the period before (an
     * event is stamped when its call ends).
     */
    public Builder reseedFrom(EventStore eventLog) {
      this.reseedFrom = Checks.notNull("reseedFrom", eventLog);
      return this;
    }

    /** Connects, checks the server and builds the storage. */
    public RedisUsageStorage build() {
      if (keyPrefix == null || !PREFIX.matcher(keyPrefix).matches()) {
        throw new InvalidUsageException("keyPrefix", "must match " + PREFIX + ", was " + keyPrefix);
      }
      within("commandTimeout", commandTimeout, Duration.ofMinutes(1));
      within("eventRetention", eventRetention, Duration.ofDays(36_500));
      if (liveFeedLength < 0 || liveFeedLength > 10_000_000) {
        throw new InvalidUsageException("liveFeedLength", "must be within 0..10000000, was " + liveFeedLength);
      }
      if (publishQuotaChanges && liveFeedLength == 0) {
        throw new InvalidUsageException("publishQuotaChanges", "needs the live feed (liveFeedLength > 0)");
      }
      Duration timeout = commandTimeout;
      connect = () -> connector.apply(timeout);
      connections = connect;
      try {
        return new RedisUsageStorage(this);
      } catch (RedisException e) {
        throw RedisScripts.failure("connect", e);
      }
    }

    /** From a millisecond (the resolution of Redis's TTLs and of this adapter's timers) to {@code max}. */
    private static void within(String field, Duration d, Duration max) {
      if (d == null || d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(max) > 0) {
        throw new InvalidUsageException(field, "must be within [1 ms, " + max + "], was " + d);
      }
    }
  }
}
