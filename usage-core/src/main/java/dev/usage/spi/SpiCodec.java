package dev.usage.spi;

import dev.usage.EarlierSettings;
import dev.usage.Enforcement;
import dev.usage.Quota;
import dev.usage.QuotaPeriod;
import dev.usage.QuotaType;
import dev.usage.RolloverPolicy;
import dev.usage.TierChange;
import dev.usage.UsageReset;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Text encodings adapters may use to keep structured values in one column or field; stable across versions.
 *
 * <p>Quota type names ({@code [a-z][a-z0-9_.-]*}), period ids, enum names, decimal numbers and ISO-8601
 * instants never contain the separators used here ({@code ;}, {@code |}, {@code =}), so no escaping is needed.
 * Maps are written sorted by type name, so equal values encode to equal text. A value written by any version
 * decodes in every later one: the formats below are frozen (a change needs a new encoding, not an edit).
 *
 * <p>All methods are pure and thread-safe. Decoding text that no encoder produced throws
 * {@link IllegalArgumentException}.
 */
public final class SpiCodec {

  private SpiCodec() {}

  /**
   * A reservation's deltas, in order: per delta {@code type|periodId|periodStart|periodEnd|amount|limit|expiresAt}
   * (instants as {@link Instant#toString()}), joined by {@code ;}. The empty list is the empty string.
   */
  public static String encodeDeltas(List<CounterDelta> deltas) {
    return deltas.stream().map(d -> String.join("|", d.type().name(), d.periodId(), d.periodStart().toString(),
        d.periodEnd().toString(), Long.toString(d.amount()), Long.toString(d.limit()), d.counterExpiresAt().toString()))
        .collect(Collectors.joining(";"));
  }

  /** The deltas {@link #encodeDeltas} encoded, in their order; the empty string is the empty list. */
  public static List<CounterDelta> decodeDeltas(String text) {
    List<CounterDelta> out = new ArrayList<>();
    if (text.isEmpty()) {
      return out;
    }
    try {
      for (String part : text.split(";")) {
        String[] f = part.split("\\|");
        out.add(new CounterDelta(QuotaType.of(f[0]), f[1], Instant.parse(f[2]), Instant.parse(f[3]),
            Long.parseLong(f[4]), Long.parseLong(f[5]), Instant.parse(f[6])));
      }
    } catch (RuntimeException e) {
      throw malformed("deltas", text, e);
    }
    return out;
  }

  /**
   * Amounts by type: {@code type=amount} sorted by type name, joined by {@code ;}. The empty map is the empty
   * string.
   */
  public static String encodeAmounts(Map<QuotaType, Long> amounts) {
    return new TreeMap<>(amounts).entrySet().stream().map(e -> e.getKey().name() + "=" + e.getValue())
        .collect(Collectors.joining(";"));
  }

  /** The amounts {@link #encodeAmounts} encoded, sorted by type; {@code null} or empty text is the empty map. */
  public static Map<QuotaType, Long> decodeAmounts(String text) {
    Map<QuotaType, Long> out = new TreeMap<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    try {
      for (String part : text.split(";")) {
        int eq = part.indexOf('=');
        out.put(QuotaType.of(part.substring(0, eq)), Long.parseLong(part.substring(eq + 1)));
      }
    } catch (RuntimeException e) {
      throw malformed("amounts", text, e);
    }
    return out;
  }

  /**
   * A user's quota overrides, sorted by type name: per quota
   * {@code type|limit|period|enforcement|carry|capAmount|capPercent|expiresAfterPeriods}, joined by {@code ;}.
   * The empty map is the empty string.
   */
  public static String encodeOverrides(Map<QuotaType, Quota> overrides) {
    return new TreeMap<>(overrides).values().stream().map(q -> String.join("|", q.type().name(),
        Long.toString(q.limit()), q.period().name(), q.enforcement().name(), Boolean.toString(q.rollover().carry()),
        Long.toString(q.rollover().capAmount()), Integer.toString(q.rollover().capPercent()),
        Integer.toString(q.rollover().expiresAfterPeriods()))).collect(Collectors.joining(";"));
  }

