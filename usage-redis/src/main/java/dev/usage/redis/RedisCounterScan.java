package dev.usage.redis;

import static dev.usage.redis.RedisCounterStore.instant;
import static dev.usage.redis.RedisCounterStore.micros;
import static dev.usage.redis.RedisScripts.number;
import static dev.usage.redis.RedisScripts.text;

import dev.usage.QuotaType;
import dev.usage.spi.CounterPage;
import dev.usage.spi.StoredCounter;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The reset job's scan over every user's counter hashes: {@code SCAN} node by node (each Cluster master in
 * node-id order), then, per hash, the scan script (which lapses the user's expired holds first).
 */
final class RedisCounterScan {

  /**
   * {@code SCAN} calls per page at most: a page ends with fewer counters than asked rather than walk a keyspace
   * of hashes with nothing live (after a rollover, or of idle users) in one call.
   */
  static final int MAX_SCANS_PER_PAGE = 16;

  private final RedisConnector redis;
  private final RedisKeys keys;

  RedisCounterScan(RedisConnector redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** One page of all users' live counters (see {@link dev.usage.spi.CounterStore#scan}). */
  CounterPage page(Optional<String> cursor, int limit, Instant now) {
    // the cursor names the node by id, so that a failover or a node joining between pages cannot make it
    // continue on another node with this node's SCAN cursor (a node no longer there is scanned no further)
    java.util.SortedMap<String, RedisClusterCommands<String, String>> nodes = redis.nodesById();
    List<String> ids = new ArrayList<>(nodes.keySet());
    int node = 0;
    String at = ScanCursor.INITIAL.getCursor();
    if (cursor.isPresent()) {
      int colon = cursor.get().lastIndexOf(':');
      String id = cursor.get().substring(0, colon);
      at = cursor.get().substring(colon + 1);
      node = ids.indexOf(id);
      if (node < 0) {
        node = (int) ids.stream().filter(i -> i.compareTo(id) < 0).count();
        at = ScanCursor.INITIAL.getCursor();
      }
    }
    List<StoredCounter> out = new ArrayList<>();
    String match = keys.prefix() + ":{*}:c:*";
    for (int scans = 0; node < ids.size() && scans < MAX_SCANS_PER_PAGE; scans++) {
      KeyScanCursor<String> page;
      try {
        page = nodes.get(ids.get(node)).scan(ScanCursor.of(at),
            ScanArgs.Builder.matches(match).limit(Math.max(10, limit)));
      } catch (RedisException e) {
        throw RedisScripts.failure("scan", e);
      }
      for (String key : page.getKeys()) {
        out.addAll(counters(key, now));
      }
      if (page.isFinished()) {
        node++;
        at = ScanCursor.INITIAL.getCursor();
      } else {
        at = page.getCursor();
      }
      if (out.size() >= limit) {
        break;
      }
    }
    Optional<String> next = node < ids.size() ? Optional.of(ids.get(node) + ":" + at) : Optional.empty();
    return new CounterPage(out, next);
  }

  private List<StoredCounter> counters(String key, Instant now) {
    String user = key.substring(0, key.indexOf("}:") + 2);
    List<Object> r = RedisScripts.run(redis, RedisScripts.SCAN, "scan", new String[] {key, keys.root(user)},
        user, micros(now));
    String userId = text(r.get(0));
    String periodId = key.substring(key.lastIndexOf(":c:") + 3);
    List<StoredCounter> out = new ArrayList<>();
    for (int i = 1; i + 4 < r.size(); i += 5) {
      long used = number(r.get(i + 3));
      long reserved = number(r.get(i + 4));
      if (used != 0 || reserved != 0) {
        out.add(new StoredCounter(userId, QuotaType.of(text(r.get(i))), periodId, instant(text(r.get(i + 1))),
            instant(text(r.get(i + 2))), used, reserved));
      }
    }
    return out;
  }
}
