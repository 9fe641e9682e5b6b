package dev.usage.redis;

import static dev.usage.redis.RedisScripts.number;

import dev.usage.PeriodUsage;
import dev.usage.UsageStorageException;
import dev.usage.spi.PeriodHistoryStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Closed periods on Redis: per user the hash {@code U p} ({@code U} = the user's key prefix, see
 * {@code RedisKeys}), one field per (quota type, period start, period kind): {@code <type>|<period start>} (the
 * start as {@link java.time.Instant#toString()}, exact to the nanosecond; type names hold no {@code |}) for the
 * first kind stored at that start, as versions that keyed rows without the kind wrote and read it (so instances of
 * both versions store each row once), and {@code <type>|<period start>|<kind>} for another kind starting at the
 * same instant (after a quota's period kind changed on the first of a month); whose value is the row as a JSON
 * object: {@code user}, {@code type}, {@code period}, {@code start}, {@code end}, {@code closedAt} (text; instants
 * ISO-8601 to the nanosecond) and {@code limit}, {@code used}, {@code rolledOver}, {@code carriedIn} (integers),
 * {@code rolledOverParts} (an array of integers). No TTL.
 *
 * <p>{@link #close} runs one Lua script per user (at most 256 rows each) that checks its
 * rows and then stores each with {@code HSETNX}: of any number of concurrent closers, in any number of
 * processes, exactly one stores a row. A close that failed part-way may have stored the rows of some users
 * (each row whole); running it again stores the rest and nothing twice, but does not report rows stored the
 * first time. Thread-safe.
 */
public final class RedisPeriodHistoryStore implements PeriodHistoryStore {

  static final RedisScripts.Script CLOSE = RedisScripts.script("close_periods");

  /** Rows per script call: bounds the time one call holds Redis. */
  static final int ROWS_PER_SCRIPT = 256;

  private final RedisConnector redis;
  private final RedisKeys keys;

  RedisPeriodHistoryStore(RedisConnector redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /**
   * {@inheritDoc}
   *
   * @return the rows this call stored, in the order given
   * @throws UsageStorageException if Redis cannot answer; rows of users handled before the failure stay stored
   */
  @Override
  public List<PeriodUsage> close(List<PeriodUsage> rows) {
    Map<String, List<Integer>> byUser = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      byUser.computeIfAbsent(rows.get(i).userId(), u -> new ArrayList<>()).add(i);
    }
    boolean[] stored = new boolean[rows.size()];
    byUser.forEach((userId, indexes) -> {
      String[] k = {keys.history(keys.user(userId))};
      for (int from = 0; from < indexes.size(); from += ROWS_PER_SCRIPT) {
        List<Integer> chunk = indexes.subList(from, Math.min(indexes.size(), from + ROWS_PER_SCRIPT));
        String[] a = new String[1 + 2 * chunk.size()];
        a[0] = userId;
        for (int j = 0; j < chunk.size(); j++) {
          PeriodUsage row = rows.get(chunk.get(j));
          a[1 + 2 * j] = field(row);
          a[2 + 2 * j] = RedisJson.period(row);
        }
        List<Object> r = RedisScripts.run(redis, CLOSE, "close periods", k, a);
        for (int j = 0; j < chunk.size(); j++) {
          stored[chunk.get(j)] = number(r.get(j)) == 1;
        }
      }
    });
    List<PeriodUsage> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      if (stored[i]) {
        out.add(rows.get(i));
      }
    }
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * @throws UsageStorageException if Redis cannot answer, or holds a row this version cannot read
   */
  @Override
  public List<PeriodUsage> history(String userId) {
    String key = keys.history(keys.user(userId));
    Map<String, String> stored = RedisScripts.call(redis, "read history", () -> redis.sync().hgetall(key));
    List<PeriodUsage> out = new ArrayList<>(stored.size());
    stored.forEach((field, json) -> {
      try {
        out.add(RedisJson.period(json));
      } catch (RuntimeException e) {
        throw new UsageStorageException("the history row " + field + " stored in " + key + " cannot be read: "
            + e.getMessage(), e);
      }
    });
    out.sort(PeriodHistoryStore.OLDEST_FIRST);
    return out;
  }

  /**
   * The row's field in {@code U p} when it is the first of its (type, period start); close_periods.lua appends
   * {@code |<kind>} for a row of another kind than the one stored there.
   */
  static String field(PeriodUsage row) {
    return row.type().name() + "|" + row.periodStart();
  }
}
