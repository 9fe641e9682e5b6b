-- usage-jdbc schema, version 1, PostgreSQL 15+.
-- Usable as a Flyway migration (location classpath:dev/usage/jdbc/schema/postgresql) or through
-- JdbcSchema.create. Instants are timestamptz (microseconds); ids are case- and space-exact varchar.

-- Per-user row locked by every multi-statement operation on that user's counters; next_expiry is the
-- earliest instant at which one of the user's holds lapses (null: none held).
CREATE TABLE usage_user_state (
  user_id      VARCHAR(128) NOT NULL PRIMARY KEY,
  next_expiry  TIMESTAMPTZ  NULL
);
CREATE INDEX usage_user_state_expiry ON usage_user_state (next_expiry);

-- One counter per (user, quota type, period): units used and units held by reservations. settings_version
-- is the version of the user's settings the row was last consumed under (-1: unknown); PostgreSQL's
-- one-statement consume admits only while it equals the caller's cached version.
CREATE TABLE usage_counters (
  user_id       VARCHAR(128) NOT NULL,
  quota_type    VARCHAR(64)  NOT NULL,
  period_id     VARCHAR(16)  NOT NULL,
  period_start  TIMESTAMPTZ  NOT NULL,
  period_end    TIMESTAMPTZ  NOT NULL,
  used          BIGINT       NOT NULL,
  reserved      BIGINT       NOT NULL,
  expires_at    TIMESTAMPTZ  NOT NULL,
  settings_version BIGINT      NOT NULL DEFAULT -1,
  PRIMARY KEY (user_id, quota_type, period_id)
) WITH (fillfactor = 70); -- room on each page, so that the frequent updates stay HOT (no index writes)
CREATE INDEX usage_counters_expiry ON usage_counters (expires_at);

-- Reservations (holds) until settled, then remembered until retain_until to answer repeated settles.
CREATE TABLE usage_reservations (
  user_id         VARCHAR(128)  NOT NULL,
  reservation_id  VARCHAR(128)  NOT NULL,
  state           VARCHAR(16)   NOT NULL,
  deltas          VARCHAR(4000) NOT NULL,
  committed       VARCHAR(4000) NULL,
  expires_at      TIMESTAMPTZ   NOT NULL,
  retain_until    TIMESTAMPTZ   NOT NULL,
  PRIMARY KEY (user_id, reservation_id)
);
CREATE INDEX usage_reservations_retain ON usage_reservations (retain_until);

