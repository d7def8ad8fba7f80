-- The same as migrations/postgres/0002_job_claims.sql.
CREATE TABLE IF NOT EXISTS job_claims (
    job         TEXT NOT NULL,
    day         TEXT NOT NULL,
    claimed_by  TEXT NOT NULL,
    claimed_at  INTEGER NOT NULL,
    PRIMARY KEY (job, day)
);
