package dev.usage.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.usage.EventTotals;
import dev.usage.ExportFormat;
import dev.usage.QuotaType;
import dev.usage.SystemAnalytics;
import dev.usage.UsageCounts;
import java.io.IOException;
import java.io.OutputStream;
import java.time.DayOfWeek;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Renders {@link SystemAnalytics} as rows of {@code section, key, subkey, metric, value}: one table that CSV
 * and JSON carry alike (JSON: an array of objects with those properties). Text cells of the CSV are
 * formula-escaped as the event export's are. No API promise.
 */
public final class ReportSummaryWriter {

  /** The columns, in order. */
  public static final List<String> COLUMNS = List.of("section", "key", "subkey", "metric", "value");

  private final JsonGenerator out;
  private final boolean csv;

  private ReportSummaryWriter(JsonGenerator out, boolean csv) {
    this.out = out;
    this.csv = csv;
  }

  /** Writes {@code a} to {@code stream} (not closed). */
  public static void write(SystemAnalytics a, ExportFormat format, OutputStream stream) throws IOException {
    boolean csv = format == ExportFormat.CSV;
    try (JsonGenerator g = csv ? ExportCodecs.CSV.createGenerator(stream, JsonEncoding.UTF8)
        : ExportCodecs.JSON.createGenerator(stream, JsonEncoding.UTF8)) {
      ReportSummaryWriter w = new ReportSummaryWriter(g, csv);
      if (csv) {
        ((com.fasterxml.jackson.dataformat.csv.CsvGenerator) g).setSchema(
            CsvSchema.emptySchema().withLineSeparator("\r\n"));
        g.writeStartArray();
        for (String c : COLUMNS) {
          g.writeString(c);
        }
        g.writeEndArray();
      } else {
        g.useDefaultPrettyPrinter();
        g.writeStartArray();
      }
      w.rows(a);
      if (!csv) {
        g.writeEndArray();
      }
    }
  }

  private void rows(SystemAnalytics a) throws IOException {
    text("range", "", "", "from", a.range().from().toString());
    text("range", "", "", "to", a.range().to().toString());
    text("range", "", "", "zone", a.zone().getId());
    totals("totals", "", "", a.totals());
    for (Map.Entry<String, EventTotals> t : a.byTier().entrySet()) {
      totals("tier", t.getKey(), "", t.getValue());
    }
    for (SystemAnalytics.FailureRate f : a.failures()) {
      number("failures", f.feature(), f.endpoint(), "events", f.events());
      number("failures", f.feature(), f.endpoint(), "failedEvents", f.failedEvents());
      decimal("failures", f.feature(), f.endpoint(), "errorRate", f.errorRate());
    }
    for (Map.Entry<String, Long> e : a.errorCodes().entrySet()) {
      number("errorCodes", e.getKey(), "", "failedEvents", e.getValue());
    }
    for (SystemAnalytics.EndpointLatency l : a.latency()) {
      number("latency", l.endpoint(), "", "timedEvents", l.timedEvents());
      millis("latency", l.endpoint(), "p50Ms", l.p50());
      millis("latency", l.endpoint(), "p95Ms", l.p95());
      millis("latency", l.endpoint(), "p99Ms", l.p99());
    }
    for (int h = 0; h < a.byHourOfDay().size(); h++) {
      counts("hourOfDay", String.format("%02d", h), a.byHourOfDay().get(h));
    }
    for (DayOfWeek d : DayOfWeek.values()) {
      counts("dayOfWeek", d.name(), a.byDayOfWeek().get(d.getValue() - 1));
    }
    for (SystemAnalytics.UserTotals u : a.topUsers()) {
      totals("topUsers", u.userId(), "", u.totals());
    }
  }

  private void totals(String section, String key, String subkey, EventTotals t) throws IOException {
    number(section, key, subkey, "events", t.events());
    number(section, key, subkey, "failedEvents", t.failedEvents());
    number(section, key, subkey, "users", t.users());
    for (Map.Entry<QuotaType, Long> u : t.units().entrySet()) {
      number(section, key, subkey, "units." + u.getKey().name(), u.getValue());
    }
  }

  private void counts(String section, String key, UsageCounts c) throws IOException {
    number(section, key, "", "events", c.events());
    number(section, key, "", "failedEvents", c.failedEvents());
    for (Map.Entry<QuotaType, Long> u : c.units().entrySet()) {
      number(section, key, "", "units." + u.getKey().name(), u.getValue());
    }
  }

  private void millis(String section, String key, String metric, Duration d) throws IOException {
    start(section, key, "", metric);
    out.writeNumber(ExportColumns.millis(d));
    end();
  }

  private void number(String section, String key, String subkey, String metric, long value) throws IOException {
    start(section, key, subkey, metric);
    out.writeNumber(value);
    end();
  }

  private void decimal(String section, String key, String subkey, String metric, double value) throws IOException {
    start(section, key, subkey, metric);
    out.writeNumber(value);
    end();
  }

  private void text(String section, String key, String subkey, String metric, String value) throws IOException {
    start(section, key, subkey, metric);
    cell(value);
    end();
  }

  private void start(String section, String key, String subkey, String metric) throws IOException {
    if (csv) {
      out.writeStartArray();
      cell(section);
      cell(key);
      cell(subkey);
      cell(metric);
    } else {
      out.writeStartObject();
      out.writeStringField("section", section);
      out.writeStringField("key", key);
      out.writeStringField("subkey", subkey);
      out.writeStringField("metric", metric);
      out.writeFieldName("value");
    }
  }

  private void cell(String value) throws IOException {
    out.writeString(csv ? ExportColumns.escape(value) : value);
  }

  private void end() throws IOException {
    if (csv) {
      out.writeEndArray();
    } else {
      out.writeEndObject();
    }
  }
}
