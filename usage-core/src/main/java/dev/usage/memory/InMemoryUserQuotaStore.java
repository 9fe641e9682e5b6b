package dev.usage.memory;

import dev.usage.AuditEntry;
import dev.usage.AuditFilter;
import dev.usage.AuditOrder;
import dev.usage.UserQuota;
import dev.usage.spi.AuditTrails;
import dev.usage.spi.UserQuotaStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Users' settings and audit trail in this JVM's heap. Thread-safe. A save checks the version and the request id
 * and appends the entry under the lock of the user's settings entry, so the three are one step. A query over
 * every user copies the matching entries and sorts them.
 */
public final class InMemoryUserQuotaStore implements UserQuotaStore {

  /** One user's trail and the request ids in it; guarded by its own monitor. */
  private static final class Trail {
    final List<AuditEntry> entries = new ArrayList<>();
    final Set<String> requestIds = new HashSet<>();
  }

  /** An entry with its position in the user's trail, for the total order of a query. */

  private final ConcurrentHashMap<String, UserQuota> settings = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Trail> audit = new ConcurrentHashMap<>();

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
      // checked and appended inside compute, which holds the entry's lock: the change and its audit row are one
      // step, and two saves with one request id cannot both pass the check
      Trail trail = audit.computeIfAbsent(id, k -> new Trail());
      synchronized (trail) {
        if (entry.requestId().isPresent() && !trail.requestIds.add(entry.requestId().get())) {
          return current;
        }
        trail.entries.add(entry);
      }
      stored[0] = next.withVersion(currentVersion + 1);
      return stored[0];
    });
    return Optional.ofNullable(stored[0]);
  }

  @Override
  public List<AuditEntry> auditTrail(String userId) {
    Trail trail = audit.get(userId);
    if (trail == null) {
      return List.of();
    }
    synchronized (trail) {
      return List.copyOf(trail.entries);
    }
  }

  @Override
  public Optional<AuditEntry> lastAuditEntry(String userId) {
    Trail trail = audit.get(userId);
    if (trail == null) {
      return Optional.empty();
    }
    synchronized (trail) {
      return trail.entries.isEmpty() ? Optional.empty() : Optional.of(trail.entries.get(trail.entries.size() - 1));
    }
  }

  @Override
  public long forEachAuditEntry(AuditFilter filter, AuditOrder order, long offset, long limit,
      Consumer<AuditEntry> sink) {
    Iterable<String> users = filter.users().isEmpty() ? audit.keySet() : filter.users();
    return AuditTrails.page(users, this::auditTrail, filter, order, offset, limit, sink);
  }

  @Override
  public List<String> auditedUsers(Optional<String> after, int limit) {
    TreeSet<String> users = new TreeSet<>(audit.keySet());
    return after.map(a -> users.tailSet(a, false)).orElse(users).stream().limit(limit).toList();
  }
}
