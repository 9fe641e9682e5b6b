package dev.usage.internal;

import dev.usage.InvalidUsageException;
import dev.usage.Quota;
import dev.usage.QuotaType;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Input checks shared by the value types and the engine. Every failure is an
 * {@link InvalidUsageException} that names the field. No API promise.
 */
public final class Checks {

  /** Longest user id, idempotency key, event id or reservation id, in UTF-16 chars. */
  public static final int MAX_ID_LENGTH = 128;
  /** Longest feature, endpoint, tier or error code. */
  public static final int MAX_NAME_LENGTH = 128;
  /** Longest user agent or other free text. */
  public static final int MAX_TEXT_LENGTH = 512;

  private Checks() {}

  /** An identifier: not null, not blank, at most {@link #MAX_ID_LENGTH}, no control characters. */
  public static String id(String field, String value) {
    return text(field, value, MAX_ID_LENGTH);
  }

  /** A name: as {@link #id} but up to {@link #MAX_NAME_LENGTH}. */
  public static String name(String field, String value) {
    return text(field, value, MAX_NAME_LENGTH);
  }

  /** Required text: not null, not blank, at most {@code max} chars, no control characters. */
  public static String text(String field, String value, int max) {
    if (value == null) {
      throw new InvalidUsageException(field, "must not be null");
    }
    if (value.isBlank()) {
      throw new InvalidUsageException(field, "must not be blank");
    }
    if (value.length() > max) {
      throw new InvalidUsageException(field, "must be at most " + max + " characters, was " + value.length());
    }
    return printable(field, value);
  }

  /**
   * Text that may be empty: no control characters (line separators included) and no unpaired
   * surrogates, so that every backend stores it as valid UTF-8.
   */
  public static String printable(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        throw new InvalidUsageException(field, "must not contain control characters (at index " + i + ")");
      }
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1)))
          && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(value.charAt(i - 1)))) {
        throw new InvalidUsageException(field, "must not contain unpaired surrogates (at index " + i + ")");
      }
    }
    return value;
  }

  /** Optional text: an empty Optional stays empty; a value is checked as {@link #text} (a blank one refused). */
  public static Optional<String> optionalText(String field, Optional<String> value, int max) {
    if (value == null) {
      throw new InvalidUsageException(field, "must not be null (use Optional.empty())");
    }
    return value.map(v -> text(field, v, max));
  }

  /** An amount of quota: {@code 0 <= value <= Quota.MAX_AMOUNT}. */
  public static long amount(String field, long value) {
    if (value < 0) {
      throw new InvalidUsageException(field, "must not be negative, was " + value);
    }
    if (value > Quota.MAX_AMOUNT) {
      throw new InvalidUsageException(field, "must be at most " + Quota.MAX_AMOUNT + ", was " + value);
    }
    return value;
  }

  public static <T> T notNull(String field, T value) {
    if (value == null) {
      throw new InvalidUsageException(field, "must not be null");
    }
    return value;
  }

  public static <T extends Collection<?>> T noNullElements(String field, T values) {
    if (notNull(field, values).isEmpty()) {
      return values; // no iterator to allocate: settings and decisions pass here on every consume
    }
    for (Object v : values) {
      if (v == null) {
        throw new InvalidUsageException(field, "must not contain null");
      }
    }
    return values;
  }

  public static <M extends Map<?, ?>> M noNullEntries(String field, M values) {
    if (notNull(field, values).isEmpty()) {
      return values;
    }
    for (Map.Entry<?, ?> e : values.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new InvalidUsageException(field, "must not contain null keys or values");
      }
    }
    return values;
  }

  /**
   * Units by quota type, none negative: an unmodifiable sorted copy without the zero amounts.
   *
   * @throws InvalidUsageException naming {@code field} for a null entry or a negative amount
   */
  public static Map<QuotaType, Long> units(String field, Map<QuotaType, Long> units) {
    Map<QuotaType, Long> positive = new TreeMap<>();
    noNullEntries(field, units).forEach((t, v) -> {
      if (v < 0) {
        throw new InvalidUsageException(field, t + " must not be negative, was " + v);
      }
      if (v > 0) {
        positive.put(t, v);
      }
    });
    return Collections.unmodifiableMap(positive);
  }
}
