-- Nothing: SQLite's tables are not partitioned, and its retention deletes by day
-- through the indexes PostgreSQL drops there (migrations/postgres/0015_no_day_indexes.sql).
SELECT 1;
