package dev.usage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes events to a byte array and reads them back, for the export tests. */
final class ExportTestSupport {

  private ExportTestSupport() {}

  static String write(ExportFormat format, List<UsageEvent> events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (EventWriter w = UsageExports.writer(format, out)) {
      events.forEach(w);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static List<UsageEvent> read(ExportFormat format, String text) {
    List<UsageEvent> got = new ArrayList<>();
    long n = UsageExports.read(format, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), got::add);
    if (n != got.size()) {
      throw new AssertionError("read returned " + n + " but delivered " + got.size());
    }
    return got;
  }
}
