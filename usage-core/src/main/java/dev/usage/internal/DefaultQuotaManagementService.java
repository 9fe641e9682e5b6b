package dev.usage.internal;

import dev.usage.AuditEntry;
import dev.usage.AuditFilter;
import dev.usage.AuditOrder;
import dev.usage.AuditPage;
import dev.usage.AuditQuery;
import dev.usage.AuditVerification;
import dev.usage.ChangeRequest;
import dev.usage.Consumption;
import dev.usage.ExportFormat;
import dev.usage.IdempotencyConflictException;
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
import java.io.OutputStream;
import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Quota settings with an audit trail. Each change is a read, a pure modification and a versioned save
 * that appends the audit entry atomically; a concurrent change makes the save miss and the whole step
 * is retried on fresh data. Thread-safe.
 *
 * <p>A request id is looked up in the user's trail before the change (a repeat returns the current settings, a
 * different change under it is a conflict); the store checks it again inside the save, so two calls racing with
 * one id make one change: the loser's save misses, and its retry finds the winner's entry. With the hash chain
 * on, the user's newest entry is read after the settings: the save's version check fails if another change came
 * in between, so each entry names the hash of the entry really before it without any lock.
 */
public final class DefaultQuotaManagementService implements QuotaManagementService {

  private static final int MAX_ATTEMPTS = 16;
  /** Longer than any period, a DST or zone change included. */
  private static final Duration MONTH_AND_A_DAY = Duration.ofDays(32);
  /** Most users one {@link #updateQuotas} call changes. */
  public static final int MAX_BULK_USERS = 10_000;
  /** The most quotas of one user reset within a month (what every store keeps is bounded). */
  static final int MAX_RESETS = 14;

  private final QuotaEngine engine;
  private final UserQuotaStore store;
  private final PeriodHistoryStore history;
  private final PeriodCloser closer;
  private final Clock clock;
  private final Duration settleDelay;
  private final Duration counterRetention;
  private final boolean hashChain;
  private final AuditTrailReader trails;
  private final Optional<Notifier> notifier;

  /**
   * @param reminderLead when the reset job tells of monthly periods ending within it (reset reminders), that lead
   * @param hashChain whether audit entries are chained by hashes (tamper evidence)
   * @param notifier the engine's notifications, if any (told of periods a billing-cycle change moves)
   */
  public DefaultQuotaManagementService(QuotaEngine engine, UsageStorage storage, EngineSettings settings,
      Optional<Duration> reminderLead, boolean hashChain, Optional<Notifier> notifier) {
    this.engine = engine;
    this.notifier = notifier;
    this.store = storage.userQuotas();
    this.history = storage.history();
    this.closer = new PeriodCloser(storage.counters(), storage.history(), engine, settings, reminderLead,
        this::applyDueChange);
    this.clock = settings.clock();
    this.settleDelay = PeriodCloser.settleDelay(settings);
    this.counterRetention = settings.counterRetention();
    this.hashChain = hashChain;
    this.trails = new AuditTrailReader(store);
  }

