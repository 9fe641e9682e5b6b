package dev.usage.jdbc;

import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The rollups computed in Java from the events themselves: the oracle the SQL rollups must equal. */
final class ExpectedAggregates {

  private ExpectedAggregates() {}

  /** As {@link JdbcAggregations#rows}. */
  static List<UsageAggregate> rows(List<UsageEvent> events, Granularity g, Optional<String> user, LocalDate from,
      LocalDate to) {
    return group(events, g, user, from, to, e -> List.of(e.userId(), e.feature()), true);
  }

  /** As {@link JdbcAggregations#totals}. */
  static List<UsageAggregate> totals(List<UsageEvent> events, Granularity g, Optional<String> user, LocalDate from,
      LocalDate to) {
    return group(events, g, user, from, to, e -> List.of(), false);
  }

  private static List<UsageAggregate> group(List<UsageEvent> events, Granularity g, Optional<String> user,
      LocalDate from, LocalDate to, Function<UsageEvent, List<String>> key, boolean perRow) {
    Map<String, List<UsageEvent>> groups = events.stream()
        .filter(e -> user.map(u -> u.equals(e.userId())).orElse(true))
        .filter(e -> {
          LocalDate b = g.bucketStart(day(e));
          return !b.isBefore(from) && b.isBefore(to);
        })
        .collect(Collectors.groupingBy(e -> g.bucketStart(day(e)) + "|" + String.join("|", key.apply(e)),
            TreeMap::new, Collectors.toList()));
    List<UsageAggregate> out = new ArrayList<>();
    for (List<UsageEvent> es : groups.values()) {
      UsageEvent first = es.get(0);
      Duration total = Duration.ZERO;
      Optional<Duration> max = Optional.empty();
      Map<QuotaType, Long> custom = new TreeMap<>();
      for (UsageEvent e : es) {
        if (e.processingTime().isPresent()) {
          Duration d = e.processingTime().get().truncatedTo(ChronoUnit.MICROS);
          total = total.plus(d);
          max = Optional.of(max.filter(m -> m.compareTo(d) >= 0).orElse(d));
        }
        e.customQuantities().forEach((t, v) -> custom.merge(t, v, Long::sum));
      }
      out.add(new UsageAggregate(g, g.bucketStart(day(first)),
          perRow ? Optional.of(first.userId()) : user, perRow ? Optional.of(first.feature()) : Optional.empty(),
          es.size(), es.stream().filter(e -> !e.success()).count(), sum(es, UsageEvent::characters),
          sum(es, UsageEvent::requests), sum(es, UsageEvent::inputTokens), sum(es, UsageEvent::outputTokens), total, max,
          custom));
    }
    out.sort(Comparator.comparing(UsageAggregate::bucketStart)
        .thenComparing(a -> a.userId().orElse("")).thenComparing(a -> a.feature().orElse("")));
    return out;
  }

  private static long sum(List<UsageEvent> es, java.util.function.ToLongFunction<UsageEvent> f) {
    return es.stream().mapToLong(f).sum();
  }

  private static LocalDate day(UsageEvent e) {
    return LocalDate.ofInstant(e.occurredAt(), ZoneOffset.UTC);
  }
}
