package dev.usage.example.api;

import dev.usage.QuotaType;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Conversions shared by the JSON views: quota types as their names, enums in lower case. */
final class Units {

  private Units() {}

  /** Units by quota type name, sorted. */
  static SortedMap<String, Long> byName(Map<QuotaType, Long> units) {
    SortedMap<String, Long> out = new TreeMap<>();
    units.forEach((type, n) -> out.put(type.name(), n));
    return out;
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
