package dev.usage.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.usage.EventWriter;
import dev.usage.UsageEvent;
import dev.usage.UsageExportException;
import java.io.IOException;

/** What the CSV and JSON event writers share: a Jackson generator, the row count, flush and close. */
abstract class GeneratorEventWriter implements EventWriter {

  private final JsonGenerator generator;
  private final String format;
  private long rows;
  private boolean closed;

  GeneratorEventWriter(JsonGenerator generator, String format) {
    this.generator = generator;
    this.format = format;
  }

  /** Writes one event's record. */
  abstract void write(UsageEvent event) throws IOException;

  /** Ends the document before the final flush; nothing by default. */
  void finish() throws IOException {}

  @Override
  public final void accept(UsageEvent event) {
    Checks.notNull("event", event);
    if (closed) {
      throw new IllegalStateException("the export writer is closed");
    }
    try {
      write(event);
      rows++;
    } catch (IOException e) {
      throw new UsageExportException("could not write " + format + " record " + (rows + 1), e);
    }
  }

  @Override
  public final long rows() {
    return rows;
  }

  @Override
  public final void flush() {
    try {
      generator.flush();
    } catch (IOException e) {
      throw new UsageExportException("could not flush the " + format + " export", e);
    }
  }

  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      finish();
      generator.flush();
      generator.close();
    } catch (IOException e) {
      throw new UsageExportException("could not finish the " + format + " export", e);
    }
  }
}
