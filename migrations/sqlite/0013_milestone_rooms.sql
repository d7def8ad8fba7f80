-- The same as migrations/postgres/0013_milestone_rooms.sql.
ALTER TABLE organization_activity ADD COLUMN milestone_rooms_before TEXT;
ALTER TABLE organization_activity ADD COLUMN milestone_rooms INTEGER;
