package dev.usage.internal;

import dev.usage.AggregationReport;
import dev.usage.AnalyticsService;
import dev.usage.AnalyticsUnavailableException;
import dev.usage.EventFilter;
import dev.usage.EventSort;
import dev.usage.EventWriter;
import dev.usage.ExportFormat;
import dev.usage.UsageExports;
import dev.usage.EventTotals;
import dev.usage.PeriodUsage;
import dev.usage.QuotaStatus;
import dev.usage.QuotaType;
import dev.usage.SystemAnalytics;
import dev.usage.SystemAnalytics.EndpointLatency;
import dev.usage.SystemAnalytics.FailureRate;
import dev.usage.SystemAnalytics.UserTotals;
import dev.usage.SystemUsage;
import dev.usage.TimeRange;
import dev.usage.UsageCounts;
import dev.usage.UsageReport;
import dev.usage.UsageReport.PeriodUtilisation;
import dev.usage.UsageReport.TierComparison;
import dev.usage.UsageReport.Trend;
import dev.usage.CapacityForecast;
import dev.usage.Pricing;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.RevenueReport;
import dev.usage.RevenueReport.TierRevenue;
import dev.usage.RevenueReport.UpgradeCandidate;
import dev.usage.RevenueReport.UserOverage;
import dev.usage.UsageForecast;
import dev.usage.UnusualUsageAlert;
import dev.usage.UnusualUsagePolicy;
import dev.usage.UserQuota;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import dev.usage.spi.EventStore;
import dev.usage.spi.GroupTotals;
import dev.usage.spi.Grouping;
import dev.usage.spi.TimePercentiles;
import dev.usage.spi.UserRank;
import dev.usage.spi.UsageStorage;
import java.time.Duration;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link AnalyticsService} on the storage's {@link EventAnalytics}. Thread-safe. */
public final class DefaultAnalyticsService implements AnalyticsService {

  /** Most users {@link #getSystemAnalytics} ranks. */
  public static final int MAX_TOP_USERS = 1_000;
  private static final List<Double> LATENCY_PERCENTILES = List.of(0.5, 0.95, 0.99);

  private final QuotaEngine engine;
  private final UsageStorage storage;
  private final EngineSettings settings;
  private final UnusualUsageDetector detector;
  private final ListenerDispatcher listeners;
  /**
   * Runs a report's independent statements side by side: on a database each runs on a connection (and a
   * core) of its own. Daemon threads, created on demand, gone after a minute idle.
   */
  private final ExecutorService workers = new ThreadPoolExecutor(0, 4, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
      daemonThreads("usage-analytics"), new ThreadPoolExecutor.CallerRunsPolicy());

  public DefaultAnalyticsService(QuotaEngine engine, UsageStorage storage, EngineSettings settings,
      UnusualUsagePolicy unusualUsage, ListenerDispatcher listeners) {
    this.detector = new UnusualUsageDetector(unusualUsage);
    this.listeners = listeners;
    this.engine = engine;
    this.storage = storage;
    this.settings = settings;
  }

  /** The storage's analytics, or the typed error saying there are none. */
  EventAnalytics analytics() {
    return storage.events().analytics().orElseThrow(() -> new AnalyticsUnavailableException(
        "the event store " + storage.events().getClass().getSimpleName() + " offers no analytics; keep events in"
            + " a store that does (in-memory or JDBC)"));
  }

  EventQuery query(EventFilter filter) {
    return new EventQuery(filter, engine.plan().defaultTier());
  }

  /** The totals of the events of {@code filter}. */
  EventTotals totals(EventAnalytics a, EventFilter filter) {
    return QuotaEngine.store(() -> a.group(query(filter), Set.of())).get(0).totals();
  }

  @Override
  public SystemUsage getSystemUsage(Instant from, Instant to) {
    return systemUsage(storage.events(), from, to);
  }

  /** {@link #getSystemUsage}, shared with the tracking service's method of the same name. */
  static SystemUsage systemUsage(EventStore events, Instant from, Instant to) {
    Checks.notNull("from", from);
    Checks.notNull("to", to);
    if (to.isBefore(from)) {
      throw new dev.usage.InvalidUsageException("to", "must not be before from");
    }
    return QuotaEngine.store(() -> events.systemUsage(from, to));
  }

