package dev.usage;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The order of an export: one allow-listed field and a direction. Ties (and events equal in the field) are
 * broken by occurrence time, then user id, then event id, so that an export's order is total and the same
 * on every run. Absent values (an event without endpoint or processing time) sort before every present
 * value ascending, after them descending. Text compares by the backend's collation.
 *
 * @param field the field to sort by
 * @param descending largest first
 */
public record EventSort(Field field, boolean descending) {

  /** Default order: oldest first. */
  public static final EventSort OLDEST_FIRST = new EventSort(Field.OCCURRED_AT, false);

  /** The fields an export may be sorted by. */
  public enum Field {
    OCCURRED_AT("occurredAt"),
    USER_ID("userId"),
    FEATURE("feature"),
    ENDPOINT("endpoint"),
    CHARACTERS("characters"),
    REQUESTS("requests"),
    TOKENS("tokens"),
    PROCESSING_TIME("processingTime");

    private final String property;

    Field(String property) {
      this.property = property;
    }

    /** The name used by {@link EventSort#parse}, e.g. {@code occurredAt}. */
    public String property() {
      return property;
    }
  }

  public EventSort {
    if (field == null) {
      throw new InvalidUsageException("sort", "must not be null");
    }
  }

  /**
   * Parses {@code field[,asc|,desc]}, e.g. {@code occurredAt,desc}; the field is one of {@link Field}'s
   * properties. Anything else is refused, naming {@code sort}.
   */
  public static EventSort parse(String text) {
    if (text == null || text.isBlank()) {
      return OLDEST_FIRST;
    }
    String[] parts = text.split(",", -1);
    if (parts.length > 2) {
      throw invalid(text);
    }
    Field f = Arrays.stream(Field.values()).filter(v -> v.property.equals(parts[0].trim())).findFirst()
        .orElseThrow(() -> invalid(text));
    if (parts.length == 1) {
      return new EventSort(f, false);
    }
    return switch (parts[1].trim().toLowerCase(Locale.ROOT)) {
      case "asc" -> new EventSort(f, false);
      case "desc" -> new EventSort(f, true);
      default -> throw invalid(text);
    };
  }

  private static InvalidUsageException invalid(String text) {
    String allowed = Arrays.stream(Field.values()).map(Field::property).collect(Collectors.joining(", "));
    String shown = text.length() > 64 ? text.substring(0, 64) + "..." : text;
    return new InvalidUsageException("sort", "must be one of " + allowed + ", optionally followed by ,asc or ,desc;"
        + " was '" + shown.replaceAll("\\p{Cntrl}", "?") + "'");
  }
}
