-- usage-jdbc schema, version 3, MariaDB 10.11+: the audit trail's request ids, hash chain and filters.
-- Usable as a Flyway migration (location classpath:dev/usage/jdbc/schema/mariadb) or through JdbcSchema.create,
-- which applies it to a version-2 schema that lacks the index usage_audit_request.

-- request_id: the caller's request id (ChangeRequest.requestId), NULL when none was given; previous_hash and
-- entry_hash: the entry's place in the optional hash chain (64 lower-case hex digits each), NULL when unchained.
-- Existing rows keep NULL in all three. One statement, so that a database without transactional DDL adds all
-- three or none.
ALTER TABLE usage_audit ADD COLUMN request_id VARCHAR(128) NULL, ADD COLUMN previous_hash VARCHAR(64) NULL,
  ADD COLUMN entry_hash VARCHAR(64) NULL;

-- The audit queries over every user (QuotaManagementService.findAuditEntries, exportAuditTrail) filtered by
-- actor or quota type read that value's entries of the range, as the user and time filters do with
-- usage_audit_user and usage_audit_time.
CREATE INDEX usage_audit_actor_time ON usage_audit (actor, at);
CREATE INDEX usage_audit_type_time ON usage_audit (quota_type, at);

-- A request id is applied once per user: a second entry with it fails inside the saving transaction. NULLs
-- (entries without request id) never collide. Created last: its presence shows JdbcSchema that version 3 is in.
CREATE UNIQUE INDEX usage_audit_request ON usage_audit (user_id, request_id);
