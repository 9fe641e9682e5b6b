package dev.usage.spring.autoconfigure;

import dev.usage.ExportFormat;
import dev.usage.FailureMode;
import dev.usage.OverflowPolicy;
import dev.usage.TrackingMode;
import dev.usage.UsageReportJob;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code usage.*} properties. Each maps onto a setting of {@code UsageEngine.Builder} or of a storage's
 * builder; invalid values, and properties under {@code usage} that none of these names (Boot leaves environment
 * variables and system properties out of that check), fail start-up with an error naming the property.
 * Environment variables bind in Spring's relaxed form, e.g.
 * {@code USAGE_QUOTAS_DEFAULTS_MONTHLY_CHARACTERS=20000}.
 */
@ConfigurationProperties(prefix = "usage", ignoreUnknownFields = false)
public class UsageProperties {

  /** Whether the usage engine and its beans are created. */
  private boolean enabled = true;

  /**
   * Where counters, events and settings are kept. "auto" takes Redis when the host has a Lettuce
   * "RedisClient" or "RedisClusterClient" bean, else JDBC when it has a "DataSource" bean,
   * else memory.
   */
  private Store store = Store.AUTO;

  /** The zone in which periods are computed for users without a zone of their own. */
  private ZoneId timeZone = ZoneId.of("UTC");

  /** The tier of users without stored settings. */
  private String defaultTier = "free";

  /**
   * What consumes answer when the store cannot be reached: "fail-closed" throws, "fail-open"
   * allows the request, counting nothing, flagged degraded.
   */
  private FailureMode failureMode = FailureMode.FAIL_CLOSED;

  /** How long an unsettled reservation holds quota before it lapses. */
  private Duration reservationTtl = Duration.ofMinutes(5);

  /** How long an idempotency key is remembered. */
  private Duration idempotencyWindow = Duration.ofHours(24);

  /** How long a counter is kept after its period ends; must exceed reservation-ttl + idempotency-window. */
  private Duration counterRetention = Duration.ofDays(35);

  /**
   * How many users' settings consumes keep in memory, 0 to 10,000,000; 0 reads them from the store at every
   * consume. Used only with stores that refuse a consume computed from settings changed since (Redis alone),
   * so a cached limit is never applied once outdated.
   */
  private int settingsCacheSize = 100_000;

  /** The utilisation (used / limit) from which a quota's status is YELLOW and RED. */
  private final Thresholds thresholds = new Thresholds();

  /** Default quotas: apply wherever no tier in a user's chain sets the type. */
  private final Quotas quotas = new Quotas();

  /** Tiers by name, with their parent and limits; added to (or replacing) free, premium and enterprise. */
  private final Map<String, TierProperties> tiers = new LinkedHashMap<>();

  /** Per-user settings by user id: tier, overrides, zone and billing anchor day. */
  private final Map<String, UserProperties> users = new LinkedHashMap<>();

  /** How events are recorded. */
  private final Tracking tracking = new Tracking();

  /** The JDBC store. */
  private final Jdbc jdbc = new Jdbc();

  /** The Redis store. */
  private final Redis redis = new Redis();

  /** The scheduled jobs. */
  private final Jobs jobs = new Jobs();

  /** The scheduled report job. */
  private final Reports reports = new Reports();

  /** How unusual usage is detected (the unusual-usage job, AnalyticsService.detectUnusualUsage). */
  private final UnusualUsage unusualUsage = new UnusualUsage();

  /** Tier and overage prices for the revenue view (a Pricing bean when usage.pricing.currency is set). */
  private final PricingProperties pricing = new PricingProperties();

  /** The HTTP contract of guarded web endpoints. */
  private final Web web = new Web();

  /** Notifications to users: thresholds reached, monthly resets, unusual usage; by e-mail or to the log. */
  @NestedConfigurationProperty
  private final NotificationProperties notifications = new NotificationProperties();

  /** Store choice. */
  public enum Store {
    /** Chosen from the host's beans: Redis client, else DataSource, else memory. */
    AUTO,
    /** In this process only; lost on restart. */
    MEMORY,
    /** The host's DataSource (usage-jdbc on the class path). */
    JDBC,
    /** The host's Lettuce RedisClient or RedisClusterClient (usage-redis on the class path). */
    REDIS
  }

