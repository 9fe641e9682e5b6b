package dev.usage;

/** How {@link UsageTrackingService#trackUsage} records events. */
public enum TrackingMode {
  /** The event is written before {@code trackUsage} returns; store errors reach the caller. */
  SYNC,
  /** The event goes into a bounded buffer and a background writer stores it in batches. The default. */
  ASYNC
}
