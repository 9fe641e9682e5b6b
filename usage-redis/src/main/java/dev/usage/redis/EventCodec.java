package dev.usage.redis;

import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The compact form of a stored event (the value in a user's {@code ev} hash): version, occurred-at
 * (microseconds), success flag, quantities, feature, endpoint and error code, separated by tabs (which no
 * validated field contains). Quantities are {@code type=amount} pairs joined by commas.
 */
final class EventCodec {

  private static final String VERSION = "1";

  /** What the queries and the live feed need of one stored event. */
  record Stored(long micros, boolean success, Map<QuotaType, Long> quantities, String feature,
      Optional<String> endpoint, Optional<String> errorCode) {}

  private EventCodec() {}

  static String encode(UsageEvent e, long micros) {
    return String.join("\t", VERSION, Long.toString(micros), e.success() ? "1" : "0", quantities(e.quantities()),
        e.feature(), e.endpoint().orElse(""), e.errorCode().orElse(""));
  }

  static Stored decode(String encoded) {
    String[] f = encoded.split("\t", -1);
    if (f.length != 7 || !VERSION.equals(f[0])) {
      throw new IllegalStateException("unknown stored event encoding: " + encoded);
    }
    return new Stored(Long.parseLong(f[1]), "1".equals(f[2]), quantities(f[3]), f[4],
        f[5].isEmpty() ? Optional.empty() : Optional.of(f[5]), f[6].isEmpty() ? Optional.empty() : Optional.of(f[6]));
  }

  static String quantities(Map<QuotaType, Long> q) {
    StringBuilder b = new StringBuilder();
    q.forEach((t, v) -> {
      if (v > 0) {
        if (b.length() > 0) {
          b.append(',');
        }
        b.append(t.name()).append('=').append(v);
      }
    });
    return b.toString();
  }

  static Map<QuotaType, Long> quantities(String s) {
    Map<QuotaType, Long> out = new TreeMap<>();
    if (!s.isEmpty()) {
      for (String pair : s.split(",")) {
        int eq = pair.indexOf('=');
        out.merge(QuotaType.of(pair.substring(0, eq)), Long.parseLong(pair.substring(eq + 1)), Math::addExact);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** Adds a rollup hash's {@code t:<type>} fields to {@code totals}. */
  static void addTotals(Map<String, String> rollup, Map<QuotaType, Long> totals) {
    rollup.forEach((k, v) -> {
      if (k.startsWith("t:")) {
        long n = Long.parseLong(v);
        if (n != 0) {
          totals.merge(QuotaType.of(k.substring(2)), n, Math::addExact);
        }
      }
    });
  }
}
