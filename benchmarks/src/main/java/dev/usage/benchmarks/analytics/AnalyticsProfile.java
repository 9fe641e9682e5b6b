package dev.usage.benchmarks.analytics;

import dev.usage.TimeRange;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where {@code getSystemAnalytics} spends its time: records the statements one call runs (through
 * {@link StatementRecorder}, the library unchanged), then runs {@code EXPLAIN (ANALYZE, BUFFERS)} of each with
 * its parameters and of {@link HandQuery}'s statement, and writes the plans to a file; prints one line per
 * statement (its time as the library ran it and under EXPLAIN ANALYZE).
 */
final class AnalyticsProfile {

  private AnalyticsProfile() {}

  static void write(Instant now, Path out) throws SQLException, IOException {
    StatementRecorder recorder = new StatementRecorder();
    var pool = AnalyticsEngines.pool(4);
    TimeRange month = AnalyticsEngines.lastFullMonth(now);
    List<String> lines = new ArrayList<>();
    try (AnalyticsEngines engines = new AnalyticsEngines(now, pool, recorder.wrap(pool))) {
      engines.engine().analytics().getSystemAnalytics(month);
      recorder.clear();
      long t0 = System.nanoTime();
      engines.engine().analytics().getSystemAnalytics(month);
      long total = System.nanoTime() - t0;
      List<StatementRecorder.Recorded> statements = recorder.recorded();
      lines.add(String.format(Locale.ROOT, "getSystemAnalytics(%s): %.0f ms, %d statements", month, total / 1e6,
          statements.size()));
      AnalyticsData.log("getSystemAnalytics(%s): %.0f ms in %d statements:", month, total / 1e6, statements.size());
      try (Connection c = pool.getConnection()) {
        int i = 0;
        for (StatementRecorder.Recorded r : statements) {
          i++;
          List<String> plan = StatementRecorder.explain(c, r);
          String params = r.calls().stream().map(a -> String.valueOf(a[1])).toList().toString();
          lines.add("");
          lines.add(String.format(Locale.ROOT, "## statement %d: %.0f ms as run by the library", i, r.nanos() / 1e6));
          lines.add(r.sql());
          lines.add("parameters: " + params);
          lines.addAll(plan);
          AnalyticsData.log("  %2d. %6.0f ms (EXPLAIN ANALYZE: %s) %s", i, r.nanos() / 1e6, executionTime(plan),
              abbreviate(r.sql()));
        }
        lines.add("");
        lines.add("## the hand-written statement");
        lines.add(HandQuery.SQL);
        try (PreparedStatement p = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + HandQuery.SQL)) {
          HandQuery.bind(p, month, "free");
          List<String> plan = new ArrayList<>();
          try (var rs = p.executeQuery()) {
            while (rs.next()) {
              plan.add(rs.getString(1));
            }
          }
          lines.addAll(plan);
          AnalyticsData.log("  hand-written statement (EXPLAIN ANALYZE: %s)", executionTime(plan));
        }
      }
    }
    AnalyticsSuite.writeLines(out, lines);
  }

  private static String executionTime(List<String> plan) {
    return plan.stream().filter(l -> l.startsWith("Execution Time")).findFirst().orElse("?");
  }

  private static String abbreviate(String sql) {
    String s = Arrays.stream(sql.split("\\s+")).reduce((a, b) -> a + " " + b).orElse("");
    return s.length() > 150 ? s.substring(0, 150) + " ..." : s;
  }
}
