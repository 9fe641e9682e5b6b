package dev.usage.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.usage.MalformedExportException;
import dev.usage.UsageEvent;
import dev.usage.UsageExportException;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** CSV import: checks the header, then parses and delivers one record at a time. */
final class CsvEventReader {

  private static final Pattern WHOLE = Pattern.compile("[0-9]{1,19}");
  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,19}(\\.[0-9]{1,19})?");
  private static final List<String> COLUMNS = ExportColumns.ALL;

  private final InputStream in;
  private final Consumer<UsageEvent> sink;
  private long record;
  private long line = -1;

  CsvEventReader(InputStream in, Consumer<UsageEvent> sink) {
    this.in = in;
    this.sink = sink;
  }

  long read() {
    try (CsvParser p = ExportCodecs.CSV.createParser(in)) {
      // no schema columns: every record, the header included, comes as an array of strings
      p.setSchema(CsvSchema.emptySchema());
      List<String> header = next(p);
      if (header == null) {
        throw new MalformedExportException(0, 1, "header", "the input is empty; expected the header " + COLUMNS);
      }
      if (!header.isEmpty() && header.get(0).startsWith("\uFEFF")) {
        header.set(0, header.get(0).substring(1)); // a byte-order mark some editors add
      }
      checkHeader(header);
      List<String> cells;
      while (true) {
        record++;
        cells = next(p);
        if (cells == null) {
          return record - 1;
        }
        sink.accept(event(cells));
      }
    } catch (JsonProcessingException | CharConversionException e) {
      throw new MalformedExportException(record, line, record == 0 ? "header" : "document",
          "not valid CSV: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    } catch (IOException e) {
      throw new UsageExportException("could not read the CSV input at record " + record, e);
    }
  }

  private void checkHeader(List<String> header) {
    for (int i = 0; i < COLUMNS.size(); i++) {
      if (i >= header.size()) {
        throw new MalformedExportException(0, line, COLUMNS.get(i), "the header lacks column " + (i + 1) + " '"
            + COLUMNS.get(i) + "'; expected " + COLUMNS);
      }
      if (!COLUMNS.get(i).equals(header.get(i))) {
        throw new MalformedExportException(0, line, COLUMNS.get(i), "header column " + (i + 1) + " must be '"
            + COLUMNS.get(i) + "', was '" + header.get(i) + "'; expected " + COLUMNS);
      }
    }
    if (header.size() > COLUMNS.size()) {
      throw new MalformedExportException(0, line, "header", "unexpected column " + (COLUMNS.size() + 1) + " '"
          + header.get(COLUMNS.size()) + "'; expected " + COLUMNS);
    }
  }

  /**
   * The next record's cells, or null at the end of input; sets {@link #line} to where it starts. Stops at the
   * first cell past the layout: the caller refuses the record then.
   */
  private List<String> next(CsvParser p) throws IOException {
    // where the record starts, for an error before its first cell is read (an unclosed quote in it)
    line = p.currentLocation().getLineNr();
    JsonToken t = p.nextToken();
    if (t == null) {
      return null;
    }
    List<String> cells = new ArrayList<>(COLUMNS.size() + 1);
    while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
      if (cells.isEmpty()) {
        line = p.currentTokenLocation().getLineNr();
      }
      cells.add(p.getText());
      if (cells.size() > COLUMNS.size()) {
        // one cell past the layout refuses the record (and ends the read): a line of millions of commas is not kept
        return cells;
      }
    }
    return cells;
  }

  private UsageEvent event(List<String> cells) {
    if (cells.size() < COLUMNS.size()) {
      throw malformed(COLUMNS.get(cells.size()), "has " + cells.size() + " of " + COLUMNS.size()
          + " columns; column '" + COLUMNS.get(cells.size()) + "' is missing");
    }
    if (cells.size() > COLUMNS.size()) {
      throw malformed("record", "has more than " + COLUMNS.size() + " columns, expected " + COLUMNS.size());
    }
    EventParts e = new EventParts();
    e.eventId = text(cells, 0);
    e.userId = text(cells, 1);
    String at = text(cells, 2);
    try {
      e.occurredAt = Instant.parse(at);
    } catch (DateTimeParseException ex) {
      throw malformed(ExportColumns.OCCURRED_AT, "must be an ISO-8601 instant such as 2026-01-31T23:59:59.123456Z, was '"
          + at + "'");
    }
    e.feature = text(cells, 3);
    e.endpoint = optional(cells, 4);
    e.characters = whole(cells, 5);
    e.requests = whole(cells, 6);
    e.inputTokens = whole(cells, 7);
    e.outputTokens = whole(cells, 8);
    String custom = optional(cells, 9);
    if (custom != null) {
      e.customQuantities = jsonCell(ExportColumns.CUSTOM_QUANTITIES, custom, true);
    }
    String ms = cells.get(10);
    if (!ms.isEmpty()) {
      if (!DECIMAL.matcher(ms).matches()) {
        throw malformed(ExportColumns.PROCESSING_TIME_MS, "must be a non-negative decimal, was '" + ms + "'");
      }
      try {
        e.processingTime = ExportColumns.fromMillis(new BigDecimal(ms));
      } catch (IllegalArgumentException ex) {
        throw malformed(ExportColumns.PROCESSING_TIME_MS, ex.getMessage());
      }
    }
    e.sessionId = optional(cells, 11);
    e.ipAddress = optional(cells, 12);
    e.userAgent = optional(cells, 13);
    e.errorCode = optional(cells, 14);
    String ok = cells.get(15);
    if (!ok.equals("true") && !ok.equals("false")) {
      throw malformed(ExportColumns.SUCCESS, "must be true or false, was '" + ok + "'");
    }
    e.success = ok.equals("true");
    String meta = optional(cells, 16);
    if (meta != null) {
      e.metadata = jsonCell(ExportColumns.METADATA, meta, false);
    }
    return e.toEvent(record, line);
  }

  private static String text(List<String> cells, int i) {
    return ExportColumns.unescape(cells.get(i));
  }

  private static String optional(List<String> cells, int i) {
    return cells.get(i).isEmpty() ? null : ExportColumns.unescape(cells.get(i));
  }

  private long whole(List<String> cells, int i) {
    String v = cells.get(i);
    if (!WHOLE.matcher(v).matches()) {
      throw malformed(COLUMNS.get(i), "must be a non-negative whole number, was '" + v + "'");
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException ex) {
      throw malformed(COLUMNS.get(i), "is out of range: " + v);
    }
  }

  @SuppressWarnings("unchecked")
  private <M> M jsonCell(String column, String cell, boolean quantities) {
    try (JsonParser jp = ExportCodecs.JSON.createParser(cell)) {
      jp.nextToken();
      Object map = quantities ? ExportColumns.readQuantities(jp) : ExportColumns.readMetadata(jp);
      if (jp.nextToken() != null) {
        throw malformed(column, "must hold one JSON object and nothing after it");
      }
      return (M) map;
    } catch (IllegalArgumentException ex) {
      throw malformed(column, ex.getMessage());
    } catch (IOException ex) {
      throw malformed(column, "must be a JSON object: " + ex.getMessage());
    }
  }

  private MalformedExportException malformed(String field, String problem) {
    return new MalformedExportException(record, line, field, problem);
  }
}
