package dev.usage;

/**
 * The order of audit entries in a query or an export: by time, ties broken by user id and then by the
 * entries' order in the user's trail, so that the order is total and the same on every run.
 */
public enum AuditOrder {
  /** Oldest first. */
  OLDEST_FIRST,
  /** Newest first. */
  NEWEST_FIRST
}
