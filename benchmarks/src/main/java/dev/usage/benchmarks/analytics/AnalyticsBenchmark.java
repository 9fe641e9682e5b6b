package dev.usage.benchmarks.analytics;

import dev.usage.EventFilter;
import dev.usage.SystemAnalytics;
import dev.usage.TimeRange;
import dev.usage.UsageEngine;
import dev.usage.UsageReport;
import dev.usage.UserUsage;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import dev.usage.spi.GroupTotals;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The analytics calls of issue 6 on the data set of {@link AnalyticsData} (prepared by {@link AnalyticsSuite}
 * before the forks start; a fork refuses to run without it), one thread, a clock fixed at the data set's instant.
 *
 * <ul>
 *   <li>{@code userUsage}: {@code tracking().getUserUsage(user)} of a random user of 10,000 (the current periods'
 *       counters: an aggregation). Target: under 5 ms.
 *   <li>{@code userGroup}: the same user's current-month totals from the raw events, through the SPI
 *       {@code EventAnalytics.group} with a user filter and no dimension.
 *   <li>{@code userReport}: {@code analytics().generateUsageReport(user, currentMonth)}.
 *   <li>{@code systemAnalytics}: {@code analytics().getSystemAnalytics(lastFullMonth)} beside
 *       {@code systemHandSql}, {@link HandQuery}'s one statement for the same figures. Target: at most 1.5×.
 * </ul>
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(3)
@Threads(1)
public class AnalyticsBenchmark {

  private Instant now;
  private AnalyticsEngines engines;
  private UsageEngine engine;
  private EventAnalytics analytics;
  private TimeRange currentMonth;
  private TimeRange lastFullMonth;
  private Connection handConnection;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    now = AnalyticsData.loadedAt().orElseThrow(() -> new IllegalStateException("no data set with "
        + AnalyticsData.EVENTS + " events and seed " + AnalyticsData.SEED + " in schema " + AnalyticsData.SCHEMA
        + ": run dev.usage.benchmarks.analytics.AnalyticsSuite (benchmarks/run-analytics.sh), which loads it"));
    engines = new AnalyticsEngines(now, 4);
    engine = engines.engine();
    analytics = engines.storage().events().analytics().orElseThrow();
    currentMonth = AnalyticsEngines.currentMonth(now);
    lastFullMonth = AnalyticsEngines.lastFullMonth(now);
    handConnection = engines.pool().getConnection();
    handConnection.setAutoCommit(true);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws SQLException {
    try {
      handConnection.close();
    } finally {
      engines.close();
    }
  }

  private static String randomUser() {
    return AnalyticsEngines.user(ThreadLocalRandom.current().nextInt(AnalyticsData.USERS));
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  public UserUsage userUsage() {
    UserUsage u = engine.tracking().getUserUsage(randomUser());
    if (u.quotas().isEmpty()) {
      throw new IllegalStateException("no quotas in " + u);
    }
    return u;
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  public List<GroupTotals> userGroup() {
    return analytics.group(new EventQuery(EventFilter.builder(currentMonth).user(randomUser()).build(), "free"), Set.of());
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @Warmup(iterations = 2, time = 3)
  @Measurement(iterations = 5, time = 3)
  public UsageReport userReport() {
    return engine.analytics().generateUsageReport(randomUser(), currentMonth);
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public SystemAnalytics systemAnalytics() {
    return engine.analytics().getSystemAnalytics(lastFullMonth);
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public SystemAnalytics systemHandSql() throws SQLException {
    return HandQuery.run(handConnection, lastFullMonth, "free", now);
  }
}
