-- usage-jdbc schema, version 1, H2 2.x.
-- Usable as a Flyway migration (location classpath:dev/usage/jdbc/schema/h2) or through
-- JdbcSchema.create. Instants are TIMESTAMP(6) WITH TIME ZONE; ids are case- and space-exact varchar.

-- Per-user row locked by every multi-statement operation on that user's counters; next_expiry is the
-- earliest instant at which one of the user's holds lapses (null: none held).
CREATE TABLE usage_user_state (
  user_id      VARCHAR(128) NOT NULL PRIMARY KEY,
  next_expiry  TIMESTAMP(6) WITH TIME ZONE  NULL
);
CREATE INDEX usage_user_state_expiry ON usage_user_state (next_expiry);

-- One counter per (user, quota type, period): units used and units held by reservations. settings_version
-- is the version of the user's settings the row was last consumed under (-1: unknown); PostgreSQL's
-- one-statement consume admits only while it equals the caller's cached version.
CREATE TABLE usage_counters (
  user_id       VARCHAR(128) NOT NULL,
  quota_type    VARCHAR(64)  NOT NULL,
  period_id     VARCHAR(16)  NOT NULL,
  period_start  TIMESTAMP(6) WITH TIME ZONE  NOT NULL,
  period_end    TIMESTAMP(6) WITH TIME ZONE  NOT NULL,
  used          BIGINT       NOT NULL,
  reserved      BIGINT       NOT NULL,
  expires_at    TIMESTAMP(6) WITH TIME ZONE  NOT NULL,
  settings_version BIGINT      NOT NULL DEFAULT -1,
  PRIMARY KEY (user_id, quota_type, period_id)
);
CREATE INDEX usage_counters_expiry ON usage_counters (expires_at);

-- Reservations (holds) until settled, then remembered until retain_until to answer repeated settles.
CREATE TABLE usage_reservations (
  user_id         VARCHAR(128)  NOT NULL,
  reservation_id  VARCHAR(128)  NOT NULL,
  state           VARCHAR(16)   NOT NULL,
  deltas          VARCHAR(4000) NOT NULL,
  committed       VARCHAR(4000) NULL,
  expires_at      TIMESTAMP(6) WITH TIME ZONE   NOT NULL,
  retain_until    TIMESTAMP(6) WITH TIME ZONE   NOT NULL,
  PRIMARY KEY (user_id, reservation_id)
);
CREATE INDEX usage_reservations_retain ON usage_reservations (retain_until);

