-- One row per job and local day: the first server instance to insert it runs the
-- job, the others skip it.
CREATE TABLE IF NOT EXISTS job_claims (
    job         TEXT NOT NULL,
    day         DATE NOT NULL,
    claimed_by  TEXT NOT NULL,
    claimed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job, day)
);
