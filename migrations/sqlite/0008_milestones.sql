-- The same as migrations/postgres/0008_milestones.sql.
ALTER TABLE organization_activity ADD COLUMN first_ai_day TEXT;
ALTER TABLE organization_activity ADD COLUMN milestones_from TEXT;
ALTER TABLE organization_activity ADD COLUMN data_through TEXT;
UPDATE organization_activity SET data_through =
    (SELECT max(day) FROM ai_activity_logs l WHERE l.organization_id = organization_activity.organization_id);

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
