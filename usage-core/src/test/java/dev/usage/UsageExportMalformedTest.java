package dev.usage;

import static dev.usage.ExportTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad files: a typed error naming the record and the column or property; the events before the bad record
 * are delivered, none after it (record 3 below is valid and must not arrive).
 */
class UsageExportMalformedTest {

  private static final List<UsageEvent> EVENTS = List.of(event("a"), event("b"), event("c"));

  private static UsageEvent event(String id) {
    return UsageEvent.builder().eventId(id).userId("u-" + id).feature("f").endpoint("GET /x")
        .occurredAt(Instant.parse("2026-05-06T07:08:09.123Z")).characters(10).requests(1).inputTokens(2)
        .outputTokens(3).sessionId("s").ipAddress("10.1.2.3").userAgent("agent").build();
  }

  /** The CSV export of the three events with one cell of one record replaced (record 0 = header). */
  private static String csvWith(int record, String column, UnaryOperator<String> change) {
    String[] lines = write(ExportFormat.CSV, EVENTS).split("\r\n");
    int index = Arrays.asList(lines[0].split(",", -1)).indexOf(column);
    String[] cells = lines[record].split(",", -1);
    cells[index] = change.apply(cells[index]);
    lines[record] = String.join(",", cells);
    return String.join("\r\n", lines) + "\r\n";
  }

  private static String csvWithoutLastCell(int record) {
    String[] lines = write(ExportFormat.CSV, EVENTS).split("\r\n");
    lines[record] = lines[record].substring(0, lines[record].lastIndexOf(','));
    return String.join("\r\n", lines) + "\r\n";
  }

  /** The JSON export with record 2's line changed. */
  private static String jsonWith(UnaryOperator<String> change) {
    String[] lines = write(ExportFormat.JSON, EVENTS).split("\n");
    lines[2] = change.apply(lines[2]);
    return String.join("\n", lines) + "\n";
  }

