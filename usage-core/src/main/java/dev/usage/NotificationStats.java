package dev.usage;

/**
 * Counters of an engine's notification dispatch, since the engine was built.
 *
 * @param sent deliveries a channel accepted (one per notification and channel)
 * @param retried attempts that failed and were scheduled again
 * @param failed deliveries given up after the last attempt
 * @param dropped notifications not dispatched because the queue was full or the engine closing
 * @param pending deliveries queued or waiting for a retry
 */
public record NotificationStats(long sent, long retried, long failed, long dropped, int pending) {}
