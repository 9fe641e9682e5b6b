-- usage-jdbc schema, version 2, MySQL 8.0+: the event log's endpoint filter gets an index of its own.
-- Usable as a Flyway migration (location classpath:dev/usage/jdbc/schema/mysql) or through JdbcSchema.create,
-- which applies it to a version-1 schema that lacks it.

-- Analytics and exports filtered by endpoint (EventFilter.endpoints, e.g. the latency of one endpoint over a
-- month) read the endpoint's events of the range, as the user and feature filters do with their indexes.
CREATE INDEX usage_tracking_endpoint_time ON usage_tracking (endpoint, occurred_at);
