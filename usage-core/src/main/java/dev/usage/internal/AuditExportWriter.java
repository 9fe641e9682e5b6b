package dev.usage.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.usage.AuditEntry;
import dev.usage.ExportFormat;
import dev.usage.QuotaType;
import dev.usage.UsageExportException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Writes audit entries as CSV (a header row, then one record per entry, through jackson-dataformat-csv, text
 * cells escaped against formula injection as the event export's are) or JSON (an array, one object per line,
 * absent values left out). Not thread-safe. No API promise.
 */
public final class AuditExportWriter implements Consumer<AuditEntry> {

  /** The columns (CSV) and properties (JSON), in order. */
  public static final List<String> COLUMNS = List.of("at", "userId", "actor", "action", "quotaType", "oldValue",
      "newValue", "reason", "requestId", "previousHash", "hash");

  private final ExportFormat format;
  private final JsonGenerator generator;
  private long rows;

  public AuditExportWriter(ExportFormat format, OutputStream out) {
    this.format = format;
    try {
      if (format == ExportFormat.CSV) {
        CsvGenerator csv = ExportCodecs.CSV.createGenerator(out, JsonEncoding.UTF8);
        csv.setSchema(CsvSchema.emptySchema().withLineSeparator("\r\n"));
        generator = csv;
        csv.writeStartArray();
        for (String column : COLUMNS) {
          csv.writeString(column);
        }
        csv.writeEndArray();
      } else {
        generator = ExportCodecs.JSON.createGenerator(out, JsonEncoding.UTF8);
        generator.setPrettyPrinter(new JsonEventWriter.LinePerEvent());
        generator.writeStartArray();
      }
    } catch (IOException e) {
      throw new UsageExportException("could not start the " + format + " audit export", e);
    }
  }

  @Override
  public void accept(AuditEntry e) {
    List<Optional<String>> values = List.of(Optional.of(e.at().toString()), Optional.of(e.userId()),
        Optional.of(e.actor()), Optional.of(e.action()), e.quotaType().map(QuotaType::name), Optional.of(e.oldValue()),
        Optional.of(e.newValue()), Optional.of(e.reason()), e.requestId(), e.previousHash(), e.hash());
    try {
      if (format == ExportFormat.CSV) {
        generator.writeStartArray();
        for (Optional<String> v : values) {
          generator.writeString(ExportColumns.escape(v.orElse("")));
        }
        generator.writeEndArray();
      } else {
        generator.writeStartObject();
        for (int i = 0; i < values.size(); i++) {
          if (values.get(i).isPresent()) {
            generator.writeStringField(COLUMNS.get(i), values.get(i).get());
          }
        }
        generator.writeEndObject();
      }
      rows++;
    } catch (IOException ex) {
      throw new UsageExportException("could not write " + format + " audit record " + (rows + 1), ex);
    }
  }

  /** Entries written so far. */
  public long rows() {
    return rows;
  }

  /** Flushes what is written, leaving the document unfinished (after a failure). */
  public void flush() {
    try {
      generator.flush();
    } catch (IOException e) {
      throw new UsageExportException("could not flush the " + format + " audit export", e);
    }
  }

  /** Ends the document and flushes; the stream stays open. */
  public void finish() {
    try {
      if (format == ExportFormat.JSON) {
        generator.writeEndArray();
        generator.writeRaw('\n');
      }
      generator.flush();
      generator.close();
    } catch (IOException e) {
      throw new UsageExportException("could not finish the " + format + " audit export", e);
    }
  }
}
