package dev.usage.redis;

import static dev.usage.redis.RedisScripts.number;
import static dev.usage.redis.RedisScripts.text;

import dev.usage.AuditEntry;
import dev.usage.AuditFilter;
import dev.usage.AuditOrder;
import dev.usage.InvalidUsageException;
import dev.usage.UsageStorageException;
import dev.usage.UserQuota;
import dev.usage.spi.AuditTrails;
import dev.usage.spi.SpiCodec;
import dev.usage.spi.UserQuotaStore;
import io.lettuce.core.RedisFuture;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Users' settings and their audit trail on Redis, next to the user's counters (same hash tag, so one Cluster
 * slot).
 *
 * <p>Layout ({@code U} = the user's key prefix, see {@code RedisKeys}): the hash {@code U q} holds {@code v}
 * (the version, decimal; a hash without it is at version 0), {@code tier}, {@code overrides}
 * ({@link SpiCodec#encodeOverrides}), {@code zone} (zone id), {@code anchor} (billing anchor day), {@code sched}
 * (a scheduled tier change, {@link SpiCodec#encodeScheduled}; absent or empty for none), {@code resets}
 * ({@link SpiCodec#encodeResets}; likewise) and {@code earlier} (the settings before recent changes,
 * {@link SpiCodec#encodeEarlier}; likewise); the list
 * {@code U a} holds the audit entries, oldest first, each a JSON object with the text fields {@code at} (ISO-8601,
 * to the nanosecond), {@code actor}, {@code user}, {@code action}, {@code type} (absent when the entry concerns no
 * quota type), {@code old}, {@code new} and {@code reason}, and the optional {@code rid} (request id), {@code prev}
 * and {@code hash} (hash chain), absent in entries written before they existed; the hash {@code U ar} maps each
 * request id of the trail to its entry's index in {@code U a}. No key has a TTL.
 *
 * <p>A {@link #save} is one Lua script: it checks every argument and the keys' types, compares the stored
 * version with the caller's, looks the request id up in {@code U ar}, then writes the fields, increments the
 * version, appends the audit entry and records its request id, so the settings and the trail change together
 * or not at all, and a request id enters a trail once.
 *
 * <p>Queries over the trail ({@link #forEachAuditEntry}, {@link #auditedUsers}) are admin operations: with users
 * named, they read those users' lists; without, they {@code SCAN} every node for audit lists (a walk over every
 * key of the store, as the reset job's counter scan does), read every list and sort the matches in memory. A walk
 * over {@link #auditedUsers}' pages (each call {@code after} the previous page's last id) scans once: the pages after
 * the first come from its scan while that is under a minute old, so a user whose trail starts meanwhile may be
 * left out of that walk (as from any walk that passed their place). The consume script compares the same {@code v} with
 * the version a command was computed under (see {@link RedisCounterStore}), so a consumption computed from
 * settings that have changed since is refused as stale.
 *
 * <p>Thread-safe and safe across processes. A save that timed out may or may not have been applied (the
 * {@link UsageStorageException} says so); it is not retried here: the caller re-reads and decides.
 */
public final class RedisUserQuotaStore implements UserQuotaStore {

  static final RedisScripts.Script SAVE = RedisScripts.script("save_settings");

  /** The highest version save_settings.lua compares (15 digits: exact as a Lua number). */
  private static final long MAX_VERSION = 999_999_999_999_999L;

  /** How long a walk over {@link #auditedUsers}' pages goes on with the scan of its first page. */
  private static final long WALK_NANOS = Duration.ofMinutes(1).toNanos();

  private final RedisConnector redis;
  private final RedisKeys keys;
  /** The scan a walk over {@link #auditedUsers}' pages goes on with, and the last id its latest page returned. */
  private final AtomicReference<Walk> walk = new AtomicReference<>();

  private record Walk(NavigableSet<String> users, String lastReturned, long scannedAt) {}

  RedisUserQuotaStore(RedisConnector redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /**
   * {@inheritDoc}
   *
   * @throws UsageStorageException if Redis cannot answer, or holds settings this version cannot read
   */
  @Override
  public Optional<UserQuota> find(String userId) {
    String key = keys.settings(keys.user(userId));
    Map<String, String> h = RedisScripts.call(redis, "find quota settings", () -> redis.sync().hgetall(key));
    if (h.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new UserQuota(userId, h.get("tier"), SpiCodec.decodeOverrides(h.get("overrides")),
          ZoneId.of(h.get("zone")), Integer.parseInt(h.get("anchor")), Long.parseLong(h.get("v")),
          SpiCodec.decodeScheduled(h.get("sched")), SpiCodec.decodeResets(h.get("resets")),
          SpiCodec.decodeEarlier(h.get("earlier"))));
    } catch (RuntimeException e) {
      throw new UsageStorageException("the settings stored in " + key + " cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws InvalidUsageException if {@code entry} is about another user than {@code next} (nothing changed)
   * @throws UsageStorageException if Redis cannot answer; after a timeout the outcome is unknown
   */
  @Override
  public Optional<UserQuota> save(UserQuota next, AuditEntry entry) {
    if (!entry.userId().equals(next.userId())) {
      // the trail lives under the settings' user: an entry about someone else would be filed in the wrong place
      throw new InvalidUsageException("entry.userId", "must be the user whose settings are saved");
    }
    if (next.version() > MAX_VERSION) {
      // no stored version is that high (each save adds one, from 0): it cannot match
      return Optional.empty();
    }
    String user = keys.user(next.userId());
    String[] k = {keys.settings(user), keys.audit(user), keys.auditRequests(user)};
    List<Object> r = RedisScripts.run(redis, SAVE, "save quota settings", k, Long.toString(next.version()),
        next.tier(), SpiCodec.encodeOverrides(next.overrides()), next.zone().getId(),
        Integer.toString(next.billingAnchorDay()), RedisJson.audit(entry), entry.requestId().orElse(""),
        SpiCodec.encodeScheduled(next.scheduled()), SpiCodec.encodeResets(next.resets()),
        SpiCodec.encodeEarlier(next.earlier()));
    String status = text(r.get(0));
    return switch (status) {
      case "OK" -> Optional.of(next.withVersion(number(r.get(1))));
      case "S", "R" -> Optional.empty();
      default -> throw new IllegalStateException("unexpected reply from save_settings: " + status);
    };
  }

  /**
   * {@inheritDoc}
   *
   * @throws UsageStorageException if Redis cannot answer, or holds an entry this version cannot read
   */
  @Override
  public List<AuditEntry> auditTrail(String userId) {
    return trail(keys.audit(keys.user(userId)));
  }

  private List<AuditEntry> trail(String key) {
    List<String> stored = RedisScripts.call(redis, "read audit trail", () -> redis.sync().lrange(key, 0, -1));
    List<AuditEntry> out = new ArrayList<>(stored.size());
    for (String json : stored) {
      out.add(entry(key, json));
    }
    return out;
  }

  private static AuditEntry entry(String key, String json) {
    try {
      return RedisJson.audit(json);
    } catch (RuntimeException e) {
      throw new UsageStorageException("an audit entry stored in " + key + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** {@inheritDoc} One {@code LINDEX}. */
  @Override
  public Optional<AuditEntry> lastAuditEntry(String userId) {
    String key = keys.audit(keys.user(userId));
    String json = RedisScripts.call(redis, "read last audit entry", () -> redis.sync().lindex(key, -1));
    return Optional.ofNullable(json).map(j -> entry(key, j));
  }

  /**
   * {@inheritDoc} One user and one request id (the engine's look-up before a change): {@code HGET} and
   * {@code LINDEX}. Named users: their lists. Otherwise a {@code SCAN} of every node; matches are sorted in memory.
   */
  @Override
  public long forEachAuditEntry(AuditFilter filter, AuditOrder order, long offset, long limit,
      Consumer<AuditEntry> sink) {
    if (filter.users().size() == 1 && filter.requestIds().size() == 1) {
      String user = keys.user(filter.users().iterator().next());
      String rid = filter.requestIds().iterator().next();
      String index = RedisScripts.call(redis, "find audit entry", () -> redis.sync().hget(keys.auditRequests(user), rid));
      if (index == null) {
        return 0;
      }
      String json = RedisScripts.call(redis, "find audit entry",
          () -> redis.sync().lindex(keys.audit(user), Long.parseLong(index)));
      Optional<AuditEntry> e = Optional.ofNullable(json).map(j -> entry(keys.audit(user), j)).filter(filter::matches);
      if (e.isEmpty() || offset > 0 || limit < 1) {
        return 0;
      }
      sink.accept(e.get());
      return 1;
    }
    List<String> lists = filter.users().isEmpty() ? scanAuditLists()
        : filter.users().stream().map(u -> keys.audit(keys.user(u))).toList();
    return AuditTrails.page(lists, this::trail, filter, order, offset, limit, sink);
  }

  /**
   * {@inheritDoc} A {@code SCAN} of every node, sorted in memory; the ids come from the keys, and from the
   * first entry of each list ({@code LINDEX}, pipelined) only for ids too long to be in their keys. The next page
   * of a walk (called {@code after} this one's last id within a minute of the scan) comes from the same scan.
   */
  @Override
  public List<String> auditedUsers(Optional<String> after, int limit) {
    Walk w = walk.get();
    NavigableSet<String> users;
    long scannedAt;
    if (after.isPresent() && w != null && after.get().equals(w.lastReturned())
        && System.nanoTime() - w.scannedAt() < WALK_NANOS) {
      users = w.users();
      scannedAt = w.scannedAt();
    } else {
      scannedAt = System.nanoTime();
      users = Collections.unmodifiableNavigableSet(scanAuditedUsers());
    }
    List<String> page = after.map(a -> users.tailSet(a, false)).orElse(users).stream().limit(limit).toList();
    if (!page.isEmpty() && page.size() == limit) {
      walk.set(new Walk(users, page.get(page.size() - 1), scannedAt));
    }
    return page;
  }

  /** Every audited user's id, from one SCAN of every node. */
  private TreeSet<String> scanAuditedUsers() {
    TreeSet<String> users = new TreeSet<>();
    Map<String, RedisFuture<String>> hashed = new LinkedHashMap<>();
    for (String key : scanAuditLists()) {
      Optional<String> user = keys.userOf(key);
      if (user.isPresent()) {
        users.add(user.get());
      } else {
        hashed.put(key, RedisScripts.call(redis, "list audited users", () -> redis.async().lindex(key, 0)));
      }
    }
    hashed.forEach((key, first) -> {
      String json = RedisScripts.await(redis, first, "list audited users");
      if (json != null) {
        users.add(entry(key, json).userId());
      }
    });
    return users;
  }

  /** The audit lists of every user, each once (a SCAN may return a key more than once). */
  private List<String> scanAuditLists() {
    Set<String> out = new LinkedHashSet<>();
    redis.forEachKey(keys.prefix() + ":{*}:a", "scan audit trails", out::add);
    return List.copyOf(out);
  }
}
