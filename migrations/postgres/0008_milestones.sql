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