  @Override
  public UsageReport generateUsageReport(String userId, TimeRange range) {
    Checks.id("userId", userId);
    Checks.notNull("range", range);
    EventAnalytics a = analytics();
    UserQuota user = engine.userQuota(userId);
    EventFilter mine = EventFilter.builder(range).user(userId).build();
    EventTotals totals = totals(a, mine);

    SortedMap<String, EventTotals> byFeature = new TreeMap<>();
    for (GroupTotals g : QuotaEngine.store(() -> a.group(query(mine), Set.of(Dimension.FEATURE)))) {
      byFeature.put(g.key(Dimension.FEATURE), g.totals());
    }
    SortedMap<LocalDate, UsageCounts> byDay = new TreeMap<>();
    LocalDate last = range.to().minusNanos(1).atZone(user.zone()).toLocalDate();
    for (LocalDate d = range.from().atZone(user.zone()).toLocalDate(); !d.isAfter(last); d = d.plusDays(1)) {
      byDay.put(d, UsageCounts.NONE);
    }
    for (GroupTotals g : QuotaEngine.store(() -> a.group(query(mine), Set.of(Dimension.QUARTER_HOUR)))) {
      byDay.merge(g.slot().atZone(user.zone()).toLocalDate(), UsageCounts.of(g.totals()), UsageCounts::plus);
    }

    Set<QuotaType> types = new TreeSet<>(engine.plan().effective(user).keySet());
    types.addAll(totals.units().keySet());
    EventFilter tier = EventFilter.builder(range).tier(user.tier()).build();
    EventTotals tierTotals = totals(a, tier);
    List<TierComparison> vsTier = new ArrayList<>();
    for (QuotaType t : types) {
      long mineUnits = totals.units(t);
      UserRank rank = QuotaEngine.store(() -> a.userRank(query(tier), t, mineUnits));
      double average = tierTotals.users() == 0 ? 0 : (double) tierTotals.units(t) / tierTotals.users();
      vsTier.add(new TierComparison(t, mineUnits, tierTotals.users(), average, rank.percentile()));
    }
    // the range before, as long as this one, cut at 1970 (where no event can be): a range starting then has none
    EventTotals before = range.from().equals(Instant.EPOCH) ? EventTotals.NONE
        : totals(a, mine.withRange(range.previousFromEpoch()));
    List<Trend> trend = types.stream().map(t -> new Trend(t, before.units(t), totals.units(t))).toList();

    return new UsageReport(userId, user.tier(), user.zone(), range, totals, byFeature, byDay, periods(userId, range),
        vsTier, trend, settings.clock().instant());
  }

  /** Closed periods from the history, then the current ones, that overlap {@code range}. */
  private List<PeriodUtilisation> periods(String userId, TimeRange range) {
    List<PeriodUtilisation> out = new ArrayList<>();
    for (PeriodUsage p : QuotaEngine.store(() -> storage.history().history(userId))) {
      if (p.periodStart().isBefore(range.to()) && p.periodEnd().isAfter(range.from())) {
        // the allowance, as the status showed it: the limit with the units carried in
        long limit = p.limit() == Quota.UNLIMITED ? p.limit() : Math.min(Quota.MAX_AMOUNT, p.limit() + p.carriedIn());
        out.add(new PeriodUtilisation(p.type(), p.period(), p.periodStart(), p.periodEnd(), limit, p.used(), true));
      }
    }
    for (QuotaStatus s : engine.statuses(userId)) {
      boolean alreadyClosed = out.stream().anyMatch(p -> p.type().equals(s.type()) && p.period() == s.period()
          && p.start().equals(s.periodStart()));
      if (!alreadyClosed && s.periodStart().isBefore(range.to()) && s.resetAt().isAfter(range.from())) {
        out.add(new PeriodUtilisation(s.type(), s.period(), s.periodStart(), s.resetAt(), s.limit(), s.used(), false));
      }
    }
    out.sort(Comparator.comparing(PeriodUtilisation::type).thenComparing(PeriodUtilisation::start)
        .thenComparing(PeriodUtilisation::period));
    return out;
  }

  @Override
  public SystemAnalytics getSystemAnalytics(TimeRange range) {
    return getSystemAnalytics(range, settings.defaultZone(), QuotaType.CHARACTERS, 10);
  }

