package dev.usage.redis;

import static dev.usage.redis.RedisScripts.number;
import static dev.usage.redis.RedisScripts.text;

import dev.usage.AuditEntry;
import dev.usage.InvalidUsageException;
import dev.usage.UsageStorageException;
import dev.usage.UserQuota;
import dev.usage.spi.SpiCodec;
import dev.usage.spi.UserQuotaStore;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Users' settings and their audit trail on Redis, next to the user's counters (same hash tag, so one Cluster
 * slot).
 *
 * <p>Layout ({@code U} = the user's key prefix, see {@code RedisKeys}): the hash {@code U q} holds {@code v}
 * (the version, decimal; a hash without it is at version 0), {@code tier}, {@code overrides}
 * ({@link SpiCodec#encodeOverrides}), {@code zone} (zone id) and {@code anchor} (billing anchor day); the list
 * {@code U a} holds the audit entries, oldest first, each a JSON object with the text fields {@code at} (ISO-8601,
 * to the nanosecond), {@code actor}, {@code user}, {@code action}, {@code type} (absent when the entry concerns no
 * quota type), {@code old}, {@code new} and {@code reason}. Neither key has a TTL.
 *
 * <p>A {@link #save} is one Lua script: it checks every argument and both keys' types, compares the stored
 * version with the caller's, writes the fields, increments the version and appends the audit entry, so the
 * settings and the trail change together or not at all. The consume script compares the same {@code v} with
 * the version a command was computed under (see {@link RedisCounterStore}), so a consumption computed from
 * settings that have changed since is refused as stale.
 *
 * <p>Thread-safe and safe across processes. A save that timed out may or may not have been applied (the
 * {@link UsageStorageException} says so); it is not retried here: the caller re-reads and decides.
 */
public final class RedisUserQuotaStore implements UserQuotaStore {

  static final RedisScripts.Script SAVE = RedisScripts.script("save_settings");

  private final RedisConnector redis;
  private final RedisKeys keys;

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
          ZoneId.of(h.get("zone")), Integer.parseInt(h.get("anchor")), Long.parseLong(h.get("v"))));
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
    String user = keys.user(next.userId());
    String[] k = {keys.settings(user), keys.audit(user)};
    List<Object> r = RedisScripts.run(redis, SAVE, "save quota settings", k, Long.toString(next.version()),
        next.tier(), SpiCodec.encodeOverrides(next.overrides()), next.zone().getId(),
        Integer.toString(next.billingAnchorDay()), RedisJson.audit(entry));
    String status = text(r.get(0));
    return switch (status) {
      case "OK" -> Optional.of(next.withVersion(number(r.get(1))));
      case "S" -> Optional.empty();
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
    String key = keys.audit(keys.user(userId));
    List<String> stored = RedisScripts.call(redis, "read audit trail", () -> redis.sync().lrange(key, 0, -1));
    List<AuditEntry> out = new ArrayList<>(stored.size());
    for (String json : stored) {
      try {
        out.add(RedisJson.audit(json));
      } catch (RuntimeException e) {
        throw new UsageStorageException("an audit entry stored in " + key + " cannot be read: " + e.getMessage(), e);
      }
    }
    return out;
  }
}
