-- usage-jdbc schema, version 5, MariaDB 10.11+: a user's settings may hold a tier change that takes effect
-- later, and admins' resets of usage.
-- Usable as a Flyway migration (location classpath:dev/usage/jdbc/schema/mariadb) or through JdbcSchema.create,
-- which applies it to an earlier schema that lacks it.

-- scheduled_tier: '<tier>@<effective instant, ISO-8601>' (SpiCodec.encodeScheduled), '' when none.
ALTER TABLE user_quotas ADD COLUMN scheduled_tier VARCHAR(200) NOT NULL DEFAULT '';
-- usage_resets: the latest admin reset of each quota's usage (SpiCodec.encodeResets), '' when none.
ALTER TABLE user_quotas ADD COLUMN usage_resets VARCHAR(2000) NOT NULL DEFAULT '';
