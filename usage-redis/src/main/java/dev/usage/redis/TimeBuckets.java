package dev.usage.redis;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Instants as microseconds (exact as Lua numbers and sorted-set scores below 2^53) and the UTC hour and day
 * buckets of the event data.
 */
final class TimeBuckets {

  /** The largest microsecond value kept exact; instants past it are clamped to it. */
  static final long MAX_MICROS = (1L << 53) - 1;
  static final long HOUR = 3_600_000_000L;
  static final long DAY = 24 * HOUR;

  private static final DateTimeFormatter HOUR_LABEL = DateTimeFormatter.ofPattern("yyyyMMddHH");
  private static final DateTimeFormatter DAY_LABEL = DateTimeFormatter.ofPattern("yyyyMMdd");

  private TimeBuckets() {}

  /** Microseconds since the epoch, rounded down, clamped to +-{@link #MAX_MICROS}. */
  static long floorMicros(Instant t) {
    long seconds = t.getEpochSecond();
    if (seconds >= MAX_MICROS / 1_000_000) {
      return MAX_MICROS;
    }
    if (seconds <= -MAX_MICROS / 1_000_000) {
      return -MAX_MICROS;
    }
    return seconds * 1_000_000 + t.getNano() / 1_000;
  }

  /**
   * Microseconds since the epoch, rounded up, clamped: a query bound. With stored instants in whole
   * microseconds, {@code stored >= ceil(from)} holds exactly when {@code stored >= from}.
   */
  static long ceilMicros(Instant t) {
    long m = floorMicros(t);
    return m < MAX_MICROS && t.getNano() % 1_000 != 0 && m > -MAX_MICROS ? m + 1 : m;
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L);
  }

  static long hourOf(long micros) {
    return Math.floorDiv(micros, HOUR);
  }

  static long dayOf(long micros) {
    return Math.floorDiv(micros, DAY);
  }

  /** The first bucket starting at or after {@code micros}. */
  static long ceilDiv(long micros, long bucket) {
    return -Math.floorDiv(-micros, bucket);
  }

  static String hourLabel(long hour) {
    return LocalDateTime.ofEpochSecond(hour * 3_600, 0, ZoneOffset.UTC).format(HOUR_LABEL);
  }

  static String dayLabel(long day) {
    return LocalDateTime.ofEpochSecond(day * 86_400, 0, ZoneOffset.UTC).format(DAY_LABEL);
  }
}