  @Override
  public SystemAnalytics getSystemAnalytics(TimeRange range, ZoneId zone, QuotaType topBy, int topUsers) {
    Checks.notNull("range", range);
    Checks.notNull("zone", zone);
    Checks.notNull("topBy", topBy);
    if (topUsers < 0 || topUsers > MAX_TOP_USERS) {
      throw new dev.usage.InvalidUsageException("topUsers", "must be within 0.." + MAX_TOP_USERS + ", was " + topUsers);
    }
    EventAnalytics a = analytics();
    EventQuery all = query(EventFilter.of(range));
    // every sum and the top users in one request (one scan where the backend can); percentiles beside it
    // (users are counted where they are shown: in the totals and per tier)
    List<Grouping> asked = new ArrayList<>(List.of(Grouping.of(), Grouping.of(Dimension.TIER),
        Grouping.withoutUsers(Dimension.FEATURE, Dimension.ENDPOINT), Grouping.withoutUsers(Dimension.ERROR_CODE),
        Grouping.withoutUsers(Dimension.QUARTER_HOUR)));
    if (topUsers > 0) {
      asked.add(Grouping.top(Dimension.USER, topBy, topUsers));
    }
    // the percentiles beside the sums, not after them: two statements at once on a database
    Future<List<TimePercentiles>> percentiles = workers.submit(() -> QuotaEngine.store(() -> a.processingTimes(all,
        Optional.of(Dimension.ENDPOINT), LATENCY_PERCENTILES)));
    List<List<GroupTotals>> sums;
    try {
      sums = QuotaEngine.store(() -> a.groupings(all, asked));
    } catch (RuntimeException e) {
      percentiles.cancel(true);
      throw e;
    }
    EventTotals totals = sums.get(0).get(0).totals();

    SortedMap<String, EventTotals> byTier = new TreeMap<>();
    for (GroupTotals g : sums.get(1)) {
      byTier.put(g.key(Dimension.TIER), g.totals());
    }
    List<FailureRate> failures = new ArrayList<>();
    for (GroupTotals g : sums.get(2)) {
      failures.add(new FailureRate(g.key(Dimension.FEATURE), g.key(Dimension.ENDPOINT), g.totals().events(),
          g.totals().failedEvents()));
    }
    failures.sort(Comparator.comparingDouble(FailureRate::errorRate).reversed()
        .thenComparing(FailureRate::feature).thenComparing(FailureRate::endpoint));
    SortedMap<String, Long> errorCodes = new TreeMap<>();
    for (GroupTotals g : sums.get(3)) {
      if (g.totals().failedEvents() > 0) {
        errorCodes.put(g.key(Dimension.ERROR_CODE), g.totals().failedEvents());
      }
    }
    List<EndpointLatency> latency = new ArrayList<>();
    for (TimePercentiles p : result(percentiles)) {
      latency.add(new EndpointLatency(p.key(), p.timedEvents(), p.values().get(0), p.values().get(1), p.values().get(2)));
    }
    latency.sort(Comparator.comparing(EndpointLatency::p95).reversed().thenComparing(EndpointLatency::endpoint));

    List<UsageCounts> hours = new ArrayList<>(java.util.Collections.nCopies(24, UsageCounts.NONE));
    List<UsageCounts> days = new ArrayList<>(java.util.Collections.nCopies(7, UsageCounts.NONE));
    for (GroupTotals g : sums.get(4)) {
      var local = g.slot().atZone(zone);
      UsageCounts c = UsageCounts.of(g.totals());
      hours.set(local.getHour(), hours.get(local.getHour()).plus(c));
      int dow = local.getDayOfWeek().getValue() - 1;
      days.set(dow, days.get(dow).plus(c));
    }
    List<UserTotals> top = topUsers == 0 ? List.of() : sums.get(5).stream()
        .map(g -> new UserTotals(g.key(Dimension.USER), g.totals())).toList();
    return new SystemAnalytics(range, zone, totals, byTier, failures, errorCodes, latency, hours, days, top, topBy,
        settings.clock().instant());
  }

