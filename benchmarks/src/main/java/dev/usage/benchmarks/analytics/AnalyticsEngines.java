package dev.usage.benchmarks.analytics;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.Tier;
import dev.usage.TimeRange;
import dev.usage.TrackingMode;
import dev.usage.UsageEngine;
import dev.usage.jdbc.JdbcUsageStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The engine the analytics benchmarks measure: {@link JdbcUsageStorage} on a HikariCP pool of the data set's
 * schema, SYNC mode, a clock fixed at the data set's instant, the three built-in tiers with no limits of their
 * own and unlimited monthly defaults (so seeding the counters with a month's usage is always admitted), and an
 * analytics timeout of {@link #ANALYTICS_TIMEOUT}.
 * Closing it closes the engine and the pool.
 */
final class AnalyticsEngines implements AutoCloseable {

  /** The storage's analytics timeout: long enough for any analytics statement here (the library's default is 5 min). */
  static final Duration ANALYTICS_TIMEOUT = Duration.ofMinutes(10);

  private final HikariDataSource pool;
  private final JdbcUsageStorage storage;
  private final UsageEngine engine;

  AnalyticsEngines(Instant now, int poolSize) {
    this(now, pool(poolSize), null);
  }

  /** {@code dataSource}, when given, wraps the pool (e.g. to record the statements); the pool is still closed. */
  AnalyticsEngines(Instant now, HikariDataSource pool, DataSource dataSource) {
    this.pool = pool;
    // the hot path keeps the default 5 s; analytics statements get their own timeout
    this.storage = JdbcUsageStorage.builder(dataSource == null ? pool : dataSource).analyticsTimeout(ANALYTICS_TIMEOUT)
        .build();
    this.engine = UsageEngine.builder()
        .storage(storage)
        .clock(Clock.fixed(now, ZoneOffset.UTC))
        .trackingMode(TrackingMode.SYNC)
        .closeOnShutdown(false)
        .clearTiers()
        .tier(Tier.builder(Tier.FREE).build())
        .tier(Tier.builder(Tier.PREMIUM).parent(Tier.FREE).build())
        .tier(Tier.builder(Tier.ENTERPRISE).parent(Tier.PREMIUM).build())
        .defaultQuota(Quota.monthly(QuotaType.CHARACTERS, Quota.MAX_AMOUNT))
        .defaultQuota(Quota.monthly(QuotaType.REQUESTS, Quota.MAX_AMOUNT))
        .defaultQuota(Quota.monthly(QuotaType.TOKENS, Quota.MAX_AMOUNT))
        .build();
  }

  static HikariDataSource pool(int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(AnalyticsData.url());
    config.setUsername(AnalyticsData.PG_USER);
    config.setPassword(AnalyticsData.PG_PASSWORD);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(30_000);
    config.setPoolName("bench-analytics-" + size);
    return new HikariDataSource(config);
  }

  UsageEngine engine() {
    return engine;
  }

  JdbcUsageStorage storage() {
    return storage;
  }

  HikariDataSource pool() {
    return pool;
  }

  static String user(int u) {
    return "user-" + u;
  }

  /** Every tenth user (ending in 1) is premium, every fiftieth (7 modulo 50) enterprise, the rest free (no row). */
  static Optional<String> tierOf(int u) {
    if (u % 50 == 7) {
      return Optional.of(Tier.ENTERPRISE);
    }
    return u % 10 == 1 ? Optional.of(Tier.PREMIUM) : Optional.empty();
  }

  /** The UTC calendar month holding {@code now}. */
  static TimeRange currentMonth(Instant now) {
    return TimeRange.month(YearMonth.from(now.atZone(ZoneOffset.UTC)), ZoneOffset.UTC);
  }

  /** The UTC calendar month before the one holding {@code now}. */
  static TimeRange lastFullMonth(Instant now) {
    return TimeRange.month(YearMonth.from(now.atZone(ZoneOffset.UTC)).minusMonths(1), ZoneOffset.UTC);
  }

  @Override
  public void close() {
    try {
      engine.close();
    } finally {
      pool.close();
    }
  }
}
