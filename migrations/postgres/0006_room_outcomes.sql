-- Room-grain outcomes (docs/metrics.md §4.9): one row per room of an aggregated
-- org-day, written in the same transaction as that day's counters, so each figure
-- can list its conversations. No message text and no customer identity.
ALTER TABLE ai_activity_logs ADD COLUMN IF NOT EXISTS test_chats BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ai_activity_logs ADD COLUMN IF NOT EXISTS spam BIGINT NOT NULL DEFAULT 0;

CREATE TABLE IF NOT EXISTS room_outcomes (
    organization_id    TEXT NOT NULL,
    day                DATE NOT NULL,
    room_id            TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    closed_at          TIMESTAMPTZ,
    channel            TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    ai_handled         BOOLEAN NOT NULL,
    after_hours        BOOLEAN,
    came_back_room_id  TEXT,
    came_back_at       TIMESTAMPTZ,
    customer_messages  BIGINT NOT NULL,
    ai_messages        BIGINT NOT NULL,
    sentiment          DOUBLE PRECISION
);
-- One small index and no primary key: a night rewrites a million rows, and every
-- index entry costs a write (docs/performance.md measured the alternatives). A day
-- is replaced by deleting it first, so nothing needs the key to be unique.
-- A list pages newest first within one outcome; PostgreSQL walks the days backwards
-- and sorts only within a day (incremental sort). The after-hours list reads each
-- outcome's page and keeps the newest; deleting a day names every outcome.
CREATE INDEX IF NOT EXISTS room_outcomes_by_list
    ON room_outcomes (organization_id, outcome, day);

-- A fingerprint of each org-day's room outcomes, so that a run that computes a day
-- to the very same rooms leaves them in place (src/metrics/rooms.rs).
CREATE TABLE IF NOT EXISTS room_outcome_days (
    organization_id  TEXT NOT NULL,
    day              DATE NOT NULL,
    fingerprint      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, day)
);
