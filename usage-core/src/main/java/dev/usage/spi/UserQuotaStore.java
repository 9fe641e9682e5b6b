package dev.usage.spi;

import dev.usage.AuditEntry;
import dev.usage.AuditFilter;
import dev.usage.AuditOrder;
import dev.usage.UserQuota;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Users' quota settings and their audit trail. Thread-safe. */
public interface UserQuotaStore {

  /** The stored settings of a user. */
  Optional<UserQuota> find(String userId);

  /**
   * Stores {@code next} if the stored version still equals {@code next.version()} (0: nothing stored
   * yet) and, when {@code entry} carries a request id, the user's trail holds no entry with that request id;
   * and appends {@code entry} to the audit trail in the same atomic step. Both conditions are checked inside
   * that step (a unique key, the script, the lock), never before it.
   *
   * @return the stored settings, with the version incremented; empty if the version did not match or the
   *     request id is in the trail already (nothing changed: the caller re-reads to tell which)
   */
  Optional<UserQuota> save(UserQuota next, AuditEntry entry);

  /** The audit entries of a user, oldest first (the order of the trail and of its hash chain). */
  List<AuditEntry> auditTrail(String userId);

  /**
   * The newest entry of the user's trail (the last of {@link #auditTrail}); the engine reads it to chain the
   * next entry's hash. The default reads the whole trail; stores override it with a read of one entry.
   */
  default Optional<AuditEntry> lastAuditEntry(String userId) {
    List<AuditEntry> trail = auditTrail(userId);
    return trail.isEmpty() ? Optional.empty() : Optional.of(trail.get(trail.size() - 1));
  }

  /**
   * Hands {@code sink} the entries of every user that {@code filter} matches, in {@code order} (by time, then
   * user id, then position in the user's trail; descending for newest first), skipping the first
   * {@code offset} and stopping after {@code limit}. An admin operation: its cost depends on the store (an
   * indexed query on JDBC; on Redis a read of each filtered user's trail, or a {@code SCAN} over every key when
   * no user is named).
   *
   * @return how many entries were handed on
   */
  long forEachAuditEntry(AuditFilter filter, AuditOrder order, long offset, long limit, Consumer<AuditEntry> sink);

  /**
   * The ids of users that have an audit trail, in ascending order ({@link String#compareTo}), those after
   * {@code after} when given, at most {@code limit}: pages for a walk over every trail.
   */
  List<String> auditedUsers(Optional<String> after, int limit);
}
