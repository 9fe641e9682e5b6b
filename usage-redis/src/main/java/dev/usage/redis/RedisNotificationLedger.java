package dev.usage.redis;

import dev.usage.internal.Checks;
import dev.usage.spi.NotificationKey;
import dev.usage.spi.NotificationLedger;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.time.Instant;

/**
 * Notifications claimed, on Redis: one string key per notification under the user's hash tag,
 * {@code U n:<kind>|<quota type>|<threshold>|<period start>} ({@code U} = the user's key prefix, see
 * {@code RedisKeys}), holding the claimant, set with {@code SET NX PX} so that of concurrent claimers exactly
 * one stores it, and expiring at {@code keepUntil} (at least a minute after the claim). A claim whose key
 * exists reads it to learn whether it was its own earlier attempt. Thread-safe and safe across processes.
 */
final class RedisNotificationLedger implements NotificationLedger {

  private static final Duration MIN_TTL = Duration.ofMinutes(1);

  private final RedisConnector redis;
  private final RedisKeys keys;

  RedisNotificationLedger(RedisConnector redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  @Override
  public boolean claim(NotificationKey key, String claimant, Instant at, Instant keepUntil) {
    NotificationLedger.checkClaim(key, claimant, at, keepUntil);
    String k = key(key);
    // a TTL from the engine clock, not an instant of Redis's: the two clocks need not agree
    Duration ttl = Duration.between(at, keepUntil);
    long millis = (ttl.compareTo(MIN_TTL) < 0 ? MIN_TTL : ttl).toMillis();
    return RedisScripts.call(redis, "claim notification", () -> "OK".equals(redis.sync().set(k, claimant,
        SetArgs.Builder.nx().px(millis))) || claimant.equals(redis.sync().get(k)));
  }

  @Override
  public void withdraw(NotificationKey key) {
    Checks.notNull("key", key);
    String k = key(key);
    RedisScripts.call(redis, "withdraw notification", () -> redis.sync().del(k));
  }

  @Override
  public boolean claimed(NotificationKey key) {
    Checks.notNull("key", key);
    String k = key(key);
    return RedisScripts.call(redis, "read notification", () -> redis.sync().exists(k)) > 0;
  }

  private String key(NotificationKey key) {
    return keys.notification(keys.user(key.userId()), key.kind().name(), key.quotaType(), key.threshold(),
        key.periodStart());
  }
}
