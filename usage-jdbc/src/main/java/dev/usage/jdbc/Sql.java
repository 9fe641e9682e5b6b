package dev.usage.jdbc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A statement being assembled: text from the adapter's own fragments, and the values it binds, in the order
 * of their placeholders. Values never enter the text. Not thread-safe.
 */
final class Sql {

  private final StringBuilder text = new StringBuilder();
  private final List<Object> args = new ArrayList<>();

  /** Appends a fragment of the adapter's own SQL (never a caller's value). */
  Sql append(String fragment) {
    text.append(fragment);
    return this;
  }

  /** Appends one placeholder bound to {@code value}. */
  Sql param(Object value) {
    text.append('?');
    args.add(value);
    return this;
  }

  /** Appends {@code (?, ?, ...)}, one placeholder per value. */
  Sql list(Collection<?> values) {
    text.append('(');
    String sep = "";
    for (Object v : values) {
      text.append(sep);
      param(v);
      sep = ", ";
    }
    text.append(')');
    return this;
  }

  String text() {
    return text.toString();
  }

  Object[] args() {
    return args.toArray();
  }

  @Override
  public String toString() {
    return text();
  }
}
