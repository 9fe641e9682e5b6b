package dev.usage.example.api;

import dev.usage.ChangeRequest;
import dev.usage.EventTotals;
import dev.usage.InvalidUsageException;
import dev.usage.Pricing;
import dev.usage.Quota;
import dev.usage.QuotaType;
import dev.usage.SystemAnalytics;
import dev.usage.UsageEngine;
import dev.usage.UserQuota;
import dev.usage.UserUsage;
import dev.usage.example.DemoUsers;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/admin/*} (ADMIN role): the system's usage and analytics, the most active users, and quota
 * changes for one user or many, each audited with the signed-in admin as actor. Days are UTC; {@code from}
 * and {@code to} are inclusive and default to the 30 days ending today.
 */
@RestController
@RequestMapping("/api/admin")
@Tag(name = "admin", description = "System usage, analytics and quota changes (ADMIN role)")
public class AdminController {

  private static final ZoneId UTC = ZoneId.of("UTC");

  private final UsageEngine engine;
  private final DemoUsers demoUsers;
  private final Pricing pricing;
  private final Clock clock;
  private final RecentAlerts alerts;

  public AdminController(UsageEngine engine, DemoUsers demoUsers, ObjectProvider<Pricing> pricing,
      ObjectProvider<Clock> clock, RecentAlerts alerts) {
    this.engine = engine;
    this.alerts = alerts;
    this.demoUsers = demoUsers;
    this.pricing = pricing.getIfAvailable(DemoPricing::standard);
    this.clock = clock.getIfUnique(Clock::systemUTC);
  }

  /** Totals over every user's events in the range. */
  @GetMapping("/usage/system")
  @Operation(summary = "Totals over every user's events in the range")
  public SystemUsageView system(
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
    DayRange days = DayRange.of(from, to, clock);
    return SystemUsageView.of(engine.analytics().getSystemUsage(days.timeRange().from(), days.timeRange().to()));
  }

  /**
   * The users with the most units of {@code by} in the range, most first, each with their tier and quotas;
   * then the demo users without usage, so that an admin can pick them too.
   */
  @GetMapping("/usage/users")
  @Operation(summary = "The most active users in the range, with their tier and quotas (demo users always listed)")
  public List<ActiveUser> users(
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
      @Parameter(description = "the quota type ranked by") @RequestParam(defaultValue = "requests") @Pattern(regexp = QuotaChangeRequest.TYPE, message = "must be a quota type's name") String by,
      @Parameter(description = "1 to 500") @RequestParam(defaultValue = "50") @Min(value = 1, message = "must be at least 1") @Max(value = 500, message = "must be at most 500") int limit) {
    DayRange days = DayRange.of(from, to, clock);
    SystemAnalytics a = engine.analytics().getSystemAnalytics(days.timeRange(), UTC, QuotaType.of(by), limit);
    Map<String, EventTotals> totals = new LinkedHashMap<>();
    a.topUsers().forEach(u -> totals.put(u.userId(), u.totals()));
    new TreeMap<>(demoUsers.users()).keySet().forEach(id -> totals.putIfAbsent(id, EventTotals.NONE));
    List<ActiveUser> users = new ArrayList<>();
    totals.forEach((id, t) -> {
      UserUsage usage = engine.tracking().getUserUsage(id);
      users.add(new ActiveUser(id, usage.tier(), TotalsView.of(t), usage.quotas().stream().map(QuotaView::of).toList()));
    });
    return users;
  }

