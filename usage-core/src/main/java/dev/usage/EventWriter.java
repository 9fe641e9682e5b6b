package dev.usage;

import java.util.function.Consumer;

/**
 * Writes usage events to an output stream, each as it arrives: memory stays bounded (a few kilobytes of
 * buffer) however many events pass through. Made by {@link UsageExports#writer(ExportFormat,
 * java.io.OutputStream)}; the layout is described on {@link UsageExports}.
 *
 * <p>The document is complete only after {@link #close()} (for JSON it writes the closing bracket).
 * Closing does <em>not</em> close the caller's stream: whoever opened the stream closes it, so an export
 * can be followed by more output (an HTTP response trailer, a zip entry).
 *
 * <p>Not thread-safe: use one writer from one thread at a time.
 */
public interface EventWriter extends Consumer<UsageEvent>, AutoCloseable {

  /**
   * Writes one event. Bytes reach the stream whenever the internal buffer fills, and on
   * {@link #flush()} and {@link #close()}.
   *
   * @param event the event, not null
   * @throws InvalidUsageException naming {@code event} when it is null
   * @throws IllegalStateException when the writer is closed
   * @throws UsageExportException when the stream fails; the document is then incomplete
   */
  @Override
  void accept(UsageEvent event);

  /**
   * How many events were written so far.
   *
   * @return the count of events accepted
   */
  long rows();

  /**
   * Pushes buffered bytes to the stream and flushes it.
   *
   * @throws UsageExportException when the stream fails
   */
  void flush();

  /**
   * Finishes the document (the header for an empty CSV file, the closing bracket for JSON) and flushes
   * the stream, which stays open. Calling it again does nothing.
   *
   * @throws UsageExportException when the stream fails
   */
  @Override
  void close();
}
