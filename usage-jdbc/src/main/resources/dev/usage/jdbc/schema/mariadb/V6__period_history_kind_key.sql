-- usage-jdbc schema, version 6, MariaDB 10.11+: a closed period's row is keyed by its period kind too, so that a
-- month and a day (or a week) starting at the same instant, after a quota's period kind changed on the first of
-- a month, are two rows (before, the second to close was taken for the first and dropped).
-- Usable as a Flyway migration (location classpath:dev/usage/jdbc/schema/mariadb) or through JdbcSchema.create,
-- which applies it to an earlier schema that lacks it.

ALTER TABLE usage_period_history DROP PRIMARY KEY,
  ADD PRIMARY KEY (user_id, quota_type, period_kind, period_start);
