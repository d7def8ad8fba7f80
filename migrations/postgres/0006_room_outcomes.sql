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
    sentiment          DOUBLE PRECISION,
    PRIMARY KEY (organization_id, day, room_id)
);
-- Every list pages newest first by (created_at, room_id) within one outcome...
CREATE INDEX IF NOT EXISTS room_outcomes_by_outcome
    ON room_outcomes (organization_id, outcome, created_at, room_id);
-- ...or, for the after-hours figure, over the AI-handled rooms outside business hours.
CREATE INDEX IF NOT EXISTS room_outcomes_after_hours
    ON room_outcomes (organization_id, created_at, room_id)
    WHERE after_hours = TRUE AND ai_handled = TRUE;
