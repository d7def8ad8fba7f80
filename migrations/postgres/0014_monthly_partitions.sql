-- The datamart's large tables, partitioned by month of `day` (docs/operations.md,
-- "Monthly partitions"): retention drops a whole month's tables instead of
-- deleting its rows, each month's indexes stay small, and a report or a list reads
-- only the months of its days. The rows of an existing datamart are moved here,
-- in the migration's one transaction (measured in docs/performance.md).

-- Makes sure each partitioned table has the partition of each month (any day of
-- it) in `months`; returns how many partitions it made. A partition is made apart
-- and then attached, which locks the table only against other attaches, not
-- against reads and writes. Its name is the table's with the month, `_pYYYYMM`.
-- The tables and months are taken in one order, so writers never wait on each
-- other in a circle; a writer that finds the month made by another meanwhile
-- (waiting on its commit, then refused the name) goes on.
CREATE OR REPLACE FUNCTION impact_month_partitions(months date[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    parent text;
    first date;
    partition text;
    made integer := 0;
BEGIN
    FOREACH first IN ARRAY ARRAY(SELECT DISTINCT date_trunc('month', m)::date
                                 FROM unnest(months) AS m WHERE m IS NOT NULL ORDER BY 1) LOOP
        FOREACH parent IN ARRAY ARRAY['ai_activity_logs', 'room_outcomes',
                                      'room_outcome_days', 'usage_daily'] LOOP
            partition := parent || '_p' || to_char(first, 'YYYYMM');
            CONTINUE WHEN to_regclass(quote_ident(partition)) IS NOT NULL;
            BEGIN
                EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                               partition, parent);
                EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                               parent, partition, first, (first + interval '1 month')::date);
                made := made + 1;
            EXCEPTION WHEN duplicate_table OR unique_violation THEN
                NULL;
            END;
        END LOOP;
    END LOOP;
    RETURN made;
END
$$;

-- Drops every month whose days are all before `cutoff` (retention counts whole
-- months, so the cutoff is a month's first day), from each partitioned table, in
-- the order writers take the tables; returns how many daily rows
-- (`ai_activity_logs`) those months held. A month is read off its partition's
-- name, which this migration's function gave it.
CREATE OR REPLACE FUNCTION impact_drop_months_before(cutoff date) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    expired record;
    daily_rows bigint := 0;
    counted bigint;
BEGIN
    FOR expired IN
        SELECT parent.relname AS parent, i.inhrelid::regclass AS partition
        FROM pg_inherits i
        JOIN pg_class parent ON parent.oid = i.inhparent
        JOIN pg_class child ON child.oid = i.inhrelid
        -- The tables of the schema in use, not another schema's of the same name.
        WHERE parent.oid = to_regclass(quote_ident(parent.relname))
          AND parent.relname IN ('ai_activity_logs', 'room_outcomes',
                                 'room_outcome_days', 'usage_daily')
          AND child.relname ~ '_p[0-9]{6}$'
          AND (to_date(right(child.relname, 6), 'YYYYMM') + interval '1 month')::date <= cutoff
        ORDER BY array_position(ARRAY['ai_activity_logs', 'room_outcomes',
                                      'room_outcome_days', 'usage_daily']::name[], parent.relname),
                 child.relname
    LOOP
        IF expired.parent = 'ai_activity_logs' THEN
            EXECUTE format('SELECT count(*) FROM %s', expired.partition) INTO counted;
            daily_rows := daily_rows + counted;
        END IF;
        EXECUTE format('DROP TABLE %s', expired.partition);
    END LOOP;
    RETURN daily_rows;
END
$$;

-- Each table: its rows set aside with no index, the partitioned table made with
-- the same columns, keys and indexes, the months the rows need (and this month and
-- the next) made, and the rows moved.
ALTER TABLE ai_activity_logs RENAME TO ai_activity_logs_unpartitioned;
ALTER TABLE ai_activity_logs_unpartitioned DROP CONSTRAINT ai_activity_logs_pkey;
DROP INDEX IF EXISTS ai_activity_logs_pending_sentiment;
DROP INDEX IF EXISTS ai_activity_logs_by_day;
CREATE TABLE ai_activity_logs
    (LIKE ai_activity_logs_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (day);
ALTER TABLE ai_activity_logs ADD PRIMARY KEY (organization_id, day);
CREATE INDEX ai_activity_logs_pending_sentiment ON ai_activity_logs (day) WHERE sentiment_pending;
CREATE INDEX ai_activity_logs_by_day ON ai_activity_logs (day);

ALTER TABLE room_outcomes RENAME TO room_outcomes_unpartitioned;
DROP INDEX IF EXISTS room_outcomes_by_list;
DROP INDEX IF EXISTS room_outcomes_by_room;
DROP INDEX IF EXISTS room_outcomes_by_came_back;
DROP INDEX IF EXISTS room_outcomes_by_day;
CREATE TABLE room_outcomes
    (LIKE room_outcomes_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (day);
CREATE INDEX room_outcomes_by_list ON room_outcomes (organization_id, outcome, day);
CREATE INDEX room_outcomes_by_room ON room_outcomes (organization_id, room_id);
CREATE INDEX room_outcomes_by_came_back ON room_outcomes (organization_id, came_back_room_id)
    WHERE came_back_room_id IS NOT NULL;
CREATE INDEX room_outcomes_by_day ON room_outcomes (day);

ALTER TABLE room_outcome_days RENAME TO room_outcome_days_unpartitioned;
ALTER TABLE room_outcome_days_unpartitioned DROP CONSTRAINT room_outcome_days_pkey;
DROP INDEX IF EXISTS room_outcome_days_by_day;
CREATE TABLE room_outcome_days
    (LIKE room_outcome_days_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (day);
ALTER TABLE room_outcome_days ADD PRIMARY KEY (organization_id, day);
CREATE INDEX room_outcome_days_by_day ON room_outcome_days (day);

ALTER TABLE usage_daily RENAME TO usage_daily_unpartitioned;
ALTER TABLE usage_daily_unpartitioned DROP CONSTRAINT usage_daily_pkey;
CREATE TABLE usage_daily
    (LIKE usage_daily_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (day);
ALTER TABLE usage_daily ADD PRIMARY KEY (day, organization_id, user_hash, kind);

SELECT impact_month_partitions(ARRAY(
    SELECT DISTINCT date_trunc('month', day)::date FROM ai_activity_logs_unpartitioned
    UNION SELECT DISTINCT date_trunc('month', day)::date FROM room_outcomes_unpartitioned
    UNION SELECT DISTINCT date_trunc('month', day)::date FROM room_outcome_days_unpartitioned
    UNION SELECT DISTINCT date_trunc('month', day)::date FROM usage_daily_unpartitioned
    UNION SELECT date_trunc('month', now())::date
    UNION SELECT (date_trunc('month', now()) + interval '1 month')::date));

INSERT INTO ai_activity_logs SELECT * FROM ai_activity_logs_unpartitioned;
INSERT INTO room_outcomes SELECT * FROM room_outcomes_unpartitioned;
INSERT INTO room_outcome_days SELECT * FROM room_outcome_days_unpartitioned;
INSERT INTO usage_daily SELECT * FROM usage_daily_unpartitioned;
DROP TABLE ai_activity_logs_unpartitioned;
DROP TABLE room_outcomes_unpartitioned;
DROP TABLE room_outcome_days_unpartitioned;
DROP TABLE usage_daily_unpartitioned;
