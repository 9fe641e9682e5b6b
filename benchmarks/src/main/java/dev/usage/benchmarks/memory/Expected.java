package dev.usage.benchmarks.memory;

import dev.usage.QuotaType;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The units {@code admitted} consumes of a shape add up to, per quota type. */
final class Expected {

  private Expected() {}

  static Map<QuotaType, Long> units(Shape shape, long admitted) {
    Map<QuotaType, Long> m = new TreeMap<>();
    m.put(QuotaType.REQUESTS, admitted);
    if (shape == Shape.THREE_QUOTAS_WITH_KEY) {
      m.put(QuotaType.CHARACTERS, admitted * Shape.CHARACTERS);
      m.put(QuotaType.TOKENS, admitted * Shape.TOKENS);
    }
    return m;
  }

  /** The quotas a consume of the shape takes, in the order the glued sides try them. */
  static QuotaType[] types(Shape shape) {
    return shape == Shape.ONE_QUOTA ? new QuotaType[] {QuotaType.REQUESTS}
        : new QuotaType[] {QuotaType.CHARACTERS, QuotaType.REQUESTS, QuotaType.TOKENS};
  }

  /** The map keys of each user's counters ({@code user-7:requests}), per user, in the order of {@link #types}. */
  static String[][] keys(int users, QuotaType[] types) {
    String[][] keys = new String[users][types.length];
    for (int i = 0; i < users; i++) {
      for (int q = 0; q < types.length; q++) {
        keys[i][q] = "user-" + i + ":" + types[q].name().toLowerCase(Locale.ROOT);
      }
    }
    return keys;
  }

  /** The amounts matching {@link #types}. */
  static long[] amounts(Shape shape) {
    return shape == Shape.ONE_QUOTA ? new long[] {1} : new long[] {Shape.CHARACTERS, 1, Shape.TOKENS};
  }
}
