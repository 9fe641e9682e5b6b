package dev.usage;

/**
 * Counters of the tracking pipeline since the engine started.
 *
 * @param accepted events accepted by {@code trackUsage}
 * @param written events handed to the event store successfully (duplicates included)
 * @param dropped events dropped by the {@link OverflowPolicy#DROP} policy
 * @param failed events the store refused after every retry (logged with their ids)
 * @param pending events accepted but not yet written
 */
public record TrackingStats(long accepted, long written, long dropped, long failed, long pending) {}
