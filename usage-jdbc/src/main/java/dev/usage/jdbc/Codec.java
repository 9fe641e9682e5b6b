package dev.usage.jdbc;

import dev.usage.Enforcement;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.RolloverPolicy;
import dev.usage.spi.CounterDelta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Text encodings of the structured values kept in single columns: a reservation's deltas, committed
 * amounts, a user's quota overrides and an event's quantities. Quota type names ({@code [a-z][a-z0-9_.-]*}),
 * period ids and ISO instants never contain the separators used here.
 */
final class Codec {

  private Codec() {}

  static String deltas(List<CounterDelta> deltas) {
    return deltas.stream().map(d -> String.join("|", d.type().name(), d.periodId(), d.periodStart().toString(),
        d.periodEnd().toString(), Long.toString(d.amount()), Long.toString(d.limit()), d.counterExpiresAt().toString()))
        .collect(Collectors.joining(";"));
  }

  static List<CounterDelta> deltas(String text) {
    List<CounterDelta> out = new ArrayList<>();
    for (String part : text.split(";")) {
      String[] f = part.split("\\|");
      out.add(new CounterDelta(QuotaType.of(f[0]), f[1], Instant.parse(f[2]), Instant.parse(f[3]),
          Long.parseLong(f[4]), Long.parseLong(f[5]), Instant.parse(f[6])));
    }
    return out;
  }

  /** Amounts by type, sorted by type name; the empty map is the empty string. */
  static String amounts(Map<QuotaType, Long> amounts) {
    return new TreeMap<>(amounts).entrySet().stream().map(e -> e.getKey().name() + "=" + e.getValue())
        .collect(Collectors.joining(";"));
  }

  static Map<QuotaType, Long> amounts(String text) {
    Map<QuotaType, Long> out = new TreeMap<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    for (String part : text.split(";")) {
      int eq = part.indexOf('=');
      out.put(QuotaType.of(part.substring(0, eq)), Long.parseLong(part.substring(eq + 1)));
    }
    return out;
  }

  static String overrides(Map<QuotaType, Quota> overrides) {
    return new TreeMap<>(overrides).values().stream().map(q -> String.join("|", q.type().name(),
        Long.toString(q.limit()), q.period().name(), q.enforcement().name(), Boolean.toString(q.rollover().carry()),
        Long.toString(q.rollover().capAmount()), Integer.toString(q.rollover().capPercent()),
        Integer.toString(q.rollover().expiresAfterPeriods()))).collect(Collectors.joining(";"));
  }

  static Map<QuotaType, Quota> overrides(String text) {
    Map<QuotaType, Quota> out = new TreeMap<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    for (String part : text.split(";")) {
      String[] f = part.split("\\|");
      QuotaType type = QuotaType.of(f[0]);
      RolloverPolicy rollover = new RolloverPolicy(Boolean.parseBoolean(f[4]), Long.parseLong(f[5]),
          Integer.parseInt(f[6]), Integer.parseInt(f[7]));
      out.put(type, new Quota(type, Long.parseLong(f[1]), QuotaPeriod.valueOf(f[2]), Enforcement.valueOf(f[3]),
          rollover));
    }
    return out;
  }
}
