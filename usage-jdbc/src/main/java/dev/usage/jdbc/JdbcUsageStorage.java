package dev.usage.jdbc;

import dev.usage.InvalidUsageException;
import dev.usage.UsageStorageException;
import dev.usage.spi.NotificationLedger;
import dev.usage.spi.StorageCapability;
import dev.usage.spi.UsageStorage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Everything in one SQL database: counters, event log, user settings, audit trail and period history,
 * over a {@link DataSource} the host owns (and closes). Durable; shared across processes on PostgreSQL,
 * MariaDB/MySQL and H2 in server mode.
 *
 * <pre>{@code
 * UsageStorage storage = JdbcUsageStorage.builder(dataSource).initializeSchema(true).build();
 * UsageEngine engine = UsageEngine.builder().storage(storage).build();
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops the storage's statement watchdog thread and closes only a pool
 * this class opened ({@link #fromJdbcUrl}), never the host's; the engine calls it after flushing its
 * buffered events.
 */
public final class JdbcUsageStorage implements UsageStorage {

  private final JdbcDialect dialect;
  private final Set<StorageCapability> capabilities;
  private final JdbcCounterStore counters;
  private final JdbcEventStore events;
  private final JdbcUserQuotaStore userQuotas;
  private final JdbcPeriodHistoryStore history;
  private final JdbcNotificationLedger notifications;
  private final JdbcAggregations aggregations;
  private final JdbcRetention retention;
  private final AutoCloseable ownedPool;
  private final Db db;
  private final Db analyticsDb;

  private JdbcUsageStorage(Builder b, DataSource dataSource, JdbcDialect dialect, AutoCloseable ownedPool) {
    this.dialect = dialect;
    // before anything starts a thread: it may fail (H2 reads the database URL)
    this.capabilities = capabilities(dataSource, dialect);
    this.db = new Db(dataSource, dialect, b.queryTimeout, b.maxAttempts);
    // reports and exports scan months of events: their own, longer timeout, so the hot path's stays short
    this.analyticsDb = new Db(dataSource, dialect, b.analyticsTimeout, b.maxAttempts);
    this.counters = new JdbcCounterStore(db);
    this.aggregations = new JdbcAggregations(db, new DirtyDays(db));
    this.events = new JdbcEventStore(db, analyticsDb, b.ipTruncation, aggregations);
    this.userQuotas = new JdbcUserQuotaStore(db);
    this.history = new JdbcPeriodHistoryStore(db);
    this.notifications = new JdbcNotificationLedger(db);
    this.retention = new JdbcRetention(db, aggregations);
    this.ownedPool = ownedPool;
  }

  /** A builder over the host's data source (HikariCP or any pool). */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null);
  }

  /**
   * A builder that opens a HikariCP pool of its own for {@code jdbcUrl} (HikariCP must be on the class
   * path); the storage closes it on {@link #close()}.
   */
  public static Builder fromJdbcUrl(String jdbcUrl, String username, String password) {
    if (jdbcUrl == null || jdbcUrl.isBlank()) {
      throw new InvalidUsageException("jdbcUrl", "must not be blank");
    }
    return new Builder(null, new OwnedPool(jdbcUrl, username, password));
  }

  /** The dialect in use. */
  public JdbcDialect dialect() {
    return dialect;
  }

  @Override
  public JdbcCounterStore counters() {
    return counters;
  }

  @Override
  public JdbcEventStore events() {
    return events;
  }

  @Override
  public JdbcUserQuotaStore userQuotas() {
    return userQuotas;
  }

  @Override
  public JdbcPeriodHistoryStore history() {
    return history;
  }

  @Override
  public NotificationLedger notifications() {
    return notifications;
  }

  /** Rollups of the event log per day, week and month, and the queries over them. */
  public JdbcAggregations aggregations() {
    return aggregations;
  }

  /** Deletion of old raw events, keeping their aggregates. */
  public JdbcRetention retention() {
    return retention;
  }

  @Override
  public Set<StorageCapability> capabilities() {
    return capabilities;
  }

  @Override
  public void close() {
    db.close();
    analyticsDb.close();
    if (ownedPool != null) {
      try {
        ownedPool.close();
      } catch (Exception e) {
        throw new UsageStorageException("could not close the connection pool", e);
      }
    }
  }

  private static Set<StorageCapability> capabilities(DataSource dataSource, JdbcDialect dialect) {
    if (dialect != JdbcDialect.H2) {
      return Set.copyOf(EnumSet.of(StorageCapability.DURABLE, StorageCapability.SHARED_ACROSS_PROCESSES,
          StorageCapability.CHECKS_SETTINGS_VERSION));
    }
    String url;
    try (Connection c = dataSource.getConnection()) {
      url = c.getMetaData().getURL().toLowerCase(Locale.ROOT);
    } catch (SQLException e) {
      throw new UsageStorageException("could not read the database URL", e);
    }
    EnumSet<StorageCapability> caps = EnumSet.of(StorageCapability.CHECKS_SETTINGS_VERSION);
    if (!url.startsWith("jdbc:h2:mem:")) {
      caps.add(StorageCapability.DURABLE);
    }
    if (url.startsWith("jdbc:h2:tcp:") || url.startsWith("jdbc:h2:ssl:") || url.contains("auto_server=true")) {
      caps.add(StorageCapability.SHARED_ACROSS_PROCESSES);
    }
    return Set.copyOf(caps);
  }

  /**
   * Configures a {@link JdbcUsageStorage}. Defaults: dialect detected from the connection, statements
   * time out after 5 seconds (analytics statements after 5 minutes), 5 attempts for deadlocks, lost connections retried for up to the statement
   * timeout, schema not touched, IP addresses stored as given.
   * Not thread-safe.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private final OwnedPool pool;
    private JdbcDialect dialect;
    private Duration queryTimeout = Duration.ofSeconds(5);
    private Duration analyticsTimeout = Duration.ofMinutes(5);
    private int maxAttempts = 5;
    private boolean initializeSchema;
    private boolean ipTruncation;

    private Builder(DataSource dataSource, OwnedPool pool) {
      this.dataSource = dataSource;
      this.pool = pool;
    }

    /** Uses {@code dialect} instead of detecting it. */
    public Builder dialect(JdbcDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * How long a statement (including its lock waits) may run before it fails with a
     * {@link UsageStorageException}; whole seconds, rounded up; 1 second to 1 hour.
     */
    public Builder queryTimeout(Duration timeout) {
      if (timeout == null || timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new InvalidUsageException("queryTimeout", "must be within 1s..1h, was " + timeout);
      }
      this.queryTimeout = timeout;
      return this;
    }

    /**
     * How long an analytics statement (a report's or export's query over the event log, which may scan
     * months of events; for an export, until its first rows arrive on PostgreSQL and H2, the whole stream on
     * MariaDB) may run before it fails with a {@link UsageStorageException}; whole seconds, rounded up;
     * 1 second to 24 hours. Default 5 minutes. The hot path keeps {@link #queryTimeout}.
     */
    public Builder analyticsTimeout(Duration timeout) {
      if (timeout == null || timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofHours(24)) > 0) {
        throw new InvalidUsageException("analyticsTimeout", "must be within 1s..24h, was " + timeout);
      }
      this.analyticsTimeout = timeout;
      return this;
    }

    /**
     * How many times an operation is tried when it meets a deadlock or a serialization failure, 1 to 20.
     * (A lost connection is retried, where that is safe, for up to the query timeout.)
     */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 20) {
        throw new InvalidUsageException("maxAttempts", "must be within 1..20, was " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** Whether {@link #build()} creates the tables when they are missing ({@link JdbcSchema#create}). */
    public Builder initializeSchema(boolean initialize) {
      this.initializeSchema = initialize;
      return this;
    }

    /**
     * Whether events' IP addresses are truncated before they are written, for privacy: IPv4 to its /24
     * ({@code 203.0.113.77} is stored as {@code 203.0.113.0}), IPv6 to its /48 ({@code 2001:db8:1:2::5} as
     * {@code 2001:db8:1::}), in canonical text (RFC 5952 for IPv6); an IPv4-mapped IPv6 address
     * ({@code ::ffff:203.0.113.77}) is stored as the truncated IPv4 address. The full address is never
     * written. Default false: stored as given.
     */
    public Builder ipTruncation(boolean truncate) {
      this.ipTruncation = truncate;
      return this;
    }

    /** The storage; creates the schema first when asked. */
    public JdbcUsageStorage build() {
      // a pool per storage: a second build() must neither share the first's nor leave it unclosed
      OwnedPool owned = pool == null ? null : pool.another();
      DataSource ds = dataSource != null ? dataSource : owned.open();
      try {
        JdbcDialect d = dialect != null ? dialect : JdbcDialect.detect(ds);
        if (initializeSchema) {
          JdbcSchema.create(ds, d);
        }
        return new JdbcUsageStorage(this, ds, d, owned);
      } catch (RuntimeException e) {
        if (owned != null) {
          owned.close();
        }
        throw e;
      }
    }
  }
}