-- Idempotency markers: a key counts once per user until expires_at.
CREATE TABLE usage_idempotency (
  user_id            VARCHAR(128) NOT NULL,
  idem_key           VARCHAR(128) NOT NULL,
  fingerprint        VARCHAR(512) NOT NULL,
  expires_at         TIMESTAMP(6) WITH TIME ZONE  NOT NULL,
  reservation_id     VARCHAR(128) NULL,
  hold_expires_at    TIMESTAMP(6) WITH TIME ZONE  NULL,
  hold_retain_until  TIMESTAMP(6) WITH TIME ZONE  NULL,
  PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX usage_idempotency_expiry ON usage_idempotency (expires_at);

-- The event log (the seed's table). One row per (user, event id): the first version is kept.
CREATE TABLE usage_tracking (
  user_id             VARCHAR(128)  NOT NULL,
  event_id            VARCHAR(128)  NOT NULL,
  occurred_at         TIMESTAMP(6) WITH TIME ZONE   NOT NULL,
  feature_used        VARCHAR(128)  NOT NULL,
  endpoint            VARCHAR(256)  NULL,
  characters          BIGINT        NOT NULL,
  requests            BIGINT        NOT NULL,
  input_tokens        BIGINT        NOT NULL,
  output_tokens       BIGINT        NOT NULL,
  quota_consumed      VARCHAR(4000) NOT NULL,
  processing_time_ms  DECIMAL(15,3) NULL,
  session_id          VARCHAR(128)  NULL,
  ip_address          VARCHAR(45)   NULL,
  user_agent          VARCHAR(512)  NULL,
  error_code          VARCHAR(128)  NULL,
  success             BOOLEAN       NOT NULL,
  metadata            CHARACTER LARGE OBJECT NULL,
  PRIMARY KEY (user_id, event_id)
);
CREATE INDEX usage_tracking_time ON usage_tracking (occurred_at);
CREATE INDEX usage_tracking_user_time ON usage_tracking (user_id, occurred_at);
CREATE INDEX usage_tracking_feature_time ON usage_tracking (feature_used, occurred_at);

-- Units of custom quota types, one row per (event, type); built-in types are columns of usage_tracking.
CREATE TABLE usage_tracking_custom (
  user_id      VARCHAR(128) NOT NULL,
  event_id     VARCHAR(128) NOT NULL,
  quota_type   VARCHAR(64)  NOT NULL,
  occurred_at  TIMESTAMP(6) WITH TIME ZONE  NOT NULL,
  amount       BIGINT       NOT NULL,
  PRIMARY KEY (user_id, event_id, quota_type)
);
CREATE INDEX usage_tracking_custom_time ON usage_tracking_custom (occurred_at);
CREATE INDEX usage_tracking_custom_user_time ON usage_tracking_custom (user_id, occurred_at);

-- Rollups of usage_tracking per UTC day, ISO week (Monday) and month, per user and feature (the seed's table).
-- granularity: DAY, WEEK or MONTH; PURGE rows hold, per day, the sums of raw events that retention deleted,
-- so that a DAY row always equals its PURGE row plus the remaining raw events (rebuildable at any time).
CREATE TABLE usage_aggregations (
  granularity              VARCHAR(5)    NOT NULL,
  bucket_start             DATE          NOT NULL,
  user_id                  VARCHAR(128)  NOT NULL,
  feature_used             VARCHAR(128)  NOT NULL,
  events                   BIGINT        NOT NULL,
  failed_events            BIGINT        NOT NULL,
  characters               BIGINT        NOT NULL,
  requests                 BIGINT        NOT NULL,
  input_tokens             BIGINT        NOT NULL,
  output_tokens            BIGINT        NOT NULL,
  processing_time_ms_total DECIMAL(24,3) NOT NULL,
  processing_time_ms_max   DECIMAL(15,3) NULL,
  PRIMARY KEY (granularity, bucket_start, user_id, feature_used)
);
CREATE INDEX usage_aggregations_user ON usage_aggregations (user_id, granularity, bucket_start);

-- Rollups of custom quota units, same buckets.
CREATE TABLE usage_aggregations_custom (
  granularity   VARCHAR(5)   NOT NULL,
  bucket_start  DATE         NOT NULL,
  user_id       VARCHAR(128) NOT NULL,
  feature_used  VARCHAR(128) NOT NULL,
  quota_type    VARCHAR(64)  NOT NULL,
  units         BIGINT       NOT NULL,
  PRIMARY KEY (granularity, bucket_start, user_id, feature_used, quota_type)
);
CREATE INDEX usage_aggregations_custom_user ON usage_aggregations_custom (user_id, granularity, bucket_start);

-- Users' days whose rollups are stale: marked (marks + 1) in the transaction that appends their events,
-- deleted by the rebuild of that day. The marker's row lock orders an append against a rebuild.
CREATE TABLE usage_aggregation_dirty (
  bucket_day  DATE         NOT NULL,
  user_id     VARCHAR(128) NOT NULL,
  marks       BIGINT       NOT NULL,
  PRIMARY KEY (bucket_day, user_id)
);

-- Users' quota settings (the seed's table); overrides are encoded by the adapter.
CREATE TABLE user_quotas (
  user_id             VARCHAR(128)  NOT NULL PRIMARY KEY,
  tier                VARCHAR(128)  NOT NULL,
  overrides           VARCHAR(4000) NOT NULL,
  zone                VARCHAR(64)   NOT NULL,
  billing_anchor_day  INTEGER       NOT NULL,
  version             BIGINT        NOT NULL,
  updated_at          TIMESTAMP(6) WITH TIME ZONE   NOT NULL
);
CREATE INDEX user_quotas_tier ON user_quotas (tier);

-- Append-only audit trail of quota changes.
CREATE TABLE usage_audit (
  id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  user_id     VARCHAR(128)  NOT NULL,
  at          TIMESTAMP(6) WITH TIME ZONE   NOT NULL,
  actor       VARCHAR(128)  NOT NULL,
  action      VARCHAR(128)  NOT NULL,
  quota_type  VARCHAR(64)   NULL,
  old_value   VARCHAR(2048) NOT NULL,
  new_value   VARCHAR(2048) NOT NULL,
  reason      VARCHAR(512)  NOT NULL
);
CREATE INDEX usage_audit_user ON usage_audit (user_id, id);
CREATE INDEX usage_audit_time ON usage_audit (at);

-- Closed periods: one row per (user, quota type, period start).
CREATE TABLE usage_period_history (
  user_id       VARCHAR(128) NOT NULL,
  quota_type    VARCHAR(64)  NOT NULL,
  period_start  TIMESTAMP(6) WITH TIME ZONE  NOT NULL,
  period_kind   VARCHAR(8)   NOT NULL,
  period_end    TIMESTAMP(6) WITH TIME ZONE  NOT NULL,
  quota_limit   BIGINT       NOT NULL,
  used          BIGINT       NOT NULL,
  rolled_over   BIGINT       NOT NULL,
  closed_at     TIMESTAMP(6) WITH TIME ZONE  NOT NULL,
  PRIMARY KEY (user_id, quota_type, period_start)
);
CREATE INDEX usage_period_history_start ON usage_period_history (period_start);

-- Notifications sent: one row per (user, quota, kind, threshold, period) makes each go out once.
CREATE TABLE usage_notifications (
  user_id       VARCHAR(128) NOT NULL,
  quota_type    VARCHAR(64)  NOT NULL,
  kind          VARCHAR(32)  NOT NULL,
  threshold     INTEGER      NOT NULL,
  period_start  TIMESTAMP(6) WITH TIME ZONE  NOT NULL,
  channel       VARCHAR(64)  NOT NULL,
  sent_at       TIMESTAMP(6) WITH TIME ZONE  NOT NULL,
  PRIMARY KEY (user_id, quota_type, kind, threshold, period_start)
);
CREATE INDEX usage_notifications_sent ON usage_notifications (sent_at);