  /** The result of {@code f}, rethrowing what the task threw as it was thrown. */
  private static <T> T result(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new dev.usage.UsageStorageException("interrupted while waiting for the store", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Daemon threads named {@code <name>-1}, {@code <name>-2}, ... */
  static ThreadFactory daemonThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public AggregationReport calculateAggregations(TimeRange range) {
    Checks.notNull("range", range);
    LocalDate from = range.from().atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate to = range.to().minusNanos(1).atZone(ZoneOffset.UTC).toLocalDate().plusDays(1);
    EventAnalytics a = analytics();
    return QuotaEngine.store(() -> a.rebuildAggregations(from, to));
  }

  @Override
  public long exportUsageData(EventFilter filter, ExportFormat format, OutputStream out) {
    return exportUsageData(filter, EventSort.OLDEST_FIRST, format, out);
  }

  @Override
  public long exportUsageData(EventFilter filter, EventSort sort, ExportFormat format, OutputStream out) {
    Checks.notNull("filter", filter);
    Checks.notNull("sort", sort);
    Checks.notNull("format", format);
    Checks.notNull("out", out);
    EventAnalytics a = analytics();
    EventWriter writer = UsageExports.writer(format, out);
    streamOrAbort(() -> a.forEachEvent(query(filter), sort, writer), writer::flush, format, out);
    writer.close();
    return writer.rows();
  }

  /**
   * Runs an export's {@code stream} from the store; when it fails, what was written goes out unfinished, so that a
   * failed export never reads as a complete document, and the failure is rethrown: {@code flush} sends what the
   * writer holds (JSON then lacks its closing bracket); CSV, which has no end of its own (the records written are
   * a complete file), then ends in a quoted cell that is never closed, on which CSV readers fail.
   */
  static void streamOrAbort(Runnable stream, Runnable flush, ExportFormat format, OutputStream out) {
    try {
      QuotaEngine.store(() -> {
        stream.run();
        return null;
      });
    } catch (RuntimeException e) {
      try {
        flush.run();
        if (format == ExportFormat.CSV) {
          out.write(UNFINISHED_CSV);
          out.flush();
        }
      } catch (RuntimeException | java.io.IOException flushFailed) {
        e.addSuppressed(flushFailed);
      }
      throw e;
    }
  }

  /** What ends a CSV export that failed part-way: an unclosed quoted cell (see {@link #streamOrAbort}). */
  private static final byte[] UNFINISHED_CSV =
      "\"the export failed here: this file is incomplete".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  @Override
  public List<UnusualUsageAlert> detectUnusualUsage() {
    return detectUnusualUsage(settings.clock().instant().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1)));
  }

  @Override
  public List<UnusualUsageAlert> detectUnusualUsage(Instant hourStart) {
    Checks.notNull("hourStart", hourStart);
    if (!hourStart.truncatedTo(ChronoUnit.HOURS).equals(hourStart)) {
      throw new dev.usage.InvalidUsageException("hourStart", "must be the start of a UTC hour, was " + hourStart);
    }
    EventAnalytics a = analytics();
    List<UnusualUsageAlert> alerts =
        QuotaEngine.store(() -> detector.detect(a, this::query, hourStart, settings.clock().instant()));
    for (UnusualUsageAlert alert : alerts) {
      listeners.publish(l -> l.onUnusualUsage(alert));
    }
    return alerts;
  }

