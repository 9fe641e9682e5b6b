package dev.usage.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.usage.EventWriter;
import dev.usage.UsageEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** CSV export: header row first, then one record per event, written through jackson-dataformat-csv. */
final class CsvEventWriter extends GeneratorEventWriter {

  private final CsvGenerator csv;

  CsvEventWriter(OutputStream out) throws IOException {
    this(ExportCodecs.CSV.createGenerator(out, JsonEncoding.UTF8));
  }

  private CsvEventWriter(CsvGenerator csv) throws IOException {
    super(csv, "CSV");
    this.csv = csv;
    // no schema columns: each record is written as an array, so the header is an ordinary record too
    csv.setSchema(CsvSchema.emptySchema().withLineSeparator("\r\n"));
    csv.writeStartArray();
    for (String column : ExportColumns.ALL) {
      csv.writeString(column);
    }
    csv.writeEndArray();
  }

  @Override
  void write(UsageEvent event) throws IOException {
    csv.writeStartArray();
    text(event.eventId());
    text(event.userId());
    text(DateTimeFormatter.ISO_INSTANT.format(event.occurredAt()));
    text(event.feature());
    text(event.endpoint());
    csv.writeNumber(event.characters());
    csv.writeNumber(event.requests());
    csv.writeNumber(event.inputTokens());
    csv.writeNumber(event.outputTokens());
    text(event.customQuantities().isEmpty() ? "" : json(g -> ExportColumns.writeQuantities(g, event.customQuantities())));
    if (event.processingTime().isPresent()) {
      csv.writeNumber(ExportColumns.millis(event.processingTime().get()));
    } else {
      csv.writeString("");
    }
    text(event.sessionId());
    text(event.ipAddress());
    text(event.userAgent());
    text(event.errorCode());
    csv.writeString(event.success() ? "true" : "false");
    text(event.metadata().isEmpty() ? "" : json(g -> ExportColumns.writeMetadata(g, event.metadata())));
    csv.writeEndArray();
  }

  private void text(Optional<String> value) throws IOException {
    text(value.orElse(""));
  }

  private void text(String value) throws IOException {
    csv.writeString(ExportColumns.escape(value));
  }

  private interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }

  private static String json(JsonBody body) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = ExportCodecs.JSON.createGenerator(w)) {
      body.write(g);
    }
    return w.toString();
  }
}
