package dev.usage.jdbc;

import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The figures of one aggregation bucket: per user and feature ({@link JdbcAggregations#rows}), or summed
 * over features, and over users when no user is given ({@link JdbcAggregations#totals}).
 *
 * @param granularity the kind of bucket
 * @param bucketStart the bucket's first UTC day
 * @param userId the user, empty for totals over all users
 * @param feature the feature, empty for totals over all features
 * @param events events recorded
 * @param failedEvents events recorded as unsuccessful
 * @param characters characters processed
 * @param requests requests served
 * @param inputTokens AI input tokens
 * @param outputTokens AI output tokens
 * @param processingTimeTotal sum of the events' processing times (events without one count zero)
 * @param processingTimeMax the longest processing time, empty when no event had one
 * @param customUnits units of custom quota types, zero amounts left out
 */
public record UsageAggregate(Granularity granularity, LocalDate bucketStart, Optional<String> userId,
    Optional<String> feature, long events, long failedEvents, long characters, long requests, long inputTokens,
    long outputTokens, Duration processingTimeTotal, Optional<Duration> processingTimeMax,
    Map<QuotaType, Long> customUnits) {

  public UsageAggregate {
    Objects.requireNonNull(granularity, "granularity");
    if (bucketStart == null) {
      throw new InvalidUsageException("bucketStart", "must not be null");
    }
    if (userId == null || feature == null || processingTimeTotal == null || processingTimeMax == null
        || customUnits == null) {
      throw new InvalidUsageException("aggregate", "optional and map fields must not be null");
    }
    if (events < 0 || failedEvents < 0 || failedEvents > events) {
      throw new InvalidUsageException("failedEvents", "must be within 0..events, was " + failedEvents);
    }
    customUnits = Collections.unmodifiableMap(new TreeMap<>(customUnits));
  }

  /** The units of {@code type} (built-in or custom) in this bucket. */
  public long total(QuotaType type) {
    if (type.equals(QuotaType.CHARACTERS)) {
      return characters;
    }
    if (type.equals(QuotaType.REQUESTS)) {
      return requests;
    }
    if (type.equals(QuotaType.TOKENS)) {
      return inputTokens + outputTokens;
    }
    return customUnits.getOrDefault(type, 0L);
  }
}
