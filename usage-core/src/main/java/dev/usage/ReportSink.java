package dev.usage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where the scheduled report job ({@link UsageReportJob}) puts each file it renders: a directory
 * ({@link FileReportSink}), or e-mail, object storage or anything else a host implements. Called from the
 * job's thread, one file at a time.
 */
public interface ReportSink {

  /**
   * Stores one file whose bytes {@code content} writes, unless the sink already holds a complete file of that
   * name (the job may run again for a period it has already reported: on several instances, or after a
   * restart), in which case it must not call {@code content} and returns false.
   *
   * @return whether the file was stored now
   * @throws IOException the file could not be stored; the sink holds no partial file of that name
   */
  boolean deliver(String fileName, ExportFormat format, Content content) throws IOException;

  /** The bytes of one file, written on demand to the sink's stream (which the sink closes). */
  @FunctionalInterface
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }
}
