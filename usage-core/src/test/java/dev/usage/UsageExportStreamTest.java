package dev.usage;

import static dev.usage.ExportTestSupport.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The byte level: failing streams, invalid UTF-8, a byte-order mark, and the stream left open after reading. */
class UsageExportStreamTest {

  private static final UsageEvent EVENT = UsageEvent.builder().eventId("e").userId("u\u00e9\uD83D\uDE00")
      .occurredAt(Instant.parse("2026-04-05T06:07:08Z")).build();

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void aFailingOutputStreamGivesAUsageExportException(ExportFormat format) {
    OutputStream broken = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("disk full");
      }
    };

    assertThatThrownBy(() -> {
      try (EventWriter w = UsageExports.writer(format, broken)) {
        w.accept(EVENT);
        w.flush();
      }
    }).isInstanceOf(UsageExportException.class).hasRootCauseMessage("disk full");
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void aFailingInputStreamGivesAUsageExportException(ExportFormat format) {
    InputStream broken = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("connection reset");
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        throw new IOException("connection reset");
      }
    };

    assertThatThrownBy(() -> UsageExports.read(format, broken, e -> { }))
        .isInstanceOf(UsageExportException.class).hasRootCauseMessage("connection reset");
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void invalidUtf8IsAMalformedExport(ExportFormat format) {
    byte[] good = write(format, List.of(EVENT)).getBytes(StandardCharsets.UTF_8);
    String text = new String(good, StandardCharsets.UTF_8);
    int at = text.indexOf("u\u00e9") + 1;
    byte[] bad = good.clone();
    bad[at] = (byte) 0xff; // the first byte of é's two-byte sequence

    List<UsageEvent> got = new ArrayList<>();
    assertThatThrownBy(() -> UsageExports.read(format, new ByteArrayInputStream(bad), got::add))
        .isInstanceOf(MalformedExportException.class)
        .satisfies(e -> assertThat(((MalformedExportException) e).record()).isEqualTo(1));
    assertThat(got).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void toleratesAUtf8ByteOrderMark(ExportFormat format) {
    ByteArrayOutputStream withBom = new ByteArrayOutputStream();
    withBom.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    withBom.writeBytes(write(format, List.of(EVENT)).getBytes(StandardCharsets.UTF_8));

    List<UsageEvent> got = new ArrayList<>();
    UsageExports.read(format, new ByteArrayInputStream(withBom.toByteArray()), got::add);

    assertThat(got).containsExactly(EVENT);
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void readingLeavesTheStreamOpen(ExportFormat format) {
    boolean[] closed = {false};
    InputStream in = new ByteArrayInputStream(write(format, List.of(EVENT)).getBytes(StandardCharsets.UTF_8)) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };

    assertThat(UsageExports.read(format, in, e -> { })).isEqualTo(1);
    assertThat(closed[0]).isFalse();
  }
}