  /** Where a Redis store keeps what must outlive Redis. */
  public enum DurableStore {
    /** Everything on Redis: counters, event log, closed periods, settings and audit trail. */
    NONE,
    /**
     * The host's DataSource (usage-jdbc on the class path) for the event log and closed periods (and, with
     * usage.redis.durable-settings, settings with their audit trail); counters Redis lost are rebuilt from the
     * SQL event log.
     */
    JDBC
  }

  /** When the JDBC store creates its tables. */
  public enum SchemaInitialization {
    /** Always create missing tables at start-up. */
    ALWAYS,
    /** Only for an in-memory H2 database. */
    EMBEDDED,
    /** Never: the tables come from Flyway or a DBA (the DDL ships in usage-jdbc). */
    NEVER
  }

  /** Status thresholds. */
  public static class Thresholds {

    /** Utilisation (used / limit) from which a quota's status is YELLOW; above 0, at most red. */
    private double yellow = 0.8;

    /** Utilisation (used / limit) from which a quota's status is RED. */
    private double red = 1.0;

    public double getYellow() {
      return yellow;
    }

    public void setYellow(double yellow) {
      this.yellow = yellow;
    }

    public double getRed() {
      return red;
    }

    public void setRed(double red) {
      this.red = red;
    }
  }

  /** Default quotas. */
  public static class Quotas {

    /** Default limits per period kind. */
    @NestedConfigurationProperty
    private final PeriodLimits defaults = new PeriodLimits();

    public PeriodLimits getDefaults() {
      return defaults;
    }
  }

  /** Event recording. */
  public static class Tracking {

    /** "async" buffers events and writes them in batches; "sync" writes before returning. */
    private TrackingMode mode = TrackingMode.ASYNC;

    /** Capacity of the async buffer, in events. */
    private int bufferSize = 10_000;

    /** What a full buffer does: "block" (up to offer-timeout), "drop" (counted) or "fail". */
    private OverflowPolicy overflowPolicy = OverflowPolicy.BLOCK;

    /** Most events per store write. */
    private int batchSize = 500;

    /** How long the idle writer waits for a first event before looking again. */
    private Duration flushInterval = Duration.ofMillis(100);

    /**
     * How long the writer, holding less than a batch, waits for more events before it writes; 0 writes what
     * is queued at once. An event waits at most this long (plus the write) before it is stored.
     */
    private Duration batchLinger = Duration.ofMillis(5);

    /** Attempts to write one batch before its events count as failed. */
    private int writeAttempts = 5;

    /** How long the block policy waits for room in a full buffer. */
    private Duration offerTimeout = Duration.ofSeconds(1);

    /** How long shutdown waits for buffered events to be written. */
    private Duration closeTimeout = Duration.ofSeconds(30);

    public TrackingMode getMode() {
      return mode;
    }

    public void setMode(TrackingMode mode) {
      this.mode = mode;
    }

    public int getBufferSize() {
      return bufferSize;
    }

    public void setBufferSize(int bufferSize) {
      this.bufferSize = bufferSize;
    }

    public OverflowPolicy getOverflowPolicy() {
      return overflowPolicy;
    }

    public void setOverflowPolicy(OverflowPolicy overflowPolicy) {
      this.overflowPolicy = overflowPolicy;
    }

    public int getBatchSize() {
      return batchSize;
    }

    public void setBatchSize(int batchSize) {
      this.batchSize = batchSize;
    }

    public Duration getFlushInterval() {
      return flushInterval;
    }

    public void setFlushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
    }

    public Duration getBatchLinger() {
      return batchLinger;
    }

    public void setBatchLinger(Duration batchLinger) {
      this.batchLinger = batchLinger;
    }

    public int getWriteAttempts() {
      return writeAttempts;
    }

    public void setWriteAttempts(int writeAttempts) {
      this.writeAttempts = writeAttempts;
    }

    public Duration getOfferTimeout() {
      return offerTimeout;
    }

    public void setOfferTimeout(Duration offerTimeout) {
      this.offerTimeout = offerTimeout;
    }

    public Duration getCloseTimeout() {
      return closeTimeout;
    }

