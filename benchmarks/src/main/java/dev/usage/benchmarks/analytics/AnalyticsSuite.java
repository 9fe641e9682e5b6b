package dev.usage.benchmarks.analytics;

import dev.usage.EventFilter;
import dev.usage.EventTotals;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.SystemAnalytics;
import dev.usage.TimeRange;
import dev.usage.UserUsage;
import dev.usage.benchmarks.BenchmarkGroup;
import dev.usage.benchmarks.Effort;
import dev.usage.benchmarks.Suite;
import dev.usage.spi.EventQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The analytics suite of issue 6 on PostgreSQL: prepares (or reuses) the data set of {@link AnalyticsData},
 * checks that {@link HandQuery}'s figures equal {@code getSystemAnalytics}'s and that the counters equal the
 * events, then runs {@link AnalyticsBenchmark} through {@link Suite} (interleaved rounds, medians, the
 * {@code <!-- analytics-results:begin -->} block of RESULTS.md). {@code --explain} first writes
 * {@code EXPLAIN (ANALYZE, BUFFERS)} of every statement {@code getSystemAnalytics} runs and of the hand query
 * to {@code benchmarks/target/analytics-explain.txt} ({@code --explain-only}: that and nothing else).
 * Two rounds by default ({@code -f N} for more). {@code benchmarks/run-analytics.sh} builds and runs it.
 */
public final class AnalyticsSuite {

  static final Suite SUITE = Suite.builder("analytics")
      .heading("Analytics")
      .benchmarkPackage("dev.usage.benchmarks.analytics")
      .group(BenchmarkGroup.of("AnalyticsBenchmark.userUsage", "AnalyticsBenchmark.userGroup",
          "AnalyticsBenchmark.userReport").effort(Effort.rounds(2)))
      .group(BenchmarkGroup.of("AnalyticsBenchmark.systemAnalytics", "AnalyticsBenchmark.systemHandSql")
          .effort(Effort.rounds(2)))
      .ceiling("System analytics of the last full month: getSystemAnalytics / hand-written single statement (time)",
          "AnalyticsBenchmark.systemAnalytics", "AnalyticsBenchmark.systemHandSql", 1.5)
      .limit("Current-month usage of a random user: getUserUsage (counters)", "AnalyticsBenchmark.userUsage", 5)
      .limit("(diagnostic) the user's current-month totals from raw events: EventAnalytics.group, user filter",
          "AnalyticsBenchmark.userGroup", 5)
      .limit("(diagnostic) generateUsageReport(user, current month), from raw events",
          "AnalyticsBenchmark.userReport", 5)
      .software(AnalyticsSuite::software)
      .build();

  private AnalyticsSuite() {}

  public static void main(String[] args) throws Exception {
    List<String> jmh = new ArrayList<>();
    boolean explain = false;
    boolean explainOnly = false;
    for (String a : args) {
      switch (a) {
        case "--explain" -> explain = true;
        case "--explain-only" -> explainOnly = true;
        default -> jmh.add(a);
      }
    }
    Instant now = AnalyticsData.prepare();
    check(now);
    if (explain || explainOnly) {
      Path out = Path.of(System.getProperty("bench.out", "benchmarks/target/analytics-results.md"))
          .resolveSibling("analytics-explain.txt");
      AnalyticsProfile.write(now, out);
      AnalyticsData.log("plans written to %s", out);
    }
    if (!explainOnly) {
      SUITE.run(jmh.toArray(String[]::new));
    }
  }

