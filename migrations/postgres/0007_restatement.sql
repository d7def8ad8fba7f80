-- Restatement (METRICS.md §8): what a run must compute again besides its recent
-- window, and how far it has read the source.

-- Days an import changed, waiting for the next run: `at` is a moment of the day to
-- restate (the run turns it into the organization's local day), NULL for every day
-- of the organization (its time zone, business hours or holidays changed). The run
-- deletes an organization's marks in the transaction that writes its last days, so
-- a crash leaves them for the next run.
CREATE TABLE IF NOT EXISTS restatement_marks (
    organization_id  TEXT NOT NULL,
    seq              BIGSERIAL NOT NULL,
    at               TIMESTAMPTZ,
    PRIMARY KEY (organization_id, seq)
);

-- How far the source was read for an organization (its high-water mark, U of §8.3)
-- and which source that was: a run with no mark, or a mark of another source,
-- aggregates everything.
ALTER TABLE organization_activity ADD COLUMN IF NOT EXISTS read_until TIMESTAMPTZ;
ALTER TABLE organization_activity ADD COLUMN IF NOT EXISTS read_from TEXT;

-- The 48-hour rule read backwards: the contained rooms a changed room can have
-- reopened are the same contact's rooms closed in the 48 hours before it opened.
CREATE INDEX IF NOT EXISTS rooms_by_contact ON rooms (organization_id, contact_id, closed_at);

-- A live source gives only a changed room's new values: its old day is where its
-- outcome is stored, and the contained rooms it reopened name it.
CREATE INDEX IF NOT EXISTS room_outcomes_by_room ON room_outcomes (organization_id, room_id);
CREATE INDEX IF NOT EXISTS room_outcomes_by_came_back ON room_outcomes (organization_id, came_back_room_id)
    WHERE came_back_room_id IS NOT NULL;

-- What the last `impact verify` over the whole retained range found (the server
-- runs one a week): every instance reads it for impact_datamart_drifted_days.
CREATE TABLE IF NOT EXISTS verify_runs (
    ran_at        TIMESTAMPTZ PRIMARY KEY,
    drifted_days  BIGINT NOT NULL
);
