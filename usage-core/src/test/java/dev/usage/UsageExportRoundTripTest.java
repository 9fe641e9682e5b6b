package dev.usage;

import static dev.usage.ExportTestSupport.read;
import static dev.usage.ExportTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every field of an event survives export and import in both formats, so the events read are equal. */
class UsageExportRoundTripTest {

  static UsageEvent everyFieldSet() {
    return UsageEvent.builder()
        .eventId("ev-1").userId("user-1").feature("text-correction").endpoint("POST /api/correct")
        .occurredAt(Instant.parse("2026-03-01T10:15:30.123456Z"))
        .characters(1_200).requests(1).inputTokens(300).outputTokens(150)
        .quantity(QuotaType.of("images"), 3).quantity(QuotaType.of("gpu.seconds"), 42)
        .processingTime(Duration.ofNanos(12_345_678))
        .sessionId("sess-9").ipAddress("2001:db8::1").userAgent("  Mozilla/5.0 (X11; Linux x86_64) \"quoted\", comma ")
        .errorCode("UPSTREAM_TIMEOUT").success(false)
        .metadata("model", "gpt, \"quoted\", {json-like}: [x]")
        .metadata("emoji", "\uD83D\uDE00 \u2713 \uD83C\uDDEB\uD83C\uDDF7")
        .metadata("rtl", "\u0645\u0631\u062D\u0628\u0627 \u05E9\u05DC\u05D5\u05DD")
        .metadata("empty", "")
        .metadata("backslash", "C:\\path\\ and \\u0041 literally")
        .build();
  }

  static UsageEvent onlyRequiredFields() {
    return UsageEvent.builder().eventId("ev-2").userId("u").occurredAt(Instant.parse("2026-01-31T23:59:59Z")).build();
  }

