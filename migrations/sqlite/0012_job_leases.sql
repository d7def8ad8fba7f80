-- The same as migrations/postgres/0012_job_leases.sql (times in microseconds).
ALTER TABLE job_claims ADD COLUMN heartbeat_at INTEGER;
ALTER TABLE job_claims ADD COLUMN done_at INTEGER;
UPDATE job_claims SET heartbeat_at = claimed_at, done_at = claimed_at WHERE heartbeat_at IS NULL;
