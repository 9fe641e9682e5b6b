package dev.usage;

/**
 * Counters of the tracking pipeline since the engine started.
 *
 * @param accepted events accepted by {@code trackUsage}
 * @param written events handed to the event store successfully (duplicates included)
 * @param dropped events dropped by the {@link OverflowPolicy#DROP} policy
 * @param failed events the store refused after every retry (logged with their ids)
 * @param pending events accepted but not yet written
 * @param rejected events refused with a {@link TrackingRejectedException}: the buffer full under
 *     {@link OverflowPolicy#FAIL}, or still full after {@link OverflowPolicy#BLOCK}'s offer timeout, a caller
 *     interrupted while it waited, or the engine closed ({@code trackUsage} throws it; {@code consumeQuota}
 *     of an event logs it, its decision standing)
 */
public record TrackingStats(long accepted, long written, long dropped, long failed, long pending, long rejected) {

  /** Counters with no rejected event. */
  public TrackingStats(long accepted, long written, long dropped, long failed, long pending) {
    this(accepted, written, dropped, failed, pending, 0);
  }
}
