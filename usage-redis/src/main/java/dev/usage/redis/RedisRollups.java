package dev.usage.redis;

import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import dev.usage.internal.Checks;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Real-time analytics from the rollups {@link RedisEventStore} keeps as it appends: per user, per UTC hour
 * and day; system-wide, per UTC hour. Only buckets with data are returned, oldest first; a bucket is returned
 * when it overlaps {@code [from, to)} (so the first and last may hold events outside the range; for exact
 * totals over any range use {@link RedisEventStore#userTotals} and {@link RedisEventStore#systemUsage}).
 * Buckets older than the retention may be gone. Thread-safe; Redis failures are
 * {@link dev.usage.UsageStorageException}s; a missing or malformed user id, a missing bound, or {@code to} before
 * {@code from} is an {@link InvalidUsageException} naming it.
 */
public final class RedisRollups {

  private final RedisConnector redis;
  private final RedisKeys keys;
  private final RedisSystemUsage system;

  RedisRollups(RedisConnector redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
    this.system = new RedisSystemUsage(redis, keys);
  }

  /** The user's hourly buckets overlapping {@code [from, to)}. */
  public List<RollupBucket> hourly(String userId, Instant from, Instant to) {
    String user = keys.user(Checks.id("userId", userId));
    return user(keys.hourIndex(user), TimeBuckets.HOUR, Duration.ofHours(1), label -> keys.hourRollup(user, label),
        from, to);
  }

  /** The user's daily (UTC) buckets overlapping {@code [from, to)}. */
  public List<RollupBucket> daily(String userId, Instant from, Instant to) {
    String user = keys.user(Checks.id("userId", userId));
    return user(keys.dayIndex(user), TimeBuckets.DAY, Duration.ofDays(1), label -> keys.dayRollup(user, label),
        from, to);
  }

  /** All users' hourly buckets overlapping {@code [from, to)}, with their distinct users. */
  public List<RollupBucket> systemHourly(Instant from, Instant to) {
    checkRange(from, to);
    long f = TimeBuckets.floorMicros(from);
    long t = TimeBuckets.ceilMicros(to);
    if (f >= t) {
      return List.of();
    }
    RedisClusterAsyncCommands<String, String> async = redis.async();
    List<RedisSystemUsage.Hour> hours = system.hours(TimeBuckets.hourOf(f), TimeBuckets.ceilDiv(t, TimeBuckets.HOUR) - 1);
    List<RedisFuture<Map<String, String>>> totals = new ArrayList<>(hours.size());
    List<RedisFuture<Long>> users = new ArrayList<>(hours.size());
    for (RedisSystemUsage.Hour h : hours) {
      String s = keys.systemHour(h.label());
      totals.add(async.hgetall(s + "t"));
      users.add(async.scard(s + "u"));
    }
    List<RollupBucket> out = new ArrayList<>(hours.size());
    for (int i = 0; i < hours.size(); i++) {
      Map<String, String> hash = await(totals.get(i));
      long n = await(users.get(i));
      if (!hash.isEmpty()) {
        out.add(bucket(TimeBuckets.instant(hours.get(i).number() * TimeBuckets.HOUR), Duration.ofHours(1), hash, n));
      }
    }
    return out;
  }

  private List<RollupBucket> user(String index, long bucketMicros, Duration length, Function<String, String> key,
      Instant from, Instant to) {
    checkRange(from, to);
    long f = TimeBuckets.floorMicros(from);
    long t = TimeBuckets.ceilMicros(to);
    if (f >= t) {
      return List.of();
    }
    List<ScoredValue<String>> buckets = RedisScripts.call(redis, "rollups", () -> redis.sync()
        .zrangebyscoreWithScores(index, Range.create(Math.floorDiv(f, bucketMicros),
            TimeBuckets.ceilDiv(t, bucketMicros) - 1)));
    List<RedisFuture<Map<String, String>>> hashes = new ArrayList<>(buckets.size());
    buckets.forEach(b -> hashes.add(redis.async().hgetall(key.apply(b.getValue()))));
    List<RollupBucket> out = new ArrayList<>(buckets.size());
    for (int i = 0; i < buckets.size(); i++) {
      Map<String, String> hash = await(hashes.get(i));
      if (!hash.isEmpty()) {
        out.add(bucket(TimeBuckets.instant((long) buckets.get(i).getScore() * bucketMicros), length, hash, 1));
      }
    }
    return out;
  }

  /** As core checks a time range it is given (an empty range is allowed: it has no buckets). */
  private static void checkRange(Instant from, Instant to) {
    Checks.notNull("from", from);
    Checks.notNull("to", to);
    if (to.isBefore(from)) {
      throw new InvalidUsageException("to", "must not be before from");
    }
  }

  private static RollupBucket bucket(Instant start, Duration length, Map<String, String> hash, long users) {
    Map<QuotaType, Long> totals = new TreeMap<>();
    EventCodec.addTotals(hash, totals);
    return new RollupBucket(start, length, Long.parseLong(hash.getOrDefault("n", "0")),
        Long.parseLong(hash.getOrDefault("f", "0")), users, totals);
  }

  private <T> T await(RedisFuture<T> future) {
    return RedisScripts.await(redis, future, "rollups");
  }
}
