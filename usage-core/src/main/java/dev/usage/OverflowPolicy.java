package dev.usage;

/** What {@link UsageTrackingService#trackUsage} does in async mode when the buffer is full. */
public enum OverflowPolicy {
  /** Wait for room, up to the engine's offer timeout, then throw {@link TrackingRejectedException}. The default. */
  BLOCK,
  /** Drop the event and count it in {@link TrackingStats#dropped()}. */
  DROP,
  /** Throw {@link TrackingRejectedException} at once. */
  FAIL
}
