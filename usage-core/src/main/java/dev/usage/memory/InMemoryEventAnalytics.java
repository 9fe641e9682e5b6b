package dev.usage.memory;

import dev.usage.EventFilter;
import dev.usage.EventSort;
import dev.usage.EventTotals;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import dev.usage.UserQuota;
import dev.usage.internal.Checks;
import dev.usage.spi.AnalyticsArguments;
import dev.usage.spi.Dimension;
import dev.usage.spi.EventAnalytics;
import dev.usage.spi.EventQuery;
import dev.usage.spi.GroupTotals;
import dev.usage.spi.TimePercentiles;
import dev.usage.spi.UserQuotaStore;
import dev.usage.spi.UserRank;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@link EventAnalytics} over the events in the heap: every call scans them. Tiers come from the storage's
 * settings store. Thread-safe; a call sees the events stored when its scan reaches them.
 */
final class InMemoryEventAnalytics implements EventAnalytics {

  private final Iterable<UsageEvent> events;
  private final Optional<UserQuotaStore> settings;

  InMemoryEventAnalytics(Iterable<UsageEvent> events, Optional<UserQuotaStore> settings) {
    this.events = events;
    this.settings = settings;
  }

  @Override
  public List<GroupTotals> group(EventQuery query, Set<Dimension> by) {
    Checks.noNullElements("by", by);
    Map<Map<Dimension, String>, Sums> groups = new TreeMap<>(InMemoryEventAnalytics::compareKeys);
    Function<String, String> tiers = tiers(query);
    for (UsageEvent e : matching(query, tiers)) {
      groups.computeIfAbsent(key(e, by, tiers), k -> new Sums()).add(e);
    }
    if (by.isEmpty() && groups.isEmpty()) {
      return List.of(new GroupTotals(Map.of(), EventTotals.NONE));
    }
    List<GroupTotals> out = new ArrayList<>(groups.size());
    groups.forEach((k, s) -> out.add(new GroupTotals(k, s.totals())));
    return out;
  }

  @Override
  public List<GroupTotals> top(EventQuery query, Dimension by, QuotaType orderBy, int limit) {
    AnalyticsArguments.top(query, by, orderBy, limit);
    return group(query, Set.of(by)).stream()
        .filter(g -> g.totals().units(orderBy) > 0)
        .sorted(Comparator.comparingLong((GroupTotals g) -> g.totals().units(orderBy)).reversed()
            .thenComparing(GroupTotals::key, InMemoryEventAnalytics::compareKeys))
        .limit(limit)
        .toList();
  }

  @Override
  public List<TimePercentiles> processingTimes(EventQuery query, Optional<Dimension> by, List<Double> percentiles) {
    AnalyticsArguments.processingTimes(query, by, percentiles);
    Function<String, String> tiers = tiers(query);
    Map<String, List<Long>> micros = new TreeMap<>(by.filter(d -> d == Dimension.QUARTER_HOUR).isPresent()
        ? Comparator.comparingLong(Long::parseLong) : Comparator.naturalOrder());
    for (UsageEvent e : matching(query, tiers)) {
      if (e.processingTime().isPresent()) {
        String k = by.map(d -> value(e, d, tiers)).orElse("");
        micros.computeIfAbsent(k, x -> new ArrayList<>()).add(micros(e.processingTime().get()));
      }
    }
    List<TimePercentiles> out = new ArrayList<>();
    micros.forEach((k, values) -> {
      values.sort(null);
      List<Duration> picked = new ArrayList<>();
      for (double p : percentiles) {
        int rank = Math.max(1, (int) Math.ceil(p * values.size()));
        picked.add(Duration.ofNanos(values.get(rank - 1) * 1_000));
      }
      out.add(new TimePercentiles(k, values.size(), picked));
    });
    return out;
  }

  @Override
  public UserRank userRank(EventQuery query, QuotaType type, long value) {
    Checks.notNull("type", type);
    Map<String, Long> perUser = new HashMap<>();
    for (UsageEvent e : matching(query, tiers(query))) {
      perUser.merge(e.userId(), e.quantities().getOrDefault(type, 0L), Math::addExact);
    }
    long below = perUser.values().stream().filter(v -> v < value).count();
    long equal = perUser.values().stream().filter(v -> v == value).count();
    return new UserRank(perUser.size(), below, equal);
  }

  @Override
  public long forEachEvent(EventQuery query, EventSort sort, Consumer<? super UsageEvent> sink) {
    Checks.notNull("sort", sort);
    List<UsageEvent> list = matching(query, tiers(query));
    list.sort(order(sort));
    list.forEach(sink);
    return list.size();
  }

