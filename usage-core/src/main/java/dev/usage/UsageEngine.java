package dev.usage;

import dev.usage.internal.Checks;
import dev.usage.internal.DefaultAnalyticsService;
import dev.usage.internal.DefaultQuotaManagementService;
import dev.usage.internal.DefaultUsageTrackingService;
import dev.usage.internal.EngineSettings;
import dev.usage.internal.EventRecorder;
import dev.usage.internal.ListenerDispatcher;
import dev.usage.internal.Notifier;
import dev.usage.internal.PeriodCloser;
import dev.usage.internal.QuotaEngine;
import dev.usage.internal.Rollovers;
import dev.usage.internal.QuotaPlan;
import dev.usage.memory.InMemoryUsageStorage;
import dev.usage.spi.StorageCapability;
import dev.usage.spi.UsageStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point for applications without Spring: build one engine per application, share it between
 * threads, and close it on shutdown so that buffered events are written.
 *
 * <pre>{@code
 * try (UsageEngine engine = UsageEngine.builder().build()) {   // in-memory, default tiers
 *   QuotaDecision d = engine.tracking().consumeQuota(
 *       Consumption.builder("alice").characters(1_200).requests(1).build());
 *   if (!d.allowed()) { ... d.retryAfter() ... }
 * }
 * }</pre>
 *
 * <p>Defaults: in-memory storage; system UTC clock; tiers {@code free} (the default tier, taking the
 * default quotas), {@code premium} (parent free) and {@code enterprise} (parent premium); default
 * monthly quotas of 10,000 characters, 500 requests and 100,000 tokens; fail-closed; async tracking
 * with a 10,000-event buffer that blocks when full.
 */
