package dev.usage;

import dev.usage.internal.Checks;
import dev.usage.internal.ExportCodecs;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * Streamed export of usage events to CSV or JSON, and import of such files, losslessly: reading an export
 * back gives events {@code equals} to the ones written. Memory stays bounded in both directions, whatever
 * the number of events.
 *
 * <h2>Columns (CSV) and properties (JSON)</h2>
 * <p>Both formats use the same names, in this order (the CSV header row is exactly this list):
 * <table>
 *   <caption>Export layout</caption>
 *   <tr><th>name</th><th>content</th><th>absent</th></tr>
 *   <tr><td>{@code eventId}</td><td>text</td><td>never</td></tr>
 *   <tr><td>{@code userId}</td><td>text</td><td>never</td></tr>
 *   <tr><td>{@code occurredAt}</td><td>ISO-8601 UTC instant, as many fraction digits as needed
 *       (nanoseconds kept), e.g. {@code 2026-03-01T10:15:30.123456Z}</td><td>never</td></tr>
 *   <tr><td>{@code feature}</td><td>text</td><td>never</td></tr>
 *   <tr><td>{@code endpoint}</td><td>text</td><td>empty cell / property left out</td></tr>
 *   <tr><td>{@code characters}</td><td>whole number</td><td>never (0)</td></tr>
 *   <tr><td>{@code requests}</td><td>whole number</td><td>never (0)</td></tr>
 *   <tr><td>{@code inputTokens}</td><td>whole number</td><td>never (0)</td></tr>
 *   <tr><td>{@code outputTokens}</td><td>whole number</td><td>never (0)</td></tr>
 *   <tr><td>{@code customQuantities}</td><td>amounts of custom quota types; CSV: a JSON object in one cell,
 *       e.g. <code>{"images":3}</code>; JSON: a nested object</td><td>empty cell / left out</td></tr>
 *   <tr><td>{@code processingTimeMs}</td><td>milliseconds as a decimal with up to 6 fraction digits
 *       (nanosecond precision), e.g. {@code 12.5}</td><td>empty cell / left out</td></tr>
 *   <tr><td>{@code sessionId}</td><td>text</td><td>empty cell / left out</td></tr>
 *   <tr><td>{@code ipAddress}</td><td>text</td><td>empty cell / left out</td></tr>
 *   <tr><td>{@code userAgent}</td><td>text</td><td>empty cell / left out</td></tr>
 *   <tr><td>{@code errorCode}</td><td>text</td><td>empty cell / left out</td></tr>
 *   <tr><td>{@code success}</td><td>{@code true} or {@code false}</td><td>never</td></tr>
 *   <tr><td>{@code metadata}</td><td>string pairs; CSV: a JSON object in one cell; JSON: a nested
 *       object</td><td>empty cell / left out</td></tr>
 * </table>
 * The built-in quota types have their own columns (tokens as input and output); any custom quota type
 * travels in {@code customQuantities}, so the column set never changes. Names match the
 * {@link UsageEvent} components, so an error's {@link InvalidUsageException#field()} is the same name
 * whether the file or the event refused the value.
 *
 * <h2>CSV</h2>
 * <p>RFC 4180 as written by jackson-dataformat-csv: comma separator, CRLF line ends, a cell is quoted when
 * it holds a comma, quote or line break, quotes inside are doubled. No byte-order mark.
 *
 * <p><b>Formula injection</b> (OWASP CSV injection): every text cell (all but the four amount columns,
 * {@code processingTimeMs} and {@code success}) that starts with {@code =}, {@code +}, {@code -},
 * {@code @}, TAB or CR is written with a leading apostrophe {@code '}, so spreadsheets show it as text;
 * a text cell that itself starts with {@code '} gets one more. Reading strips exactly one leading
 * {@code '} from a text cell, which makes the round trip lossless. Numeric cells are never escaped: they
 * hold only digits and a decimal point ({@link UsageEvent} refuses negative amounts and durations), so
 * none can start with a formula character.
 *
 * <h2>JSON</h2>
 * <p>An array with one object per line: {@code [}, the events separated by {@code ,} and a line break,
 * {@code ]}. Strings are written as UTF-8 with JSON escapes where required. {@link UsageEvent} admits no
 * unpaired surrogate, so none is ever written; one read from a file (e.g. an escaped {@code \ud800}) is
 * refused as a {@link MalformedExportException} naming its record and field. Amounts are JSON integers
 * (at most {@link Quota#MAX_AMOUNT}, so exact in any JSON reader); {@code processingTimeMs} is a JSON
 * number read back exactly as a decimal.
 *
 * <h2>Reading</h2>
 * <p>Strict: the CSV header must be exactly the list above; a JSON object must not carry unknown or
 * repeated properties, and must carry all the ones marked "never" absent. The first problem stops the
 * read with a {@link MalformedExportException} naming the record and field; the events before the bad
 * record have been delivered to the consumer, none after it. A text cell that starts with a formula
 * character but no apostrophe (a hand-edited file) is read as it is.
 */
public final class UsageExports {

  private UsageExports() {}

  /**
   * A writer of events in that format onto the stream. A CSV writer writes the header row at once, a
   * JSON writer the opening bracket; both buffer a few kilobytes. The stream is not closed by the writer.
   *
   * @param format the format
   * @param out the stream; left open by {@link EventWriter#close()}
   * @return a new writer, not thread-safe
   * @throws InvalidUsageException naming {@code format} or {@code out} when null
   * @throws UsageExportException when the stream fails
   */
  public static EventWriter writer(ExportFormat format, OutputStream out) {
    Checks.notNull("format", format);
    Checks.notNull("out", out);
    return ExportCodecs.writer(format, out);
  }

  /**
   * Reads events from the stream, handing each to the consumer as soon as it is parsed. The stream is
   * read to the end of the document but not closed.
   *
   * @param format the format
   * @param in the stream, UTF-8
   * @param sink receives each event in file order
   * @return the number of events delivered
   * @throws MalformedExportException when the content is not a valid export (the events before the bad
   *     record have been delivered)
   * @throws UsageExportException when the stream fails
   * @throws InvalidUsageException naming {@code format}, {@code in} or {@code sink} when null
   */
  public static long read(ExportFormat format, InputStream in, Consumer<UsageEvent> sink) {
    Checks.notNull("format", format);
    Checks.notNull("in", in);
    Checks.notNull("sink", sink);
    return ExportCodecs.read(format, in, sink);
  }
}
