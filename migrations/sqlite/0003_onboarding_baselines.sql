-- The onboarding baseline (METRICS.md §4.8): net containment over the 30 local days
-- from the first day with AI activity. Stored once, when those days are complete,
-- and kept for the life of the account (no retention).
CREATE TABLE IF NOT EXISTS onboarding_baselines (
    organization_id  TEXT PRIMARY KEY,
    first_day        TEXT NOT NULL,
    last_day         TEXT NOT NULL,
    eligible         BIGINT NOT NULL,
    net              BIGINT NOT NULL
);
