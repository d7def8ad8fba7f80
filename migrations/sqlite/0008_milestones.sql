-- The same as migrations/postgres/0008_milestones.sql.
ALTER TABLE organization_activity ADD COLUMN first_ai_day TEXT;
ALTER TABLE organization_activity ADD COLUMN milestones_from TEXT;
ALTER TABLE organization_activity ADD COLUMN data_through TEXT;
UPDATE organization_activity SET data_through =
    (SELECT max(day) FROM ai_activity_logs l WHERE l.organization_id = organization_activity.organization_id);
