package dev.usage;

import java.util.regex.Pattern;

/**
 * What a quota counts. Three are built in ({@link #CHARACTERS}, {@link #REQUESTS}, {@link #TOKENS});
 * custom types are made with {@link #of(String)} and become known to the engine when a tier or the
 * defaults give them a limit.
 *
 * @param name lower-case name, 1-64 characters of {@code [a-z0-9_.-]}, starting with a letter
 */
public record QuotaType(String name) implements Comparable<QuotaType> {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

  /** Characters of text processed. */
  public static final QuotaType CHARACTERS = new QuotaType("characters");
  /** Requests served. */
  public static final QuotaType REQUESTS = new QuotaType("requests");
  /** AI tokens, input and output together. */
  public static final QuotaType TOKENS = new QuotaType("tokens");

  public QuotaType {
    if (name == null) {
      throw new InvalidUsageException("quotaType", "must not be null");
    }
    if (!NAME.matcher(name).matches()) {
      throw new InvalidUsageException("quotaType",
          "must match [a-z][a-z0-9_.-]{0,63}, was '" + printable(name) + "'");
    }
  }

  /** The built-in type of that name, or a custom one. */
  public static QuotaType of(String name) {
    return switch (name == null ? "" : name) {
      case "characters" -> CHARACTERS;
      case "requests" -> REQUESTS;
      case "tokens" -> TOKENS;
      default -> new QuotaType(name);
    };
  }

  /** Whether this is one of the three built-in types. */
  public boolean isBuiltIn() {
    return equals(CHARACTERS) || equals(REQUESTS) || equals(TOKENS);
  }

  @Override
  public int compareTo(QuotaType other) {
    return name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return name;
  }

  static String printable(String s) {
    String cut = s.length() > 70 ? s.substring(0, 70) + "..." : s;
    StringBuilder b = new StringBuilder(cut.length());
    for (char c : cut.toCharArray()) {
      b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return b.toString();
  }
}
