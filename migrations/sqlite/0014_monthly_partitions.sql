-- Nothing: SQLite has no partitions, and the embedded datamart of one business is
-- small enough for retention's DELETE (migrations/postgres/0014_monthly_partitions.sql).
SELECT 1;