  /**
   * The overrides {@link #encodeOverrides} encoded, sorted by type; {@code null} or empty text is the empty map.
   */
  public static Map<QuotaType, Quota> decodeOverrides(String text) {
    Map<QuotaType, Quota> out = new TreeMap<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    try {
      for (String part : text.split(";")) {
        String[] f = part.split("\\|");
        QuotaType type = QuotaType.of(f[0]);
        RolloverPolicy rollover = new RolloverPolicy(Boolean.parseBoolean(f[4]), Long.parseLong(f[5]),
            Integer.parseInt(f[6]), Integer.parseInt(f[7]));
        out.put(type, new Quota(type, Long.parseLong(f[1]), QuotaPeriod.valueOf(f[2]), Enforcement.valueOf(f[3]),
            rollover));
      }
    } catch (RuntimeException e) {
      throw malformed("overrides", text, e);
    }
    return out;
  }

  /**
   * A scheduled tier change as {@code <tier>@<effective instant, ISO-8601>}; none is the empty string. Tier
   * names hold no {@code @}.
   */
  public static String encodeScheduled(java.util.Optional<TierChange> change) {
    return change.map(c -> c.tier() + "@" + c.effectiveAt()).orElse("");
  }

  /** The change {@link #encodeScheduled} encoded; {@code null} or empty text is none. */
  public static java.util.Optional<TierChange> decodeScheduled(String text) {
    if (text == null || text.isEmpty()) {
      return java.util.Optional.empty();
    }
    int at = text.lastIndexOf('@');
    try {
      return java.util.Optional.of(
          new TierChange(text.substring(0, at), java.time.Instant.parse(text.substring(at + 1))));
    } catch (RuntimeException e) {
      throw malformed("a scheduled tier change", text, e);
    }
  }

  /**
   * A user's latest usage reset per quota, sorted by type: per reset {@code type|periodStart|units|at} (instants
   * ISO-8601), joined by {@code ;}. None is the empty string.
   */
  public static String encodeResets(Map<QuotaType, UsageReset> resets) {
    return new TreeMap<>(resets).values().stream().map(r -> String.join("|", r.type().name(),
        r.periodStart().toString(), Long.toString(r.units()), r.at().toString())).collect(Collectors.joining(";"));
  }

  /** The resets {@link #encodeResets} encoded; {@code null} or empty text is none. */
  public static Map<QuotaType, UsageReset> decodeResets(String text) {
    Map<QuotaType, UsageReset> out = new TreeMap<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    try {
      for (String part : text.split(";")) {
        String[] f = part.split("\\|");
        QuotaType type = QuotaType.of(f[0]);
        out.put(type, new UsageReset(type, java.time.Instant.parse(f[1]), Long.parseLong(f[2]),
            java.time.Instant.parse(f[3])));
      }
    } catch (RuntimeException e) {
      throw malformed("usage resets", text, e);
    }
    return out;
  }

  /**
   * A user's earlier settings ({@link dev.usage.UserQuota#earlier}), oldest first: per entry
   * {@code changedAt<TAB>tier<TAB>scheduled<TAB>overrides<TAB>zone<TAB>anchorDay} (the change's instant ISO-8601, the
   * scheduled tier change as {@link #encodeScheduled}, the overrides as {@link #encodeOverrides}, the zone id, the
   * anchor day in decimal), joined by a line feed. Tier names hold no control characters. None is the empty
   * string.
   */
  public static String encodeEarlier(List<EarlierSettings> earlier) {
    return earlier.stream().map(e -> String.join("\t", e.changedAt().toString(), e.tier(),
        encodeScheduled(e.scheduled()), encodeOverrides(e.overrides()), e.zone().getId(),
        Integer.toString(e.billingAnchorDay()))).collect(Collectors.joining("\n"));
  }

  /** The settings {@link #encodeEarlier} encoded, in their order; {@code null} or empty text is none. */
  public static List<EarlierSettings> decodeEarlier(String text) {
    List<EarlierSettings> out = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    try {
      for (String part : text.split("\n", -1)) {
        String[] f = part.split("\t", -1);
        if (f.length != 6) {
          throw new IllegalArgumentException("an entry has " + f.length + " fields, not 6");
        }
        out.add(new EarlierSettings(Instant.parse(f[0]), f[1], decodeOverrides(f[3]), decodeScheduled(f[2]),
            java.time.ZoneId.of(f[4]), Integer.parseInt(f[5])));
      }
    } catch (RuntimeException e) {
      throw malformed("earlier settings", text, e);
    }
    return out;
  }

  private static IllegalArgumentException malformed(String what, String text, RuntimeException cause) {
    String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
    return new IllegalArgumentException("not an encoding of " + what + ": '" + shown + "' (" + cause.getMessage() + ")",
        cause);
  }
}
