package dev.usage.internal;

import dev.usage.AuditEntry;
import dev.usage.Consumption;
import dev.usage.FailureMode;
import dev.usage.IdempotencyConflictException;
import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.PeriodUsage;
import dev.usage.QuotaChange;
import dev.usage.QuotaDecision;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.Reservation;
import dev.usage.ReservationException;
import dev.usage.UsageException;
import dev.usage.UsageStorageException;
import dev.usage.UserQuota;
import dev.usage.spi.ConsumeCommand;
import dev.usage.spi.ConsumeOutcome;
import dev.usage.spi.CounterDelta;
import dev.usage.spi.CounterKey;
import dev.usage.spi.CounterStore;
import dev.usage.spi.CounterValue;
import dev.usage.spi.Hold;
import dev.usage.spi.IdempotencyMarker;
import dev.usage.spi.SettleCommand;
import dev.usage.spi.SettleOutcome;
import dev.usage.spi.UserQuotaStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enforcement algorithm: resolves a user's quotas and periods, turns a request into one atomic
 * store command, and turns the outcome into a decision. All quota arithmetic lives here; the store only
 * applies it. Thread-safe.
 */
public final class QuotaEngine {

  private static final Logger log = LoggerFactory.getLogger(QuotaEngine.class);
  private static final int MAX_FINGERPRINT = 512;

  private final CounterStore counters;
  private final UserQuotaStore users;
  private final QuotaPlan plan;
  private final EngineSettings settings;
  private final Periods periods = new Periods();
  /** The last window of each kind of period and when its counters expire, by {@code QuotaPeriod.ordinal()}. */
  private final Expiry[] expiries = new Expiry[QuotaPeriod.values().length];
  /** What one consume attempt answers when the store found its settings outdated: try again. Never returned. */
  private static final QuotaDecision STALE = StatusFactory.degraded();
  private final StatusFactory statuses;
  private final SettingsCache cache;
  /** Consumes retried when the user's settings changed under them, before giving up. */
  private static final int STALE_ATTEMPTS = 5;
  private final AtomicLong lastFailOpenWarning = new AtomicLong(Long.MIN_VALUE / 2);
  private final LongAdder failOpenSinceWarning = new LongAdder();
  private final ListenerDispatcher listeners;
  private final Rollovers rollovers;
  /**
   * Keyed consumes and holds ({@link Unsure}) and settlements (reservation ids) whose store call failed, so that
   * the store may have applied them unheard: the replay of one is told to the listeners once, as the change it made
   * (its first answer was lost with the failure). Bounded; kept for the idempotency window, past which a retry is
   * not replayed.
   */
  private final com.github.benmanes.caffeine.cache.Cache<Object, Boolean> unsure;

  /** A keyed consume ({@code reserve == false}) or hold whose outcome was not heard. */
  private record Unsure(String userId, String idempotencyKey, boolean reserve) {}

