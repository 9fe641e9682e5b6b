package dev.usage.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import dev.usage.InvalidUsageException;
import dev.usage.MalformedExportException;
import dev.usage.QuotaType;
import dev.usage.UsageEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The export layout shared by the CSV and JSON codecs: names, the formula-injection escape, and the
 * encodings of durations and of the two map-valued fields. The layout itself is documented on
 * {@code dev.usage.UsageExports}.
 */
final class ExportColumns {

  static final String EVENT_ID = "eventId";
  static final String USER_ID = "userId";
  static final String OCCURRED_AT = "occurredAt";
  static final String FEATURE = "feature";
  static final String ENDPOINT = "endpoint";
  static final String CHARACTERS = "characters";
  static final String REQUESTS = "requests";
  static final String INPUT_TOKENS = "inputTokens";
  static final String OUTPUT_TOKENS = "outputTokens";
  static final String CUSTOM_QUANTITIES = "customQuantities";
  static final String PROCESSING_TIME_MS = "processingTimeMs";
  static final String SESSION_ID = "sessionId";
  static final String IP_ADDRESS = "ipAddress";
  static final String USER_AGENT = "userAgent";
  static final String ERROR_CODE = "errorCode";
  static final String SUCCESS = "success";
  static final String METADATA = "metadata";

  /** Every column, in file order; the CSV header is exactly this. */
  static final List<String> ALL = List.of(EVENT_ID, USER_ID, OCCURRED_AT, FEATURE, ENDPOINT, CHARACTERS,
      REQUESTS, INPUT_TOKENS, OUTPUT_TOKENS, CUSTOM_QUANTITIES, PROCESSING_TIME_MS, SESSION_ID, IP_ADDRESS,
      USER_AGENT, ERROR_CODE, SUCCESS, METADATA);

  private static final int NANOS_PER_MILLI_DIGITS = 6;

  private ExportColumns() {}

  /**
   * The OWASP CSV-injection escape: a leading apostrophe before a formula character, and before an
   * apostrophe so that {@link #unescape} can always strip exactly one.
   */
  static String escape(String cell) {
    if (cell.isEmpty()) {
      return cell;
    }
    switch (cell.charAt(0)) {
      case '=', '+', '-', '@', '\t', '\r', '\'':
        return "'" + cell;
      default:
        return cell;
    }
  }

  static String unescape(String cell) {
    return cell.startsWith("'") ? cell.substring(1) : cell;
  }

  /** Milliseconds as a plain decimal, nanoseconds kept: {@code 12.5}, {@code 0.000001}, {@code 3}. */
  static String millis(Duration d) {
    // UsageEvent bounds processing time to 7 days, so the nanosecond count fits a long
    return BigDecimal.valueOf(d.toNanos(), NANOS_PER_MILLI_DIGITS).stripTrailingZeros().toPlainString();
  }

  /**
   * The inverse of {@link #millis}; refuses sub-nanosecond digits and values past a long of nanos. The bounds
   * are checked on the digits before anything is expanded: {@code 1e1000000000} is twenty bytes of JSON.
   */
  static Duration fromMillis(BigDecimal ms) {
    BigDecimal exact = ms.signum() == 0 ? BigDecimal.ZERO : ms.stripTrailingZeros();
    // a long of nanoseconds holds at most 13 digits of whole milliseconds
    if (exact.scale() <= NANOS_PER_MILLI_DIGITS && (long) exact.precision() - exact.scale() <= 13) {
      try {
        return Duration.ofNanos(exact.movePointRight(NANOS_PER_MILLI_DIGITS).longValueExact());
      } catch (ArithmeticException e) {
        // past a long: refused below
      }
    }
    throw new IllegalArgumentException("must be milliseconds with at most 6 fraction digits and within range, was "
        + ms);
  }

  static void writeQuantities(JsonGenerator g, Map<QuotaType, Long> quantities) throws IOException {
    g.writeStartObject();
    for (Map.Entry<QuotaType, Long> e : quantities.entrySet()) {
      g.writeNumberField(e.getKey().name(), e.getValue());
    }
    g.writeEndObject();
  }

  static void writeMetadata(JsonGenerator g, Map<String, String> metadata) throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  /**
   * Reads an object of quota type names to whole numbers; the parser stands on its START_OBJECT and is
   * left on the matching END_OBJECT.
   *
   * @throws IllegalArgumentException naming the problem, for the caller to attach record and field to
   */
  static Map<QuotaType, Long> readQuantities(JsonParser p) throws IOException {
    expectObject(p);
    Map<QuotaType, Long> out = new TreeMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        throw new IllegalArgumentException("'" + name + "' must be a whole number");
      }
      long v;
      try {
        v = p.getLongValue();
      } catch (InputCoercionException e) {
        throw new IllegalArgumentException("'" + name + "' is out of range: " + p.getText());
      }
      try {
        out.put(QuotaType.of(name), v);
      } catch (InvalidUsageException e) {
        throw new IllegalArgumentException(e.getMessage());
      }
      // refused as soon as there are too many, not once a hostile input has filled the heap
      if (out.size() > UsageEvent.MAX_CUSTOM_QUANTITIES) {
        throw new IllegalArgumentException("at most " + UsageEvent.MAX_CUSTOM_QUANTITIES + " types");
      }
    }
    return out;
  }

  /** Reads an object of string pairs; positions as {@link #readQuantities}. */
  static Map<String, String> readMetadata(JsonParser p) throws IOException {
    expectObject(p);
    Map<String, String> out = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw new IllegalArgumentException("'" + name + "' must be a string");
      }
      out.put(name, p.getText());
      if (out.size() > EventChecks.MAX_METADATA_ENTRIES) {
        throw new IllegalArgumentException("at most " + EventChecks.MAX_METADATA_ENTRIES + " entries");
      }
    }
    return out;
  }

  private static void expectObject(JsonParser p) {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("must be a JSON object");
    }
  }

  /** The error for a value in a record, with the event's own field names mapped to the file's. */
  static MalformedExportException malformed(long record, long line, String field, String problem) {
    return new MalformedExportException(record, line, field, problem);
  }

  /** Maps an event's refusal to the column that carried the value. */
  static MalformedExportException refused(long record, long line, InvalidUsageException e) {
    String field = e.field();
    String column;
    if (field.equals("processingTime")) {
      column = PROCESSING_TIME_MS;
    } else if (field.startsWith("customQuantities") || field.equals("quotaType")) {
      column = CUSTOM_QUANTITIES;
    } else if (field.startsWith("metadata")) {
      column = METADATA;
    } else if (field.equals("tokens")) {
      column = INPUT_TOKENS; // input and output tokens each in range, their sum past it
    } else {
      column = field;
    }
    String message = e.getMessage();
    String prefix = field + ": ";
    String problem = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    return new MalformedExportException(record, line, column,
        field.equals("tokens") ? "inputTokens + outputTokens " + problem : problem);
  }
}