-- Idempotency markers: a key counts once per user until expires_at.
CREATE TABLE usage_idempotency (
  user_id            VARCHAR(128) NOT NULL,
  idem_key           VARCHAR(128) NOT NULL,
  fingerprint        VARCHAR(512) NOT NULL,
  expires_at         TIMESTAMPTZ  NOT NULL,
  reservation_id     VARCHAR(128) NULL,
  hold_expires_at    TIMESTAMPTZ  NULL,
  hold_retain_until  TIMESTAMPTZ  NULL,
  PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX usage_idempotency_expiry ON usage_idempotency (expires_at);

-- The event log (the seed's table). One row per (user, event id): the first version is kept.
-- For a table partitioned by month, see the module's README (PARTITIONING section).
CREATE TABLE usage_tracking (
  user_id             VARCHAR(128)  NOT NULL,
  event_id            VARCHAR(128)  NOT NULL,
  occurred_at         TIMESTAMPTZ   NOT NULL,
  feature_used        VARCHAR(128)  NOT NULL,
  endpoint            VARCHAR(256)  NULL,
  characters          BIGINT        NOT NULL,
  requests            BIGINT        NOT NULL,
  input_tokens        BIGINT        NOT NULL,
  output_tokens       BIGINT        NOT NULL,
  quota_consumed      VARCHAR(4000) NOT NULL,
  processing_time_ms  NUMERIC(15,3) NULL,
  session_id          VARCHAR(128)  NULL,
  ip_address          VARCHAR(45)   NULL,
  user_agent          VARCHAR(512)  NULL,
  error_code          VARCHAR(128)  NULL,
  success             BOOLEAN       NOT NULL,
  metadata            TEXT          NULL,
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
  occurred_at  TIMESTAMPTZ  NOT NULL,
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
  processing_time_ms_total NUMERIC(24,3) NOT NULL,
  processing_time_ms_max   NUMERIC(15,3) NULL,
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

-- Users' days whose rollups are stale: one row per (day, user) per append, inserted in the transaction that
-- appends their events (no key, so appends never wait for each other or for a rebuild); the rebuild of a
-- (day, user), serialized by a transaction-scoped advisory lock, deletes that slice's rows before it reads
-- the events.
CREATE TABLE usage_aggregation_dirty (
  bucket_day  DATE         NOT NULL,
  user_id     VARCHAR(128) NOT NULL
);
CREATE INDEX usage_aggregation_dirty_slice ON usage_aggregation_dirty (bucket_day, user_id);

-- Users' quota settings (the seed's table); overrides are encoded by the adapter.
CREATE TABLE user_quotas (
  user_id             VARCHAR(128)  NOT NULL PRIMARY KEY,
  tier                VARCHAR(128)  NOT NULL,
  overrides           VARCHAR(4000) NOT NULL,
  zone                VARCHAR(64)   NOT NULL,
  billing_anchor_day  INTEGER       NOT NULL,
  version             BIGINT        NOT NULL,
  updated_at          TIMESTAMPTZ   NOT NULL
);
CREATE INDEX user_quotas_tier ON user_quotas (tier);

-- Append-only audit trail of quota changes.
CREATE TABLE usage_audit (
  id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  user_id     VARCHAR(128)  NOT NULL,
  at          TIMESTAMPTZ   NOT NULL,
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
  period_start  TIMESTAMPTZ  NOT NULL,
  period_kind   VARCHAR(8)   NOT NULL,
  period_end    TIMESTAMPTZ  NOT NULL,
  quota_limit   BIGINT       NOT NULL,
  used          BIGINT       NOT NULL,
  rolled_over   BIGINT       NOT NULL,
  closed_at     TIMESTAMPTZ  NOT NULL,
  PRIMARY KEY (user_id, quota_type, period_start)
);
CREATE INDEX usage_period_history_start ON usage_period_history (period_start);

-- Notifications sent: one row per (user, quota, kind, threshold, period) makes each go out once.
CREATE TABLE usage_notifications (
  user_id       VARCHAR(128) NOT NULL,
  quota_type    VARCHAR(64)  NOT NULL,
  kind          VARCHAR(32)  NOT NULL,
  threshold     INTEGER      NOT NULL,
  period_start  TIMESTAMPTZ  NOT NULL,
  channel       VARCHAR(64)  NOT NULL,
  sent_at       TIMESTAMPTZ  NOT NULL,
  PRIMARY KEY (user_id, quota_type, kind, threshold, period_start)
);
CREATE INDEX usage_notifications_sent ON usage_notifications (sent_at);

-- One-round-trip consume for PostgreSQL: the same steps as the adapter's transactional path (lock the
-- user's row, check the settings version, lock or create the counters, check the idempotency marker,
-- judge every limit, then add, hold and mark), in one statement. Answers SWEEP, changing nothing but
-- empty rows, when one of the user's holds has lapsed: the adapter's transactional path releases it.
CREATE FUNCTION usage_consume(
  p_user VARCHAR, p_types TEXT[], p_periods TEXT[], p_starts TEXT[], p_ends TEXT[], p_amounts BIGINT[],
  p_limits BIGINT[], p_expires TEXT[], p_now TIMESTAMPTZ, p_version BIGINT, p_key VARCHAR,
  p_fingerprint VARCHAR, p_key_expires TIMESTAMPTZ, p_hold_id VARCHAR, p_hold_expires TIMESTAMPTZ,
  p_hold_retain TIMESTAMPTZ, p_deltas VARCHAR)
RETURNS TABLE (outcome TEXT, used BIGINT[], reserved BIGINT[], types TEXT[], hold_id VARCHAR,
  hold_expires TIMESTAMPTZ, hold_retain TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
  v_next TIMESTAMPTZ;
  v_version BIGINT;
  v_marker RECORD;
  v_row RECORD;
  v_used BIGINT[] := '{}';
  v_reserved BIGINT[] := '{}';
  v_expired BOOLEAN[] := '{}';
  v_rejected TEXT[] := '{}';
  v_total BIGINT;
  n INT := array_length(p_types, 1);
BEGIN
  INSERT INTO usage_user_state (user_id) VALUES (p_user) ON CONFLICT DO NOTHING;
  SELECT s.next_expiry INTO v_next FROM usage_user_state s WHERE s.user_id = p_user FOR UPDATE;
  -- authoritative: a settings save takes the user's row lock, held here
  SELECT COALESCE(MAX(q.version), 0) INTO v_version FROM user_quotas q WHERE q.user_id = p_user;
  IF p_version IS NOT NULL THEN
    IF v_version <> p_version THEN
      RETURN QUERY SELECT 'STALE'::TEXT, NULL::BIGINT[], NULL::BIGINT[], NULL::TEXT[], NULL::VARCHAR,
        NULL::TIMESTAMPTZ, NULL::TIMESTAMPTZ;
      RETURN;
    END IF;
  END IF;
  IF v_next IS NOT NULL AND v_next <= p_now THEN
    RETURN QUERY SELECT 'SWEEP'::TEXT, NULL::BIGINT[], NULL::BIGINT[], NULL::TEXT[], NULL::VARCHAR,
      NULL::TIMESTAMPTZ, NULL::TIMESTAMPTZ;
    RETURN;
  END IF;
  FOR i IN 1..n LOOP
    INSERT INTO usage_counters (user_id, quota_type, period_id, period_start, period_end, used, reserved, expires_at)
      VALUES (p_user, p_types[i], p_periods[i], p_starts[i]::TIMESTAMPTZ, p_ends[i]::TIMESTAMPTZ, 0, 0,
        p_expires[i]::TIMESTAMPTZ)
      ON CONFLICT DO NOTHING;
    SELECT c.used, c.reserved, c.expires_at INTO v_row FROM usage_counters c
      WHERE c.user_id = p_user AND c.quota_type = p_types[i] AND c.period_id = p_periods[i] FOR UPDATE;
    IF NOT FOUND THEN
      -- deleted by a purge between the insert and the lock: the statement is rolled back and run again
      RAISE EXCEPTION 'counter row of % vanished', p_user USING ERRCODE = '40001';
    END IF;
    v_expired := v_expired || (v_row.expires_at <= p_now);
    v_used := v_used || CASE WHEN v_row.expires_at <= p_now THEN 0 ELSE v_row.used END;
    v_reserved := v_reserved || CASE WHEN v_row.expires_at <= p_now THEN 0 ELSE v_row.reserved END;
  END LOOP;
  IF p_key IS NOT NULL THEN
    SELECT m.fingerprint, m.expires_at, m.reservation_id, m.hold_expires_at, m.hold_retain_until INTO v_marker
      FROM usage_idempotency m WHERE m.user_id = p_user AND m.idem_key = p_key;
    IF FOUND AND v_marker.expires_at > p_now THEN
      RETURN QUERY SELECT CASE WHEN v_marker.fingerprint = p_fingerprint THEN 'REPLAYED' ELSE 'CONFLICT' END,
        v_used, v_reserved, NULL::TEXT[], v_marker.reservation_id, v_marker.hold_expires_at,
        v_marker.hold_retain_until;
      RETURN;
    ELSIF FOUND THEN
      DELETE FROM usage_idempotency m WHERE m.user_id = p_user AND m.idem_key = p_key;
    END IF;
  END IF;
  FOR i IN 1..n LOOP
    v_total := p_amounts[i] + v_used[i] + v_reserved[i];
    IF v_total > p_limits[i] THEN
      v_rejected := v_rejected || p_types[i];
    ELSIF v_total > 9007199254740991 THEN
      RETURN QUERY SELECT 'INVALID'::TEXT, v_used, v_reserved, ARRAY[p_types[i]], NULL::VARCHAR,
        NULL::TIMESTAMPTZ, NULL::TIMESTAMPTZ;
      RETURN;
    END IF;
  END LOOP;
  IF array_length(v_rejected, 1) > 0 THEN
    RETURN QUERY SELECT 'REJECTED'::TEXT, v_used, v_reserved, v_rejected, NULL::VARCHAR, NULL::TIMESTAMPTZ,
      NULL::TIMESTAMPTZ;
    RETURN;
  END IF;
  FOR i IN 1..n LOOP
    IF p_hold_id IS NULL THEN
      v_used[i] := v_used[i] + p_amounts[i];
    ELSE
      v_reserved[i] := v_reserved[i] + p_amounts[i];
    END IF;
    UPDATE usage_counters c SET used = v_used[i], reserved = v_reserved[i], settings_version = v_version,
        period_start = CASE WHEN v_expired[i] THEN p_starts[i]::TIMESTAMPTZ ELSE c.period_start END,
        period_end = CASE WHEN v_expired[i] THEN p_ends[i]::TIMESTAMPTZ ELSE c.period_end END,
        expires_at = CASE WHEN v_expired[i] THEN p_expires[i]::TIMESTAMPTZ
          ELSE GREATEST(c.expires_at, p_expires[i]::TIMESTAMPTZ) END
      WHERE c.user_id = p_user AND c.quota_type = p_types[i] AND c.period_id = p_periods[i];
  END LOOP;
  IF p_hold_id IS NOT NULL THEN
    INSERT INTO usage_reservations (user_id, reservation_id, state, deltas, committed, expires_at, retain_until)
      VALUES (p_user, p_hold_id, 'HELD', p_deltas, NULL, p_hold_expires, p_hold_retain);
    IF v_next IS NULL OR p_hold_expires < v_next THEN
      UPDATE usage_user_state SET next_expiry = p_hold_expires WHERE user_id = p_user;
    END IF;
  END IF;
  IF p_key IS NOT NULL THEN
    INSERT INTO usage_idempotency (user_id, idem_key, fingerprint, expires_at, reservation_id, hold_expires_at,
        hold_retain_until)
      VALUES (p_user, p_key, p_fingerprint, p_key_expires, p_hold_id, p_hold_expires, p_hold_retain);
  END IF;
  RETURN QUERY SELECT 'ADMITTED'::TEXT, v_used, v_reserved, NULL::TEXT[], p_hold_id, p_hold_expires, p_hold_retain;
END
$$;
