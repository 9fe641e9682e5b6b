package dev.usage.spi;

import dev.usage.AuditEntry;
import dev.usage.UserQuota;
import java.util.List;
import java.util.Optional;

/** Users' quota settings and their audit trail. Thread-safe. */
public interface UserQuotaStore {

  /** The stored settings of a user. */
  Optional<UserQuota> find(String userId);

  /**
   * Stores {@code next} if the stored version still equals {@code next.version()} (0: nothing stored
   * yet), and appends {@code entry} to the audit trail in the same atomic step.
   *
   * @return the stored settings, with the version incremented; empty if the version did not match
   *     (nothing changed)
   */
  Optional<UserQuota> save(UserQuota next, AuditEntry entry);

  /** The audit entries of a user, oldest first. */
  List<AuditEntry> auditTrail(String userId);
}
