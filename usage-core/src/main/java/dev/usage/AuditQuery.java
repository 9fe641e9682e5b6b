package dev.usage;

import dev.usage.internal.Checks;

/**
 * One page of audit entries: those of {@code filter} in {@code order}, skipping the first {@code offset},
 * at most {@code limit}. The trail is append-only, so pages over a range that lies in the past stay the same
 * from call to call; pages reaching up to now may shift by the entries added between calls (newest first more
 * than oldest first).
 *
 * @param filter which entries
 * @param order oldest or newest first
 * @param offset entries to skip, at least 0
 * @param limit most entries on the page, 1 to {@value #MAX_LIMIT}
 */
public record AuditQuery(AuditFilter filter, AuditOrder order, long offset, int limit) {

  /** Largest page. */
  public static final int MAX_LIMIT = 10_000;
  /** Page size of {@link #of}. */
  public static final int DEFAULT_LIMIT = 100;

  public AuditQuery {
    Checks.notNull("filter", filter);
    Checks.notNull("order", order);
    if (offset < 0) {
      throw new InvalidUsageException("offset", "must not be negative, was " + offset);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidUsageException("limit", "must be within 1.." + MAX_LIMIT + ", was " + limit);
    }
  }

  /** The first {@value #DEFAULT_LIMIT} entries of {@code filter}, newest first. */
  public static AuditQuery of(AuditFilter filter) {
    return new AuditQuery(filter, AuditOrder.NEWEST_FIRST, 0, DEFAULT_LIMIT);
  }

  /** The same query with another order. */
  public AuditQuery order(AuditOrder o) {
    return new AuditQuery(filter, o, offset, limit);
  }

  /** The same query with another page size. */
  public AuditQuery limit(int l) {
    return new AuditQuery(filter, order, offset, l);
  }

  /** The page after this one. */
  public AuditQuery next() {
    return new AuditQuery(filter, order, offset + limit, limit);
  }
}