public final class UsageEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UsageEngine.class);
  /** Longest retention, window or TTL accepted: ten years keeps every instant computation in range. */
  private static final Duration MAX_DURATION = Duration.ofDays(3650);

  private final UsageStorage storage;
  private final EventRecorder recorder;
  private final UsageTrackingService tracking;
  private final QuotaManagementService quotas;
  private final AnalyticsService analytics;
  private final ListenerDispatcher listeners;
  private final Optional<Notifier> notifier;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch closeDone = new CountDownLatch(1);
  private final Thread shutdownHook;
  /** The longest a second caller of close() waits for the first: each of its three stages' timeouts, and a margin. */
  private final Duration closeWait;

  private UsageEngine(Builder b, UsageStorage storage, EngineSettings settings, QuotaPlan plan) {
    this.storage = storage;
    this.closeWait = settings.closeTimeout().multipliedBy(3).plusSeconds(10);
    this.listeners = new ListenerDispatcher(b.listenerQueueCapacity, settings.closeTimeout());
    b.listeners.forEach(listeners::register);
    storage.listeners().forEach(listeners::register);
    this.notifier = Optional.ofNullable(b.notifications).map(n -> new Notifier(n, storage.notifications(),
        settings.clock(), settings.closeTimeout(), this::monthlyReport, storage.history()::history));
    notifier.ifPresent(listeners::register);
    if (notifier.isPresent() && storage.notifications() instanceof dev.usage.memory.InMemoryNotificationLedger
        && storage.capabilities().contains(StorageCapability.SHARED_ACROSS_PROCESSES)) {
      log.warn("Notifications are recorded in this process only (the storage's notification ledger is in memory),"
          + " though the storage is shared: every process may send each notification once. Give the composite"
          + " storage a shared ledger (UsageStorage.composite(..., notifications, ...))");
    }
    QuotaEngine engine = new QuotaEngine(storage.counters(), storage.userQuotas(), plan, settings,
        storage.capabilities().contains(StorageCapability.CHECKS_SETTINGS_VERSION), listeners,
        new Rollovers(storage.counters(), storage.history(), plan, settings));
    this.recorder = EventRecorder.create(storage.events(), settings);
    this.tracking = new DefaultUsageTrackingService(engine, recorder, storage.events(), settings.clock(), listeners);
    this.quotas = new DefaultQuotaManagementService(engine, storage, settings, Optional.ofNullable(b.notifications)
        .filter(n -> n.kinds().contains(NotificationKind.RESET_REMINDER)).map(NotificationSettings::reminderLead),
        b.auditHashChain, notifier);
    this.analytics = new DefaultAnalyticsService(engine, storage, settings, b.unusualUsage, listeners);
    if (b.closeOnShutdown) {
      shutdownHook = new Thread(this::close, "usage-engine-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } else {
      shutdownHook = null;
    }
  }

  /** The report a monthly summary notification carries (called only once the engine is built). */
  private UsageReport monthlyReport(String userId, TimeRange month) {
    return analytics.generateUsageReport(userId, month);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Tracking, checking and consuming. */
  public UsageTrackingService tracking() {
    return tracking;
  }

  /** Quota settings and the throwing enforcement call. */
  public QuotaManagementService quotas() {
    return quotas;
  }

  /** Reports and analytics over the event log. */
  public AnalyticsService analytics() {
    return analytics;
  }

  /** Listeners told of events, quota changes and unusual usage as they happen. */
  public UsageListeners listeners() {
    return listeners;
  }

  /** Counters of the notification dispatch; all 0 when notifications are off ({@link Builder#notifications}). */
  public NotificationStats notificationStats() {
    return notifier.map(Notifier::stats).orElse(new NotificationStats(0, 0, 0, 0, 0));
  }

  /**
   * Stops accepting events, writes every buffered event (waiting up to the close timeout), then closes
   * the storage. Idempotent; also run by a JVM shutdown hook unless disabled.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      awaitOtherClose();
      return;
    }
    try {
      recorder.close();
      TrackingStats s = recorder.stats();
      if (s.pending() > 0 || s.failed() > 0) {
        log.error("Usage engine closed with {} events unwritten and {} failed", s.pending(), s.failed());
      }
      listeners.close();
      notifier.ifPresent(Notifier::close);
    } finally {
      try {
        storage.close();
      } finally {
        closeDone.countDown();
      }
      if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
          // the hook runs or has run; nothing to remove
        }
      }
    }
  }

  /**
   * A second caller (say the shutdown hook racing the application) returns once the first has finished, even
   * when interrupted (its interrupt status is kept): it may go on to close the pool or client the first is
   * still writing to. It gives up after three close timeouts and ten seconds (a close stuck in a storage), and may
   * then go on while the first is still closing.
   */
  private void awaitOtherClose() {
    long deadline = System.nanoTime() + closeWait.toNanos();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          if (!closeDone.await(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
            log.warn("Usage engine still closing after {}; not waiting for it any longer", closeWait);
          }
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Builds a {@link UsageEngine}. Every setting has a default; {@link #build()} validates them all and
   * names the offending setting in an {@link InvalidUsageException}. Not thread-safe.
   */
  public static final class Builder {
    private UsageStorage storage;
    private Clock clock = Clock.systemUTC();
    private final Map<String, Tier> tiers = new LinkedHashMap<>();
    private final Map<QuotaType, Quota> defaults = new LinkedHashMap<>();
    private String defaultTier = Tier.FREE;
    private FailureMode failureMode = FailureMode.FAIL_CLOSED;
    private double yellow = 0.8;
    private double red = 1.0;
    private Duration reservationTtl = Duration.ofMinutes(5);
    private Duration idempotencyWindow = Duration.ofHours(24);
    private Duration counterRetention = Duration.ofDays(35);
    private ZoneId defaultZone = ZoneId.of("UTC");
    private TrackingMode trackingMode = TrackingMode.ASYNC;
    private int bufferCapacity = 10_000;
    private int batchSize = 500;
    private Duration flushInterval = Duration.ofMillis(100);
    private Duration batchLinger = Duration.ofMillis(5);
    private OverflowPolicy overflowPolicy = OverflowPolicy.BLOCK;
    private Duration offerTimeout = Duration.ofSeconds(1);
    private int writeAttempts = 5;
    private Duration closeTimeout = Duration.ofSeconds(30);
    private int settingsCacheSize = 100_000;
    private boolean closeOnShutdown = true;
    private final List<UsageListener> listeners = new ArrayList<>();
    private int listenerQueueCapacity = 10_000;
    private UnusualUsagePolicy unusualUsage = UnusualUsagePolicy.DEFAULT;
    private NotificationSettings notifications;
    private boolean auditHashChain;

    private Builder() {
      defaults.put(QuotaType.CHARACTERS, Quota.monthly(QuotaType.CHARACTERS, 10_000));
      defaults.put(QuotaType.REQUESTS, Quota.monthly(QuotaType.REQUESTS, 500));
      defaults.put(QuotaType.TOKENS, Quota.monthly(QuotaType.TOKENS, 100_000));
      tier(Tier.builder(Tier.FREE).build());
      tier(Tier.builder(Tier.PREMIUM).parent(Tier.FREE)
          .quota(Quota.monthly(QuotaType.CHARACTERS, 100_000))
          .quota(Quota.monthly(QuotaType.REQUESTS, 5_000))
          .quota(Quota.monthly(QuotaType.TOKENS, 1_000_000))
          .build());
      tier(Tier.builder(Tier.ENTERPRISE).parent(Tier.PREMIUM)
          .quota(Quota.monthly(QuotaType.CHARACTERS, 1_000_000))
          .quota(Quota.monthly(QuotaType.REQUESTS, 50_000))
          .quota(Quota.monthly(QuotaType.TOKENS, 10_000_000))
          .build());
    }

    /** Where counters, events and settings live. Default: a new {@link InMemoryUsageStorage}. */
    public Builder storage(UsageStorage usageStorage) {
      this.storage = usageStorage;
      return this;
    }

    /** The only source of time. Default: {@link Clock#systemUTC()}. */
    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    /** Adds a tier, or replaces the one of the same name (including the built-in ones). */
    public Builder tier(Tier t) {
      Checks.notNull("tier", t);
      tiers.put(t.name(), t);
      return this;
    }

    /** Removes every tier, built-in ones included; at least the default tier must be added again. */
    public Builder clearTiers() {
      tiers.clear();
      return this;
    }

    /** Sets the default quota of a type: it applies wherever no tier in a user's chain sets one. */
    public Builder defaultQuota(Quota q) {
      Checks.notNull("defaultQuota", q);
      defaults.put(q.type(), q);
      return this;
    }

    /** Removes a default quota (a type with no default is unknown to tiers that do not set it). */
    public Builder removeDefaultQuota(QuotaType type) {
      defaults.remove(type);
      return this;
    }

    /** The tier of users without stored settings. Default: {@code free}. */
    public Builder defaultTier(String name) {
      this.defaultTier = name;
      return this;
    }

    /** Default: {@link FailureMode#FAIL_CLOSED}. */
    public Builder failureMode(FailureMode mode) {
      this.failureMode = mode;
      return this;
    }

    /** Utilisation thresholds for YELLOW and RED; default 0.8 and 1.0. */
    public Builder thresholds(double yellowFrom, double redFrom) {
      this.yellow = yellowFrom;
      this.red = redFrom;
      return this;
    }

    /** How long an unsettled reservation holds quota. Default 5 minutes. */
    public Builder reservationTtl(Duration ttl) {
      this.reservationTtl = ttl;
      return this;
    }

    /**
     * How long an idempotency key is remembered. Default 24 hours. A period counts as final
     * {@code reservationTtl + idempotencyWindow} after its end; with a carrying {@link RolloverPolicy} that sum
     * must be shorter than the quota's period, or {@link #build()} refuses it.
     */
    public Builder idempotencyWindow(Duration window) {
      this.idempotencyWindow = window;
      return this;
    }

    /**
     * How long after its period ends a counter is kept, for the reset job to close it; must exceed
     * {@code reservationTtl + idempotencyWindow}. Default 35 days.
     */
    public Builder counterRetention(Duration retention) {
      this.counterRetention = retention;
      return this;
    }

    /** The zone of users without stored settings. Default UTC. */
    public Builder defaultZone(ZoneId zone) {
      this.defaultZone = zone;
      return this;
    }

    /** Default: {@link TrackingMode#ASYNC}. */
    public Builder trackingMode(TrackingMode mode) {
      this.trackingMode = mode;
      return this;
    }

    /** Async buffer size in events. Default 10,000. */
    public Builder bufferCapacity(int events) {
      this.bufferCapacity = events;
      return this;
    }

    /** Most events per store write. Default 500. */
    public Builder batchSize(int events) {
      this.batchSize = events;
      return this;
    }

    /** How long the idle writer waits for a first event before looking again. Default 100 ms. */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = interval;
      return this;
    }

    /**
     * How long the writer, holding fewer than {@link #batchSize} events, waits for more before it writes
     * them: a burst then goes out in full batches rather than in whatever part of it was queued when the
     * writer woke. An event waits at most this long (plus the write) before it is stored; zero writes
     * whatever is queued at once. Default 5 ms.
     */
    public Builder batchLinger(Duration linger) {
      this.batchLinger = linger;
      return this;
    }

    /** What a full buffer does. Default: {@link OverflowPolicy#BLOCK}. */
    public Builder overflowPolicy(OverflowPolicy policy) {
      this.overflowPolicy = policy;
      return this;
    }

    /** How long the BLOCK policy waits for room. Default 1 second. */
    public Builder offerTimeout(Duration timeout) {
      this.offerTimeout = timeout;
      return this;
    }

    /** Attempts per batch before its events count as failed. Default 5. */
    public Builder writeAttempts(int attempts) {
      this.writeAttempts = attempts;
      return this;
    }

    /** How long {@link UsageEngine#close()} waits for buffered events. Default 30 seconds. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * How many users' settings consumes may keep in memory, 0 to 10,000,000; 0 reads them from the store
     * on every consume. Used only with storages declaring
     * {@link StorageCapability#CHECKS_SETTINGS_VERSION}, which refuse a consume computed from settings
     * another process has changed since, so a cached limit is never applied once outdated. Default 100,000.
     */
    public Builder settingsCacheSize(int maxUsers) {
      this.settingsCacheSize = maxUsers;
      return this;
    }

    /** Whether a JVM shutdown hook closes the engine. Default true. */
    public Builder closeOnShutdown(boolean enabled) {
      this.closeOnShutdown = enabled;
      return this;
    }

    /** Registers a listener from the start (see {@link UsageListeners#register}). */
    public Builder listener(UsageListener listener) {
      listeners.add(Checks.notNull("listener", listener));
      return this;
    }

    /**
     * How many notifications may wait for the listeners, 1 to 1,000,000; beyond it they are dropped and
     * counted, so that listeners never slow the engine. Default 10,000.
     */
    public Builder listenerQueueCapacity(int notifications) {
      this.listenerQueueCapacity = notifications;
      return this;
    }

    /** How unusual usage is detected. Default {@link UnusualUsagePolicy#DEFAULT}. */
    public Builder unusualUsage(UnusualUsagePolicy policy) {
      this.unusualUsage = policy;
      return this;
    }

    /**
     * Turns notifications on: thresholds reached, monthly resets and unusual usage, told to users through
     * the settings' channels, each once across the engines sharing the storage. Off by default.
     */
    public Builder notifications(NotificationSettings settings) {
      this.notifications = Checks.notNull("notifications", settings);
      return this;
    }

    /**
     * Whether audit entries are chained by hashes (tamper evidence, see {@link AuditEntry} and
     * {@link QuotaManagementService#verifyAuditTrail}). Each change then reads the user's newest entry once
     * more. Entries written before it was switched on stay unchained; switching it off again breaks the chains
     * at the next change. Off by default.
     */
    public Builder auditHashChain(boolean enabled) {
      this.auditHashChain = enabled;
      return this;
    }

    public UsageEngine build() {
      Checks.notNull("unusualUsage", unusualUsage);
      between("listenerQueueCapacity", listenerQueueCapacity, 1_000_000);
      Checks.notNull("clock", clock);
      Checks.notNull("failureMode", failureMode);
      Checks.notNull("trackingMode", trackingMode);
      Checks.notNull("overflowPolicy", overflowPolicy);
      Checks.notNull("defaultZone", defaultZone);
      if (!(yellow > 0 && yellow <= red)) {
        throw new InvalidUsageException("thresholds", "need 0 < yellow <= red, were " + yellow + " and " + red);
      }
      positive("reservationTtl", reservationTtl, MAX_DURATION);
      positive("idempotencyWindow", idempotencyWindow, MAX_DURATION);
      nonNegative("counterRetention", counterRetention, MAX_DURATION);
      positive("flushInterval", flushInterval, Duration.ofHours(1));
      nonNegative("batchLinger", batchLinger, Duration.ofMinutes(1));
      nonNegative("offerTimeout", offerTimeout, Duration.ofHours(1));
      positive("closeTimeout", closeTimeout, Duration.ofHours(1));
      between("bufferCapacity", bufferCapacity, 1_000_000);
      between("batchSize", batchSize, 100_000);
      between("writeAttempts", writeAttempts, 100);
      if (settingsCacheSize < 0 || settingsCacheSize > 10_000_000) {
        throw new InvalidUsageException("settingsCacheSize", "must be within 0..10000000, was " + settingsCacheSize);
      }
      QuotaPlan plan = new QuotaPlan(new ArrayList<>(tiers.values()), List.copyOf(defaults.values()), defaultTier);
      if (counterRetention.compareTo(reservationTtl.plus(idempotencyWindow)) <= 0) {
        throw new InvalidUsageException("counterRetention", "must exceed reservationTtl + idempotencyWindow ("
            + reservationTtl.plus(idempotencyWindow) + "), or counters expire before their period can be closed");
      }
      EngineSettings settings = new EngineSettings(clock, failureMode, yellow, red, reservationTtl, idempotencyWindow,
          counterRetention, defaultZone, trackingMode, bufferCapacity, batchSize, flushInterval, batchLinger,
          overflowPolicy, offerTimeout, writeAttempts, closeTimeout, settingsCacheSize);
      Duration settleDelay = PeriodCloser.settleDelay(settings);
      defaults.values().forEach(q -> Rollovers.requireCarryInTime(q, settleDelay, "defaultQuota"));
      tiers.values().forEach(t -> t.quotas().values()
          .forEach(q -> Rollovers.requireCarryInTime(q, settleDelay, "tier '" + t.name() + "'")));
      return new UsageEngine(this, storage == null ? InMemoryUsageStorage.create() : storage, settings, plan);
    }

    private static void positive(String field, Duration d, Duration max) {
      nonNegative(field, d, max);
      if (d.isZero()) {
        throw new InvalidUsageException(field, "must be positive, was " + d);
      }
    }

    private static void nonNegative(String field, Duration d, Duration max) {
      Checks.notNull(field, d);
      if (d.isNegative() || d.compareTo(max) > 0) {
        throw new InvalidUsageException(field, "must be within 0.." + max + ", was " + d);
      }
    }

    private static void between(String field, int n, int max) {
      if (n < 1 || n > max) {
        throw new InvalidUsageException(field, "must be within 1.." + max + ", was " + n);
      }
    }
  }

  @Override
  public String toString() {
    return "UsageEngine[storage=" + storage.getClass().getSimpleName() + ", closed=" + closed.get() + "]";
  }
}
