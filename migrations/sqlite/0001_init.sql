-- The same schema as migrations/postgres/0001_init.sql for the embedded default.
-- Instants are INTEGER microseconds since the Unix epoch (UTC); days are TEXT
-- YYYY-MM-DD, which sorts like a date.
CREATE TABLE IF NOT EXISTS organizations (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    ai_addon        INTEGER NOT NULL,
    timezone        TEXT NOT NULL,
    business_hours  TEXT,
    holidays        TEXT NOT NULL DEFAULT '[]',
    updated_at      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS rooms (
    organization_id          TEXT NOT NULL,
    id                       TEXT NOT NULL,
    channel                  TEXT NOT NULL,
    contact_id               TEXT NOT NULL,
    created_at               INTEGER NOT NULL,
    closed_at                INTEGER,
    closed_reason            TEXT,
    assign_channel_agent_id  TEXT,
    assigned_at              INTEGER,
    PRIMARY KEY (organization_id, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rooms_by_creation ON rooms (organization_id, created_at, id);

CREATE TABLE IF NOT EXISTS histories (
    organization_id  TEXT NOT NULL,
    room_id          TEXT NOT NULL,
    sender_type      TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS histories_by_room ON histories (organization_id, room_id);

CREATE TABLE IF NOT EXISTS room_summaries (
    organization_id  TEXT NOT NULL,
    room_id          TEXT NOT NULL,
    sentiment        TEXT NOT NULL,
    created_at       INTEGER,
    PRIMARY KEY (organization_id, room_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS cost_assumptions (
    organization_id           TEXT PRIMARY KEY,
    agent_hour_rate           INTEGER NOT NULL CHECK (agent_hour_rate BETWEEN 1000 AND 10000000),
    minutes_per_conversation  INTEGER NOT NULL CHECK (minutes_per_conversation BETWEEN 1 AND 480),
    updated_at                INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS ai_activity_logs (
    organization_id              TEXT NOT NULL,
    day                          TEXT NOT NULL,
    eligible                     INTEGER NOT NULL,
    ai_handled                   INTEGER NOT NULL,
    contained                    INTEGER NOT NULL,
    reopened                     INTEGER NOT NULL,
    after_hours                  INTEGER NOT NULL,
    ai_assisted                  INTEGER NOT NULL,
    escalated                    INTEGER NOT NULL,
    other                        INTEGER NOT NULL,
    contained_customer_messages  INTEGER NOT NULL,
    contained_sentiment_sum      REAL NOT NULL,
    contained_sentiment_rooms    INTEGER NOT NULL,
    human_sentiment_sum          REAL NOT NULL,
    human_sentiment_rooms        INTEGER NOT NULL,
    sentiment_pending            INTEGER NOT NULL,
    computed_at                  INTEGER NOT NULL,
    PRIMARY KEY (organization_id, day)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS organization_activity (
    organization_id     TEXT PRIMARY KEY,
    first_eligible_day  TEXT,
    updated_at          INTEGER NOT NULL
);
