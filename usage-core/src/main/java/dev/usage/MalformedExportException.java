package dev.usage;

/**
 * A file being read by {@link UsageExports#read} is not a valid export: wrong header, a missing column,
 * a value that does not parse, or an event that {@link UsageEvent} refuses. {@link #field()} names the
 * column (CSV) or property (JSON), or {@code header} / {@code document} for the file's structure;
 * {@link #record()} and {@link #line()} say where.
 *
 * <p>Reading stops at the first bad record: the events before it have been delivered, none after it.
 */
public class MalformedExportException extends InvalidUsageException {
  private static final long serialVersionUID = 1L;

  private final long record;
  private final long line;

  /**
   * Creates the exception.
   *
   * @param record 1-based number of the event record; 0 for the CSV header or the document's frame
   * @param line 1-based line where the problem was found, or -1 when unknown
   * @param field the column or property name
   * @param problem what is wrong
   */
  public MalformedExportException(long record, long line, String field, String problem) {
    super(field, "record " + record + (line > 0 ? " (line " + line + ")" : "") + ": " + problem);
    this.record = record;
    this.line = line;
  }

  /**
   * The 1-based number of the bad event record (the first event is record 1); 0 when the CSV header or
   * the JSON document's frame is at fault.
   *
   * @return the record number
   */
  public long record() {
    return record;
  }

  /**
   * The 1-based line of the input where the problem was found, or -1 when unknown. A CSV record with a
   * line break inside a quoted cell spans several lines, so lines and records can differ.
   *
   * @return the line number
   */
  public long line() {
    return line;
  }
}