  static List<Arguments> badCsv() {
    String header = write(ExportFormat.CSV, List.of()).split("\r\n")[0];
    return List.of(
        Arguments.of("renamed header column", csvWith(0, "occurredAt", c -> "occured_at"), 0L, "occurredAt"),
        Arguments.of("header lacks the last column",
            write(ExportFormat.CSV, EVENTS).replace(",metadata\r\n", "\r\n"), 0L, "metadata"),
        Arguments.of("header has an extra column",
            write(ExportFormat.CSV, EVENTS).replace(",metadata\r\n", ",metadata,extra\r\n"), 0L, "header"),
        Arguments.of("empty input", "", 0L, "header"),
        Arguments.of("record lacks its last column", csvWithoutLastCell(2), 2L, "metadata"),
        Arguments.of("record has an extra column", csvWith(2, "metadata", c -> ","), 2L, "record"),
        Arguments.of("blank line", header + "\r\n" + write(ExportFormat.CSV, EVENTS).split("\r\n")[1] + "\r\n\r\n",
            2L, "userId"),
        Arguments.of("letters in a number", csvWith(2, "characters", c -> "12x"), 2L, "characters"),
        Arguments.of("negative number", csvWith(2, "requests", c -> "-1"), 2L, "requests"),
        Arguments.of("plus-signed number", csvWith(2, "requests", c -> "+1"), 2L, "requests"),
        Arguments.of("number past a long", csvWith(2, "inputTokens", c -> "99999999999999999999"), 2L,
            "inputTokens"),
        Arguments.of("Long.MAX_VALUE units", csvWith(2, "outputTokens", c -> String.valueOf(Long.MAX_VALUE)), 2L,
            "outputTokens"),
        Arguments.of("month 13", csvWith(2, "occurredAt", c -> "2026-13-01T00:00:00Z"), 2L, "occurredAt"),
        Arguments.of("no zone", csvWith(2, "occurredAt", c -> "2026-05-06T07:08:09"), 2L, "occurredAt"),
        Arguments.of("before 1970", csvWith(2, "occurredAt", c -> "1969-12-31T23:59:59Z"), 2L, "occurredAt"),
        Arguments.of("sub-nanosecond duration", csvWith(2, "processingTimeMs", c -> "1.0000001"), 2L,
            "processingTimeMs"),
        Arguments.of("duration over 7 days", csvWith(2, "processingTimeMs", c -> "604800001"), 2L,
            "processingTimeMs"),
        Arguments.of("success yes", csvWith(2, "success", c -> "yes"), 2L, "success"),
        Arguments.of("blank user", csvWith(2, "userId", c -> ""), 2L, "userId"),
        Arguments.of("TAB after the escape quote", csvWith(2, "userAgent", c -> "'\tx"), 2L, "userAgent"),
        Arguments.of("not an IP", csvWith(2, "ipAddress", c -> "example.com"), 2L, "ipAddress"),
        Arguments.of("custom type not JSON", csvWith(2, "customQuantities", c -> "images=3"), 2L,
            "customQuantities"),
        Arguments.of("built-in type as custom", csvWith(2, "customQuantities", c -> "\"{\"\"tokens\"\":3}\""), 2L,
            "customQuantities"),
        Arguments.of("bad custom type name", csvWith(2, "customQuantities", c -> "\"{\"\"Images!\"\":3}\""), 2L,
            "customQuantities"),
        Arguments.of("metadata value not a string", csvWith(2, "metadata", c -> "\"{\"\"k\"\":1}\""), 2L,
            "metadata"),
        Arguments.of("metadata with a newline", csvWith(2, "metadata", c -> "\"{\"\"k\"\":\"\"a\\nb\"\"}\""), 2L,
            "metadata"),
        Arguments.of("unclosed quote", csvWith(2, "userAgent", c -> "\"agent"), 2L, "document"),
        Arguments.of("unclosed quote in the first cell", csvWith(2, "eventId", c -> "\"b"), 2L, "document"),
        // refused at the first cell too many, before the parser reaches what follows it
        Arguments.of("extra columns, then an unclosed quote", csvWith(2, "metadata", c -> ",,\"x"), 2L, "record"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCsv")
  void refusesBadCsvNamingRecordAndFieldAndDeliversNothingAfterIt(String why, String text, long record,
      String field) {
    assertRefused(ExportFormat.CSV, text, record, field);
  }

  static List<Arguments> badJson() {
    String good = write(ExportFormat.JSON, EVENTS);
    return List.of(
        Arguments.of("not an array", "{}", 0L, "document"),
        Arguments.of("empty input", "", 0L, "document"),
        Arguments.of("array of numbers", "[1]", 1L, "document"),
        Arguments.of("unknown property", jsonWith(l -> l.replace("{\"eventId\"", "{\"colour\":\"red\",\"eventId\"")),
            2L, "colour"),
        Arguments.of("repeated property", jsonWith(l -> l.replace("\"feature\":\"f\"", "\"feature\":\"f\",\"feature\":\"g\"")),
            2L, "feature"),
        Arguments.of("missing success", jsonWith(l -> l.replace(",\"success\":true", "")), 2L, "success"),
        Arguments.of("missing characters", jsonWith(l -> l.replace("\"characters\":10,", "")), 2L, "characters"),
        Arguments.of("missing userId", jsonWith(l -> l.replace("\"userId\":\"u-b\",", "")), 2L, "userId"),
        Arguments.of("number as a string", jsonWith(l -> l.replace("\"characters\":10", "\"characters\":\"10\"")), 2L,
            "characters"),
        Arguments.of("fraction as amount", jsonWith(l -> l.replace("\"characters\":10", "\"characters\":1.5")), 2L,
            "characters"),
        Arguments.of("negative amount", jsonWith(l -> l.replace("\"requests\":1", "\"requests\":-1")), 2L, "requests"),
        Arguments.of("Long.MAX_VALUE units", jsonWith(l -> l.replace("\"inputTokens\":2",
            "\"inputTokens\":" + Long.MAX_VALUE)), 2L, "inputTokens"),
        Arguments.of("number past a long", jsonWith(l -> l.replace("\"inputTokens\":2",
            "\"inputTokens\":99999999999999999999")), 2L, "inputTokens"),
        Arguments.of("bad timestamp", jsonWith(l -> l.replace("2026-05-06T07:08:09.123Z", "yesterday")), 2L,
            "occurredAt"),
        Arguments.of("lone high surrogate", jsonWith(l -> l.replace("\"agent\"", "\"a\\ud800b\"")), 2L, "userAgent"),
        Arguments.of("lone low surrogate", jsonWith(l -> l.replace("\"agent\"", "\"\\udc00\"")), 2L, "userAgent"),
        Arguments.of("control character escaped", jsonWith(l -> l.replace("\"agent\"", "\"a\\tb\"")), 2L, "userAgent"),
        Arguments.of("custom quantity fraction", jsonWith(l -> l.replace("\"success\"",
            "\"customQuantities\":{\"images\":1.5},\"success\"")), 2L, "customQuantities"),
        Arguments.of("syntax error", jsonWith(l -> l.replace("\"feature\":\"f\"", "\"feature\":f")), 2L, "feature"),
        Arguments.of("truncated", good.substring(0, good.indexOf("\"u-b\"")), 2L, "userId"),
        Arguments.of("array not closed", good.substring(0, good.lastIndexOf(']')), 4L, "document"),
        Arguments.of("content after the array", good + "[]", 4L, "document"),
        Arguments.of("tokens each in range, their sum past it", jsonWith(l -> l
            .replace("\"inputTokens\":2", "\"inputTokens\":5000000000000000")
            .replace("\"outputTokens\":3", "\"outputTokens\":5000000000000000")), 2L, "inputTokens"),
        // twenty bytes that expand to a billion digits: refused from the exponent, at once
        Arguments.of("duration with a huge exponent", withProcessingTime("1e1000000000"), 2L, "processingTimeMs"),
        Arguments.of("duration with a tiny exponent", withProcessingTime("1e-1000000000"), 2L, "processingTimeMs"),
        Arguments.of("duration with the largest exponent", withProcessingTime("1e2147483647"), 2L,
            "processingTimeMs"),
        Arguments.of("duration past a long of nanoseconds", withProcessingTime("9223372036854.775808"), 2L,
            "processingTimeMs"));
  }

  private static String withProcessingTime(String ms) {
    return jsonWith(l -> l.replace(",\"success\"", ",\"processingTimeMs\":" + ms + ",\"success\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badJson")
  void refusesBadJsonNamingRecordAndFieldAndDeliversNothingAfterIt(String why, String text, long record,
      String field) {
    assertRefused(ExportFormat.JSON, text, record, field);
  }

  @Test
  void refusesMapsPastTheirBoundAtTheFirstEntryTooManyNotAtTheEndOfTheObject() {
    // 33 entries, then a value that is wrong in itself: the count is what is refused, when the 33rd arrives
    StringBuilder metadata = new StringBuilder();
    StringBuilder custom = new StringBuilder();
    for (int i = 0; i < 33; i++) {
      metadata.append("\"k").append(i).append("\":\"v\",");
      custom.append("\"t").append(i).append("\":1,");
    }
    String manyMetadata = jsonWith(l -> l.replace(",\"success\"", ",\"metadata\":{" + metadata + "\"bad\":1}"
        + ",\"success\""));
    String manyTypes = jsonWith(l -> l.replace(",\"success\"", ",\"customQuantities\":{" + custom + "\"bad\":1.5}"
        + ",\"success\""));

    assertThat(refusal(ExportFormat.JSON, manyMetadata, new ArrayList<>()).getMessage())
        .isEqualTo("metadata: record 2 (line 3): at most 32 entries");
    assertThat(refusal(ExportFormat.JSON, manyTypes, new ArrayList<>()).getMessage())
        .isEqualTo("customQuantities: record 2 (line 3): at most 32 types");
  }

  @Test
  void countsLinesNotRecordsWhenAQuotedCellSpansLines() {
    // a hand-edited file may break a JSON cell over lines; it still reads, and the line of a later
    // error is the file's line, not the record number + 1
    String text = csvWith(1, "customQuantities", c -> "\"{\"\"images\"\":\n3}\"");
    String[] lines = text.split("\r\n");
    String[] cells = lines[2].split(",", -1);
    cells[5] = "ten";
    lines[2] = String.join(",", cells);
    List<UsageEvent> got = new ArrayList<>();

    MalformedExportException e = refusal(ExportFormat.CSV, String.join("\r\n", lines) + "\r\n", got);

    assertThat(e.record()).isEqualTo(2);
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.field()).isEqualTo("characters");
    assertThat(e.getMessage()).isEqualTo(
        "characters: record 2 (line 4): must be a non-negative whole number, was 'ten'");
    assertThat(got).containsExactly(EVENTS.get(0).toBuilder().quantity(QuotaType.of("images"), 3).build());
  }

  private static MalformedExportException refusal(ExportFormat format, String text, List<UsageEvent> got) {
    return catchThrowableOfType(MalformedExportException.class,
        () -> UsageExports.read(format, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), got::add));
  }

  private static void assertRefused(ExportFormat format, String text, long record, String field) {
    List<UsageEvent> got = new ArrayList<>();

    MalformedExportException e = refusal(format, text, got);

    assertThat(e).as("a typed refusal").isNotNull().isInstanceOf(InvalidUsageException.class);
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.record()).isEqualTo(record);
    assertThat(e.getMessage()).startsWith(field + ": record " + record);
    assertThat(e.getMessage()).as("a message of a line, not the value expanded").hasSizeLessThan(1_000);
    if (record == 2) {
      assertThat(e.line()).as("record 2 is on line 3 of these files").isEqualTo(3);
    }
    long delivered = Math.max(0, Math.min(record - 1, EVENTS.size()));
    assertThat(got).containsExactlyElementsOf(EVENTS.subList(0, (int) delivered));
  }
}
