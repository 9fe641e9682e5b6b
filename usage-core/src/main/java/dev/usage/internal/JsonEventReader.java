package dev.usage.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.usage.MalformedExportException;
import dev.usage.UsageEvent;
import dev.usage.UsageExportException;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** JSON import: walks the array with Jackson's streaming parser, one event object at a time. */
final class JsonEventReader {

  private static final Set<String> KNOWN = new HashSet<>(ExportColumns.ALL);

  private final InputStream in;
  private final Consumer<UsageEvent> sink;
  private long record;
  private long line = -1;
  private String field = "document";

  JsonEventReader(InputStream in, Consumer<UsageEvent> sink) {
    this.in = in;
    this.sink = sink;
  }

  long read() {
    try (JsonParser p = ExportCodecs.JSON.createParser(in)) {
      JsonToken t = p.nextToken();
      line = p.currentTokenLocation().getLineNr();
      if (t != JsonToken.START_ARRAY) {
        throw malformed("must be a JSON array of event objects, found " + (t == null ? "no content" : t.asString()));
      }
      while (true) {
        record++;
        field = "document";
        t = p.nextToken();
        line = p.currentTokenLocation().getLineNr();
        if (t == JsonToken.END_ARRAY) {
          break;
        }
        if (t != JsonToken.START_OBJECT) {
          throw malformed(t == null ? "the input ends before the array is closed" : "must be an event object, found " + t.asString());
        }
        sink.accept(event(p));
      }
      long count = record - 1;
      field = "document";
      if (p.nextToken() != null) {
        throw malformed("unexpected content after the array");
      }
      return count;
    } catch (JsonProcessingException | CharConversionException e) {
      if (e instanceof StreamReadException s && s.getProcessor() != null) {
        eventProperty(s.getProcessor().getParsingContext()).ifPresent(name -> field = name);
      }
      throw malformed("not valid JSON: "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    } catch (IOException e) {
      throw new UsageExportException("could not read the JSON input at record " + record, e);
    }
  }

  /**
   * The property of the event object being read when a syntax error struck: Jackson reads a property's
   * value together with its name, so the error comes before {@link #field} is updated.
   */
  private static Optional<String> eventProperty(JsonStreamContext ctx) {
    for (JsonStreamContext c = ctx; c != null && c.getParent() != null; c = c.getParent()) {
      JsonStreamContext array = c.getParent();
      if (c.inObject() && array.inArray() && array.getParent() != null && array.getParent().inRoot()) {
        return Optional.ofNullable(c.getCurrentName());
      }
    }
    return Optional.empty();
  }

  private UsageEvent event(JsonParser p) throws IOException {
    long start = line;
    EventParts e = new EventParts();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      field = p.currentName();
      if (!KNOWN.contains(field)) {
        throw malformed("unknown property; expected some of " + ExportColumns.ALL);
      }
      JsonToken t = p.nextToken();
      line = p.currentTokenLocation().getLineNr();
      switch (field) {
        case ExportColumns.EVENT_ID -> e.eventId = string(p, t, false);
        case ExportColumns.USER_ID -> e.userId = string(p, t, false);
        case ExportColumns.OCCURRED_AT -> {
          String at = string(p, t, false);
          try {
            e.occurredAt = Instant.parse(at);
          } catch (DateTimeParseException ex) {
            throw malformed("must be an ISO-8601 instant such as 2026-01-31T23:59:59.123456Z, was '" + at + "'");
          }
        }
        case ExportColumns.FEATURE -> e.feature = string(p, t, false);
        case ExportColumns.ENDPOINT -> e.endpoint = string(p, t, true);
        case ExportColumns.CHARACTERS -> e.characters = whole(p, t);
        case ExportColumns.REQUESTS -> e.requests = whole(p, t);
        case ExportColumns.INPUT_TOKENS -> e.inputTokens = whole(p, t);
        case ExportColumns.OUTPUT_TOKENS -> e.outputTokens = whole(p, t);
        case ExportColumns.CUSTOM_QUANTITIES -> {
          try {
            e.customQuantities = ExportColumns.readQuantities(p);
          } catch (IllegalArgumentException ex) {
            throw malformed(ex.getMessage());
          }
        }
        case ExportColumns.PROCESSING_TIME_MS -> {
          if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw malformed("must be a number of milliseconds");
          }
          try {
            e.processingTime = ExportColumns.fromMillis(p.getDecimalValue());
          } catch (IllegalArgumentException ex) {
            throw malformed(ex.getMessage());
          }
        }
        case ExportColumns.SESSION_ID -> e.sessionId = string(p, t, true);
        case ExportColumns.IP_ADDRESS -> e.ipAddress = string(p, t, true);
        case ExportColumns.USER_AGENT -> e.userAgent = string(p, t, true);
        case ExportColumns.ERROR_CODE -> e.errorCode = string(p, t, true);
        case ExportColumns.SUCCESS -> {
          if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw malformed("must be true or false");
          }
          e.success = t == JsonToken.VALUE_TRUE;
        }
        case ExportColumns.METADATA -> {
          try {
            e.metadata = ExportColumns.readMetadata(p);
          } catch (IllegalArgumentException ex) {
            throw malformed(ex.getMessage());
          }
        }
        default -> throw new IllegalStateException("unhandled column " + field);
      }
    }
    field = "document";
    return e.toEvent(record, start);
  }

  private String string(JsonParser p, JsonToken t, boolean optional) {
    if (t == JsonToken.VALUE_NULL && optional) {
      return null;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw malformed("must be a string");
    }
    try {
      return p.getText();
    } catch (IOException ex) {
      throw malformed("unreadable string: " + ex.getMessage());
    }
  }

  private Long whole(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw malformed("must be a whole number");
    }
    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw malformed("is out of range: " + p.getText());
    }
    return p.getLongValue();
  }

  private MalformedExportException malformed(String problem) {
    return new MalformedExportException(record, line, field, problem);
  }
}