    public void setCloseTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
    }
  }

  /** The JDBC store. */
  public static class Jdbc {

    /** When the tables are created at start-up. */
    private SchemaInitialization initializeSchema = SchemaInitialization.EMBEDDED;

    /** Longest time a statement (lock waits included) may run; 1 s to 1 h. */
    private Duration queryTimeout = Duration.ofSeconds(5);

    /** Longest time an analytics or export statement over the event log may run; 1 s to 24 h. */
    private Duration analyticsTimeout = Duration.ofMinutes(5);

    /** Whether IP addresses are truncated (IPv4 /24, IPv6 /48) before they are written. */
    private boolean ipTruncation;

    public SchemaInitialization getInitializeSchema() {
      return initializeSchema;
    }

    public void setInitializeSchema(SchemaInitialization initializeSchema) {
      this.initializeSchema = initializeSchema;
    }

    public Duration getQueryTimeout() {
      return queryTimeout;
    }

    public void setQueryTimeout(Duration queryTimeout) {
      this.queryTimeout = queryTimeout;
    }

    public Duration getAnalyticsTimeout() {
      return analyticsTimeout;
    }

    public void setAnalyticsTimeout(Duration analyticsTimeout) {
      this.analyticsTimeout = analyticsTimeout;
    }

    public boolean isIpTruncation() {
      return ipTruncation;
    }

    public void setIpTruncation(boolean ipTruncation) {
      this.ipTruncation = ipTruncation;
    }
  }

  /** The Redis store. */
  public static class Redis {

    /** The start of every key, [A-Za-z0-9._-]{1,64}. */
    private String keyPrefix = "usage";

    /** Longest wait for one Redis command before the caller gets a typed error. */
    private Duration commandTimeout = Duration.ofSeconds(1);

    /**
     * Where the Redis store keeps what must outlive Redis. "none": everything on Redis. "jdbc": Redis keeps
     * counters, reservations and idempotency keys (the hot path), and the host's DataSource (usage-jdbc on
     * the class path, exactly one DataSource bean; tables per usage.jdbc.initialize-schema) keeps the event
     * log, the closed periods and, with durable-settings, users' settings with their audit trail; counters
     * Redis lost are rebuilt from that event log.
     */
    private DurableStore durableStore = DurableStore.NONE;

    /**
     * With durable-store=jdbc, whether users' settings and their audit trail are kept in SQL too. False (the
     * default, the recommended shape) keeps settings and audit trail on Redis, where consumes use cached
     * settings that Redis checks are current: one round trip per consume. True makes the audit trail as
     * durable as the event log, at the price of a SQL read of the user's settings at every consume. True without
     * a durable store fails at start-up.
     */
    private boolean durableSettings = false;

    /**
     * Entries kept in each stream of the live feed (new events, and quota changes when published), which every
     * instance's dashboard can follow: 0 to 10,000,000, 0 switching the feed off. New events are published
     * wherever the event log is (on Redis, or in the durable store).
     */
    private int liveFeedLength = 10_000;

    /**
     * Whether the engine publishes every quota change (a consume, a reservation, its commit or release: one
     * entry per quota involved; a settings change: one per quota of the user) to the live feed, with each
     * quota's standing as the engine reports it (Redis writes sent without waiting, from the engine's listener
     * thread). Needs the feed (live-feed-length above 0).
     */
    private boolean publishQuotaChanges = false;

    public String getKeyPrefix() {
      return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }

    public DurableStore getDurableStore() {
      return durableStore;
    }

    public void setDurableStore(DurableStore durableStore) {
      this.durableStore = durableStore;
    }

    public boolean isDurableSettings() {
      return durableSettings;
    }

    public void setDurableSettings(boolean durableSettings) {
      this.durableSettings = durableSettings;
    }

    public int getLiveFeedLength() {
      return liveFeedLength;
    }

    public void setLiveFeedLength(int liveFeedLength) {
      this.liveFeedLength = liveFeedLength;
    }

    public boolean isPublishQuotaChanges() {
      return publishQuotaChanges;
    }

    public void setPublishQuotaChanges(boolean publishQuotaChanges) {
      this.publishQuotaChanges = publishQuotaChanges;
    }
  }

  /** Scheduled jobs. */
  public static class Jobs {

    /** Whether the jobs are scheduled. They are idempotent and safe to run on every instance at once. */
    private boolean enabled = true;

    /** When the reset job closes finished periods into the history (Spring cron, in usage.time-zone). */
    private String resetCron = "0 5 * * * *";

    /** When the JDBC store rolls new events up into usage_aggregations (Spring cron, in usage.time-zone). */
    private String aggregationCron = "0 */15 * * * *";

    /**
     * When the last whole hour is examined for unusual usage (Spring cron, in usage.time-zone); a few minutes
     * past the hour, once buffered events are written. Runs where the store offers analytics.
     */
    private String unusualUsageCron = "0 7 * * * *";

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getResetCron() {
      return resetCron;
    }

    public void setResetCron(String resetCron) {
      this.resetCron = resetCron;
    }

    public String getAggregationCron() {
      return aggregationCron;
    }

    public void setAggregationCron(String aggregationCron) {
      this.aggregationCron = aggregationCron;
    }

    public String getUnusualUsageCron() {
      return unusualUsageCron;
    }

    public void setUnusualUsageCron(String unusualUsageCron) {
      this.unusualUsageCron = unusualUsageCron;
    }
  }

  /** The scheduled report job: a period's summary and events, rendered to files. */
  public static class Reports {

    /** Whether the report job is scheduled (it also needs usage.jobs.enabled). */
    private boolean enabled = false;

    /** When the last finished period is reported (Spring cron, in usage.time-zone); default 00:15 on the 1st. */
    private String cron = "0 15 0 1 * *";

    /** The period each report covers: DAY, WEEK (ISO) or MONTH. */
    private UsageReportJob.Period period = UsageReportJob.Period.MONTH;

    /** The files' format: CSV or JSON. */
    private ExportFormat format = ExportFormat.CSV;

    /** The directory the files go to, unless the context has a ReportSink bean. */
    private Path directory = Path.of("usage-reports");

    /** Whether the period's events are exported beside the summary. */
    private boolean includeEvents = true;

    /** How many top users (by characters) the summary lists, 0 to 1000. */
    private int topUsers = 10;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getCron() {
      return cron;
    }

    public void setCron(String cron) {
      this.cron = cron;
    }

    public UsageReportJob.Period getPeriod() {
      return period;
    }

    public void setPeriod(UsageReportJob.Period period) {
      this.period = period;
    }

    public ExportFormat getFormat() {
      return format;
    }

    public void setFormat(ExportFormat format) {
      this.format = format;
    }

    public Path getDirectory() {
      return directory;
    }

    public void setDirectory(Path directory) {
      this.directory = directory;
    }

    public boolean isIncludeEvents() {
      return includeEvents;
    }

    public void setIncludeEvents(boolean includeEvents) {
      this.includeEvents = includeEvents;
    }

    public int getTopUsers() {
      return topUsers;
    }

    public void setTopUsers(int topUsers) {
      this.topUsers = topUsers;
    }
  }

  /** Unusual-usage detection: a user's hour against their own active hours before it. */
  public static class UnusualUsage {

    /** How far back a user's baseline reaches, 1 hour to 90 days. */
    private Duration baseline = Duration.ofDays(14);

    /** Fewest active hours that make a baseline. */
    private int minBaselineHours = 24;

    /** The least modified z-score that alerts. */
    private double threshold = 3.5;

    /** Per quota type, the fewest units an hour needs to alert (types not listed: 1). */
    private final Map<String, Long> minimumUnits = new LinkedHashMap<>();

    /** At most one alert per user per this window (per instance). */
    private Duration alertWindow = Duration.ofDays(1);

    public Duration getBaseline() {
      return baseline;
    }

    public void setBaseline(Duration baseline) {
      this.baseline = baseline;
    }

    public int getMinBaselineHours() {
      return minBaselineHours;
    }

    public void setMinBaselineHours(int minBaselineHours) {
      this.minBaselineHours = minBaselineHours;
    }

    public double getThreshold() {
      return threshold;
    }

    public void setThreshold(double threshold) {
      this.threshold = threshold;
    }

    public Map<String, Long> getMinimumUnits() {
      return minimumUnits;
    }

    public Duration getAlertWindow() {
      return alertWindow;
    }

    public void setAlertWindow(Duration alertWindow) {
      this.alertWindow = alertWindow;
    }
  }

  /** Prices for the revenue view. */
  public static class PricingProperties {

    /** ISO 4217 currency code of every price, e.g. EUR; no Pricing bean without it. */
    private String currency;

    /** Per tier name: its monthly price and overage prices. */
    private final Map<String, TierPrice> tiers = new LinkedHashMap<>();

    public String getCurrency() {
      return currency;
    }

    public void setCurrency(String currency) {
      this.currency = currency;
    }

    public Map<String, TierPrice> getTiers() {
      return tiers;
    }
  }

  /** One tier's prices. */
  public static class TierPrice {

    /** Monthly price; a tier without one is free. */
    private java.math.BigDecimal price;

    /** Per quota type: the price of units past the monthly limit. */
    private final Map<String, OveragePrice> overage = new LinkedHashMap<>();

    public java.math.BigDecimal getPrice() {
      return price;
    }

    public void setPrice(java.math.BigDecimal price) {
      this.price = price;
    }

    public Map<String, OveragePrice> getOverage() {
      return overage;
    }
  }

  /** The price of units past a limit. */
  public static class OveragePrice {

    /** What per-units units cost. */
    private java.math.BigDecimal price;

    /** How many units the price buys (charged pro rata). */
    private long perUnits = 1;

    public java.math.BigDecimal getPrice() {
      return price;
    }

    public void setPrice(java.math.BigDecimal price) {
      this.price = price;
    }

    public long getPerUnits() {
      return perUnits;
    }

    public void setPerUnits(long perUnits) {
      this.perUnits = perUnits;
    }
  }

  /** The HTTP contract of guarded Spring MVC endpoints. */
  public static class Web {

    /** The "type" of the problem body of a 429 answer. */
    private URI problemType = URI.create("https://usage.dev/problems/quota-exceeded");

    /**
     * The "type" of the problem body of a 401 answer: a guarded call found no user to charge (no
     * authenticated principal, or a user expression that gave null).
     */
    private URI userUnresolvedProblemType = URI.create("https://usage.dev/problems/user-unresolved");

    /**
     * The WWW-Authenticate challenge of that 401 answer (RFC 9110 requires one), naming the host's
     * authentication scheme, e.g. "Bearer" or "Basic realm=\"api\"".
     */
    private String authenticateChallenge = "Bearer";

    public URI getProblemType() {
      return problemType;
    }

    public void setProblemType(URI problemType) {
      this.problemType = problemType;
    }

    public URI getUserUnresolvedProblemType() {
      return userUnresolvedProblemType;
    }

    public void setUserUnresolvedProblemType(URI userUnresolvedProblemType) {
      this.userUnresolvedProblemType = userUnresolvedProblemType;
    }

    public String getAuthenticateChallenge() {
      return authenticateChallenge;
    }

    public void setAuthenticateChallenge(String authenticateChallenge) {
      this.authenticateChallenge = authenticateChallenge;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Store getStore() {
    return store;
  }

  public void setStore(Store store) {
    this.store = store;
  }

  public ZoneId getTimeZone() {
    return timeZone;
  }

  public void setTimeZone(ZoneId timeZone) {
    this.timeZone = timeZone;
  }

  public String getDefaultTier() {
    return defaultTier;
  }

  public void setDefaultTier(String defaultTier) {
    this.defaultTier = defaultTier;
  }

  public FailureMode getFailureMode() {
    return failureMode;
  }

  public void setFailureMode(FailureMode failureMode) {
    this.failureMode = failureMode;
  }

  public Duration getReservationTtl() {
    return reservationTtl;
  }

  public void setReservationTtl(Duration reservationTtl) {
    this.reservationTtl = reservationTtl;
  }

  public Duration getIdempotencyWindow() {
    return idempotencyWindow;
  }

  public void setIdempotencyWindow(Duration idempotencyWindow) {
    this.idempotencyWindow = idempotencyWindow;
  }

  public Duration getCounterRetention() {
    return counterRetention;
  }

  public void setCounterRetention(Duration counterRetention) {
    this.counterRetention = counterRetention;
  }

  public int getSettingsCacheSize() {
    return settingsCacheSize;
  }

  public void setSettingsCacheSize(int settingsCacheSize) {
    this.settingsCacheSize = settingsCacheSize;
  }

  public Thresholds getThresholds() {
    return thresholds;
  }

  public Quotas getQuotas() {
    return quotas;
  }

  public Map<String, TierProperties> getTiers() {
    return tiers;
  }

  public Map<String, UserProperties> getUsers() {
    return users;
  }

  public Tracking getTracking() {
    return tracking;
  }

  public Jdbc getJdbc() {
    return jdbc;
  }

  public Redis getRedis() {
    return redis;
  }

  public Jobs getJobs() {
    return jobs;
  }

  public Reports getReports() {
    return reports;
  }

  public UnusualUsage getUnusualUsage() {
    return unusualUsage;
  }

  public PricingProperties getPricing() {
    return pricing;
  }

  public Web getWeb() {
    return web;
  }

  public NotificationProperties getNotifications() {
    return notifications;
  }
}
