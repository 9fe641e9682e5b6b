package dev.usage;

/**
 * An event could not be accepted for recording: the async buffer is full and the overflow policy is
 * {@link OverflowPolicy#FAIL}, or the engine is closed. The event was not recorded.
 */
public class TrackingRejectedException extends UsageException {
  private static final long serialVersionUID = 1L;

  public TrackingRejectedException(String message) {
    super(message);
  }
}
