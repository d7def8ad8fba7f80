-- The same as migrations/postgres/0006_room_outcomes.sql.
ALTER TABLE ai_activity_logs ADD COLUMN test_chats INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ai_activity_logs ADD COLUMN spam INTEGER NOT NULL DEFAULT 0;

CREATE TABLE IF NOT EXISTS room_outcomes (
    organization_id    TEXT NOT NULL,
    day                TEXT NOT NULL,
    room_id            TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    closed_at          INTEGER,
    channel            TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    ai_handled         INTEGER NOT NULL,
    after_hours        INTEGER,
    came_back_room_id  TEXT,
    came_back_at       INTEGER,
    customer_messages  INTEGER NOT NULL,
    ai_messages        INTEGER NOT NULL,
    sentiment          REAL
);
-- SQLite has no incremental sort, so its indexes carry the whole order of a list
-- (day, start, room id) and a page is read straight off the index.
CREATE INDEX IF NOT EXISTS room_outcomes_by_list
    ON room_outcomes (organization_id, outcome, day, created_at, room_id);
CREATE INDEX IF NOT EXISTS room_outcomes_after_hours
    ON room_outcomes (organization_id, day, created_at, room_id)
    WHERE after_hours = TRUE AND ai_handled = TRUE;
