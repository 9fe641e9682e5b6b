-- usage-jdbc schema, version 4, PostgreSQL 15+: closed periods record what rollover carried into and out of them.
-- Usable as a Flyway migration (location classpath:dev/usage/jdbc/schema/postgresql) or through JdbcSchema.create,
-- which applies it to an earlier schema that lacks it. Rows closed before it carried nothing in, and carried
-- on what they rolled over as one part.

-- carried_in: units carried into the period from earlier ones (its allowance was quota_limit + carried_in);
-- rolled_over_parts: rolled_over by the age of the units, youngest first, as decimal numbers joined by commas
-- ('' when nothing rolled over).
ALTER TABLE usage_period_history ADD COLUMN carried_in BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_period_history ADD COLUMN rolled_over_parts VARCHAR(512) NOT NULL DEFAULT '';
UPDATE usage_period_history SET rolled_over_parts = CAST(rolled_over AS VARCHAR(20)) WHERE rolled_over > 0;
