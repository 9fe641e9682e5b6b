package dev.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A million events are written (and 300,000 read) in bounded memory: the heap retained while the writer (or reader) is
 * still open, measured after GC, grows by less than 50 MB. Events are made lazily, one at a time, so the
 * test itself holds none of them; a writer that kept its rows would hold hundreds of megabytes.
 */
class UsageExportMemoryTest {

  private static final int ROWS = 1_000_000;
  /** Fewer for reading, which also makes its input on the fly; 300,000 retained events would be ~400 MB. */
  private static final int READ_ROWS = 300_000;
  private static final long BOUND = 50L * 1024 * 1024;
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  static UsageEvent event(long i) {
    return UsageEvent.builder()
        .eventId("ev-" + i).userId("user-" + (i % 10_000)).feature("text-correction").endpoint("POST /api/correct")
        .occurredAt(START.plusNanos(i * 1_234_567L)).characters(i % 5_000).requests(1)
        .inputTokens(i % 700).outputTokens(i % 300).quantity(QuotaType.of("images"), i % 3)
        .processingTime(Duration.ofNanos(i * 1_000 % 900_000_000)).sessionId("s-" + (i % 977))
        .ipAddress("10.0." + (i % 256) + "." + (i % 200)).userAgent("client/1." + (i % 10))
        .success(i % 50 != 0).metadata("model", "m-" + (i % 4))
        .build();
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void writesAMillionEventsInBoundedMemory(ExportFormat format) {
    CountingNullStream out = new CountingNullStream();
    long before = heapAfterGc();
    long peak = 0;

    try (EventWriter writer = UsageExports.writer(format, out)) {
      for (int i = 0; i < ROWS; i++) {
        writer.accept(event(i));
        if (i == ROWS / 2) {
          peak = heapAfterGc();
        }
      }
      assertThat(writer.rows()).isEqualTo(ROWS);
      peak = Math.max(peak, heapAfterGc());
    }

    System.out.printf("wrote %d %s events, %d bytes: heap growth %.1f MB%n", ROWS, format, out.count,
        (peak - before) / 1e6);
    assertThat(peak - before).as("heap growth in bytes, writer open").isLessThan(BOUND);
    assertThat(out.count).as("bytes written").isGreaterThan(ROWS * 150L);
    assertThat(out.last).isEqualTo('\n');
    assertThat(out.lastButOne).isEqualTo(format == ExportFormat.CSV ? '\r' : ']');
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void readsThreeHundredThousandEventsInBoundedMemory(ExportFormat format) {
    long before = heapAfterGc();
    long[] peak = {0};
    long[] seen = {0};

    long count = UsageExports.read(format, new GeneratedExport(format, READ_ROWS), e -> {
      if (seen[0] == READ_ROWS / 2) {
        assertThat(e).isEqualTo(event(READ_ROWS / 2));
        peak[0] = heapAfterGc();
      }
      seen[0]++;
    });

    assertThat(count).isEqualTo(READ_ROWS);
    assertThat(seen[0]).isEqualTo(READ_ROWS);
    System.out.printf("read %d %s events: heap growth %.1f MB%n", READ_ROWS, format, (peak[0] - before) / 1e6);
    assertThat(peak[0] - before).as("heap growth in bytes, reader open").isLessThan(BOUND);
  }

  @Test
  void theMeasureSeesEventsThatAreKept() {
    // the control: if a writer kept its events, this is what the bound would catch
    long before = heapAfterGc();
    List<UsageEvent> kept = new ArrayList<>();
    for (int i = 0; i < READ_ROWS; i++) {
      kept.add(event(i));
    }
    long growth = heapAfterGc() - before;

    assertThat(kept).hasSize(READ_ROWS);
    assertThat(growth).as("heap growth in bytes with %d events kept", READ_ROWS).isGreaterThan(BOUND);
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Discards bytes, keeping the count and the last two. */
  private static final class CountingNullStream extends OutputStream {
    long count;
    int lastButOne = -1;
    int last = -1;

    @Override
    public void write(int b) {
      count++;
      lastButOne = last;
      last = b & 0xff;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
      if (len >= 2) {
        lastButOne = b[off + len - 2] & 0xff;
        last = b[off + len - 1] & 0xff;
      } else if (len == 1) {
        lastButOne = last;
        last = b[off] & 0xff;
      }
    }
  }

  /** An export made on demand as it is read: only the bytes of the next few events exist at a time. */
  private static final class GeneratedExport extends InputStream {
    private final ByteArrayOutputStream chunk = new ByteArrayOutputStream();
    private final EventWriter writer;
    private final int rows;
    private int next;
    private byte[] buffer = new byte[0];
    private int pos;
    private boolean closed;

    GeneratedExport(ExportFormat format, int rows) {
      this.writer = UsageExports.writer(format, chunk);
      this.rows = rows;
    }

    private boolean fill() {
      if (closed) {
        return false;
      }
      chunk.reset();
      if (next < rows) {
        for (int i = 0; i < 100 && next < rows; i++) {
          writer.accept(event(next++));
        }
        writer.flush();
      } else {
        writer.close();
        closed = true;
      }
      buffer = chunk.toByteArray();
      pos = 0;
      return true;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      while (pos >= buffer.length) {
        if (!fill()) {
          return -1;
        }
      }
      int n = Math.min(len, buffer.length - pos);
      System.arraycopy(buffer, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
