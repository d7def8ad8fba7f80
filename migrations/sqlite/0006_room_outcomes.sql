-- The same as migrations/postgres/0006_room_outcomes.sql.
ALTER TABLE ai_activity_logs ADD COLUMN test_chats INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ai_activity_logs ADD COLUMN spam INTEGER NOT NULL DEFAULT 0;

-- Stored in the order lists are read (SQLite has no incremental sort): the table
-- is its one index, `WITHOUT ROWID`, so a page is read straight off it and a night's
-- million rows are written into one B-tree, not three.
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
    sentiment          REAL,
    PRIMARY KEY (organization_id, outcome, day, created_at, room_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS room_outcome_days (
    organization_id  TEXT NOT NULL,
    day              TEXT NOT NULL,
    fingerprint      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, day)
) WITHOUT ROWID;
