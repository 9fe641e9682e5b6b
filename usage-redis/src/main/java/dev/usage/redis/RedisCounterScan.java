package dev.usage.redis;

import static dev.usage.redis.RedisCounterStore.instant;
import static dev.usage.redis.RedisCounterStore.micros;
import static dev.usage.redis.RedisScripts.number;
import static dev.usage.redis.RedisScripts.text;

import dev.usage.InvalidUsageException;
import dev.usage.QuotaType;
import dev.usage.UsageStorageException;
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

  /**
   * One page of all users' live counters (see {@link dev.usage.spi.CounterStore#scan}). The cursor names the
   * node, its process ({@code run_id}) and its {@code SCAN} cursor: {@code <node id>:<run id>:<cursor>}.
   */
  CounterPage page(Optional<String> cursor, int limit, Instant now) {
    java.util.SortedMap<String, RedisClusterCommands<String, String>> nodes = redis.nodesById();
    List<String> ids = new ArrayList<>(nodes.keySet());
    int node = 0;
    String at = ScanCursor.INITIAL.getCursor();
    String run = null;
    if (cursor.isPresent()) {
      String[] parts = cursor.get().split(":", -1);
      if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || !parts[2].matches("\\d+")) {
        throw new InvalidUsageException("cursor", "is not one this storage returned: " + cursor.get());
      }
      node = ids.indexOf(parts[0]);
      if (node < 0) {
        // the node is gone (a failover replaced it): its slots are now on a node that may come before it in the
        // order, so the scan starts over; counters seen twice are closed once (the closer stores each row once)
        node = 0;
      } else {
        run = runId(nodes.get(parts[0]));
        // a restarted node's SCAN cursor means nothing to its new process (its dictionaries hash differently):
        // that node is scanned again from its start
        at = run.equals(parts[1]) ? parts[2] : ScanCursor.INITIAL.getCursor();
      }
    }
    List<StoredCounter> out = new ArrayList<>();
    String match = keys.prefix() + ":{*}:c:*";
    for (int scans = 0; node < ids.size() && scans < MAX_SCANS_PER_PAGE; scans++) {
      RedisClusterCommands<String, String> commands = nodes.get(ids.get(node));
      if (run == null) {
        run = runId(commands);
      }
      KeyScanCursor<String> page;
      try {
        page = commands.scan(ScanCursor.of(at), ScanArgs.Builder.matches(match).limit(Math.max(10, limit)));
      } catch (RedisException e) {
        throw RedisScripts.failure("scan", e);
      }
      for (String key : page.getKeys()) {
        out.addAll(counters(key, now));
      }
      if (page.isFinished()) {
        node++;
        at = ScanCursor.INITIAL.getCursor();
        run = null;
      } else {
        at = page.getCursor();
      }
      if (out.size() >= limit) {
        break;
      }
    }
    if (node >= ids.size()) {
      return new CounterPage(out, Optional.empty());
    }
    if (run == null) {
      run = runId(nodes.get(ids.get(node)));
    }
    return new CounterPage(out, Optional.of(ids.get(node) + ":" + run + ":" + at));
  }

  /** The {@code run_id} of a node's process (new at every start). */
  private static String runId(RedisClusterCommands<String, String> node) {
    return RedisConnector.serverInfo(node, "run_id", "scan").orElseThrow(
        () -> new UsageStorageException("Redis did not name its run_id in INFO server"));
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
