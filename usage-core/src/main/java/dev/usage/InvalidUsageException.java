package dev.usage;

import java.util.Objects;

/**
 * Bad input: a value that the library refuses before it changes anything. {@link #field()} names the
 * offending field (for example {@code userId}, {@code amounts.characters} or {@code metadata}).
 */
public class InvalidUsageException extends UsageException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidUsageException(String field, String problem) {
    super(Objects.requireNonNull(field, "field") + ": " + problem);
    this.field = field;
  }

  /** The name of the field that was refused, as a user of the API would spell it. */
  public String field() {
    return field;
  }
}
