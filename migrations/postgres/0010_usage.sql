-- What people did with the report (src/usage.rs): one row per organization, day
-- (UTC), user (a keyed hash, never the id) and kind. A month's KPIs read one month
-- of days, so the key starts with the day.
CREATE TABLE IF NOT EXISTS usage_daily (
    organization_id TEXT NOT NULL,
    day             DATE NOT NULL,
    user_hash       TEXT NOT NULL CHECK (length(user_hash) = 32),
    kind            TEXT NOT NULL CHECK (kind IN ('view', 'failed', 'list', 'download', 'cost_saved')),
    role            TEXT NOT NULL,
    events          BIGINT NOT NULL,
    forming         BIGINT NOT NULL,
    with_value      BIGINT NOT NULL,
    with_forecast   BIGINT NOT NULL,
    slow            BIGINT NOT NULL,
    latency_ms_sum  BIGINT NOT NULL,
    latency_ms_max  BIGINT NOT NULL,
    reason          TEXT,
    PRIMARY KEY (day, organization_id, user_hash, kind)
);