  private List<UsageEvent> matching(EventQuery query, Function<String, String> tiers) {
    EventFilter f = query.filter();
    List<UsageEvent> out = new ArrayList<>();
    for (UsageEvent e : events) {
      if (InMemoryEventStore.within(e.occurredAt(), f.range().from(), f.range().to())
          && (f.users().isEmpty() || f.users().contains(e.userId()))
          && (f.features().isEmpty() || f.features().contains(e.feature()))
          && (f.endpoints().isEmpty() || e.endpoint().filter(f.endpoints()::contains).isPresent())
          && (f.quotaTypes().isEmpty() || f.quotaTypes().stream().anyMatch(e.quantities()::containsKey))
          && switch (f.outcome()) {
            case ANY -> true;
            case SUCCEEDED -> e.success();
            case FAILED -> !e.success();
          }
          && (f.tiers().isEmpty() || f.tiers().contains(tiers.apply(e.userId())))) {
        out.add(e);
      }
    }
    return out;
  }

  /** The users' tiers, each looked up once per call. */
  private Function<String, String> tiers(EventQuery query) {
    Map<String, String> seen = new HashMap<>();
    return user -> seen.computeIfAbsent(user, u -> settings.flatMap(s -> s.find(u)).map(UserQuota::tier)
        .orElse(query.defaultTier()));
  }

  private static Map<Dimension, String> key(UsageEvent e, Set<Dimension> by, Function<String, String> tiers) {
    Map<Dimension, String> k = new EnumMap<>(Dimension.class);
    for (Dimension d : by) {
      k.put(d, value(e, d, tiers));
    }
    return k;
  }

  private static String value(UsageEvent e, Dimension d, Function<String, String> tiers) {
    return switch (d) {
      case USER -> e.userId();
      case FEATURE -> e.feature();
      case ENDPOINT -> e.endpoint().orElse(GroupTotals.NONE);
      case ERROR_CODE -> e.errorCode().orElse(GroupTotals.NONE);
      case TIER -> tiers.apply(e.userId());
      case QUARTER_HOUR -> Long.toString(Math.floorDiv(e.occurredAt().getEpochSecond(), 900) * 900);
    };
  }

  private static int compareKeys(Map<Dimension, String> a, Map<Dimension, String> b) {
    for (Dimension d : Dimension.values()) {
      String x = a.get(d);
      String y = b.get(d);
      if (x == null || y == null) {
        continue;
      }
      int c = d == Dimension.QUARTER_HOUR ? Long.compare(Long.parseLong(x), Long.parseLong(y)) : x.compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static Comparator<UsageEvent> order(EventSort sort) {
    Comparator<UsageEvent> field = switch (sort.field()) {
      case OCCURRED_AT -> Comparator.comparing(UsageEvent::occurredAt);
      case USER_ID -> Comparator.comparing(UsageEvent::userId);
      case FEATURE -> Comparator.comparing(UsageEvent::feature);
      case ENDPOINT -> Comparator.comparing((UsageEvent e) -> e.endpoint().orElse(null),
          Comparator.nullsFirst(Comparator.naturalOrder()));
      case CHARACTERS -> Comparator.comparingLong(UsageEvent::characters);
      case REQUESTS -> Comparator.comparingLong(UsageEvent::requests);
      case TOKENS -> Comparator.comparingLong(e -> e.inputTokens() + e.outputTokens());
      case PROCESSING_TIME -> Comparator.comparing((UsageEvent e) -> e.processingTime().map(InMemoryEventAnalytics::micros)
          .orElse(null), Comparator.nullsFirst(Comparator.naturalOrder()));
    };
    return (sort.descending() ? field.reversed() : field).thenComparing(UsageEvent::occurredAt)
        .thenComparing(UsageEvent::userId).thenComparing(UsageEvent::eventId);
  }

  private static long micros(Duration d) {
    return d.toNanos() / 1_000;
  }

  /** Running sums of one group. */
  private static final class Sums {
    private long events;
    private long failed;
    private final Set<String> users = new HashSet<>();
    private final Map<QuotaType, Long> units = new TreeMap<>();
    private long timed;
    private long micros;

    void add(UsageEvent e) {
      events++;
      failed += e.success() ? 0 : 1;
      users.add(e.userId());
      e.quantities().forEach((t, v) -> units.merge(t, v, Math::addExact));
      if (e.processingTime().isPresent()) {
        timed++;
        micros += micros(e.processingTime().get());
      }
    }

    EventTotals totals() {
      return new EventTotals(events, failed, users.size(), units, timed, Duration.of(micros, ChronoUnit.MICROS));
    }
  }
}
