package dev.usage;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A file format that {@link UsageExports} writes and reads usage events in. Both are UTF-8 text; the
 * column and property layout is described on {@link UsageExports}.
 */
public enum ExportFormat {
  /** RFC 4180 comma-separated values with a header row, one event per record. */
  CSV("text/csv", "csv"),
  /** A JSON array of objects, one event per element (and per line). */
  JSON("application/json", "json");

  private final String mediaType;
  private final String fileExtension;

  ExportFormat(String mediaType, String fileExtension) {
    this.mediaType = mediaType;
    this.fileExtension = fileExtension;
  }

  /**
   * The IANA media type, without parameters: {@code text/csv} or {@code application/json}.
   *
   * @return the media type
   */
  public String mediaType() {
    return mediaType;
  }

  /**
   * The usual file name extension, without the dot: {@code csv} or {@code json}.
   *
   * @return the extension
   */
  public String fileExtension() {
    return fileExtension;
  }

  /**
   * The character set of the written bytes, always UTF-8 (no byte-order mark is written).
   *
   * @return {@link StandardCharsets#UTF_8}
   */
  public Charset charset() {
    return StandardCharsets.UTF_8;
  }

  /**
   * The format of that name, ignoring case: {@code csv}, {@code CSV}, {@code Json}, ...
   *
   * @param name the format's name
   * @return the format
   * @throws InvalidUsageException naming the field {@code format} when the name is null or no format's
   */
  public static ExportFormat parse(String name) {
    if (name == null) {
      throw new InvalidUsageException("format", "must not be null; one of csv, json");
    }
    // ASCII only: toUpperCase would also map look-alikes such as the long s in "c\u017fv" to "CSV"
    if (name.chars().allMatch(c -> c < 128)) {
      for (ExportFormat f : values()) {
        if (f.name().equals(name.toUpperCase(Locale.ROOT))) {
          return f;
        }
      }
    }
    throw new InvalidUsageException("format",
        "must be one of csv, json (any case), was '" + QuotaType.printable(name) + "'");
  }
}
