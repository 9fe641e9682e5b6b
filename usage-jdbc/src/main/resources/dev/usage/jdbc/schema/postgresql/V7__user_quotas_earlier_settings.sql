-- usage-jdbc schema, version 7, PostgreSQL 15+: user_quotas keeps a user's settings before each recent
-- change made at once, so that a period that ended before the change is closed with the limits it was used under.
-- Usable as a Flyway migration (location classpath:dev/usage/jdbc/schema/postgresql) or through JdbcSchema.create,
-- which applies it to an earlier schema that lacks it.

-- earlier_settings: the settings before recent changes, oldest first (SpiCodec.encodeEarlier; at most
-- UserQuota.MAX_EARLIER entries, each under 4 KB with every override a user may have), '' when none.
ALTER TABLE user_quotas ADD COLUMN earlier_settings TEXT NOT NULL DEFAULT '';
