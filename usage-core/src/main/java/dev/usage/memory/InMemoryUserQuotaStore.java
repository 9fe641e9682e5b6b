package dev.usage.memory;

import dev.usage.AuditEntry;
import dev.usage.UserQuota;
import dev.usage.spi.UserQuotaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Users' settings and audit trail in this JVM's heap. Thread-safe. */
public final class InMemoryUserQuotaStore implements UserQuotaStore {

  private final ConcurrentHashMap<String, UserQuota> settings = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<AuditEntry>> audit = new ConcurrentHashMap<>();

  @Override
  public Optional<UserQuota> find(String userId) {
    return Optional.ofNullable(settings.get(userId));
  }

  @Override
  public Optional<UserQuota> save(UserQuota next, AuditEntry entry) {
    UserQuota[] stored = new UserQuota[1];
    settings.compute(next.userId(), (id, current) -> {
      long currentVersion = current == null ? 0 : current.version();
      if (currentVersion != next.version()) {
        return current;
      }
      stored[0] = next.withVersion(currentVersion + 1);
      // appended inside compute, which holds the entry's lock: the change and its audit row are one step
      List<AuditEntry> entries = audit.computeIfAbsent(id, k -> new ArrayList<>());
      synchronized (entries) {
        entries.add(entry);
      }
      return stored[0];
    });
    return Optional.ofNullable(stored[0]);
  }

  @Override
  public List<AuditEntry> auditTrail(String userId) {
    List<AuditEntry> entries = audit.get(userId);
    if (entries == null) {
      return List.of();
    }
    synchronized (entries) {
      return List.copyOf(entries);
    }
  }
}