  @Override
  public UserQuota initializeUserQuotas(String userId, String tier, String actor) {
    Checks.id("userId", userId);
    requireTier(tier);
    Checks.id("actor", actor);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Optional<UserQuota> current = QuotaEngine.store(() -> store.find(userId));
      if (current.isPresent()) {
        return current.get().asOf(clock.instant()); // as they apply now, as getUserQuota shows them
      }
      UserQuota next = engine.defaults(userId).withTier(tier);
      AuditEntry entry = chained(new AuditEntry(now(), actor, userId, "initialize", Optional.empty(), "-",
          "tier=" + tier, "initialize"));
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
  public UserQuota updateQuota(String userId, Quota override, ChangeRequest request) {
    Checks.notNull("quota", override);
    Rollovers.requireCarryInTime(override, settleDelay, "override");
    return change(userId, request, "override", Optional.of(override.type()), Optional.of(describe(override)),
        u -> {
          if (!u.overrides().containsKey(override.type()) && u.overrides().size() >= UserQuota.MAX_OVERRIDES) {
            throw new InvalidUsageException("quota", "user '" + userId + "' has " + u.overrides().size()
                + " overrides, the most one user may have; remove one (removeQuotaOverride) first");
          }
          return u.withOverride(override);
        }, u -> describe(engine.plan().effective(u).get(override.type())));
  }

  @Override
  public List<UserQuota> updateQuotas(List<String> userIds, Quota override, ChangeRequest request) {
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
    Rollovers.requireCarryInTime(override, settleDelay, "override");
    Checks.notNull("request", request);
    List<UserQuota> out = new ArrayList<>(userIds.size());
    for (int i = 0; i < userIds.size(); i++) {
      try {
        out.add(updateQuota(userIds.get(i), override, request));
      } catch (InvalidUsageException e) {
        // arguments were checked above: this is the user's own state (as many overrides as a user may have)
        InvalidUsageException named = new InvalidUsageException("userIds[" + i + "]", userIds.get(i) + " was refused ("
            + e.getMessage() + "); the " + i + " users before it were updated: leave this user out, or remove one of"
            + " their overrides, and run it again to apply the rest");
        named.initCause(e);
        throw named;
      } catch (UsageStorageException e) {
        throw new UsageStorageException("bulk update stopped at userIds[" + i + "] (" + userIds.get(i) + "); the "
            + i + " users before it were updated, and running it again applies the rest: " + e.getMessage(), e);
      }
    }
    return out;
  }

  @Override
  public UserQuota removeQuotaOverride(String userId, QuotaType type, ChangeRequest request) {
    Checks.notNull("quotaType", type);
    // what the user falls back to depends on their tier at the time: a repeat is the same request whatever it is
    return change(userId, request, "remove-override", Optional.of(type), Optional.empty(),
        u -> u.withoutOverride(type), u -> describe(engine.plan().effective(u).get(type)));
  }

  @Override
  public UserQuota changeTier(String userId, String tier, ChangeRequest request) {
    requireTier(tier);
    return change(userId, request, "change-tier", Optional.empty(), Optional.of(tier),
        u -> u.withTier(tier).withScheduled(Optional.empty()),
        // the old value names a scheduled change this one drops (the new value never has one: a repeat compares it)
        u -> u.tier() + u.scheduled().map(c -> " (scheduled: " + scheduled(u) + ")").orElse(""));
  }

  @Override
  public UserQuota changeTierAtNextPeriod(String userId, String tier, ChangeRequest request) {
    requireTier(tier);
    return change(userId, request, "schedule-tier", Optional.empty(), Optional.of("tier=" + tier),
        u -> nextPeriodChange(u.withScheduled(Optional.of(new dev.usage.TierChange(tier, clock.instant())))),
        DefaultQuotaManagementService::scheduled);
  }

  @Override
  public UserQuota cancelScheduledTierChange(String userId, ChangeRequest request) {
    return change(userId, request, "cancel-scheduled-tier", Optional.empty(), Optional.empty(),
        u -> u.withScheduled(Optional.empty()), DefaultQuotaManagementService::scheduled);
  }

  @Override
  public UserQuota resetUsage(String userId, QuotaType type, ChangeRequest request) {
    Checks.notNull("quotaType", type);
    return change(userId, request, "reset-usage", Optional.of(type), Optional.empty(), u -> {
      Quota q = engine.plan().effective(u).get(type);
      if (q == null) {
        throw new InvalidUsageException("quotaType", "user '" + userId + "' has no " + type.name() + " quota");
      }
      Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
      PeriodWindow w = Periods.compute(q.period(), now, u.zone(), u.billingAnchorDay());
      // a reset of a period that began over a month (the longest period) and the settle delay ago no longer matters,
      // whatever the quota's period is now: dropped, so that what a store keeps stays bounded
      Instant stale = now.minus(MONTH_AND_A_DAY).minus(settleDelay);
      Map<QuotaType, dev.usage.UsageReset> current = new java.util.HashMap<>();
      u.resets().forEach((t, r) -> {
        if (r.periodStart().isAfter(stale)) {
          current.put(t, r);
        }
      });
      if (!current.containsKey(type) && current.size() >= MAX_RESETS) {
        throw new InvalidUsageException("quotaType", "user '" + userId + "' has " + current.size()
            + " quotas reset within the last month, the most one user may have");
      }
      UserQuota kept = new UserQuota(u.userId(), u.tier(), u.overrides(), u.zone(), u.billingAnchorDay(), u.version(),
          u.scheduled(), current, u.earlier());
      return kept.withReset(new dev.usage.UsageReset(type, w.start(), engine.counted(userId, type, w), now));
    }, u -> Optional.ofNullable(u.resets().get(type))
        .map(r -> r.units() + " units of the period from " + r.periodStart() + " reset at " + r.at()).orElse("-"));
  }

  /**
   * Records a scheduled tier change that is due in the user's stored settings (the engine applies it from its
   * instant whether or not this ran). Called by the reset job once the user's periods before the change are closed
   * ({@link PeriodCloser}); until then the change stays scheduled in the stored settings, so that each of those
   * periods is closed with the tier it had.
   */
  void applyDueChange(UserQuota stored) {
    Instant now = clock.instant();
    if (stored.scheduled().filter(c -> !c.effectiveAt().isAfter(now)).isEmpty()) {
      return; // none scheduled, or not due yet
    }
    change(stored.userId(), ChangeRequest.of("usage-engine", "the scheduled tier change took effect"),
        "apply-scheduled-tier", Optional.empty(), Optional.empty(), u -> u, UserQuota::tier, true);
  }

  /** A scheduled tier change as the audit trail shows it. */
  private static String scheduled(UserQuota u) {
    return u.scheduled().map(c -> "tier=" + c.tier() + " from " + c.effectiveAt()).orElse("-");
  }

  @Override
  public UserQuota changeBillingCycle(String userId, ZoneId zone, int billingAnchorDay, ChangeRequest request) {
    Checks.notNull("zone", zone);
    if (billingAnchorDay < 1 || billingAnchorDay > 31) {
      throw new InvalidUsageException("billingAnchorDay", "must be within 1..31, was " + billingAnchorDay);
    }
    // a tier change scheduled for the next period moves with the cycle: both values name it
    Function<UserQuota, String> render = u -> "zone=" + u.zone() + " anchorDay=" + u.billingAnchorDay()
        + u.scheduled().map(c -> " (scheduled: " + scheduled(u) + ")").orElse("");
    return change(userId, request, "billing-cycle", Optional.empty(),
        Optional.of("zone=" + zone + " anchorDay=" + billingAnchorDay),
        u -> keepNotified(u, keepResets(u, nextPeriodChange(u.withZone(zone).withBillingAnchorDay(billingAnchorDay)))),
        render);
  }

  /**
   * {@code after}; first tells the notifier of {@code before}'s current periods that go on in the new cycle from
   * another first instant (see {@link #keepResets}), so that what was told of them is not told again. Told on the
   * listener thread, after the changes told before (a threshold a consume just crossed is claimed under the old
   * start first) and before the settings change that follows the save. A change not saved after all leaves claims
   * under starts the user's periods do not have, which nothing looks up.
   */
  private UserQuota keepNotified(UserQuota before, UserQuota after) {
    if (notifier.isEmpty()) {
      return after;
    }
    Notifier n = notifier.get();
    Instant now = clock.instant();
    for (Quota q : engine.plan().effective(before.asOf(now)).values()) {
      PeriodWindow was = Periods.compute(q.period(), now, before.zone(), before.billingAnchorDay());
      PeriodWindow is = Periods.compute(q.period(), now, after.zone(), after.billingAnchorDay());
      if (is.id().equals(was.id()) && !is.start().equals(was.start())) {
        engine.publish(l -> {
          if (l == n) {
            n.periodMoved(before.userId(), q.type(), q.period(), was.start(), is.start(), is.end());
          }
        });
      }
    }
    return after;
  }

  /**
   * {@code u} with its scheduled tier change, if any, at the end of its current monthly period in its (new) cycle:
   * a change scheduled for the next period moves with the boundary (left at the old cycle's instant, it would
   * land inside a period, and the tier enforced for the rest of it would not be the one it is closed with).
   */
  private UserQuota nextPeriodChange(UserQuota u) {
    return u.scheduled().map(c -> u.withScheduled(Optional.of(new dev.usage.TierChange(c.tier(),
        Periods.compute(dev.usage.QuotaPeriod.MONTH, clock.instant(), u.zone(), u.billingAnchorDay()).end()))))
        .orElse(u);
  }

  /**
   * {@code after} with the resets of {@code before}'s current periods that go on in the new cycle moved to where
   * those periods now start. A zone change keeps a period's counter (its id is the local date) but moves its first
   * instant, by which a reset is found: left as it was, the reset would no longer apply and the units it forgave
   * would count again.
   */
  private UserQuota keepResets(UserQuota before, UserQuota after) {
    Instant now = clock.instant();
    Map<QuotaType, Quota> effective = engine.plan().effective(before.asOf(now));
    UserQuota out = after;
    for (dev.usage.UsageReset r : before.resets().values()) {
      Quota q = effective.get(r.type());
      if (q == null) {
        continue;
      }
      PeriodWindow was = Periods.compute(q.period(), now, before.zone(), before.billingAnchorDay());
      PeriodWindow is = Periods.compute(q.period(), now, after.zone(), after.billingAnchorDay());
      if (r.periodStart().equals(was.start()) && is.id().equals(was.id()) && !is.start().equals(was.start())) {
        out = out.withReset(new dev.usage.UsageReset(r.type(), is.start(), r.units(), r.at()));
      }
    }
    return out;
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
  public AuditPage findAuditEntries(AuditQuery query) {
    return trails.find(query);
  }

  @Override
  public long exportAuditTrail(AuditFilter filter, AuditOrder order, ExportFormat format, OutputStream out) {
    return trails.export(filter, order, format, out);
  }

  @Override
  public AuditVerification verifyAuditTrail(String userId) {
    return trails.verify(userId);
  }

  @Override
  public AuditVerification verifyAuditTrails() {
    return trails.verifyAll();
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

  /**
   * One audited change. {@code requested} is the value a repeat of the request must ask for again (compared
   * with the recorded entry's new value); empty where the request alone names the change.
   */
  private UserQuota change(String userId, ChangeRequest request, String action, Optional<QuotaType> type,
      Optional<String> requested, UnaryOperator<UserQuota> modification, Function<UserQuota, String> render) {
    return change(userId, request, action, type, requested, modification, render, false);
  }

  /**
   * Applies {@code modification} to the user's settings as they apply now, and saves the result with its audit
   * entry. A scheduled tier change that is due stays scheduled in the stored settings unless the modification
   * changes the tier or the schedule, or {@code recordDue} (the reset job's recording, once the periods before the
   * change are closed).
   */
  private UserQuota change(String userId, ChangeRequest request, String action, Optional<QuotaType> type,
      Optional<String> requested, UnaryOperator<UserQuota> modification, Function<UserQuota, String> render,
      boolean recordDue) {
    Checks.id("userId", userId);
    Checks.notNull("request", request);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      Optional<UserQuota> current = QuotaEngine.store(() -> store.find(userId));
      if (request.requestId().isPresent()) {
        Optional<AuditEntry> done = trails.byRequestId(userId, request.requestId().get());
        if (done.isPresent()) {
          AuditEntry e = done.get();
          // a scheduled change's value names its instant, which a repeat after the boundary computes anew; a
          // billing-cycle change's names the scheduled change it moved
          if (!e.action().equals(action) || !e.quotaType().equals(type) || requested.filter(r -> !r.equals(e.newValue())
              && !e.newValue().startsWith(r + " from ") && !e.newValue().startsWith(r + " (scheduled: ")).isPresent()) {
            throw new IdempotencyConflictException(userId, request.requestId().get());
          }
          // re-read: the change under this id may have been saved after the read above
          return QuotaEngine.store(() -> store.find(userId)).orElseGet(() -> engine.defaults(userId))
              .asOf(clock.instant());
        }
      }
      UserQuota before = current.orElseGet(() -> engine.defaults(userId));
      Instant at = clock.instant();
      UserQuota applied = before.asOf(at);
      UserQuota changed = modification.apply(applied);
      boolean due = applied != before; // asOf made a scheduled change that is due
      boolean keepScheduled = due && !recordDue && changed.tier().equals(applied.tier())
          && changed.scheduled().isEmpty();
      UserQuota scheduledKept = keepScheduled ? changed.withTier(before.tier()).withScheduled(before.scheduled())
          : changed;
      UserQuota after = recordDue ? scheduledKept : keepEarlier(before, scheduledKept, at);
      if (current.isPresent() && after.equals(before)) {
        return applied;
      }
      // old and new values as they apply (the recording's old value: the tier recorded before)
      AuditEntry plain = new AuditEntry(now(), request.actor(), userId, action, type,
          render.apply(recordDue ? before : applied), render.apply(after.asOf(at)), request.reason());
      AuditEntry entry = chained(request.requestId().map(plain::withRequestId).orElse(plain));
      Optional<UserQuota> saved = QuotaEngine.store(() -> store.save(after, entry));
      engine.settingsChanged(userId);
      if (saved.isPresent()) {
        engine.tellSettingsChanged(userId, entry);
        return saved.get().asOf(at); // as they apply now, as getUserQuota shows them
      }
    }
    throw new UsageStorageException("settings of user '" + userId + "' kept changing; gave up after " + MAX_ATTEMPTS);
  }

  /**
   * {@code after}, a change made at {@code at} to the user's stored settings {@code before}, keeping {@code before}
   * for the periods that ended by then ({@link UserQuota#forPeriodEndingAt}): the reset job may close such a period
   * after the change (it is final only the settle delay after its end), and closes it with the limits it was used
   * under. Kept where the change gives an ended period another plan (the tier, the overrides, or a scheduled tier
   * change that is due) or changes the billing cycle (which moves the period boundaries the next change looks for);
   * not kept where no period of the user's quotas ended since the last change kept, in any zone and cycle kept
   * (that one's plan is what those periods had). Entries older than the counter retention, and than a month, are
   * dropped: no period they stand for can be closed any more (its counter is gone), and no period of the cycle they
   * were made in still runs.
   */
  private UserQuota keepEarlier(UserQuota before, UserQuota after, Instant at) {
    boolean cycle = !before.zone().equals(after.zone()) || before.billingAnchorDay() != after.billingAnchorDay();
    boolean plan = !before.tier().equals(after.tier()) || !before.overrides().equals(after.overrides())
        || (!before.scheduled().equals(after.scheduled()) && (due(before, at) || due(after, at)));
    if (!plan && !cycle) {
      return after;
    }
    // an entry serves a look-up for the counter retention after its change, and tells its zone and cycle to the next
    // change's search for a period boundary while the period of that cycle it was made in may run (a month)
    Instant horizon = at.minus(counterRetention.compareTo(MONTH_AND_A_DAY) > 0 ? counterRetention : MONTH_AND_A_DAY);
    List<dev.usage.EarlierSettings> kept = new ArrayList<>(before.earlier().size() + 1);
    for (dev.usage.EarlierSettings e : before.earlier()) {
      if (e.changedAt().isAfter(horizon)) {
        kept.add(e);
      }
    }
    if (cycle || kept.isEmpty() || periodEndedSince(kept, at, before)) {
      // not before the last: changes are saved one after the other, whatever another instance's clock said
      Instant changedAt = kept.isEmpty() || at.isAfter(kept.get(kept.size() - 1).changedAt()) ? at
          : kept.get(kept.size() - 1).changedAt();
      kept.add(new dev.usage.EarlierSettings(changedAt, before.tier(), before.overrides(), before.scheduled(),
          before.zone(), before.billingAnchorDay()));
      if (kept.size() > UserQuota.MAX_EARLIER) {
        kept.remove(0);
      }
    }
    return after.withEarlier(kept);
  }

  private static boolean due(UserQuota u, Instant at) {
    return u.scheduled().filter(c -> !c.effectiveAt().isAfter(at)).isPresent();
  }

  /**
   * Whether a period of the user's quotas (in the plans {@code user} has had since the last entry of {@code kept})
   * ended after that entry's change and by {@code at}, in the user's zone and cycle or in one an entry was made in
   * (the periods of a cycle left by an anchor change end on their own bounds).
   */
  private boolean periodEndedSince(List<dev.usage.EarlierSettings> kept, Instant at, UserQuota user) {
    Instant since = kept.get(kept.size() - 1).changedAt();
    Set<dev.usage.QuotaPeriod> kinds = java.util.EnumSet.noneOf(dev.usage.QuotaPeriod.class);
    for (UserQuota u : List.of(user, user.asOf(at))) {
      engine.plan().effective(u).values().forEach(q -> kinds.add(q.period()));
    }
    for (Periods.Cycle c : Periods.cycles(user.zone(), user.billingAnchorDay(), kept)) {
      for (dev.usage.QuotaPeriod kind : kinds) {
        if (!Periods.compute(kind, since, c.zone(), c.anchorDay()).end().isAfter(at)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Now, to the microsecond: what every backend stores exactly, so that a stored entry hashes as it did. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** The entry with its hashes when the chain is kept; read after the settings (see the class comment). */
  private AuditEntry chained(AuditEntry entry) {
    if (!hashChain) {
      return entry;
    }
    return AuditChain.link(entry, QuotaEngine.store(() -> store.lastAuditEntry(entry.userId())));
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
    dev.usage.RolloverPolicy r = q.rollover();
    // a carrying policy gives the next periods more: a change of it is a change of the quota (and of a repeat)
    String carry = !r.carry() ? "" : " carry"
        + (r.capAmount() != Quota.UNLIMITED && r.capAmount() > 0 ? " up to " + r.capAmount() : "")
        + (r.capPercent() > 0 ? " up to " + r.capPercent() + "%" : "")
        + (r.expiresAfterPeriods() > 0 ? " for " + r.expiresAfterPeriods() + " periods" : "");
    return (q.isUnlimited() ? "unlimited" : q.limit()) + "/" + q.period().name().toLowerCase(java.util.Locale.ROOT)
        + " " + q.enforcement().name().toLowerCase(java.util.Locale.ROOT) + carry;
  }
}
