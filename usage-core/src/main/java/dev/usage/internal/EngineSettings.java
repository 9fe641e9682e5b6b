package dev.usage.internal;

import dev.usage.FailureMode;
import dev.usage.OverflowPolicy;
import dev.usage.TrackingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;

/**
 * The engine's settings, validated by {@code UsageEngine.Builder}. No API promise.
 *
 * @param clock the only source of time
 * @param failureMode what to answer when the store fails
 * @param yellowThreshold utilisation from which a quota is YELLOW
 * @param redThreshold utilisation from which a quota is RED
 * @param reservationTtl how long an unsettled reservation holds quota
 * @param idempotencyWindow how long an idempotency key (and a settled reservation) is remembered
 * @param counterRetention how long after its period ends a counter is still kept
 * @param defaultZone zone of users without settings
 * @param trackingMode sync or async event recording
 * @param bufferCapacity async buffer size, in events
 * @param batchSize most events per store write
 * @param flushInterval how long the idle writer waits for a first event before looking again
 * @param batchLinger how long the writer waits to fill a partial batch before writing it
 * @param overflowPolicy what a full buffer does
 * @param offerTimeout how long BLOCK waits for room
 * @param writeAttempts attempts per batch before its events count as failed
 * @param closeTimeout how long close() waits for the buffer to drain
 * @param settingsCacheSize most users whose settings consumes may cache (0: none); used only with stores
 *     that check the settings version
 */
public record EngineSettings(Clock clock, FailureMode failureMode, double yellowThreshold, double redThreshold,
    Duration reservationTtl, Duration idempotencyWindow, Duration counterRetention, ZoneId defaultZone,
    TrackingMode trackingMode, int bufferCapacity, int batchSize, Duration flushInterval, Duration batchLinger,
    OverflowPolicy overflowPolicy, Duration offerTimeout, int writeAttempts, Duration closeTimeout,
    int settingsCacheSize) {}
