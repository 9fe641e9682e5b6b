package dev.usage.benchmarks.analytics;

import dev.usage.EventTotals;
import dev.usage.QuotaType;
import dev.usage.SystemAnalytics;
import dev.usage.SystemAnalytics.EndpointLatency;
import dev.usage.SystemAnalytics.FailureRate;
import dev.usage.SystemAnalytics.UserTotals;
import dev.usage.TimeRange;
import dev.usage.UsageCounts;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The baseline of the system-analytics target: the best single hand-written PostgreSQL statement we could write
 * for the figures of {@code getSystemAnalytics(range)} (zone UTC, top 10 users by characters), read into the same
 * {@link SystemAnalytics} record. The data set has no custom quota units, so it reads none.
 *
 * <p>Three passes over the range's events: per-user sums ({@code GROUP BY user_id}, hashed in parallel workers; the tier is joined to these 10,000 rows, not to every event; totals, tiers,
 * active users and the top users follow from them, so no {@code COUNT(DISTINCT)}); one {@code GROUP BY GROUPING SETS}
 * for (feature, endpoint), error code and (hour, weekday) (one integer key, {@code date_part}, not {@code EXTRACT},
 * which returns {@code numeric}); and the nearest-rank percentiles per endpoint with one {@code percentile_disc}
 * (it picks rank {@code ceil(p * n)}, as the library does). The final {@code SELECT} returns the figures only
 * (about 80 rows).
 *
 * <p>Chosen by {@code EXPLAIN ANALYZE} among variants, on the busy 2-core machine of the results. On 10,000,000 events
 * (last full month: 3,260,870): this one 10.9 s; the sums in one pass (the user set as a fourth grouping set) 12.4 s,
 * because PostgreSQL will not hash a grouping set whose estimated state exceeds {@code work_mem} (the per-user set,
 * with {@code SUM(bigint)}'s 8 kB default state estimate) and sorts the 3.3 million rows for it instead; the events
 * materialized once in a CTE for every pass was slower still at 1,000,000 (2.4–2.6 s against 1.3–1.5 s). At 10,000,000
 * every variant's plan crosses {@code jit_optimize_above_cost}: JIT compilation takes 2.5–4.9 s of each (the server's
 * default {@code jit=on}, as for the library's statements).
 */
final class HandQuery {

  static final String SQL = """
      WITH u AS MATERIALIZED (
        SELECT s.*, COALESCE(q.tier, ?) AS tier
        FROM (SELECT user_id, COUNT(*) AS n, SUM(CASE WHEN success THEN 0 ELSE 1 END) AS nf, SUM(characters) AS ch,
                     SUM(requests) AS rq, SUM(input_tokens + output_tokens) AS tk,
                     COUNT(processing_time_ms) AS nt, SUM(processing_time_ms) AS spt
              FROM usage_tracking WHERE occurred_at >= ? AND occurred_at < ? GROUP BY user_id) s
        LEFT JOIN user_quotas q ON q.user_id = s.user_id
      ), g AS MATERIALIZED (
        SELECT GROUPING(f, ep, ec, hd) AS gid, f, ep, ec, hd,
               COUNT(*) AS n, SUM(failed) AS nf, SUM(ch) AS ch, SUM(rq) AS rq, SUM(tk) AS tk
        FROM (SELECT t.feature_used AS f, COALESCE(t.endpoint, '') AS ep,
               CASE WHEN t.success THEN NULL ELSE COALESCE(t.error_code, '') END AS ec,
               date_part('hour', t.occurred_at AT TIME ZONE 'UTC')::int * 8 + date_part('isodow', t.occurred_at AT TIME ZONE 'UTC')::int AS hd,
               CASE WHEN t.success THEN 0 ELSE 1 END AS failed, t.characters AS ch, t.requests AS rq,
               t.input_tokens + t.output_tokens AS tk
              FROM usage_tracking t WHERE t.occurred_at >= ? AND t.occurred_at < ?) e
        GROUP BY GROUPING SETS ((f, ep), (ec), (hd))
      )
      SELECT 'total' AS kind, NULL AS k1, NULL AS k2, SUM(n), SUM(nf), COUNT(*), SUM(ch), SUM(rq), SUM(tk), SUM(nt),
             SUM(spt), NULL::numeric AS p50, NULL::numeric AS p95, NULL::numeric AS p99 FROM u
      UNION ALL
      SELECT 'tier', tier, NULL, SUM(n), SUM(nf), COUNT(*), SUM(ch), SUM(rq), SUM(tk), SUM(nt), SUM(spt), NULL, NULL, NULL
        FROM u GROUP BY tier
      UNION ALL
      SELECT 'fe', f, ep, n, nf, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM g WHERE gid = 3
      UNION ALL
      SELECT 'ec', ec, NULL, NULL, nf, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM g WHERE gid = 13 AND ec IS NOT NULL
      UNION ALL
      SELECT 'hour', (hd / 8)::text, NULL, SUM(n), SUM(nf), NULL, SUM(ch), SUM(rq), SUM(tk), NULL, NULL, NULL, NULL, NULL
        FROM g WHERE gid = 14 GROUP BY hd / 8
      UNION ALL
      SELECT 'dow', (hd % 8)::text, NULL, SUM(n), SUM(nf), NULL, SUM(ch), SUM(rq), SUM(tk), NULL, NULL, NULL, NULL, NULL
        FROM g WHERE gid = 14 GROUP BY hd % 8
      UNION ALL
      (SELECT 'top', user_id, NULL, n, nf, 1, ch, rq, tk, nt, spt, NULL, NULL, NULL FROM u WHERE ch > 0
        ORDER BY ch DESC, user_id COLLATE "C" LIMIT 10)
      UNION ALL
      SELECT 'lat', ep, NULL, NULL, NULL, NULL, NULL, NULL, NULL, nt, NULL, p[1], p[2], p[3]
        FROM (SELECT COALESCE(t.endpoint, '') AS ep, COUNT(*) AS nt,
                     percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY t.processing_time_ms) AS p
              FROM usage_tracking t WHERE t.occurred_at >= ? AND t.occurred_at < ?
                AND t.processing_time_ms IS NOT NULL GROUP BY 1) l
      """;

  private HandQuery() {}

  /** Runs the statement on {@code c} and reads its figures as the library's record ({@code generatedAt} given). */
  static SystemAnalytics run(Connection c, TimeRange range, String defaultTier, Instant generatedAt) throws SQLException {
    EventTotals totals = EventTotals.NONE;
    SortedMap<String, EventTotals> byTier = new TreeMap<>();
    List<FailureRate> failures = new ArrayList<>();
    SortedMap<String, Long> errorCodes = new TreeMap<>();
    List<EndpointLatency> latency = new ArrayList<>();
    List<UsageCounts> hours = new ArrayList<>(Collections.nCopies(24, UsageCounts.NONE));
    List<UsageCounts> days = new ArrayList<>(Collections.nCopies(7, UsageCounts.NONE));
    List<UserTotals> top = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement(SQL)) {
      bind(p, range, defaultTier);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          String kind = rs.getString(1);
          switch (kind) {
            case "total" -> totals = rs.getLong(4) == 0 ? EventTotals.NONE : totals(rs);
            case "tier" -> byTier.put(rs.getString(2), totals(rs));
            case "fe" -> failures.add(new FailureRate(rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5)));
            case "ec" -> errorCodes.put(rs.getString(2), rs.getLong(5));
            case "hour" -> hours.set(Integer.parseInt(rs.getString(2)), counts(rs));
            case "dow" -> days.set(Integer.parseInt(rs.getString(2)) - 1, counts(rs));
            case "top" -> top.add(new UserTotals(rs.getString(2), totals(rs)));
            case "lat" -> latency.add(new EndpointLatency(rs.getString(2), rs.getLong(10), millis(rs.getBigDecimal(12)),
                millis(rs.getBigDecimal(13)), millis(rs.getBigDecimal(14))));
            default -> throw new IllegalStateException("unknown row kind " + kind);
          }
        }
      }
    }
    // the statement's LIMIT picked the ten; UNION ALL does not promise their order
    top.sort(Comparator.comparing((UserTotals t) -> t.totals().units(QuotaType.CHARACTERS)).reversed()
        .thenComparing(UserTotals::userId));
    failures.sort(Comparator.comparingDouble(FailureRate::errorRate).reversed()
        .thenComparing(FailureRate::feature).thenComparing(FailureRate::endpoint));
    latency.sort(Comparator.comparing(EndpointLatency::p95).reversed().thenComparing(EndpointLatency::endpoint));
    return new SystemAnalytics(range, ZoneId.of("UTC"), totals, byTier, failures, errorCodes, latency, hours, days, top,
        QuotaType.CHARACTERS, generatedAt);
  }

  /** Binds the statement's parameters: the default tier, then the range for each of the three passes. */
  static void bind(PreparedStatement p, TimeRange range, String defaultTier) throws SQLException {
    p.setString(1, defaultTier);
    for (int i = 2; i <= 6; i += 2) {
      p.setTimestamp(i, Timestamp.from(range.from()));
      p.setTimestamp(i + 1, Timestamp.from(range.to()));
    }
  }

  private static EventTotals totals(ResultSet rs) throws SQLException {
    return new EventTotals(rs.getLong(4), rs.getLong(5), rs.getLong(6), units(rs), rs.getLong(10),
        millis(rs.getBigDecimal(11)));
  }

  private static UsageCounts counts(ResultSet rs) throws SQLException {
    return new UsageCounts(rs.getLong(4), rs.getLong(5), units(rs));
  }

  private static Map<QuotaType, Long> units(ResultSet rs) throws SQLException {
    return Map.of(QuotaType.CHARACTERS, rs.getLong(7), QuotaType.REQUESTS, rs.getLong(8), QuotaType.TOKENS,
        rs.getLong(9));
  }

  /** Milliseconds (scale 3) as a duration to the microsecond; null: zero. */
  private static Duration millis(BigDecimal ms) {
    return ms == null ? Duration.ZERO : Duration.ofNanos(ms.movePointRight(3).longValueExact() * 1_000);
  }
}
