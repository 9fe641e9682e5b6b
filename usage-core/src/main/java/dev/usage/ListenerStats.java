package dev.usage;

/**
 * Counters of an engine's listener dispatch, since the engine was built.
 *
 * @param listeners listeners registered now
 * @param published notifications queued for delivery
 * @param dropped notifications not queued because the queue was full (or the engine closing)
 * @param failed listener calls that threw
 * @param pending notifications queued and not yet delivered
 */
public record ListenerStats(int listeners, long published, long dropped, long failed, int pending) {}
