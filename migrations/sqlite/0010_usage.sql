-- What people did with the report (src/usage.rs): one row per organization, day
-- (UTC), user (a keyed hash, never the id) and kind. The same as
-- migrations/postgres/0010_usage.sql.
CREATE TABLE IF NOT EXISTS usage_daily (
    organization_id TEXT NOT NULL,
    day             TEXT NOT NULL,
    user_hash       TEXT NOT NULL CHECK (length(user_hash) = 32),
    kind            TEXT NOT NULL CHECK (kind IN ('view', 'failed', 'list', 'download', 'cost_saved')),
    role            TEXT NOT NULL,
    events          INTEGER NOT NULL,
    forming         INTEGER NOT NULL,
    with_value      INTEGER NOT NULL,
    with_forecast   INTEGER NOT NULL,
    slow            INTEGER NOT NULL,
    latency_ms_sum  INTEGER NOT NULL,
    latency_ms_max  INTEGER NOT NULL,
    reason          TEXT,
    PRIMARY KEY (day, organization_id, user_hash, kind)
);
