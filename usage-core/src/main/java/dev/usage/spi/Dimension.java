package dev.usage.spi;

/** What {@link EventAnalytics} groups events by. */
public enum Dimension {
  /** The user id. */
  USER,
  /** The feature. */
  FEATURE,
  /** The endpoint; events without one fall in the group {@link GroupTotals#NONE}. */
  ENDPOINT,
  /** The error code; events without one fall in the group {@link GroupTotals#NONE}. */
  ERROR_CODE,
  /** The user's current tier (the query's default tier for users without stored settings). */
  TIER,
  /**
   * The quarter of an hour the event occurred in, aligned to the epoch; the key is the slot's first
   * instant in epoch seconds. Every zone in use today is offset from UTC by whole quarters of an hour, so
   * slots fold exactly into local hours and days of any zone.
   */
  QUARTER_HOUR
}
