-- A claim of a once-a-day job is a lease (docs/operations.md, the nightly run): its
-- holder renews heartbeat_at while it works and sets done_at when the job is done.
-- A claim whose heartbeat is older than the lease, and not done, is taken over by
-- another instance, so a holder that dies does not cost the night.
ALTER TABLE job_claims ADD COLUMN IF NOT EXISTS heartbeat_at TIMESTAMPTZ;
ALTER TABLE job_claims ADD COLUMN IF NOT EXISTS done_at TIMESTAMPTZ;
-- Claims made before leases existed are history: counted as done.
UPDATE job_claims SET heartbeat_at = claimed_at, done_at = claimed_at WHERE heartbeat_at IS NULL;