  /**
   * Changes one user's tier and/or monthly per-user limits ({@code -1} removes a type's override). Every
   * part is checked before the first is applied (types, amounts, request ids), and the tier, which the
   * engine checks, goes first; so bad input changes nothing. Each part is applied and audited on its own,
   * under a request id derived from the caller's: should the store fail half-way, a retry with the same
   * {@code requestId} applies the rest once.
   */
  @PutMapping("/quota/user/{id}")
  @Operation(summary = "Change one user's tier and/or monthly limits (-1 removes an override)")
  public QuotaSettings changeUser(Authentication auth,
      @PathVariable @Size(max = 128, message = "must be at most {max} characters") String id,
      @Valid @RequestBody UserQuotaChange request) {
    if (request.tier() == null && request.limits().isEmpty()) {
      throw new InvalidUsageException("tier", "give a tier or limits, or both");
    }
    ChangeRequest tierChange = change(auth, request, "tier");
    // removals first: a user may have only so many overrides (UserQuota.MAX_OVERRIDES), checked below too
    List<Runnable> removals = new ArrayList<>();
    List<Runnable> limitChanges = new ArrayList<>();
    Set<QuotaType> overrides = new HashSet<>(engine.quotas().getUserQuota(id).overrides().keySet());
    boolean adds = false;
    for (Map.Entry<String, Long> e : new TreeMap<>(request.limits()).entrySet()) {
      QuotaType type = QuotaType.of(e.getKey());
      ChangeRequest change = change(auth, request, "limit:" + type.name());
      if (e.getValue() == -1) {
        overrides.remove(type);
        removals.add(() -> engine.quotas().removeQuotaOverride(id, type, change));
      } else {
        Quota quota = Quota.monthly(type, e.getValue());
        adds |= overrides.add(type);
        limitChanges.add(() -> engine.quotas().updateQuota(id, quota, change));
      }
    }
    // as the engine refuses it: a new type past the bound (a user stored with more before it still changes theirs)
    if (adds && overrides.size() > UserQuota.MAX_OVERRIDES) {
      throw new InvalidUsageException("limits", "a user may have at most " + UserQuota.MAX_OVERRIDES
          + " own limits; these would make " + overrides.size());
    }
    limitChanges.addAll(0, removals);
    if (request.tier() != null) {
      engine.quotas().changeTier(id, request.tier(), tierChange);
    }
    limitChanges.forEach(Runnable::run);
    return QuotaSettings.of(engine.quotas().getUserQuota(id), engine.quotas().getQuotaStatus(id));
  }

  /** Sets the same per-user quota for many users. */
  @PostMapping("/quota/bulk")
  @Operation(summary = "Set the same per-user quota for many users")
  public BulkQuotaResult bulk(Authentication auth, @Valid @RequestBody BulkQuotaRequest request) {
    Set<String> distinct = new LinkedHashSet<>(request.userIds());
    if (distinct.size() != request.userIds().size()) {
      throw new InvalidUsageException("userIds", "must not repeat a user id");
    }
    Quota quota = Quota.monthly(QuotaType.of(request.type()), request.limit())
        .withPeriod(QuotaController.period(request.period()));
    return BulkQuotaResult.of(engine.quotas().updateQuotas(request.userIds(), quota,
        QuotaController.change(auth, request.reason(), request.requestId())));
  }

  /**
   * The system's figures over the range, the revenue of the month of {@code to}, the capacity forecast and the
   * newest unusual-usage alerts the hourly job found.
   */
  @GetMapping("/analytics")
  @Operation(summary = "System analytics, revenue of the month of 'to', capacity forecast and the newest unusual-usage alerts")
  public AdminAnalytics analytics(
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
    DayRange days = DayRange.of(from, to, clock);
    return new AdminAnalytics(
        SystemAnalyticsView.of(engine.analytics().getSystemAnalytics(days.timeRange(), UTC,
            QuotaType.REQUESTS, 10)),
        RevenueView.of(engine.analytics().revenue(YearMonth.from(days.to()), pricing)),
        CapacityView.of(engine.analytics().forecastCapacity()),
        alerts.newestFirst().stream().map(AdminAnalytics.Alert::of).toList());
  }

  /** One part of a user change, under its own request id derived from the caller's (a retry applies it once). */
  private static ChangeRequest change(Authentication auth, UserQuotaChange request, String part) {
    return QuotaController.change(auth, request.reason(),
        request.requestId() == null ? null : request.requestId() + ":" + part);
  }
}