  /**
   * @param versionChecked whether the counter store checks {@code ConsumeCommand.settingsVersion} (then
   *     consumes may use cached settings)
   */
  public QuotaEngine(CounterStore counters, UserQuotaStore users, QuotaPlan plan, EngineSettings settings,
      boolean versionChecked, ListenerDispatcher listeners, Rollovers rollovers) {
    this.listeners = listeners;
    this.rollovers = rollovers;
    rollovers.tellClosedTo(this::tellPeriodsClosed);
    this.counters = counters;
    this.users = users;
    this.plan = plan;
    this.settings = settings;
    this.statuses = new StatusFactory(settings.yellowThreshold(), settings.redThreshold());
    this.cache = new SettingsCache(settings.settingsCacheSize(), versionChecked);
    this.unsure = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000)
        .expireAfterWrite(settings.idempotencyWindow()).build();
  }

  /** Forgets cached settings of a user whose settings this process just changed. */
  public void settingsChanged(String userId) {
    cache.invalidate(userId);
  }

  public QuotaPlan plan() {
    return plan;
  }

  public Rollovers rollovers() {
    return rollovers;
  }

  /** Units counted so far in the user's period {@code window} of quota {@code type} (before any reset). */
  public long counted(String userId, QuotaType type, PeriodWindow window) {
    Instant now = settings.clock().instant();
    // with bounds: a lost counter read as zero here would make the reset forgive nothing
    return store(() -> counters.readPeriods(userId, List.of(window.counter(type, settings.counterRetention())), now))
        .get(0).used();
  }

  /**
   * The period of {@code quota} containing {@code now}, the quota with the units carried into it, and the units
   * an admin reset in it. {@code user} is the stored settings: a tier change scheduled for a boundary, still
   * scheduled, tells the rollover of each period before it which tier that period had.
   */
  private Part part(UserQuota user, Quota quota, Instant now, long amount) {
    PeriodWindow window = periods.window(quota.period(), now, user.zone(), user.billingAnchorDay());
    return part(user, quota, window, now, amount);
  }

  private Part part(UserQuota user, Quota quota, PeriodWindow window, Instant now, long amount) {
    Quota allowed = rollovers.allowance(user, quota, window, now);
    return new Part(allowed, window, amount, allowed.limit() - quota.limit(), user.resetUnits(quota.type(),
        window.start()));
  }

  /**
   * The settings of a user as they apply now (a scheduled tier change made once due), or the defaults for one
   * never initialised.
   */
  public UserQuota userQuota(String userId) {
    return storedUserQuota(userId).asOf(settings.clock().instant());
  }

  /** The stored settings of a user, a scheduled tier change still scheduled, or the defaults. */
  public UserQuota storedUserQuota(String userId) {
    Checks.id("userId", userId);
    return store(() -> users.find(userId)).orElseGet(() -> defaults(userId));
  }

  public UserQuota defaults(String userId) {
    return new UserQuota(userId, plan.defaultTier(), Map.of(), settings.defaultZone(), 1, 0);
  }

  /** One quota of a request, resolved for now. */
  /**
   * @param quota the quota, its limit raised by {@code carriedIn}
   * @param reset units used before an admin reset of the period, which no longer count against it
   */
  private record Part(Quota quota, PeriodWindow window, long amount, long carriedIn, long reset) {

    /** The limit the store enforces on the counter, which still holds the units used before a reset. */
    long counterLimit() {
      return !quota.isEnforced() ? Quota.UNLIMITED : Math.min(Quota.MAX_AMOUNT, quota.limit() + reset);
    }

    QuotaStatus status(StatusFactory statuses, CounterValue v) {
      return statuses.status(quota, window, v, carriedIn, reset);
    }

    CounterKey key() {
      return new CounterKey(quota.type(), window.id());
    }

  }

  private Part[] resolve(UserQuota stored, Map<QuotaType, Long> amounts, Instant now) {
    UserQuota user = stored.asOf(now);
    Map<QuotaType, Quota> effective = plan.effective(user);
    Part[] parts = new Part[amounts.size()];
    int i = 0;
    for (Map.Entry<QuotaType, Long> e : amounts.entrySet()) {
      Quota q = effective.get(e.getKey());
      if (q == null) {
        throw new InvalidUsageException("amounts." + e.getKey().name(),
            "unknown quota type for user '" + user.userId() + "' (tier '" + user.tier() + "')");
      }
      parts[i++] = part(stored, q, now, e.getValue());
    }
    return parts;
  }

  /**
   * Consumes ({@code reserve == false}) or holds the request's amounts, all or nothing.
   */
  public QuotaDecision consume(Consumption request, boolean reserve) {
    requireSomeAmount(request);
    if (reserve && request.amounts().size() > Consumption.MAX_RESERVED_TYPES) {
      throw new InvalidUsageException("amounts", "a reservation holds at most " + Consumption.MAX_RESERVED_TYPES
          + " quota types, were " + request.amounts().size());
    }
    for (int attempt = 1; ; attempt++) {
      QuotaDecision decided = consumeOnce(request, reserve);
      if (decided != STALE) {
        // any answer from the store settles a call left unsure (one that applies it afresh is told as any other); a
        // degraded one (fail-open) is no answer
        boolean unheard = request.idempotencyKey().isPresent() && !decided.degraded() && unsure.estimatedSize() > 0
            && unsure.asMap().remove(new Unsure(request.userId(), request.idempotencyKey().get(), reserve)) != null
            && decided.replayed();
        tell(request.userId(), decided, reserve ? QuotaChange.Kind.RESERVED : QuotaChange.Kind.CONSUMED,
            reserve ? Map.of() : request.amounts(), unheard);
        return decided;
      }
      if (attempt >= STALE_ATTEMPTS) {
        throw new UsageStorageException("the settings of user '" + request.userId() + "' changed during each of "
            + STALE_ATTEMPTS + " attempts to consume; nothing was consumed");
      }
    }
  }

  /**
   * One attempt; {@link #STALE} when the store found the settings it was computed from outdated (nothing changed).
   * This is every consume's path, so it allocates only what it hands on: no lambdas, no {@code Optional} it can
   * avoid, and arrays sized to the request.
   */
  private QuotaDecision consumeOnce(Consumption request, boolean reserve) {
    Instant now = settings.clock().instant();
    Optional<UserQuota> cached = cache.get(request.userId());
    UserQuota user;
    if (cached.isPresent()) {
      user = cached.get();
    } else {
      Optional<UserQuota> read = readUser(request);
      if (read.isEmpty()) {
        return StatusFactory.degraded();
      }
      user = read.get();
      cache.put(user);
    }
    Part[] parts;
    try {
      parts = resolve(user, request.amounts(), now);
    } catch (InvalidUsageException unknownType) {
      if (cached.isEmpty() || !newerSettings(user)) {
        throw unknownType;
      }
      // the cached settings predate a change made through another engine, which may have given the user the type
      // (the cache's version check never runs for a type it does not know): the next attempt uses the newer ones
      return STALE;
    }
    CounterDelta[] deltas = new CounterDelta[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Part p = parts[i];
      deltas[i] = new CounterDelta(p.quota.type(), p.window.id(), p.window.start(), p.window.end(), p.amount,
          p.counterLimit(), counterExpiry(p.quota.period(), p.window, now));
    }
    Optional<IdempotencyMarker> marker = Optional.empty();
    if (request.idempotencyKey().isPresent()) {
      marker = Optional.of(new IdempotencyMarker(request.idempotencyKey().get(), fingerprint(reserve, request.amounts()),
          now.plus(settings.idempotencyWindow())));
    }
    Optional<Hold> hold = Optional.empty();
    if (reserve) {
      Instant expiresAt = now.plus(settings.reservationTtl());
      hold = Optional.of(new Hold(UUID.randomUUID().toString(), expiresAt, expiresAt.plus(settings.idempotencyWindow())));
    }
    ConsumeCommand command = new ConsumeCommand(request.userId(), List.of(deltas), marker, hold, now,
        cache.versionToCheck(user));
    ConsumeOutcome o;
    try {
      o = counters.consume(command);
    } catch (RuntimeException e) {
      if (marker.isPresent() && typed(e) instanceof UsageStorageException) {
        unsure.put(new Unsure(request.userId(), marker.get().key(), reserve), Boolean.TRUE);
      }
      failOpenOrThrow(e);
      return StatusFactory.degraded();
    }
    if (o.result() == ConsumeOutcome.Result.STALE) {
      cache.invalidate(request.userId());
      return STALE;
    }
    QuotaStatus[] st = new QuotaStatus[parts.length];
    for (int i = 0; i < parts.length; i++) {
      st[i] = parts[i].status(statuses, o.counters().get(i));
    }
    return switch (o.result()) {
      case ADMITTED, REPLAYED -> StatusFactory.allowed(List.of(st), o.result() == ConsumeOutcome.Result.REPLAYED,
          o.hold().isEmpty() ? Optional.empty() : Optional.of(new Reservation(o.hold().get().reservationId(),
              request.userId(), request.amounts(), o.hold().get().expiresAt())));
      case REJECTED -> StatusFactory.denied(List.of(st), o.rejected(), beyondLimit(user, parts, o.rejected()), now);
      case CONFLICT -> throw new IdempotencyConflictException(request.userId(), request.idempotencyKey().orElse(""));
      case STALE -> throw new IllegalStateException("handled above");
    };
  }

  /**
   * The {@code violated} quotas that no wait makes room for: the amount asked exceeds what the next period of the
   * quota can allow at most, its limit plus the most its rollover policy carries in, with the settings in force
   * then (a tier change scheduled for the boundary applied). Denials only: this reads the user's plan again.
   */
  private List<QuotaType> beyondLimit(UserQuota user, Part[] parts, List<QuotaType> violated) {
    List<QuotaType> out = new ArrayList<>(0);
    for (Part p : parts) {
      if (!violated.contains(p.quota.type())) {
        continue;
      }
      Quota next = plan.effective(user.asOf(p.window.end())).get(p.quota.type());
      if (next != null && next.isEnforced() && !next.isUnlimited()
          && p.amount > Math.min(Quota.MAX_AMOUNT, next.limit() + next.rollover().cap(next.limit()))) {
        out.add(p.quota.type());
      }
    }
    return out;
  }

  /**
   * When the counters of {@code window} may be dropped: the window's end plus the configured retention. Kept
   * for one window of each kind of period, which nearly every consume asks for again; the slot is taken over
   * only once its window has ended, so that users in other zones do not take turns overwriting it.
   */
  private Instant counterExpiry(QuotaPeriod period, PeriodWindow window, Instant now) {
    Expiry e = expiries[period.ordinal()];
    if (e != null && e.window == window) {
      return e.at;
    }
    Instant at = window.end().plus(settings.counterRetention());
    if (e == null || !e.window.contains(now)) {
      expiries[period.ordinal()] = new Expiry(window, at); // racy but safe: an Expiry is immutable
    }
    return at;
  }

  private record Expiry(PeriodWindow window, Instant at) {}

  /** Whether the request would be admitted now; counts nothing. */
  public QuotaDecision check(Consumption request) {
    requireSomeAmount(request);
    Instant now = settings.clock().instant();
    Optional<UserQuota> user = readUser(request);
    if (user.isEmpty()) {
      return StatusFactory.degraded();
    }
    List<Part> parts = List.of(resolve(user.get(), request.amounts(), now));
    Optional<List<CounterValue>> values =
        failurePolicy(() -> counters.read(request.userId(), parts.stream().map(Part::key).toList(), now));
    if (values.isEmpty()) {
      return StatusFactory.degraded();
    }
    List<QuotaStatus> st = new ArrayList<>(parts.size());
    List<QuotaType> violated = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      Part p = parts.get(i);
      CounterValue v = values.get().get(i);
      st.add(p.status(statuses, v));
      if (p.quota.isEnforced() && v.used() + v.reserved() + p.amount > p.counterLimit()) {
        violated.add(p.quota.type());
      }
    }
    return violated.isEmpty() ? StatusFactory.allowed(st, false, Optional.empty())
        : StatusFactory.denied(st, violated, beyondLimit(user.get(), parts.toArray(Part[]::new), violated), now);
  }

  /** The status of every quota of the user, in the current period, by type. */
  public List<QuotaStatus> statuses(String userId) {
    return statuses(storedUserQuota(userId));
  }

  /** The statuses of {@code user}'s quotas now, from their stored settings (a scheduled change still scheduled). */
  public List<QuotaStatus> statuses(UserQuota user) {
    Instant now = settings.clock().instant();
    String userId = user.userId();
    Map<QuotaType, Quota> effective = plan.effective(user.asOf(now));
    List<Part> parts = new ArrayList<>(effective.size());
    for (Quota q : effective.values()) {
      parts.add(part(user, q, now, 0));
    }
    List<CounterValue> values = store(() -> counters.read(userId, parts.stream().map(Part::key).toList(), now));
    List<QuotaStatus> st = new ArrayList<>(parts.size());
    for (int i = 0; i < parts.size(); i++) {
      st.add(parts.get(i).status(statuses, values.get(i)));
    }
    return st;
  }

  /** Charges a reservation's actual amounts. Never fail-open: the caller must know whether it was charged. */
  public QuotaDecision commit(Reservation reservation, Map<QuotaType, Long> actual) {
    Checks.notNull("reservation", reservation);
    Checks.noNullEntries("actual", actual);
    Map<QuotaType, Long> charged = new TreeMap<>();
    for (Map.Entry<QuotaType, Long> e : actual.entrySet()) {
      long v = Checks.amount("actual." + e.getKey().name(), e.getValue());
      if (!reservation.amounts().containsKey(e.getKey())) {
        throw new InvalidUsageException("actual." + e.getKey().name(), "was not reserved");
      }
      if (v > 0) {
        charged.put(e.getKey(), v);
      }
    }
    Instant now = settings.clock().instant();
    SettleOutcome o = settle(() -> counters.commit(new SettleCommand(reservation.userId(), reservation.id(), charged,
        now)), reservation);
    return switch (o.result()) {
      case SETTLED, REPLAYED -> tell(reservation.userId(),
          StatusFactory.allowed(settledStatuses(reservation.userId(), o.counters()),
              o.result() == SettleOutcome.Result.REPLAYED, Optional.empty()), QuotaChange.Kind.COMMITTED, charged,
          wasUnsure(reservation) && o.result() == SettleOutcome.Result.REPLAYED);
      case CONFLICT -> throw new ReservationException(reservation.id(), "already released, or committed with other amounts");
      case NOT_FOUND -> throw new ReservationException(reservation.id(), "unknown, or forgotten after its retention");
    };
  }

  public void release(Reservation reservation) {
    Checks.notNull("reservation", reservation);
    Instant now = settings.clock().instant();
    SettleOutcome o = settle(() -> counters.release(new SettleCommand(reservation.userId(), reservation.id(),
        Map.of(), now)), reservation);
    switch (o.result()) {
      case SETTLED, REPLAYED -> {
        // a replay changed nothing, unless it replays a release whose answer was lost with a failure
        boolean unheard = wasUnsure(reservation);
        if (listeners.active() && (o.result() == SettleOutcome.Result.SETTLED || unheard)) {
          List<QuotaStatus> st = settledStatuses(reservation.userId(), o.counters());
          listeners.publish(l -> l.onQuotaChange(new QuotaChange(reservation.userId(), QuotaChange.Kind.RELEASED, st,
              Optional.empty(), now)));
        }
      }
      case CONFLICT -> throw new ReservationException(reservation.id(), "already committed");
      case NOT_FOUND -> throw new ReservationException(reservation.id(), "unknown, or forgotten after its retention");
      default -> throw new IllegalStateException(String.valueOf(o.result()));
    }
  }

  /** Whether a settlement of {@code reservation} failed unheard before; any answer since settles that. */
  private boolean wasUnsure(Reservation reservation) {
    return unsure.estimatedSize() > 0 && unsure.asMap().remove(reservation.id()) != null;
  }

  /** A settlement's store call; a failure leaves the reservation {@link #unsure}. */
  private SettleOutcome settle(java.util.function.Supplier<SettleOutcome> call, Reservation reservation) {
    try {
      return store(call);
    } catch (UsageStorageException e) {
      unsure.put(reservation.id(), Boolean.TRUE);
      throw e;
    }
  }

  /**
   * Tells the listeners about a decision that changed something (or was denied); replayed and degraded
   * ones changed nothing, unless {@code unheard}: the replay of a change whose first answer was lost with a store
   * failure. {@code counted}: the units the decision counted as used, if allowed.
   */
  private QuotaDecision tell(String userId, QuotaDecision d, QuotaChange.Kind kind, Map<QuotaType, Long> counted,
      boolean unheard) {
    if (listeners.active() && (!d.replayed() || unheard) && !d.degraded()) {
      QuotaChange change = new QuotaChange(userId, d.allowed() ? kind : QuotaChange.Kind.DENIED, d.statuses(),
          d.allowed() ? counted : Map.of(), Optional.empty(), settings.clock().instant());
      listeners.publish(l -> l.onQuotaChange(change));
    }
    return d;
  }

  /** Tells the listeners of the history rows the reset job stored. */
  public void tellPeriodsClosed(List<PeriodUsage> rows) {
    if (listeners.active() && !rows.isEmpty()) {
      List<PeriodUsage> closed = List.copyOf(rows);
      listeners.publish(l -> l.onPeriodsClosed(closed));
    }
  }

  /**
   * Tells the listeners that the user's monthly period ends soon; the statuses of the user's monthly quotas
   * are read on the listener thread.
   */
  public void tellResetApproaching(String userId) {
    if (listeners.active()) {
      AtomicReference<List<QuotaStatus>> once = new AtomicReference<>();
      listeners.publish(l -> l.onResetApproaching(userId, once.updateAndGet(m -> m != null ? m
          : statusesOrNone(userId).stream().filter(s -> s.period() == QuotaPeriod.MONTH).toList())));
    }
  }

  /** Hands {@code notification} to the listeners, in order with every change told before and after it. */
  public void publish(java.util.function.Consumer<dev.usage.UsageListener> notification) {
    listeners.publish(notification);
  }

  /** Tells the listeners that a user's settings changed; the statuses are read on the listener thread. */
  public void tellSettingsChanged(String userId, AuditEntry audit) {
    if (!listeners.active()) {
      return;
    }
    Instant at = settings.clock().instant();
    AtomicReference<QuotaChange> once = new AtomicReference<>();
    listeners.publish(l -> l.onQuotaChange(once.updateAndGet(c -> c != null ? c
        : new QuotaChange(userId, QuotaChange.Kind.SETTINGS_CHANGED, statusesOrNone(userId), Optional.of(audit), at))));
  }

  private List<QuotaStatus> statusesOrNone(String userId) {
    try {
      return statuses(userId);
    } catch (UsageStorageException e) {
      log.warn("Statuses of user {} for listeners could not be read: {}", userId, e.getMessage());
      return List.of();
    }
  }

  /**
   * Whether the store holds other settings of {@code cached}'s user than the cache did (another version: newer, or
   * older after a store was restored); if so they replace the cached ones. A failed read answers false: the request
   * is then refused as it was, for its own fault.
   */
  private boolean newerSettings(UserQuota cached) {
    UserQuota stored;
    try {
      stored = storedUserQuota(cached.userId());
    } catch (UsageException e) {
      return false;
    }
    if (stored.version() == cached.version()) {
      return false;
    }
    cache.put(stored);
    return true;
  }

  /** Statuses for counters of a settled reservation, whose period may no longer be the current one. */
  private List<QuotaStatus> settledStatuses(String userId, List<CounterValue> values) {
    UserQuota user;
    try {
      user = storedUserQuota(userId);
    } catch (UsageStorageException e) {
      // the store has settled it: the caller must hear that, with statuses or without
      log.warn("Settings of user {} unreadable; a settled reservation is answered without statuses: {}", userId,
          e.getMessage());
      return List.of();
    }
    Instant now = settings.clock().instant();
    List<QuotaStatus> st = new ArrayList<>(values.size());
    for (CounterValue v : values) {
      PeriodWindow w = Periods.ofId(v.periodId(), user.zone(), user.billingAnchorDay());
      if (!w.id().equals(v.periodId())) {
        continue; // a period of the cycle before an anchor change
      }
      // the settings in force now, or at the last instant of an earlier period (a tier change since not made)
      Quota q = plan.effective(now.isBefore(w.end()) ? user.asOf(now)
          : Periods.settingsOf(user, w).asOf(w.end().minusNanos(1))).get(v.type());
      if (q == null || q.period() != Periods.kindOf(v.periodId())) {
        continue; // the quota was removed from the user's plan, or changed its period, since the reservation
      }
      st.add(part(user, q, w, now, 0).status(statuses, v));
    }
    return st;
  }

  private static void requireSomeAmount(Consumption request) {
    if (request.amounts().isEmpty()) {
      throw new InvalidUsageException("amounts", "must contain at least one positive amount");
    }
  }

  /**
   * The request's user settings; empty when the store failed and the engine is fail-open. Input is still
   * checked then, as far as it can be without the settings: a type no tier or default knows is refused.
   */
  private Optional<UserQuota> readUser(Consumption request) {
    String userId = request.userId();
    Optional<UserQuota> user =
        failurePolicy(() -> users.find(userId)).map(found -> found.orElseGet(() -> defaults(userId)));
    if (user.isEmpty()) {
      for (QuotaType t : request.amounts().keySet()) {
        if (!plan.knownTypes().contains(t)) {
          throw new InvalidUsageException("amounts." + t.name(), "unknown quota type (settings store unreachable)");
        }
      }
    }
    return user;
  }

  /** Runs a store call; on failure applies the failure mode: empty means "allow, degraded". */
  private <T> Optional<T> failurePolicy(Supplier<T> call) {
    try {
      return Optional.of(call.get());
    } catch (RuntimeException e) {
      failOpenOrThrow(e);
      return Optional.empty();
    }
  }

  /**
   * Applies the failure mode to what a store call threw: returns (the caller allows, degraded) when the store
   * failed and the engine is fail-open; otherwise throws it, typed ({@link #store}).
   */
  private void failOpenOrThrow(RuntimeException thrown) {
    UsageException e = typed(thrown);
    if (e instanceof UsageStorageException failed && settings.failureMode() == FailureMode.FAIL_OPEN) {
      warnFailOpen(failed);
      return;
    }
    throw e;
  }

  /** Logs a fail-open allow at most once a minute (by the engine clock), saying how many were not logged. */
  private void warnFailOpen(UsageStorageException e) {
    long now = settings.clock().millis();
    long last = lastFailOpenWarning.get();
    if (now - last >= 60_000 && lastFailOpenWarning.compareAndSet(last, now)) {
      log.warn("Quota store failed; allowing requests unchecked (fail-open); {} more since the last warning: {}",
          failOpenSinceWarning.sumThenReset(), e.getMessage());
    } else {
      failOpenSinceWarning.increment();
    }
  }

  /** Runs a store call, turning anything untyped it throws into {@link UsageStorageException}. */
  static <T> T store(Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw typed(e);
    }
  }

  /** What a store call threw, as the engine lets it out: typed errors as they are, anything else as a storage failure. */
  private static UsageException typed(RuntimeException e) {
    return e instanceof UsageException typed ? typed : new UsageStorageException("usage store failed: " + e, e);
  }

  private static String fingerprint(boolean reserve, Map<QuotaType, Long> amounts) {
    StringBuilder b = new StringBuilder(reserve ? "reserve" : "consume");
    amounts.forEach((t, v) -> b.append('|').append(t.name()).append('=').append(v));
    if (b.length() <= MAX_FINGERPRINT) {
      return b.toString();
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "sha256:" + java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