  static UsageEvent extremes() {
    return UsageEvent.builder()
        .eventId("e".repeat(128)).userId("\uD83D\uDE00".repeat(64)).feature("f".repeat(128))
        .occurredAt(Instant.EPOCH)
        .characters(Quota.MAX_AMOUNT).requests(Quota.MAX_AMOUNT).inputTokens(Quota.MAX_AMOUNT).outputTokens(0)
        .quantity(QuotaType.of("z" + "9".repeat(63)), Quota.MAX_AMOUNT)
        .processingTime(UsageEvent.MAX_PROCESSING_TIME)
        .ipAddress("255.255.255.255")
        .userAgent("u".repeat(512))
        .build();
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void roundTripsEveryFieldAbsentOptionalsAndExtremes(ExportFormat format) {
    List<UsageEvent> events = List.of(everyFieldSet(), onlyRequiredFields(), extremes());

    List<UsageEvent> back = read(format, write(format, events));

    assertThat(back).containsExactlyElementsOf(events);
    assertThat(back.get(1).endpoint()).isEmpty();
    assertThat(back.get(1).processingTime()).isEmpty();
    assertThat(back.get(1).customQuantities()).isEmpty();
    assertThat(back.get(1).metadata()).isEmpty();
    assertThat(back.get(0).customQuantities()).containsEntry(QuotaType.of("gpu.seconds"), 42L);
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void keepsTimestampsAndDurationsToTheNanosecond(ExportFormat format) {
    UsageEvent base = onlyRequiredFields();
    List<UsageEvent> events = List.of(
        base.toBuilder().eventId("a").occurredAt(Instant.parse("2026-06-30T12:00:00.000001Z"))
            .processingTime(Duration.ofNanos(1_000)).build(),
        base.toBuilder().eventId("b").occurredAt(Instant.parse("2026-06-30T12:00:00.123456789Z"))
            .processingTime(Duration.ofNanos(1)).build(),
        base.toBuilder().eventId("c").occurredAt(Instant.parse("2026-06-30T12:00:00.100Z"))
            .processingTime(Duration.ZERO).build(),
        base.toBuilder().eventId("d").occurredAt(Instant.parse("+10000-01-01T00:00:00Z"))
            .processingTime(Duration.ofMillis(1_500)).build());

    String text = write(format, events);

    assertThat(read(format, text)).containsExactlyElementsOf(events);
    assertThat(text).contains("2026-06-30T12:00:00.000001Z", "2026-06-30T12:00:00.123456789Z", "0.000001", "1500");
  }

  @Test
  void writesTheDocumentedCsvHeaderAndCrlfRecords() {
    String text = write(ExportFormat.CSV, List.of(onlyRequiredFields()));

    assertThat(text).isEqualTo("eventId,userId,occurredAt,feature,endpoint,characters,requests,inputTokens,"
        + "outputTokens,customQuantities,processingTimeMs,sessionId,ipAddress,userAgent,errorCode,success,metadata\r\n"
        + "ev-2,u,2026-01-31T23:59:59Z,default,,0,0,0,0,,,,,,,true,\r\n");
  }

  @Test
  void carriesCustomQuotaTypesAndMetadataAsJsonObjectsInOneCsvCell() {
    String text = write(ExportFormat.CSV, List.of(everyFieldSet()));

    assertThat(text).contains(",\"{\"\"gpu.seconds\"\":42,\"\"images\"\":3}\",12.345678,");
  }

  @Test
  void writesOneValidJsonObjectPerLine() throws IOException {
    List<UsageEvent> events = List.of(everyFieldSet(), onlyRequiredFields(), extremes());

    String text = write(ExportFormat.JSON, events);

    assertThat(text.split("\n")).hasSize(5).startsWith("[").endsWith("]");
    JsonNode tree = new ObjectMapper().readTree(text);
    assertThat(tree.isArray()).isTrue();
    assertThat(tree).hasSize(3);
    assertThat(tree.get(0).get("metadata").get("emoji").asText()).isEqualTo("\uD83D\uDE00 \u2713 \uD83C\uDDEB\uD83C\uDDF7");
    assertThat(tree.get(0).get("processingTimeMs").decimalValue()).isEqualByComparingTo("12.345678");
    assertThat(tree.get(1).has("endpoint")).as("absent optional left out").isFalse();
    assertThat(tree.get(2).get("characters").asLong()).isEqualTo(Quota.MAX_AMOUNT);
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void anEmptyExportIsAValidDocumentThatReadsBackEmpty(ExportFormat format) {
    String text = write(format, List.of());

    assertThat(text).isEqualTo(format == ExportFormat.CSV
        ? String.join(",", "eventId,userId,occurredAt,feature,endpoint,characters,requests,inputTokens",
            "outputTokens,customQuantities,processingTimeMs,sessionId,ipAddress,userAgent,errorCode,success,metadata\r\n")
        : "[]\n");
    assertThat(read(format, text)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void closeFinishesTheDocumentButLeavesTheCallersStreamOpen(ExportFormat format) {
    CloseTrackingStream out = new CloseTrackingStream();
    EventWriter w = UsageExports.writer(format, out);
    w.accept(onlyRequiredFields());
    w.accept(everyFieldSet());
    assertThat(w.rows()).isEqualTo(2);

    w.close();
    w.close();

    assertThat(out.closed).isFalse();
    assertThat(out.flushed).isTrue();
    assertThat(read(format, out.toString(StandardCharsets.UTF_8))).containsExactly(onlyRequiredFields(), everyFieldSet());
    assertThatThrownBy(() -> w.accept(onlyRequiredFields())).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> UsageExports.writer(format, out).accept(null))
        .isInstanceOf(InvalidUsageException.class).hasMessageStartingWith("event:");
  }

  @Test
  void refusesNullArgumentsNamingThem() {
    assertThatThrownBy(() -> UsageExports.writer(null, new ByteArrayOutputStream()))
        .isInstanceOf(InvalidUsageException.class).hasMessageStartingWith("format:");
    assertThatThrownBy(() -> UsageExports.writer(ExportFormat.CSV, null))
        .isInstanceOf(InvalidUsageException.class).hasMessageStartingWith("out:");
    assertThatThrownBy(() -> UsageExports.read(ExportFormat.CSV, null, e -> { }))
        .isInstanceOf(InvalidUsageException.class).hasMessageStartingWith("in:");
  }

  @Test
  void textThatNoEventCanHoldNeverReachesAnExport() {
    // control characters (newline, TAB, CR) and unpaired surrogates are refused by UsageEvent itself, so an
    // export never has to carry them; an import that meets them refuses the record (see the malformed tests)
    assertThatThrownBy(() -> onlyRequiredFields().toBuilder().metadata("k", "line1\nline2").build())
        .isInstanceOf(InvalidUsageException.class).hasMessageStartingWith("metadata.k:");
    assertThatThrownBy(() -> onlyRequiredFields().toBuilder().userAgent("\tx").build())
        .isInstanceOf(InvalidUsageException.class).hasMessageStartingWith("userAgent:");
    assertThatThrownBy(() -> onlyRequiredFields().toBuilder().userAgent("\rx").build())
        .isInstanceOf(InvalidUsageException.class).hasMessageStartingWith("userAgent:");
    assertThatThrownBy(() -> onlyRequiredFields().toBuilder().userAgent("a\uD800b").build())
        .isInstanceOf(InvalidUsageException.class).hasMessageStartingWith("userAgent:");
    assertThatThrownBy(() -> onlyRequiredFields().toBuilder().characters(Long.MAX_VALUE).build())
        .isInstanceOf(InvalidUsageException.class).hasMessageStartingWith("characters:");
  }

  private static final class CloseTrackingStream extends ByteArrayOutputStream {
    boolean closed;
    boolean flushed;

    @Override
    public void flush() {
      flushed = true;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