  /** The hand query's figures equal the library's; counters equal the events of the current month. */
  static void check(Instant now) throws SQLException {
    try (AnalyticsEngines engines = new AnalyticsEngines(now, 4); Connection c = engines.pool().getConnection()) {
      TimeRange month = AnalyticsEngines.lastFullMonth(now);
      long t0 = System.nanoTime();
      SystemAnalytics lib = engines.engine().analytics().getSystemAnalytics(month);
      long t1 = System.nanoTime();
      SystemAnalytics hand = HandQuery.run(c, month, "free", lib.generatedAt());
      long t2 = System.nanoTime();
      if (!lib.equals(hand)) {
        throw new IllegalStateException("the hand-written statement's figures differ from getSystemAnalytics's:\n"
            + differences(lib, hand));
      }
      AnalyticsData.log("check: the hand-written statement gives getSystemAnalytics's figures for %s"
          + " (%,d events, %d users, %d tiers, %d feature/endpoint pairs, %d error codes, %d endpoints timed);"
          + " one call each: library %.0f ms, hand %.0f ms", month, lib.totals().events(), lib.totals().users(),
          lib.byTier().size(), lib.failures().size(), lib.errorCodes().size(), lib.latency().size(),
          (t1 - t0) / 1e6, (t2 - t1) / 1e6);
      TimeRange current = AnalyticsEngines.currentMonth(now);
      var analytics = engines.storage().events().analytics().orElseThrow();
      for (int u : new int[] {0, 1, 7, 4_242, AnalyticsData.USERS - 1}) {
        String user = AnalyticsEngines.user(u);
        UserUsage usage = engines.engine().tracking().getUserUsage(user);
        EventTotals events = analytics.group(new EventQuery(EventFilter.builder(current).user(user).build(), "free"),
            Set.of()).get(0).totals();
        for (QuotaType t : List.of(QuotaType.CHARACTERS, QuotaType.REQUESTS, QuotaType.TOKENS)) {
          long used = usage.quota(t).map(QuotaStatus::used).orElse(-1L);
          if (used != events.units(t)) {
            throw new IllegalStateException(user + "'s " + t + " counter holds " + used + " but the events of "
                + current + " sum to " + events.units(t));
          }
        }
        String tier = AnalyticsEngines.tierOf(u).orElse("free");
        if (!usage.tier().equals(tier)) {
          throw new IllegalStateException(user + " is on tier " + usage.tier() + ", expected " + tier);
        }
      }
      AnalyticsData.log("check: getUserUsage's counters equal the raw events of %s for 5 users", current);
    }
  }

  private static String differences(SystemAnalytics a, SystemAnalytics b) {
    StringBuilder s = new StringBuilder();
    diff(s, "totals", a.totals(), b.totals());
    diff(s, "byTier", a.byTier(), b.byTier());
    diff(s, "failures", a.failures(), b.failures());
    diff(s, "errorCodes", a.errorCodes(), b.errorCodes());
    diff(s, "latency", a.latency(), b.latency());
    diff(s, "byHourOfDay", a.byHourOfDay(), b.byHourOfDay());
    diff(s, "byDayOfWeek", a.byDayOfWeek(), b.byDayOfWeek());
    diff(s, "topUsers", a.topUsers(), b.topUsers());
    return s.toString();
  }

  private static void diff(StringBuilder s, String name, Object lib, Object hand) {
    if (!lib.equals(hand)) {
      s.append(name).append(":\n  library: ").append(lib).append("\n  hand:    ").append(hand).append('\n');
    }
  }

  private static String software() {
    try (Connection c = AnalyticsData.connect(); Statement s = c.createStatement()) {
      StringBuilder b = new StringBuilder("PostgreSQL ").append(c.getMetaData().getDatabaseProductVersion())
          .append(" on loopback (");
      String sep = "";
      for (String setting : List.of("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit")) {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
          rs.next();
          b.append(sep).append(setting).append('=').append(rs.getString(1));
          sep = ", ";
        }
      }
      b.append("), pgjdbc ").append(org.postgresql.util.DriverInfo.DRIVER_VERSION)
          .append(", HikariCP ").append(Suite.mavenVersion("com.zaxxer", "HikariCP"))
          .append(", JDBI ").append(Suite.mavenVersion("org.jdbi", "jdbi3-core"));
      try (ResultSet rs = s.executeQuery("SELECT loaded_at, pg_size_pretty(pg_total_relation_size('usage_tracking'))"
          + " FROM bench_dataset")) {
        rs.next();
        b.append(String.format(Locale.ROOT, "; data set: %,d events (seed %d) over the 92 days up to %s, 10,000 users,"
            + " usage_tracking %s with indexes", AnalyticsData.EVENTS, AnalyticsData.SEED,
            rs.getTimestamp(1).toInstant(), rs.getString(2)));
      }
      return b.toString();
    } catch (SQLException e) {
      return "PostgreSQL unreachable (" + e.getMessage() + ")";
    }
  }

  static void writeLines(Path out, List<String> lines) throws java.io.IOException {
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, lines, StandardCharsets.UTF_8);
  }
}
