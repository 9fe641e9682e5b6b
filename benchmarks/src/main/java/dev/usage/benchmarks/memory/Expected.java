package dev.usage.benchmarks.memory;

import dev.usage.QuotaType;
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

  /** The amounts matching {@link #types}. */
  static long[] amounts(Shape shape) {
    return shape == Shape.ONE_QUOTA ? new long[] {1} : new long[] {Shape.CHARACTERS, 1, Shape.TOKENS};
  }
}
