-- Source tables. In production these belong to the host platform and are read-only
-- to us; they are created here for development, tests and the demo. Every table
-- carries the organization id first in its primary key so the schema can be
-- distributed by organization.
CREATE TABLE IF NOT EXISTS organizations (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    ai_addon        BOOLEAN NOT NULL,
    timezone        TEXT NOT NULL,
    -- JSON weekly schedule, or NULL when not configured.
    business_hours  TEXT,
    -- JSON list of YYYY-MM-DD local dates.
    holidays        TEXT NOT NULL DEFAULT '[]',
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS rooms (
    organization_id          TEXT NOT NULL,
    id                       TEXT NOT NULL,
    channel                  TEXT NOT NULL,
    contact_id               TEXT NOT NULL,
    created_at               TIMESTAMPTZ NOT NULL,
    closed_at                TIMESTAMPTZ,
    closed_reason            TEXT,
    assign_channel_agent_id  TEXT,
    assigned_at              TIMESTAMPTZ,
    PRIMARY KEY (organization_id, id)
);
CREATE INDEX IF NOT EXISTS rooms_by_creation ON rooms (organization_id, created_at, id);

CREATE TABLE IF NOT EXISTS histories (
    organization_id  TEXT NOT NULL,
    room_id          TEXT NOT NULL,
    sender_type      TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS histories_by_room ON histories (organization_id, room_id);

-- The embedded stand-in for MongoDB's omnichannel_room_summaries.
CREATE TABLE IF NOT EXISTS room_summaries (
    organization_id  TEXT NOT NULL,
    room_id          TEXT NOT NULL,
    -- The sentiment exactly as given (a JSON label, number or null).
    sentiment        TEXT NOT NULL,
    created_at       TIMESTAMPTZ,
    PRIMARY KEY (organization_id, room_id)
);

-- Ours: one cost assumption per organization, kept for the life of the account.
CREATE TABLE IF NOT EXISTS cost_assumptions (
    organization_id           TEXT PRIMARY KEY,
    agent_hour_rate           BIGINT NOT NULL CHECK (agent_hour_rate BETWEEN 1000 AND 10000000),
    minutes_per_conversation  INTEGER NOT NULL CHECK (minutes_per_conversation BETWEEN 1 AND 480),
    updated_at                TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Ours: the datamart, one row per organization and local day; sums and counts only.
CREATE TABLE IF NOT EXISTS ai_activity_logs (
    organization_id              TEXT NOT NULL,
    day                          DATE NOT NULL,
    eligible                     BIGINT NOT NULL,
    ai_handled                   BIGINT NOT NULL,
    contained                    BIGINT NOT NULL,
    reopened                     BIGINT NOT NULL,
    after_hours                  BIGINT NOT NULL,
    ai_assisted                  BIGINT NOT NULL,
    escalated                    BIGINT NOT NULL,
    other                        BIGINT NOT NULL,
    contained_customer_messages  BIGINT NOT NULL,
    contained_sentiment_sum      DOUBLE PRECISION NOT NULL,
    contained_sentiment_rooms    BIGINT NOT NULL,
    human_sentiment_sum          DOUBLE PRECISION NOT NULL,
    human_sentiment_rooms        BIGINT NOT NULL,
    sentiment_pending            BOOLEAN NOT NULL,
    computed_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, day)
);

-- Ours: facts about an organization that outlive the 13-month retention of daily rows.
CREATE TABLE IF NOT EXISTS organization_activity (
    organization_id     TEXT PRIMARY KEY,
    first_eligible_day  DATE,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
