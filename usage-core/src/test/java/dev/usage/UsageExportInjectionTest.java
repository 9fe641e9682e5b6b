package dev.usage;

import static dev.usage.ExportTestSupport.read;
import static dev.usage.ExportTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OWASP CSV injection: a text cell that a spreadsheet would run as a formula is written behind an
 * apostrophe, and read back unchanged.
 */
class UsageExportInjectionTest {

  /** Columns holding free text; ipAddress must be an IP literal and occurredAt an instant. */
  private static final List<String> TEXT_COLUMNS =
      List.of("eventId", "userId", "feature", "endpoint", "sessionId", "userAgent", "errorCode");

  private static UsageEvent everyTextFieldIs(String value) {
    return UsageEvent.builder()
        .eventId(value).userId(value).feature(value).endpoint(value).sessionId(value).userAgent(value)
        .errorCode(value).metadata(value, value).metadata("k", value)
        .occurredAt(Instant.parse("2026-02-03T04:05:06.000007Z")).characters(5).requests(1)
        .processingTime(Duration.ofMillis(3)).ipAddress("10.0.0.1")
        .build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"=HYPERLINK(\"http://x\")", "+1", "-1+2", "@SUM(A1)", "'x", "''x", "'=1"})
  void escapesFormulaCellsInTheRawCsvAndReadsThemBackUnchanged(String value) throws IOException {
    UsageEvent event = everyTextFieldIs(value);

    String text = write(ExportFormat.CSV, List.of(event));

    List<List<String>> cells = rawCells(text);
    List<String> header = cells.get(0);
    List<String> row = cells.get(1);
    for (String column : TEXT_COLUMNS) {
      assertThat(row.get(header.indexOf(column))).as(column).isEqualTo("'" + value);
    }
    assertThat(row).allSatisfy(cell -> assertThat(cell).doesNotStartWith("=").doesNotStartWith("+")
        .doesNotStartWith("-").doesNotStartWith("@"));
    // the raw file text too, so no CSV reader's unquoting is taken on trust
    assertThat(text).contains("'" + value.replace("\"", "\"\""));
    assertThat(text.lines().skip(1)).noneMatch(line -> line.matches("(^|.*,)\"?[=+\\-@].*"));
    assertThat(read(ExportFormat.CSV, text)).containsExactly(event);
  }

  @ParameterizedTest
  @ValueSource(strings = {"=1", "+1", "-1", "@x", "'x"})
  void leavesJsonUnescaped(String value) {
    UsageEvent event = everyTextFieldIs(value);

    String text = write(ExportFormat.JSON, List.of(event));

    assertThat(text).contains("\"userId\":\"" + value + "\"");
    assertThat(read(ExportFormat.JSON, text)).containsExactly(event);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x=1", "a+b", "a-b", "user@example.com", "x'"})
  void leavesCellsAloneWhenTheFormulaCharacterIsNotFirst(String value) throws IOException {
    UsageEvent event = everyTextFieldIs(value);

    String text = write(ExportFormat.CSV, List.of(event));

    List<List<String>> cells = rawCells(text);
    assertThat(cells.get(1).get(cells.get(0).indexOf("userId"))).isEqualTo(value);
    assertThat(read(ExportFormat.CSV, text)).containsExactly(event);
  }

  @ParameterizedTest
  @ValueSource(strings = {"+10000-01-01T00:00:00Z", "+999999999-12-31T23:59:59.999999999Z"})
  void escapesATimestampPastYear9999ThatStartsWithPlus(String at) throws IOException {
    UsageEvent event = everyTextFieldIs("x").toBuilder().occurredAt(Instant.parse(at)).build();

    String text = write(ExportFormat.CSV, List.of(event));

    List<List<String>> cells = rawCells(text);
    assertThat(cells.get(1).get(cells.get(0).indexOf("occurredAt"))).isEqualTo("'" + at);
    assertThat(read(ExportFormat.CSV, text)).containsExactly(event);
  }

  /** The file as any RFC 4180 reader sees it, without this library's unescaping. */
  static List<List<String>> rawCells(String text) throws IOException {
    List<List<String>> rows = new ArrayList<>();
    try (CsvParser p = new CsvFactory().createParser(text)) {
      p.setSchema(CsvSchema.emptySchema());
      List<String> row = null;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.START_ARRAY) {
          row = new ArrayList<>();
        } else if (t == JsonToken.END_ARRAY) {
          rows.add(row);
        } else {
          row.add(p.getText());
        }
      }
    }
    return rows;
  }
}
