-- The same as migrations/postgres/0007_restatement.sql.
CREATE TABLE IF NOT EXISTS restatement_marks (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id  TEXT NOT NULL,
    at               INTEGER
);
CREATE INDEX IF NOT EXISTS restatement_marks_by_org ON restatement_marks (organization_id, seq);

ALTER TABLE organization_activity ADD COLUMN read_until INTEGER;
ALTER TABLE organization_activity ADD COLUMN read_from TEXT;

CREATE INDEX IF NOT EXISTS rooms_by_contact ON rooms (organization_id, contact_id, closed_at);

CREATE INDEX IF NOT EXISTS room_outcomes_by_room ON room_outcomes (organization_id, room_id);
CREATE INDEX IF NOT EXISTS room_outcomes_by_came_back ON room_outcomes (organization_id, came_back_room_id)
    WHERE came_back_room_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS verify_runs (
    ran_at        INTEGER PRIMARY KEY,
    drifted_days  INTEGER NOT NULL
);
