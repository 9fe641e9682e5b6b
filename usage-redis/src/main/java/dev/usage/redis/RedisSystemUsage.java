package dev.usage.redis;

import dev.usage.QuotaType;
import dev.usage.SystemUsage;
import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * System-wide totals over a range, from the per-hour keys (see {@link RedisKeys}): the hours with data come
 * from the hour index; an hour fully inside the range is read from its totals hash and user set, an hour at
 * a partial edge from its event refs in the range. Distinct users are united here, across hours (each hour
 * is its own slot). The hours are read a day at a time, each day's commands pipelined.
 */
final class RedisSystemUsage {

  /** One hour that has data: its number since the epoch and its label. */
  record Hour(long number, String label) {}

  /** Hours read per window (see {@link #usage}). */
  private static final int HOURS_PER_WINDOW = 24;

  private final RedisConnector redis;
  private final RedisKeys keys;

  RedisSystemUsage(RedisConnector redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  SystemUsage usage(Instant from, Instant to) {
    long f = TimeBuckets.floorMicros(from);
    long t = TimeBuckets.floorMicros(to);
    Map<QuotaType, Long> totals = new TreeMap<>();
    if (f >= t) {
      return new SystemUsage(from, to, 0, 0, 0, totals);
    }
    long[] counts = new long[2];
    Set<String> users = new HashSet<>();
    List<Hour> hours = hours(TimeBuckets.hourOf(f), TimeBuckets.hourOf(t - 1));
    // a window of hours at a time, pipelined: each hour's user set is merged and dropped before the next window
    // is read, so that a month of busy hours is never held in memory at once (only its distinct users are)
    for (int w = 0; w < hours.size(); w += HOURS_PER_WINDOW) {
      window(hours.subList(w, Math.min(hours.size(), w + HOURS_PER_WINDOW)), f, t, counts, users, totals);
    }
    return new SystemUsage(from, to, counts[0], counts[1], users.size(), totals);
  }

  /** Adds the events of {@code hours} within {@code [f, t)} (microseconds) to the running sums. */
  private void window(List<Hour> hours, long f, long t, long[] counts, Set<String> users, Map<QuotaType, Long> totals) {
    RedisClusterAsyncCommands<String, String> async = redis.async();
    List<RedisFuture<Map<String, String>>> full = new ArrayList<>();
    List<RedisFuture<Set<String>>> fullUsers = new ArrayList<>();
    List<String> edges = new ArrayList<>();
    List<RedisFuture<List<String>>> edgeRefs = new ArrayList<>();
    for (Hour h : hours) {
      String s = keys.systemHour(h.label());
      long start = h.number() * TimeBuckets.HOUR;
      if (start >= f && start + TimeBuckets.HOUR <= t) {
        full.add(async.hgetall(s + "t"));
        fullUsers.add(async.smembers(s + "u"));
      } else {
        edges.add(s);
        edgeRefs.add(async.zrangebyscore(s + "r",
            Range.create(Math.max(f, start), Math.min(t, start + TimeBuckets.HOUR) - 1)));
      }
    }
    for (RedisFuture<Map<String, String>> r : full) {
      Map<String, String> hash = await(r);
      counts[0] = Math.addExact(counts[0], Long.parseLong(hash.getOrDefault("n", "0")));
      counts[1] = Math.addExact(counts[1], Long.parseLong(hash.getOrDefault("f", "0")));
      EventCodec.addTotals(hash, totals);
    }
    for (RedisFuture<Set<String>> r : fullUsers) {
      users.addAll(await(r));
    }
    for (int i = 0; i < edges.size(); i++) {
      List<String> refs = await(edgeRefs.get(i));
      if (refs.isEmpty()) {
        continue;
      }
      for (io.lettuce.core.KeyValue<String, String> kv : data(edges.get(i) + "e", refs)) {
        if (kv.hasValue()) {
          String v = kv.getValue();
          counts[0]++;
          if (v.charAt(0) == '1') {
            counts[1]++;
          }
          EventCodec.quantities(v.substring(1)).forEach((type, n) -> totals.merge(type, n, Math::addExact));
          users.add(kv.getKey().substring(0, kv.getKey().indexOf('|')));
        }
      }
    }
  }

  /** The hours with system-wide data whose numbers are within {@code [first, last]}, in order. */
  List<Hour> hours(long first, long last) {
    List<ScoredValue<String>> found = RedisScripts.call(redis, "system usage (hour index)",
        () -> redis.sync().zrangebyscoreWithScores(keys.systemHours(), Range.create(first, last)));
    List<Hour> out = new ArrayList<>(found.size());
    found.forEach(v -> out.add(new Hour((long) v.getScore(), v.getValue())));
    return out;
  }

  private List<io.lettuce.core.KeyValue<String, String>> data(String key, List<String> refs) {
    List<io.lettuce.core.KeyValue<String, String>> out = new ArrayList<>(refs.size());
    for (int i = 0; i < refs.size(); i += 1_000) {
      out.addAll(await(redis.async().hmget(key, refs.subList(i, Math.min(refs.size(), i + 1_000))
          .toArray(String[]::new))));
    }
    return out;
  }

  private <T> T await(RedisFuture<T> future) {
    return RedisScripts.await(redis, future, "system usage");
  }
}
