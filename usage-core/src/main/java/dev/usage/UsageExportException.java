package dev.usage;

/**
 * An export or import could not read from or write to its stream; the cause is the
 * {@link java.io.IOException}. Bad content in a file being read is a {@link MalformedExportException}
 * instead.
 */
public class UsageExportException extends UsageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was being done
   * @param cause the I/O failure
   */
  public UsageExportException(String message, Throwable cause) {
    super(message, cause);
  }
}
