package dev.usage.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.usage.UserQuota;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Users' settings as last read, for consumes only, when the counter store checks the settings version in
 * the same atomic step as the consume ({@code CHECKS_SETTINGS_VERSION}): a consume computed from cached
 * settings that another process has changed is refused as STALE by the store and recomputed, so caching
 * never admits against an outdated limit. Disabled (every consume reads the store) otherwise. Thread-safe.
 */
final class SettingsCache {

  /** Entries unused this long are dropped, so that memory follows the active users. */
  private static final Duration IDLE = Duration.ofMinutes(10);

  private final Cache<String, UserQuota> cache;

  SettingsCache(int maxUsers, boolean storeChecksVersion) {
    this.cache = maxUsers > 0 && storeChecksVersion
        ? Caffeine.newBuilder().maximumSize(maxUsers).expireAfterAccess(IDLE).build()
        : null;
  }

  Optional<UserQuota> get(String userId) {
    return cache == null ? Optional.empty() : Optional.ofNullable(cache.getIfPresent(userId));
  }

  void put(UserQuota settings) {
    if (cache != null) {
      cache.put(settings.userId(), settings);
    }
  }

  void invalidate(String userId) {
    if (cache != null) {
      cache.invalidate(userId);
    }
  }

  /** The version a consume asks the store to check: present only while caching. */
  OptionalLong versionToCheck(UserQuota settings) {
    return cache == null ? OptionalLong.empty() : OptionalLong.of(settings.version());
  }
}
