package dev.usage;

import dev.usage.internal.Checks;
import java.util.List;
import java.util.Optional;

/**
 * A page of audit entries, as {@link QuotaManagementService#findAuditEntries} answers it.
 *
 * @param entries the entries, in the query's order
 * @param next the query of the following page, empty when this page is the last
 */
public record AuditPage(List<AuditEntry> entries, Optional<AuditQuery> next) {

  public AuditPage {
    entries = List.copyOf(Checks.noNullElements("entries", entries));
    Checks.notNull("next", next);
  }
}
