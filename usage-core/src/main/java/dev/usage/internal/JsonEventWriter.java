package dev.usage.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import dev.usage.EventWriter;
import dev.usage.UsageEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** JSON export: an array of event objects, one per line, written with Jackson's streaming generator. */
final class JsonEventWriter extends GeneratorEventWriter {

  private final JsonGenerator json;

  JsonEventWriter(OutputStream out) throws IOException {
    this(ExportCodecs.JSON.createGenerator(out, JsonEncoding.UTF8));
  }

  private JsonEventWriter(JsonGenerator json) throws IOException {
    super(json, "JSON");
    this.json = json;
    json.setPrettyPrinter(new LinePerEvent());
    json.writeStartArray();
  }

  @Override
  void write(UsageEvent event) throws IOException {
    json.writeStartObject();
    json.writeStringField(ExportColumns.EVENT_ID, event.eventId());
    json.writeStringField(ExportColumns.USER_ID, event.userId());
    json.writeStringField(ExportColumns.OCCURRED_AT, DateTimeFormatter.ISO_INSTANT.format(event.occurredAt()));
    json.writeStringField(ExportColumns.FEATURE, event.feature());
    optional(ExportColumns.ENDPOINT, event.endpoint());
    json.writeNumberField(ExportColumns.CHARACTERS, event.characters());
    json.writeNumberField(ExportColumns.REQUESTS, event.requests());
    json.writeNumberField(ExportColumns.INPUT_TOKENS, event.inputTokens());
    json.writeNumberField(ExportColumns.OUTPUT_TOKENS, event.outputTokens());
    if (!event.customQuantities().isEmpty()) {
      json.writeFieldName(ExportColumns.CUSTOM_QUANTITIES);
      ExportColumns.writeQuantities(json, event.customQuantities());
    }
    if (event.processingTime().isPresent()) {
      json.writeFieldName(ExportColumns.PROCESSING_TIME_MS);
      json.writeNumber(ExportColumns.millis(event.processingTime().get()));
    }
    optional(ExportColumns.SESSION_ID, event.sessionId());
    optional(ExportColumns.IP_ADDRESS, event.ipAddress());
    optional(ExportColumns.USER_AGENT, event.userAgent());
    optional(ExportColumns.ERROR_CODE, event.errorCode());
    json.writeBooleanField(ExportColumns.SUCCESS, event.success());
    if (!event.metadata().isEmpty()) {
      json.writeFieldName(ExportColumns.METADATA);
      ExportColumns.writeMetadata(json, event.metadata());
    }
    json.writeEndObject();
  }

  private void optional(String name, Optional<String> value) throws IOException {
    if (value.isPresent()) {
      json.writeStringField(name, value.get());
    }
  }

  @Override
  void finish() throws IOException {
    json.writeEndArray();
    json.writeRaw('\n');
  }

  /** Compact objects, one array element per line: record N is on line N + 1. */
  static final class LinePerEvent extends MinimalPrettyPrinter {
    private static final long serialVersionUID = 1L;

    @Override
    public void beforeArrayValues(JsonGenerator g) throws IOException {
      g.writeRaw('\n');
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(",\n");
    }

    @Override
    public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
      g.writeRaw(nrOfValues > 0 ? "\n]" : "]");
    }
  }
}
