package dev.usage.internal;

import dev.usage.AuditEntry;
import dev.usage.Consumption;
import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaDecision;
import dev.usage.QuotaManagementService;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.UsageStorageException;
import dev.usage.PeriodUsage;
import dev.usage.ResetReport;
import dev.usage.UserQuota;
import dev.usage.spi.PeriodHistoryStore;
import dev.usage.spi.UsageStorage;
import dev.usage.spi.UserQuotaStore;
import java.time.Duration;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Quota settings with an audit trail. Each change is a read, a pure modification and a versioned save
 * that appends the audit entry atomically; a concurrent change makes the save miss and the whole step
 * is retried on fresh data. Thread-safe.
 */
public final class DefaultQuotaManagementService implements QuotaManagementService {

  private static final int MAX_ATTEMPTS = 16;
  /** Most users one {@link #updateQuotas} call changes. */
  public static final int MAX_BULK_USERS = 10_000;

  private final QuotaEngine engine;
  private final UserQuotaStore store;
  private final PeriodHistoryStore history;
  private final PeriodCloser closer;
  private final Clock clock;

  /** @param reminderLead when the reset job tells of monthly periods ending within it (reset reminders), that lead */
  public DefaultQuotaManagementService(QuotaEngine engine, UsageStorage storage, EngineSettings settings,
      Optional<Duration> reminderLead) {
    this.engine = engine;
    this.store = storage.userQuotas();
    this.history = storage.history();
    this.closer = new PeriodCloser(storage.counters(), storage.history(), engine, settings, reminderLead);
    this.clock = settings.clock();
  }

