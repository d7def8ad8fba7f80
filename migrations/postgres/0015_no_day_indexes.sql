-- The room outcomes' and their fingerprints' indexes on `day` alone were made for
-- retention's DELETE (0008_milestones.sql). Since the tables are partitioned by
-- month (0014_monthly_partitions.sql), retention drops whole months, a read of some
-- days finds their months by the partitions' bounds, and every other read of these
-- two tables starts with the organization; so the indexes served nothing, and cost
-- every written room an index entry: with the day rows' one, 15 % of the datamart's
-- work in a first backfill (docs/performance.md). A retention cutoff within a month
-- (never the nightly one) reads that one month to delete its days. The day rows
-- keep `ai_activity_logs_by_day`: the census reads them by day across all
-- organizations, and it costs one entry a day row.
DROP INDEX IF EXISTS room_outcomes_by_day;
DROP INDEX IF EXISTS room_outcome_days_by_day;
