package dev.usage;

/**
 * The storage's event log cannot answer analytical queries (for example events kept on Redis only); use a
 * storage whose event store offers {@link dev.usage.spi.EventStore#analytics()}, such as the JDBC one.
 */
public class AnalyticsUnavailableException extends UsageException {
  private static final long serialVersionUID = 1L;

  public AnalyticsUnavailableException(String message) {
    super(message);
  }
}
