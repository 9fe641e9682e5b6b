package dev.usage.benchmarks.memory;

import dev.usage.QuotaType;
import java.util.Locale;

/**
 * What the in-memory sides share beyond {@link dev.usage.benchmarks.ConsumeShape}: the limit of every quota and
 * the map keys of the glued sides' counters.
 */
final class Expected {

  /** The limit of every quota on every in-memory side: never reached in a run, so every consume is admitted. */
  static final long LIMIT = 1_000_000_000_000L;

  private Expected() {}

  /** The map keys of each user's counters ({@code user-7:requests}), per user, in the order of {@code types}. */
  static String[][] keys(int users, QuotaType[] types) {
    String[][] keys = new String[users][types.length];
    for (int i = 0; i < users; i++) {
      for (int q = 0; q < types.length; q++) {
        keys[i][q] = "user-" + i + ":" + types[q].name().toLowerCase(Locale.ROOT);
      }
    }
    return keys;
  }
}