  @Override
  public RevenueReport revenue(YearMonth month, Pricing pricing) {
    Checks.notNull("month", month);
    Checks.notNull("pricing", pricing);
    ZoneId zone = settings.defaultZone();
    TimeRange range = TimeRange.month(month, zone);
    EventAnalytics a = analytics();
    List<GroupTotals> users = QuotaEngine.store(() -> a.group(query(EventFilter.of(range)),
        Set.of(Dimension.USER, Dimension.TIER)));
    Set<String> unpaid = new TreeSet<>();
    for (String tier : engine.plan().tiers().keySet()) {
      if (!pricing.isPaid(tier)) {
        unpaid.add(tier);
      }
    }
    Map<String, EventTotals> before = new java.util.HashMap<>();
    if (!unpaid.isEmpty()) {
      EventFilter free = EventFilter.builder(TimeRange.month(month.minusMonths(1), zone)).tiers(unpaid).build();
      for (GroupTotals g : QuotaEngine.store(() -> a.group(query(free), Set.of(Dimension.USER)))) {
        before.put(g.key(Dimension.USER), g.totals());
      }
    }
    SortedMap<String, long[]> activeByTier = new TreeMap<>();
    Map<String, BigDecimal> overageByTier = new TreeMap<>();
    List<UserOverage> overages = new ArrayList<>();
    List<UpgradeCandidate> candidates = new ArrayList<>();
    for (GroupTotals g : users) {
      String user = g.key(Dimension.USER);
      String tier = g.key(Dimension.TIER);
      activeByTier.computeIfAbsent(tier, t -> new long[1])[0]++;
      boolean free = unpaid.contains(tier);
      boolean charged = engine.plan().knownTypes().stream().anyMatch(t -> pricing.overage(tier, t).isPresent());
      if (!free && !charged) {
        continue;
      }
      UpgradeCandidate best = null;
      for (Quota q : engine.plan().effective(engine.userQuota(user)).values()) {
        if (q.period() != QuotaPeriod.MONTH || q.isUnlimited()) {
          continue;
        }
        long used = g.totals().units(q.type());
        Optional<Pricing.OveragePrice> price = pricing.overage(tier, q.type());
        if (price.isPresent() && used > q.limit()) {
          BigDecimal charge = pricing.round(price.get().charge(used - q.limit()));
          overages.add(new UserOverage(user, tier, q.type(), q.limit(), used, used - q.limit(), charge));
          overageByTier.merge(tier, charge, BigDecimal::add);
        }
        long previous = before.getOrDefault(user, EventTotals.NONE).units(q.type());
        // a limit of 0 is something the tier leaves out, not a quota its users grow into
        if (free && q.limit() > 0 && nearLimit(used, q.limit()) && nearLimit(previous, q.limit())) {
          UpgradeCandidate c = new UpgradeCandidate(user, tier, q.type(), q.limit(), previous, used);
          if (best == null || c.utilisation() > best.utilisation()) {
            best = c;
          }
        }
      }
      if (best != null) {
        candidates.add(best);
      }
    }
    BigDecimal zero = pricing.round(BigDecimal.ZERO);
    List<TierRevenue> tiers = new ArrayList<>();
    activeByTier.forEach((tier, n) -> {
      BigDecimal price = pricing.tierPrice(tier);
      tiers.add(new TierRevenue(tier, n[0], price, pricing.round(price.multiply(BigDecimal.valueOf(n[0]))),
          overageByTier.getOrDefault(tier, zero)));
    });
    overages.sort(Comparator.comparing(UserOverage::charge).reversed().thenComparing(UserOverage::userId)
        .thenComparing(UserOverage::type));
    candidates.sort(Comparator.comparingDouble(UpgradeCandidate::utilisation).reversed()
        .thenComparing(UpgradeCandidate::userId));
    BigDecimal subscriptions = tiers.stream().map(TierRevenue::subscriptionRevenue).reduce(zero, BigDecimal::add);
    BigDecimal overage = overages.stream().map(UserOverage::charge).reduce(zero, BigDecimal::add);
    return new RevenueReport(month, zone, pricing.currency(), tiers, subscriptions, overage, overages, candidates,
        settings.clock().instant());
  }

  /** {@code used >= 90 % of limit}, exactly. */
  private static boolean nearLimit(long used, long limit) {
    return used * 10 >= limit * 9;
  }

  @Override
  public UsageForecast forecastUsage(String userId) {
    Checks.id("userId", userId);
    UserQuota user = engine.storedUserQuota(userId);
    return Forecasts.usage(user, engine.statuses(user), settings.clock().instant());
  }

  @Override
  public CapacityForecast forecastCapacity() {
    return forecastCapacity(3);
  }

  @Override
  public CapacityForecast forecastCapacity(int months) {
    if (months < 1 || months > 24) {
      throw new dev.usage.InvalidUsageException("months", "must be within 1..24, was " + months);
    }
    ZoneId zone = settings.defaultZone();
    Instant now = settings.clock().instant();
    LocalDate today = now.atZone(zone).toLocalDate();
    TimeRange history = TimeRange.days(today.minusDays(CAPACITY_LOOK_BACK_DAYS), today, zone);
    EventAnalytics a = analytics();
    SortedMap<LocalDate, Map<QuotaType, Long>> daily = new TreeMap<>();
    for (GroupTotals g : QuotaEngine.store(() -> a.group(query(EventFilter.of(history)), Set.of(Dimension.QUARTER_HOUR)))) {
      Map<QuotaType, Long> day = daily.computeIfAbsent(g.slot().atZone(zone).toLocalDate(), d -> new TreeMap<>());
      g.totals().units().forEach((t, v) -> day.merge(t, v, Long::sum));
    }
    return Forecasts.capacity(daily, today, zone, months, now);
  }
}