  @Override
  public UserQuota initializeUserQuotas(String userId, String tier, String actor) {
    Checks.id("userId", userId);
    requireTier(tier);
    Checks.id("actor", actor);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Optional<UserQuota> current = QuotaEngine.store(() -> store.find(userId));
      if (current.isPresent()) {
        return current.get();
      }
      UserQuota next = engine.defaults(userId).withTier(tier);
      AuditEntry entry = new AuditEntry(clock.instant(), actor, userId, "initialize", Optional.empty(), "-",
          "tier=" + tier, "initialize");
      Optional<UserQuota> saved = QuotaEngine.store(() -> store.save(next, entry));
      engine.settingsChanged(userId);
      if (saved.isPresent()) {
        engine.tellSettingsChanged(userId, entry);
        return saved.get();
      }
    }
    throw new UsageStorageException("settings of user '" + userId + "' kept changing; gave up after " + MAX_ATTEMPTS);
  }

  @Override
  public UserQuota getUserQuota(String userId) {
    return engine.userQuota(userId);
  }

  @Override
  public UserQuota updateQuota(String userId, Quota override, String actor, String reason) {
    Checks.notNull("quota", override);
    return change(userId, actor, reason, "override", Optional.of(override.type()),
        u -> u.withOverride(override), u -> describe(engine.plan().effective(u).get(override.type())));
  }

  @Override
  public List<UserQuota> updateQuotas(List<String> userIds, Quota override, String actor, String reason) {
    Checks.noNullElements("userIds", userIds);
    if (userIds.size() > MAX_BULK_USERS) {
      throw new InvalidUsageException("userIds", "at most " + MAX_BULK_USERS + " users at once, were " + userIds.size());
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < userIds.size(); i++) {
      Checks.id("userIds[" + i + "]", userIds.get(i));
      if (!seen.add(userIds.get(i))) {
        throw new InvalidUsageException("userIds[" + i + "]", "repeats " + userIds.get(i));
      }
    }
    Checks.notNull("quota", override);
    Checks.id("actor", actor);
    Checks.text("reason", reason, Checks.MAX_TEXT_LENGTH);
    List<UserQuota> out = new ArrayList<>(userIds.size());
    for (int i = 0; i < userIds.size(); i++) {
      try {
        out.add(updateQuota(userIds.get(i), override, actor, reason));
      } catch (UsageStorageException e) {
        throw new UsageStorageException("bulk update stopped at userIds[" + i + "] (" + userIds.get(i) + "); the "
            + i + " users before it were updated, and running it again applies the rest: " + e.getMessage(), e);
      }
    }
    return out;
  }

  @Override
  public UserQuota removeQuotaOverride(String userId, QuotaType type, String actor, String reason) {
    Checks.notNull("quotaType", type);
    return change(userId, actor, reason, "remove-override", Optional.of(type),
        u -> u.withoutOverride(type), u -> describe(engine.plan().effective(u).get(type)));
  }

  @Override
  public UserQuota changeTier(String userId, String tier, String actor, String reason) {
    requireTier(tier);
    return change(userId, actor, reason, "change-tier", Optional.empty(), u -> u.withTier(tier), UserQuota::tier);
  }

  @Override
  public UserQuota changeBillingCycle(String userId, ZoneId zone, int billingAnchorDay, String actor, String reason) {
    Checks.notNull("zone", zone);
    if (billingAnchorDay < 1 || billingAnchorDay > 31) {
      throw new InvalidUsageException("billingAnchorDay", "must be within 1..31, was " + billingAnchorDay);
    }
    return change(userId, actor, reason, "billing-cycle", Optional.empty(),
        u -> u.withZone(zone).withBillingAnchorDay(billingAnchorDay),
        u -> "zone=" + u.zone() + " anchorDay=" + u.billingAnchorDay());
  }

  @Override
  public ResetReport resetMonthlyQuotas() {
    return closer.closeFinishedPeriods();
  }

  @Override
  public List<PeriodUsage> getQuotaHistory(String userId) {
    Checks.id("userId", userId);
    return QuotaEngine.store(() -> history.history(userId));
  }

  @Override
  public List<AuditEntry> auditTrail(String userId) {
    Checks.id("userId", userId);
    return QuotaEngine.store(() -> store.auditTrail(userId));
  }

  @Override
  public List<QuotaStatus> getQuotaStatus(String userId) {
    return engine.statuses(userId);
  }

  @Override
  public QuotaDecision enforceQuotaLimits(Consumption request) {
    return tryEnforceQuotaLimits(request).orThrow();
  }

  @Override
  public QuotaDecision tryEnforceQuotaLimits(Consumption request) {
    return engine.consume(Checks.notNull("request", request), false);
  }

  private UserQuota change(String userId, String actor, String reason, String action, Optional<QuotaType> type,
      UnaryOperator<UserQuota> modification, Function<UserQuota, String> render) {
    Checks.id("userId", userId);
    Checks.id("actor", actor);
    Checks.text("reason", reason, Checks.MAX_TEXT_LENGTH);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Optional<UserQuota> current = QuotaEngine.store(() -> store.find(userId));
      UserQuota before = current.orElseGet(() -> engine.defaults(userId));
      UserQuota after = modification.apply(before);
      if (current.isPresent() && after.equals(before)) {
        return before;
      }
      AuditEntry entry = new AuditEntry(clock.instant(), actor, userId, action, type, render.apply(before),
          render.apply(after), reason);
      Optional<UserQuota> saved = QuotaEngine.store(() -> store.save(after, entry));
      engine.settingsChanged(userId);
      if (saved.isPresent()) {
        engine.tellSettingsChanged(userId, entry);
        return saved.get();
      }
    }
    throw new UsageStorageException("settings of user '" + userId + "' kept changing; gave up after " + MAX_ATTEMPTS);
  }

  private void requireTier(String tier) {
    Checks.name("tier", tier);
    if (!engine.plan().hasTier(tier)) {
      throw new InvalidUsageException("tier", "no tier named '" + tier + "' is configured; known: "
          + engine.plan().tiers().keySet());
    }
  }

  private static String describe(Quota q) {
    if (q == null) {
      return "none";
    }
    return (q.isUnlimited() ? "unlimited" : q.limit()) + "/" + q.period().name().toLowerCase(java.util.Locale.ROOT)
        + " " + q.enforcement().name().toLowerCase(java.util.Locale.ROOT);
  }
}
