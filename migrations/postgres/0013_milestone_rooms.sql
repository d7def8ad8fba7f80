-- Retention deletes an organization's first days from the datamart, but its first
-- eligible day and onboarding baseline still depend on the source's rooms of those
-- days. The nightly census counts the source's rooms created before the day after
-- the last one the milestones depend on (`milestone_rooms_before`) and compares the
-- count with the one kept here; when they differ, rooms of those days were deleted
-- or written late, and the milestones and the baseline are walked again
-- (docs/operations.md, the census). NULL until a census has counted them.
ALTER TABLE organization_activity ADD COLUMN IF NOT EXISTS milestone_rooms_before DATE;
ALTER TABLE organization_activity ADD COLUMN IF NOT EXISTS milestone_rooms BIGINT;
