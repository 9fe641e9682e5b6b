package dev.usage.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import dev.usage.EventWriter;
import dev.usage.ExportFormat;
import dev.usage.UsageEvent;
import dev.usage.UsageExportException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * Entry to the CSV and JSON codecs behind {@code dev.usage.UsageExports}. No API promise.
 */
public final class ExportCodecs {

  // factories are thread-safe and costly to configure; generators and parsers made from them are not shared
  static final JsonFactory JSON = JsonFactory.builder()
      .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
      .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  static final CsvFactory CSV = CsvFactory.builder()
      .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
      .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
      .build();

  private ExportCodecs() {}

  /** A writer of that format on the stream; arguments already checked. */
  public static EventWriter writer(ExportFormat format, OutputStream out) {
    try {
      return switch (format) {
        case CSV -> new CsvEventWriter(out);
        case JSON -> new JsonEventWriter(out);
      };
    } catch (IOException e) {
      throw new UsageExportException("could not start the " + format + " export", e);
    }
  }

  /** Reads every event of the stream into the sink; arguments already checked. */
  public static long read(ExportFormat format, InputStream in, Consumer<UsageEvent> sink) {
    return switch (format) {
      case CSV -> new CsvEventReader(in, sink).read();
      case JSON -> new JsonEventReader(in, sink).read();
    };
  }
}
