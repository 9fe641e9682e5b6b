package dev.usage.spring.actuate;

import dev.usage.QuotaStatus;
import dev.usage.SystemUsage;
import dev.usage.TrackingStats;
import dev.usage.UsageTrackingService;
import dev.usage.UserUsage;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code usage} actuator endpoint: {@code GET /actuator/usage} gives the tracking pipeline's counters
 * and the system totals of the current calendar month; {@code GET /actuator/usage/{userId}} one user's tier
 * and quota status. Exposed like any endpoint ({@code management.endpoints.web.exposure.include=usage}).
 */
@Endpoint(id = "usage")
public class UsageEndpoint {

  private final UsageTrackingService tracking;
  private final Clock clock;
  private final ZoneId zone;

  /**
   * @param tracking the engine's tracking service
   * @param clock the clock that says which month is current
   * @param zone the zone of the month
   */
  public UsageEndpoint(UsageTrackingService tracking, Clock clock, ZoneId zone) {
    this.tracking = tracking;
    this.clock = clock;
    this.zone = zone;
  }

  /** The pipeline's counters and this month's totals. */
  @ReadOperation
  public Map<String, Object> summary() {
    LocalDate today = LocalDate.now(clock.withZone(zone));
    Instant from = today.withDayOfMonth(1).atStartOfDay(zone).toInstant();
    Instant to = today.withDayOfMonth(1).plusMonths(1).atStartOfDay(zone).toInstant();
    SystemUsage month = tracking.getSystemUsage(from, to);
    TrackingStats stats = tracking.trackingStats();
    Map<String, Object> tracked = new LinkedHashMap<>();
    tracked.put("accepted", stats.accepted());
    tracked.put("written", stats.written());
    tracked.put("dropped", stats.dropped());
    tracked.put("failed", stats.failed());
    tracked.put("rejected", stats.rejected());
    tracked.put("pending", stats.pending());
    Map<String, Object> totals = new LinkedHashMap<>();
    month.totals().forEach((type, n) -> totals.put(type.name(), n));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("from", from.toString());
    m.put("to", to.toString());
    m.put("events", month.events());
    m.put("failedEvents", month.failedEvents());
    m.put("activeUsers", month.activeUsers());
    m.put("totals", totals);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tracking", tracked);
    out.put("month", m);
    return out;
  }

  /** One user's tier and quota status in the current periods. */
  @ReadOperation
  public Map<String, Object> user(@Selector String userId) {
    UserUsage usage = tracking.getUserUsage(userId);
    List<Map<String, Object>> quotas = usage.quotas().stream().map(UsageEndpoint::status).toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("userId", userId);
    out.put("tier", usage.tier());
    out.put("quotas", quotas);
    return out;
  }

  private static Map<String, Object> status(QuotaStatus s) {
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("type", s.type().name());
    q.put("limit", s.isUnlimited() ? null : s.limit());
    q.put("used", s.used());
    q.put("reserved", s.reserved());
    q.put("remaining", s.isUnlimited() ? null : s.remaining());
    q.put("period", s.period().name());
    q.put("periodStart", s.periodStart().toString());
    q.put("resetAt", s.resetAt().toString());
    q.put("level", s.level().name());
    q.put("enforcement", s.enforcement().name());
    return q;
  }
}
