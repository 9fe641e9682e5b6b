package dev.usage.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.usage.InvalidUsageException;
import dev.usage.PeriodUsage;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.RolloverPolicy;
import dev.usage.UsageStorageException;
import dev.usage.UserQuota;
import dev.usage.spi.CounterPeriod;
import dev.usage.spi.CounterStore;
import dev.usage.spi.CounterValue;
import dev.usage.spi.PeriodHistoryStore;
import dev.usage.spi.StoredCounter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rollover of unused quota (see {@link RolloverPolicy}): closes a user's periods of a carrying quota in
 * order, each from the one before, and tells the engine how many units were carried into a period.
 *
 * <p>Exactly once: a period's row is computed from the stored row of the period before, and stored
 * insert-if-absent; whoever stores it first (the reset job on any instance, or a consume) decides it, and
 * every later reader, on every instance, reads that row back. Rows are never computed from another
 * caller's unstored guess.
 *
 * <p>Cost: a consume of a carrying quota reads the carried amount from a cache of its own (at least 100,000
 * (user, quota, period) entries); a miss costs a history read and a counter read, and, the first time after the
 * period before became final, closing it. Thread-safe.
 */
public final class Rollovers {

  private static final Logger log = LoggerFactory.getLogger(Rollovers.class);

  /** How long a carried amount that could not be read is taken as 0 before the store is asked again. */
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);

  private record Key(String userId, QuotaType type, String periodId) {}

  /** The zones in use are from UTC−12 to UTC+14: a local midnight is at most this long before UTC's... */
  private static final Duration EARLIEST_OFFSET = Duration.ofHours(14);
  /** ...and at most this long after it. */
  private static final Duration LATEST_OFFSET = Duration.ofHours(12);

  /**
   * What the period before carried on (youngest first; received by the quota asked with, which an admin may change
   * meanwhile) and the instant until which it holds.
   */
  private record Known(List<Long> carriedOn, Instant validUntil, Quota receivedBy, long received) {

    Known(List<Long> carriedOn, Instant validUntil) {
      this(carriedOn, validUntil, null, 0);
    }
  }

  /** What {@link #closeThrough} did: the rows it stored, and the target period's row, if it has one. */
  public record Chain(List<PeriodUsage> stored, Optional<PeriodUsage> target) {}

  private final CounterStore counters;
  private final PeriodHistoryStore history;
  private final QuotaPlan plan;
  private final EngineSettings settings;
  private final Duration settleDelay;
  private final Cache<Key, Known> carried;
  /** Told of the rows a consume's look-up stored (the engine's listeners). */
  private volatile java.util.function.Consumer<List<PeriodUsage>> closedByLookup = rows -> { };

  public Rollovers(CounterStore counters, PeriodHistoryStore history, QuotaPlan plan, EngineSettings settings) {
    this.counters = counters;
    this.history = history;
    this.plan = plan;
    this.settings = settings;
    this.settleDelay = PeriodCloser.settleDelay(settings);
    // a carried amount never changes once known (its row is final), so it is cached even with no settings cache
    this.carried = Caffeine.newBuilder().maximumSize(Math.max(100_000, settings.settingsCacheSize())).build();
  }

  /** Who is told of the rows a look-up of carried units stored (as the reset job tells of its own). */
  void tellClosedTo(java.util.function.Consumer<List<PeriodUsage>> listener) {
    this.closedByLookup = listener;
  }

  /**
   * {@code quota} as it applies in {@code window}: with a carrying policy, its limit raised by the units
   * carried into the window (see {@link #carriedIn}); otherwise {@code quota} itself.
   *
   * @param user the user's stored settings, a tier change scheduled for a boundary still scheduled: the periods
   *     before the window are closed with the tier each of them had
   */
  public Quota allowance(UserQuota user, Quota quota, PeriodWindow window, Instant now) {
    if (!quota.rollover().carry() || quota.isUnlimited()) {
      return quota;
    }
    long in = carriedIn(user, quota, window, now);
    return in == 0 ? quota : quota.withLimit(Math.min(Quota.MAX_AMOUNT, quota.limit() + in));
  }

  /**
   * Refuses a carrying quota whose periods would get their carried units only after they ended: the units
   * arrive once the period before is final, {@code settleDelay} after its end, so the delay must be shorter
   * than the period's shortest length (a day, a week or 28 days, less the two hours DST may take). Quotas that
   * carry nothing pass.
   *
   * @param where the quota's place, for the message (a tier, the default quotas, an override)
   * @throws InvalidUsageException {@code rollover}, saying what to change
   */
  public static void requireCarryInTime(Quota quota, Duration settleDelay, String where) {
    if (!quota.rollover().carry() || quota.isUnlimited()) {
      return;
    }
    // a DST change makes a day, and the week or month holding it, shorter: by an hour, by two in some zones
    Duration shortest = switch (quota.period()) {
      case DAY -> Duration.ofHours(22);
      case WEEK -> Duration.ofDays(7).minusHours(2);
      case MONTH -> Duration.ofDays(28).minusHours(2);
    };
    if (settleDelay.compareTo(shortest) >= 0) {
      String period = quota.period().name().toLowerCase(Locale.ROOT);
      String length = switch (quota.period()) {
        case DAY -> "22 hours";
        case WEEK -> "7 days less 2 hours";
        case MONTH -> "28 days less 2 hours";
      };
      throw new InvalidUsageException("rollover", where + ": the quota of " + quota.type().name() + " per " + period
          + " would never use its carried units: they arrive once the period before is final, reservationTtl +"
          + " idempotencyWindow (" + settleDelay + ") after its end, and by then the period they are carried into"
          + " may have ended (it is as short as " + length + " where DST takes hours from it); make reservationTtl +"
          + " idempotencyWindow shorter than " + length
          + " (usually a shorter idempotencyWindow), or give the quota a longer period");
    }
  }

  /**
   * Units carried into {@code window} of a carrying quota: 0 until the period before is final; then what
   * its history row carried on, as {@code quota} receives it ({@link #receive}), closing it (and any unclosed
   * period before it) first if no reset job has.
   * A store failure counts as 0 carried (a minute later the store is asked again): it may refuse what
   * the carried units would have allowed, never the reverse.
   */
  long carriedIn(UserQuota user, Quota quota, PeriodWindow window, Instant now) {
    Key key = new Key(user.userId(), quota.type(), window.id());
    Known known = carried.getIfPresent(key);
    if (known != null && now.isBefore(known.validUntil())) {
      if (known.carriedOn().isEmpty() || quota.equals(known.receivedBy())) {
        return known.received();
      }
      // first asked with this quota (or with another since): receive it once, and keep that
      long in = sum(receive(known.carriedOn(), quota));
      carried.put(key, new Known(known.carriedOn(), known.validUntil(), quota, in));
      return in;
    }
    PeriodWindow previous = previous(quota, window, user);
    Instant finalAt = previous.end().plus(settleDelay);
    if (now.isBefore(finalAt)) {
      carried.put(key, new Known(List.of(), finalAt));
      return 0;
    }
    try {
      Chain chain = closeThrough(user, quota, previous, now);
      if (!chain.stored().isEmpty()) {
        List<PeriodUsage> all = new ArrayList<>(chain.stored());
        try {
          closeAlongside(user, chain.stored(), true, now, all);
        } catch (UsageStorageException e) {
          log.warn("Periods of user {} that ended with {} of quota {} were not closed with it (the reset job will): {}",
              user.userId(), previous.id(), quota.type().name(), e.getMessage());
        }
        closedByLookup.accept(all); // with the rows stored before a failure
      }
      List<Long> carriedOn = chain.target().map(PeriodUsage::rolledOverParts).orElse(List.of());
      long in = carriedOn.isEmpty() ? 0 : sum(receive(carriedOn, quota));
      carried.put(key, new Known(carriedOn, window.end(), quota, in));
      return in;
    } catch (UsageStorageException e) {
      log.warn("Units carried into {} of quota {} of user {} could not be read; counting none for now: {}",
          window.id(), quota.type().name(), user.userId(), e.getMessage());
      carried.put(key, new Known(List.of(), now.plus(RETRY_AFTER_FAILURE)));
      return 0;
    }
  }

  /**
   * Closes every unclosed period of {@code quota} of the user up to {@code target} (final), oldest first,
   * each from the one before. The chain starts at the stored row of the period before the first unclosed one,
   * or, with none, at the first period still counted ({@code counterRetention}) in which the user used something:
   * periods before a user's first use carry nothing. Periods after that with no use are closed too (they carry on
   * their unused limit). Periods whose counters are no longer kept are carried through as unused, without rows.
   *
   * <p>A stored row is a period's if it began at the period's start or, closed before a zone change, on the
   * period's first day in the old zone ({@link #rowOf}): those rows stand for the periods they were in the old zone
   * (the counters, keyed by local first day, continue too). An anchor change starts a new cycle ({@link
   * dev.usage.QuotaManagementService#changeBillingCycle}): the chain does not reach back past a period that a
   * stored row of the old cycle lies across, so the new cycle's chain starts afresh at its first use there, carrying
   * nothing in (the old cycle's periods are closed on their own bounds by the reset job, {@link
   * #closeOfAnotherCycle}).
   *
   * <p>Each period is closed with the quota of {@code quota}'s type that the user's plan gave it ({@code user}'s
   * stored settings: the plan before an immediate change made since the period ended, and as of its start, a tier
   * change scheduled for a boundary applying from that boundary on), or {@code quota} where the plan then had none
   * of its kind; what a period carries on is received by the next within the next one's policy ({@link #receive}).
   */
  public Chain closeThrough(UserQuota user, Quota quota, PeriodWindow target, Instant now) {
    String userId = user.userId();
    List<PeriodUsage> kept = QuotaEngine.store(() -> history.history(userId)).stream()
        .filter(r -> r.type().equals(quota.type()) && r.period() == quota.period()).toList();
    Optional<PeriodUsage> closed = rowOf(kept, target, user.zone());
    if (closed.isPresent()) {
      return new Chain(List.of(), closed);
    }
    Instant horizon = now.minus(settings.counterRetention());
    List<PeriodWindow> windows = new ArrayList<>();
    // the row the chain continues from; none: it starts at the first use among the windows
    Optional<PeriodUsage> from = Optional.empty();
    int skipped = 0;
    for (PeriodWindow w = target; ; w = previous(quota, w, user)) {
      if (w != target) {
        from = rowOf(kept, w, user.zone());
        if (from.isPresent()) {
          break;
        }
      }
      if (!w.end().isAfter(horizon)) {
        // its counter is no longer kept: periods from here back to the row before count as unused
        Unkept unkept = unkept(quota, w, kept, user);
        from = unkept.from();
        skipped = unkept.periods();
        break;
      }
      windows.add(w);
      if (ofAnotherCycle(kept, w)) {
        break; // the first period of a new cycle, or one before it (without use): nothing is carried into it
      }
    }
    Collections.reverse(windows);
    // with bounds: a lost counter read as zero here would be stored as the period's usage for good
    List<CounterPeriod> periods = windows.stream().map(w -> w.counter(quota.type(), settings.counterRetention()))
        .toList();
    List<CounterValue> values = QuotaEngine.store(() -> counters.readPeriods(userId, periods, now));
    List<Long> parts = from.map(PeriodUsage::rolledOverParts).orElse(List.of());
    parts = carryThroughUnused(parts, quota.limit(), quota.rollover(), skipped);
    boolean started = from.isPresent();
    List<PeriodUsage> rows = new ArrayList<>(windows.size());
    for (int i = 0; i < windows.size(); i++) {
      PeriodWindow w = windows.get(i);
      long used = values.get(i).used();
      if (!started && used == 0) {
        continue;
      }
      started = true;
      Quota q = quotaAt(user, quota, w);
      parts = receive(parts, q);
      List<Long> out = carry(parts, q.limit(), used, q.rollover());
      rows.add(new PeriodUsage(userId, q.type(), q.period(), w.start(), w.end(), q.limit(), used, sum(out), now,
          sum(parts), out));
      parts = out;
    }
    if (rows.isEmpty()) {
      return new Chain(List.of(), Optional.empty());
    }
    List<PeriodUsage> stored = QuotaEngine.store(() -> history.close(rows));
    if (stored.size() == rows.size()) {
      return new Chain(stored, Optional.of(rows.get(rows.size() - 1)));
    }
    // another closer stored some of them first: its rows decide, and are what this one reads back
    Optional<PeriodUsage> decided = rowOf(QuotaEngine.store(() -> history.history(userId)).stream()
        .filter(r -> r.type().equals(quota.type()) && r.period() == quota.period()).toList(), target, user.zone());
    return new Chain(stored, decided);
  }

  /**
   * Closes a period of a carrying quota whose counter is of a billing cycle the user has left (an anchor change):
   * on the counter's own bounds, with the quota {@code quota} and what it received from the row that ended where it
   * began, and carrying nothing on, as the new cycle's periods start afresh ({@link #closeThrough}).
   *
   * @return the row, if this call stored it
   */
  public List<PeriodUsage> closeOfAnotherCycle(UserQuota user, Quota quota, StoredCounter counter, Instant now) {
    // closed before on the counter's bounds, or, after a zone change since the counter began, from its first day's
    // midnight in the user's zone (as the chain closes a period of the current cycle)
    Instant inZone = java.time.LocalDate.parse(counter.periodId().substring(1)).atStartOfDay(user.zone()).toInstant();
    Optional<PeriodUsage> before = Optional.empty();
    for (PeriodUsage r : QuotaEngine.store(() -> history.history(user.userId()))) {
      if (!r.type().equals(quota.type()) || r.period() != quota.period()) {
        continue;
      }
      if (r.periodStart().equals(counter.periodStart()) || r.periodStart().equals(inZone)) {
        return List.of();
      }
      if (r.periodEnd().equals(counter.periodStart())) {
        before = Optional.of(r);
      }
    }
    long in = before.map(r -> sum(receive(r.rolledOverParts(), quota))).orElse(0L);
    PeriodUsage row = new PeriodUsage(user.userId(), quota.type(), quota.period(), counter.periodStart(),
        counter.periodEnd(), quota.limit(), counter.used(), 0, now, in, List.of());
    return QuotaEngine.store(() -> history.close(List.of(row)));
  }

  /**
   * The row among {@code rows} (of {@code window}'s quota and kind) that is {@code window}'s period: the one that
   * began at its start; or, closed before a zone change, one that began on its first day in the old zone ({@link
   * #sameFirstDay}) and not at a midnight of the user's zone, where every row of a period since the change began.
   * Two days' rows of an old zone at UTC+12 or beyond, or UTC−10 or beyond, can both match a day: the one whose old
   * zone would be from UTC−10 to UTC+13 is taken (Hawaii and New Zealand, rather than Kiribati's Line Islands and
   * Samoa's neighbours).
   *
   * <p>What a row alone cannot tell: a row that began at a midnight of the user's zone is taken to be of that zone,
   * so after a zone change of exactly 24 hours (UTC+13 to UTC−11, say) the chain starts afresh.
   */
  private static Optional<PeriodUsage> rowOf(List<PeriodUsage> rows, PeriodWindow window, ZoneId zone) {
    PeriodUsage best = null;
    for (PeriodUsage r : rows) {
      if (r.periodStart().equals(window.start())) {
        return Optional.of(r);
      }
      if (sameFirstDay(r, window) && !atMidnight(r.periodStart(), zone) && (best == null || likelyOffset(r, window))) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Whether {@code row}, taken to have begun on {@code window}'s first day, was in a zone from UTC−10 to UTC+13. */
  private static boolean likelyOffset(PeriodUsage row, PeriodWindow window) {
    Duration offset = Duration.between(row.periodStart(), firstDayUtc(window));
    return offset.compareTo(Duration.ofHours(-10)) >= 0 && offset.compareTo(Duration.ofHours(13)) <= 0;
  }

  /** Midnight UTC of {@code window}'s first day (the local date its id names). */
  private static Instant firstDayUtc(PeriodWindow window) {
    return java.time.LocalDate.parse(window.id().substring(1)).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
  }

  private static boolean atMidnight(Instant t, ZoneId zone) {
    return java.time.LocalDate.ofInstant(t, zone).atStartOfDay(zone).toInstant().equals(t);
  }

  /**
   * Whether {@code row} began on the first day of {@code window} (of its kind), in some zone: at that day's
   * midnight in an offset from UTC−12 to UTC+14 (the zones in use). A row closed before a zone change began on its
   * period's first day in the old zone, as the period's counter, keyed by that day, does.
   */
  private static boolean sameFirstDay(PeriodUsage row, PeriodWindow window) {
    if (row.periodStart().equals(window.start())) {
      return true;
    }
    Instant utcMidnight = firstDayUtc(window);
    return !row.periodStart().isBefore(utcMidnight.minus(EARLIEST_OFFSET))
        && !row.periodStart().isAfter(utcMidnight.plus(LATEST_OFFSET));
  }

  /**
   * Whether a row among {@code rows}, none of them {@code window}'s own, lies across it by more than a zone change can
   * shift a period (26 hours): a period of the cycle before an anchor change.
   */
  private static boolean ofAnotherCycle(List<PeriodUsage> rows, PeriodWindow window) {
    for (PeriodUsage row : rows) {
      Instant from = row.periodStart().isAfter(window.start()) ? row.periodStart() : window.start();
      Instant to = row.periodEnd().isBefore(window.end()) ? row.periodEnd() : window.end();
      if (Duration.between(from, to).compareTo(EARLIEST_OFFSET.plus(LATEST_OFFSET)) > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Closes the user's periods of their other quotas that ended with {@code rows} (of the user), as the reset job
   * would, so that a closed period is told to listeners whole (a reset confirmation lists every quota): each
   * carrying quota's chain once, through the latest of those periods of its kind; with {@code plainToo}, the
   * periods of the other quotas that have a counter too (the reset job closes those from their counters). Periods
   * of another cycle than the user's current one are left to the reset job.
   *
   * @param out gets the rows stored, as they are stored (so that a failure part-way loses none of them)
   * @throws UsageStorageException the store failed; the rows stored before are in {@code out}
   */
  void closeAlongside(UserQuota user, List<PeriodUsage> rows, boolean plainToo, Instant now, List<PeriodUsage> out) {
    Map<PeriodWindow, Set<QuotaType>> windows = new LinkedHashMap<>();
    for (PeriodUsage r : rows) {
      PeriodWindow w = Periods.compute(r.period(), r.periodStart(), user.zone(), user.billingAnchorDay());
      if (w.start().equals(r.periodStart()) && w.end().equals(r.periodEnd())) {
        windows.computeIfAbsent(w, k -> new HashSet<>()).add(r.type());
      }
    }
    Map<QuotaType, Map.Entry<Quota, PeriodWindow>> carrying = new LinkedHashMap<>();
    List<Map.Entry<Quota, PeriodWindow>> plain = new ArrayList<>();
    windows.forEach((w, closed) -> {
      QuotaPeriod kind = Periods.kindOf(w.id());
      for (Quota q : plan.effective(Periods.settingsOf(user, w).asOf(w.start())).values()) {
        if (q.period() != kind || closed.contains(q.type())) {
          continue;
        }
        if (q.rollover().carry() && !q.isUnlimited()) {
          carrying.merge(q.type(), Map.entry(q, w), (a, b) -> a.getValue().start().isAfter(b.getValue().start()) ? a : b);
        } else if (plainToo) {
          plain.add(Map.entry(q, w));
        }
      }
    });
    for (Map.Entry<Quota, PeriodWindow> c : carrying.values()) {
      out.addAll(closeThrough(user, c.getKey(), c.getValue(), now).stored());
    }
    if (plain.isEmpty()) {
      return;
    }
    List<CounterValue> values = QuotaEngine.store(() -> counters.readPeriods(user.userId(),
        plain.stream().map(e -> e.getValue().counter(e.getKey().type(), settings.counterRetention())).toList(), now));
    List<PeriodUsage> fresh = new ArrayList<>();
    for (int i = 0; i < plain.size(); i++) {
      Quota q = plain.get(i).getKey();
      PeriodWindow w = plain.get(i).getValue();
      if (values.get(i).used() > 0) {
        fresh.add(new PeriodUsage(user.userId(), q.type(), q.period(), w.start(), w.end(), q.limit(),
            values.get(i).used(), 0, now));
      }
    }
    if (!fresh.isEmpty()) {
      out.addAll(QuotaEngine.store(() -> history.close(fresh)));
    }
  }

  /**
   * The quota of {@code quota}'s type that the user's plan gave {@code window}: the plan it ended with, before any
   * immediate change made since ({@link Periods#settingsOf}), with the tier of its start; or {@code quota}
   * where that plan had none of the same kind of period (the window is one of {@code quota}'s).
   */
  private Quota quotaAt(UserQuota user, Quota quota, PeriodWindow window) {
    if (user.scheduled().isEmpty() && user.earlier().isEmpty()) {
      return quota; // nothing but a scheduled change or an earlier plan kept makes settings differ by period
    }
    Quota then = plan.effective(Periods.settingsOf(user, window).asOf(window.start())).get(quota.type());
    return then != null && then.period() == quota.period() ? then : quota;
  }

  /**
   * Units carried on by the period before, as a period of {@code quota} receives them: none without a carrying
   * policy; otherwise the parts its policy lets live (one part where nothing expires), within its cap, the oldest
   * dropped first. Parts carried on under the same policy are received whole: this matters only where the period
   * before had another quota (a tier change at the boundary).
   */
  static List<Long> receive(List<Long> parts, Quota quota) {
    RolloverPolicy policy = quota.rollover();
    if (!policy.carry() || quota.isUnlimited()) {
      return List.of();
    }
    if (parts.isEmpty()) {
      return parts;
    }
    List<Long> kept = policy.expiresAfterPeriods() == 0 ? List.of(Math.min(Quota.MAX_AMOUNT, sum(parts)))
        : parts.subList(0, Math.min(parts.size(), policy.expiresAfterPeriods()));
    return capped(kept, policy.cap(quota.limit()));
  }

  /**
   * What carries on out of a period: the carried-in {@code parts} (youngest first) are used before the
   * period's own {@code limit}, oldest first; what is left of the limit becomes the youngest part, the
   * parts that have not expired age by one, and the cap drops the oldest first.
   *
   * @return the parts carried into the next period, youngest first (empty: nothing)
   */
  static List<Long> carry(List<Long> parts, long limit, long used, RolloverPolicy policy) {
    if (!policy.carry() || limit == Quota.UNLIMITED) {
      return List.of();
    }
    long[] left = new long[parts.size()];
    long toUse = used;
    for (int i = parts.size() - 1; i >= 0; i--) {
      long take = Math.min(parts.get(i), toUse);
      left[i] = parts.get(i) - take;
      toUse -= take;
    }
    long own = Math.max(0, limit - toUse);
    List<Long> out = new ArrayList<>(parts.size() + 1);
    out.add(own);
    int keep = policy.expiresAfterPeriods() == 0 ? left.length
        : Math.min(left.length, policy.expiresAfterPeriods() - 1);
    for (int i = 0; i < keep; i++) {
      out.add(left[i]);
    }
    if (policy.expiresAfterPeriods() == 0 && out.size() > 1) {
      // nothing expires: one part, the sum (saturating; capped below)
      long total = 0;
      for (long p : out) {
        total = Math.min(Quota.MAX_AMOUNT, total + p);
      }
      out = new ArrayList<>(List.of(total));
    }
    return capped(out, policy.cap(limit));
  }

  /** {@code parts} after {@code periods} periods in which nothing was used (without rows). */
  static List<Long> carryThroughUnused(List<Long> parts, long limit, RolloverPolicy policy, int periods) {
    if (periods == 0 || !policy.carry() || limit == Quota.UNLIMITED) {
      return periods == 0 ? parts : List.of();
    }
    if (policy.expiresAfterPeriods() == 0) {
      // one part that grows by the limit each period, up to the cap: computed at once
      long total = sum(parts);
      long grown = limit > 0 && periods >= Quota.MAX_AMOUNT / limit ? Quota.MAX_AMOUNT
          : Math.min(Quota.MAX_AMOUNT, total + (long) periods * limit);
      return capped(List.of(grown), policy.cap(limit));
    }
    // with an expiry, every part is the unused limit's after that many periods: a fixed point
    List<Long> out = parts;
    for (int i = 0; i < Math.min(periods, policy.expiresAfterPeriods() + 1); i++) {
      out = carry(out, limit, 0, policy);
    }
    return out;
  }

  private static List<Long> capped(List<Long> parts, long cap) {
    List<Long> out = new ArrayList<>(parts);
    long excess = sum(out) - Math.min(cap, Quota.MAX_AMOUNT);
    for (int i = out.size() - 1; i >= 0 && excess > 0; i--) {
      long drop = Math.min(out.get(i), excess);
      out.set(i, out.get(i) - drop);
      excess -= drop;
    }
    while (!out.isEmpty() && out.get(out.size() - 1) == 0) {
      out.remove(out.size() - 1);
    }
    return List.copyOf(out);
  }

  /** The sum of parts, each at most {@link Quota#MAX_AMOUNT}, saturating at {@link Long#MAX_VALUE}. */
  private static long sum(List<Long> parts) {
    long total = 0;
    for (long p : parts) {
      total = total > Long.MAX_VALUE - p ? Long.MAX_VALUE : total + p;
    }
    return total;
  }

  /** Where a chain that reached periods without counters continues from, and how many unused periods lie between. */
  private record Unkept(Optional<PeriodUsage> from, int periods) {}

  /**
   * The row of the period before {@code first} and the periods between them (from {@code first} back), all without
   * counters and so unused; none (the chain starts afresh) where a period of another cycle comes first, or no row
   * is that early.
   */
  private static Unkept unkept(Quota quota, PeriodWindow first, List<PeriodUsage> rows, UserQuota user) {
    Instant earliest = rows.stream().map(PeriodUsage::periodStart).min(Instant::compareTo).orElse(Instant.MAX);
    int n = 0;
    // a row may begin up to a day after the period it stands for ends (a zone change)
    for (PeriodWindow w = first; w.end().plus(Duration.ofDays(1)).isAfter(earliest) && n <= 100_000;
        w = previous(quota, w, user)) {
      Optional<PeriodUsage> own = rowOf(rows, w, user.zone());
      if (own.isPresent()) {
        return new Unkept(own, n);
      }
      if (ofAnotherCycle(rows, w)) {
        break;
      }
      n++;
    }
    return new Unkept(Optional.empty(), 0);
  }

  private static PeriodWindow previous(Quota quota, PeriodWindow w, UserQuota user) {
    return Periods.compute(quota.period(), w.start().minusNanos(1), user.zone(), user.billingAnchorDay());
  }
}
