package dev.usage.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.usage.Notification;
import dev.usage.NotificationChannel;
import dev.usage.NotificationKind;
import dev.usage.NotificationPreferences;
import dev.usage.NotificationSettings;
import dev.usage.NotificationStats;
import dev.usage.PeriodUsage;
import dev.usage.QuotaChange;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.TimeRange;
import dev.usage.UsageReport;
import dev.usage.UnusualUsageAlert;
import dev.usage.UsageListener;
import dev.usage.spi.NotificationKey;
import dev.usage.spi.NotificationLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the engine publishes into notifications: a quota change past a threshold, a closed monthly
 * period (reset confirmation and summary), a monthly period about to end, an unusual-usage alert. Each is
 * claimed in the ledger first, so that exactly one engine sharing the store sends it, then handed to the
 * {@link NotificationDispatcher}; a notification no channel could deliver is withdrawn from the ledger, so
 * that a later trigger sends it again. Runs on the listener thread, never on a caller's (a monthly summary's
 * report is made there too). Thread-safe.
 */
public final class Notifier implements UsageListener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Notifier.class);
  /** How long past its period a ledger entry is kept: longer than any trigger can come late. */
  private static final Duration KEEP_AFTER_PERIOD = Duration.ofDays(7);
  private static final int CLAIM_ATTEMPTS = 3;
  /** How long a notification withdrawn for want of the user's preferences waits before it is claimed again. */
  private static final Duration PREFERENCES_RETRY = Duration.ofMinutes(1);

  private final NotificationSettings settings;
  private final NotificationLedger ledger;
  private final Clock clock;
  private final NotificationDispatcher dispatcher;
  private final BiFunction<String, TimeRange, UsageReport> reports;
  private final Function<String, List<PeriodUsage>> history;
  /** Keys known to be claimed (by any engine): saves the ledger a round trip on every later consume. */
  private final Cache<NotificationKey, Boolean> claimed =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofHours(1)).build();
  /**
   * Keys withdrawn because the user's preferences could not be read, with when (engine clock millis, then
   * System.nanoTime()): not claimed again until a minute has passed by either clock (the engine's may be fixed or
   * set back), so that while the preference source is down every consume past a threshold does not claim and
   * withdraw anew.
   */
  private final Cache<NotificationKey, long[]> unsent =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofHours(1)).build();
  /** System.nanoTime() of the last warning that preferences were unavailable (one a minute, the rest at debug). */
  private final java.util.concurrent.atomic.AtomicLong preferencesWarned =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - PREFERENCES_RETRY.toNanos());

  /**
   * @param reports makes the report a {@link NotificationKind#MONTHLY_SUMMARY} carries
   * @param history a user's closed periods: a closed month is told with every row stored for it by then
   */
  public Notifier(NotificationSettings settings, NotificationLedger ledger, Clock clock, Duration closeTimeout,
      BiFunction<String, TimeRange, UsageReport> reports, Function<String, List<PeriodUsage>> history) {
    this.settings = settings;
    this.reports = reports;
    this.history = history;
    this.ledger = ledger;
    this.clock = clock;
    this.dispatcher = new NotificationDispatcher(settings, closeTimeout);
  }

  @Override
  public void onQuotaChange(QuotaChange change) {
    if (!settings.kinds().contains(NotificationKind.THRESHOLD_REACHED)
        || change.kind() != QuotaChange.Kind.CONSUMED && change.kind() != QuotaChange.Kind.COMMITTED
        && change.kind() != QuotaChange.Kind.SETTINGS_CHANGED && change.kind() != QuotaChange.Kind.DENIED) {
      return;
    }
    for (QuotaStatus s : change.statuses()) {
      // a settings change moves every threshold at once: all that it reached count as crossed by it. So does a
      // refusal, for the thresholds no one has claimed: it tells again one whose message was withdrawn (at a HARD
      // limit's 100 % every later call is refused, and no consume would ever trigger it again), the highest only,
      // as the consume that crossed them would (its listener, here or in another engine, may not have run yet)
      long before = change.kind() == QuotaChange.Kind.SETTINGS_CHANGED || change.kind() == QuotaChange.Kind.DENIED
          ? 0 : s.used() - change.counted().getOrDefault(s.type(), 0L);
      if (change.kind() == QuotaChange.Kind.SETTINGS_CHANGED) {
        rearm(change.userId(), s);
      }
      thresholdReached(change.userId(), s, before);
    }
  }

  /**
   * A period of the user's that goes on from another first instant: a billing-cycle change to another zone keeps
   * the period (its id is its local dates) and its usage, but moves its start, by which its notifications are keyed.
   * What was claimed for it under its old start is claimed under the new one too, so that what was told of it is not
   * told again (the settings change that follows tells every threshold reached and not claimed). Called on the
   * listener thread, before the settings change is told.
   *
   * @param end the period's end in the new cycle
   */
  public void periodMoved(String userId, QuotaType type, QuotaPeriod period, Instant was, Instant is, Instant end) {
    List<NotificationKey> keys = new ArrayList<>();
    for (int t : settings.thresholds()) {
      keys.add(new NotificationKey(userId, NotificationKind.THRESHOLD_REACHED, type.name(), t, was));
    }
    if (period == QuotaPeriod.MONTH) {
      keys.add(new NotificationKey(userId, NotificationKind.RESET_REMINDER, "", 0, was));
    }
    for (NotificationKey k : keys) {
      try {
        if (ledger.claimed(k)) {
          claim(new NotificationKey(userId, k.kind(), k.quotaType(), k.threshold(), is), end.plus(KEEP_AFTER_PERIOD));
        }
      } catch (RuntimeException e) {
        log.warn("{} could not be carried to the period's new start ({}); it may be told again", k, is, e);
      }
    }
  }

  /**
   * After a settings change, withdraws the claims of this period's thresholds the usage is now below (a limit
   * raised after the user was told of 100 %, or an admin reset of the usage), so that reaching them again is
   * told again. Other engines that remember the claims (for up to an hour) claim them again only after that.
   */
  private void rearm(String userId, QuotaStatus s) {
    if (s.isUnlimited() || s.limit() <= 0) {
      return;
    }
    for (int t : settings.thresholds()) {
      if (s.used() * 100 < (long) t * s.limit()) {
        withdrawQuietly(new NotificationKey(userId, NotificationKind.THRESHOLD_REACHED, s.type().name(), t,
            s.periodStart()));
      }
    }
  }

  /**
   * Claims every threshold {@code s} has reached. Of those this change crossed (from {@code usedBefore} to
   * {@code s.used()}), only the highest is sent: one message, not a burst, when a single consume jumps past
   * several. A threshold reached before this change that no one had claimed yet is sent too: another consume
   * crossed it and its listener has not run yet (in this engine or another; it will find it claimed), or its
   * message could not be delivered and was withdrawn, or notifications were turned on after it was passed.
   */
  private void thresholdReached(String userId, QuotaStatus s, long usedBefore) {
    if (s.isUnlimited() || s.limit() <= 0 || s.used() <= 0) {
      return;
    }
    List<NotificationKey> toSend = new ArrayList<>();
    NotificationKey topCrossed = null;
    Instant keepUntil = s.resetAt().plus(KEEP_AFTER_PERIOD);
    for (int t : settings.thresholds()) {
      // exact: used <= 2^53 and limit * 1000 < 2^63
      if (s.used() * 100 < (long) t * s.limit()) {
        break;
      }
      NotificationKey key = new NotificationKey(userId, NotificationKind.THRESHOLD_REACHED, s.type().name(), t,
          s.periodStart());
      if (!claim(key, keepUntil)) {
        continue;
      }
      if (usedBefore * 100 < (long) t * s.limit()) {
        topCrossed = key; // thresholds ascend: the last one crossed is the highest
      } else {
        toSend.add(key);
      }
    }
    if (topCrossed != null) {
      toSend.add(topCrossed);
    }
    for (NotificationKey key : toSend) {
      send(key, p -> new Notification(NotificationKind.THRESHOLD_REACHED, userId, Optional.of(s.type()),
          key.threshold(), s.periodStart(), s.resetAt(), Optional.of(s), List.of(), Optional.empty(), p,
          clock.instant()));
    }
  }

  @Override
  public void onUnusualUsage(UnusualUsageAlert alert) {
    if (!settings.kinds().contains(NotificationKind.UNUSUAL_USAGE)) {
      return;
    }
    Instant end = alert.hourStart().plus(Duration.ofHours(1));
    NotificationKey key = new NotificationKey(alert.userId(), NotificationKind.UNUSUAL_USAGE, alert.type().name(), 0,
        alert.hourStart());
    if (claim(key, end.plus(KEEP_AFTER_PERIOD))) {
      send(key, p -> new Notification(NotificationKind.UNUSUAL_USAGE, alert.userId(), Optional.of(alert.type()), 0,
          alert.hourStart(), end, Optional.empty(), List.of(), Optional.of(alert), p, clock.instant()));
    }
  }

  /**
   * One reset confirmation, and one monthly summary, per user and closed monthly period, with every quota
   * type's row.
   */
  @Override
  public void onPeriodsClosed(List<PeriodUsage> rows) {
    boolean reset = settings.kinds().contains(NotificationKind.QUOTA_RESET);
    boolean summary = settings.kinds().contains(NotificationKind.MONTHLY_SUMMARY);
    if (!reset && !summary) {
      return;
    }
    Map<NotificationKey, List<PeriodUsage>> byPeriod = new LinkedHashMap<>();
    for (PeriodUsage r : rows) {
      if (r.period() == QuotaPeriod.MONTH) {
        byPeriod.computeIfAbsent(new NotificationKey(r.userId(), NotificationKind.QUOTA_RESET, "", 0, r.periodStart()),
            k -> new ArrayList<>()).add(r);
      }
    }
    byPeriod.forEach((resetKey, told) -> {
      Instant end = told.get(0).periodEnd();
      boolean confirm = reset && claim(resetKey, end.plus(KEEP_AFTER_PERIOD));
      NotificationKey summaryKey = new NotificationKey(resetKey.userId(), NotificationKind.MONTHLY_SUMMARY, "", 0,
          resetKey.periodStart());
      boolean summarize = summary && claim(summaryKey, end.plus(KEEP_AFTER_PERIOD));
      if (!confirm && !summarize) {
        return;
      }
      List<PeriodUsage> closed = withStored(told);
      if (confirm) {
        send(resetKey, p -> new Notification(NotificationKind.QUOTA_RESET, resetKey.userId(), Optional.empty(), 0,
            resetKey.periodStart(), end, Optional.empty(), closed, Optional.empty(), p, clock.instant()));
      }
      if (summarize) {
        summarize(summaryKey, end, closed);
      }
    });
  }

  /**
   * {@code told}, rows of one user's month, with the month's rows of the user's other quotas stored by then (stored
   * by another closer, or told in another batch), by type.
   */
  private List<PeriodUsage> withStored(List<PeriodUsage> told) {
    PeriodUsage first = told.get(0);
    Map<QuotaType, PeriodUsage> byType = new java.util.TreeMap<>();
    try {
      for (PeriodUsage r : history.apply(first.userId())) {
        if (r.period() == first.period() && r.periodStart().equals(first.periodStart())) {
          byType.put(r.type(), r);
        }
      }
    } catch (RuntimeException e) {
      log.warn("The closed periods of {} could not be read; the month is told with the {} rows at hand: {}",
          first.userId(), told.size(), e.toString());
    }
    told.forEach(r -> byType.put(r.type(), r));
    return List.copyOf(byType.values());
  }

  private void summarize(NotificationKey key, Instant end, List<PeriodUsage> closed) {
    UsageReport report;
    try {
      report = reports.apply(key.userId(), TimeRange.of(key.periodStart(), end));
    } catch (RuntimeException e) {
      // nothing triggers it again (the period is closed): it is not sent
      log.warn("The monthly summary of {} could not be made and is not sent", key, e);
      withdrawQuietly(key);
      return;
    }
    send(key, p -> new Notification(NotificationKind.MONTHLY_SUMMARY, key.userId(), Optional.empty(), 0,
        key.periodStart(), end, Optional.empty(), closed, Optional.empty(), p, clock.instant(), List.of(),
        Optional.of(report)));
  }

  /** One reminder per user and monthly period, with the status of each monthly quota. */
  @Override
  public void onResetApproaching(String userId, List<QuotaStatus> monthly) {
    if (!settings.kinds().contains(NotificationKind.RESET_REMINDER) || monthly.isEmpty()) {
      return;
    }
    QuotaStatus first = monthly.get(0);
    NotificationKey key = new NotificationKey(userId, NotificationKind.RESET_REMINDER, "", 0, first.periodStart());
    if (claim(key, first.resetAt().plus(KEEP_AFTER_PERIOD))) {
      send(key, p -> new Notification(NotificationKind.RESET_REMINDER, userId, Optional.empty(), 0, first.periodStart(),
          first.resetAt(), Optional.empty(), List.of(), Optional.empty(), p, clock.instant(), monthly,
          Optional.empty()));
    }
  }

  /** Claims {@code key} in the ledger, unless this engine knows it is claimed already. */
  private boolean claim(NotificationKey key, Instant keepUntil) {
    if (claimed.getIfPresent(key) != null || waitingForPreferences(key)) {
      return false;
    }
    String claimant = UUID.randomUUID().toString();
    for (int attempt = 1; ; attempt++) {
      try {
        boolean mine = ledger.claim(key, claimant, clock.instant(), keepUntil);
        claimed.put(key, Boolean.TRUE);
        return mine;
      } catch (RuntimeException e) {
        if (attempt == CLAIM_ATTEMPTS) {
          // not cached: the next trigger asks the ledger again
          log.warn("Notification ledger unavailable; {} not sent now", key, e);
          return false;
        }
        // the same claimant again: if the lost attempt recorded it, this one is told so
      }
    }
  }

  /** Whether {@code key} was withdrawn for want of preferences less than a minute ago by both clocks. */
  private boolean waitingForPreferences(NotificationKey key) {
    long[] at = unsent.getIfPresent(key);
    if (at == null) {
      return false;
    }
    if (clock.millis() - at[0] < PREFERENCES_RETRY.toMillis()
        && System.nanoTime() - at[1] < PREFERENCES_RETRY.toNanos()) {
      return true;
    }
    unsent.invalidate(key);
    return false;
  }

  private void send(NotificationKey key, Function<Locale, Notification> make) {
    NotificationPreferences prefs = preferences(key);
    if (prefs == null) {
      // whether the user opted out is not known: not sent to anyone, withdrawn like one no channel delivered, and
      // not claimed again for a while
      unsent.put(key, new long[] {clock.millis(), System.nanoTime()});
      withdrawQuietly(key);
      return;
    }
    List<NotificationChannel> channels = new ArrayList<>();
    for (NotificationChannel c : settings.channels()) {
      if (prefs.receives(key.kind(), c.name())) {
        channels.add(c);
      }
    }
    if (channels.isEmpty()) {
      // the user does not want it: it stays claimed, as if sent, for this period
      return;
    }
    Notification n = make.apply(prefs.locale().orElse(settings.defaultLocale()));
    if (!dispatcher.dispatch(n, channels, () -> withdraw(key))) {
      withdrawQuietly(key);
    }
  }

  private void withdrawQuietly(NotificationKey key) {
    try {
      withdraw(key);
    } catch (RuntimeException e) {
      log.warn("Withdrawing the unsent notification {} failed", key, e);
    }
  }

  /** The user's preferences, or null when the source failed or answered null. */
  private NotificationPreferences preferences(NotificationKey key) {
    RuntimeException failure;
    try {
      NotificationPreferences p = settings.preferences().apply(key.userId());
      if (p != null) {
        return p;
      }
      failure = null;
    } catch (RuntimeException e) {
      failure = e;
    }
    long now = System.nanoTime();
    long last = preferencesWarned.get();
    String what = failure == null ? "answered null" : "failed";
    if (now - last >= PREFERENCES_RETRY.toNanos() && preferencesWarned.compareAndSet(last, now)) {
      log.warn("The notification preference source {} for {}; {} not sent (a later trigger may claim it after {};"
          + " further failures within a minute are logged at debug)", what, key.userId(), key, PREFERENCES_RETRY,
          failure);
    } else {
      log.debug("The notification preference source {} for {}; {} not sent now", what, key.userId(), key, failure);
    }
    return null;
  }

  private void withdraw(NotificationKey key) {
    claimed.invalidate(key);
    ledger.withdraw(key);
  }

  public NotificationStats stats() {
    return dispatcher.stats();
  }

  /** Delivers what is under way (up to the close timeout); withdraws what could not be delivered. */
  @Override
  public void close() {
    dispatcher.close();
  }
}
