-- What a run needs of each organization's whole history, kept so that a nightly run
-- over thousands of organizations reads it in one statement instead of walking each
-- organization's first rooms (docs/metric-decisions.md §8).

-- The local days of the first eligible and of the first AI-handled room, and the
-- source they were computed from (`Source::identity`): NULL until a run of this
-- version computes them, and they are trusted only for that same source.
ALTER TABLE organization_activity ADD COLUMN IF NOT EXISTS first_ai_day DATE;
ALTER TABLE organization_activity ADD COLUMN IF NOT EXISTS milestones_from TEXT;

-- The latest day a run has written for the organization.
ALTER TABLE organization_activity ADD COLUMN IF NOT EXISTS data_through DATE;
UPDATE organization_activity a SET data_through =
    (SELECT max(day) FROM ai_activity_logs l WHERE l.organization_id = a.organization_id);

-- Retention deletes the days before its cutoff every night: by these, it reads only
-- the rows it deletes, not every table whole.
CREATE INDEX IF NOT EXISTS ai_activity_logs_by_day ON ai_activity_logs (day);
CREATE INDEX IF NOT EXISTS room_outcome_days_by_day ON room_outcome_days (day);
CREATE INDEX IF NOT EXISTS room_outcomes_by_day ON room_outcomes (day);

-- A day recomputed to the same values is no longer written again, so when the
-- aggregation last succeeded is read from the organizations it finished
-- (`organization_activity.updated_at`), and this index has nothing left to serve.
DROP INDEX IF EXISTS ai_activity_logs_by_computed_at;

-- A run counts each room's messages by sender: with the sender in the index the
-- count reads the index alone (the same prefix serves every lookup by room).
CREATE INDEX IF NOT EXISTS histories_by_room_and_sender ON histories (organization_id, room_id, sender_type);
DROP INDEX IF EXISTS histories_by_room;
