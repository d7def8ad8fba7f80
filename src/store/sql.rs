//! SQL written once for both backends. Each statement is built for a `Dialect`,
//! which only decides how a parameter is written (`?1` or `$1`) and how "now" is
//! given; the datamart's column lists come from `metrics::COLUMNS`, so a new counter
//! changes no SQL here.

use chrono::{DateTime, NaiveDate, Utc};

use super::{StoreError, StoreResult};
use crate::metrics::rooms::{
    day_fingerprints, CameBack, Condition, ConversationList, Outcome, RoomOutcome,
    REOPEN_WINDOW_HOURS,
};
use crate::metrics::{Column, DailyCounters, COLUMNS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The `n`-th parameter (from 1).
    pub(crate) fn parameter(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// The database's own clock, as the dialect stores an instant (SQLite:
    /// microseconds since 1970, to the millisecond). The database's clock, not the
    /// caller's: instances on several machines stamp job claims with one clock.
    pub(crate) fn now(self) -> &'static str {
        match self {
            Dialect::Sqlite => "CAST(unixepoch('subsec') * 1000000 AS INTEGER)",
            Dialect::Postgres => "now()",
        }
    }

    /// The instant the `n`-th parameter's seconds (a real number) before `now`.
    pub(crate) fn seconds_before_now(self, n: usize) -> String {
        let seconds = self.parameter(n);
        match self {
            Dialect::Sqlite => format!("({} - CAST({seconds} * 1000000 AS INTEGER))", self.now()),
            Dialect::Postgres => format!("(now() - make_interval(secs => {seconds}))"),
        }
    }
}

/// The schema's steps for `dialect`, in order, as `(version, name, SQL)`.
pub(crate) fn migrations(dialect: Dialect) -> &'static [(i64, &'static str, &'static str)] {
    const SQLITE: &[(i64, &str, &str)] = &migrations!("sqlite");
    const POSTGRES: &[(i64, &str, &str)] = &migrations!("postgres");
    match dialect {
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres => POSTGRES,
    }
}

/// The daily rows of one organization and range (parameters: organization, first
/// day, last day), `day` first and then `columns`, oldest first.
pub(crate) fn select_days(dialect: Dialect, columns: &[&Column]) -> String {
    let names: Vec<&str> = columns.iter().map(|column| column.name).collect();
    format!(
        "SELECT day, {} FROM ai_activity_logs \
         WHERE organization_id = {} AND day >= {} AND day <= {} ORDER BY day",
        names.join(", "),
        dialect.parameter(1),
        dialect.parameter(2),
        dialect.parameter(3)
    )
}

/// Every datamart column, in table order.
pub(crate) fn all_columns() -> Vec<&'static Column> {
    COLUMNS.iter().collect()
}

/// `rows` tuples of `width` parameters each, numbered on from the first:
/// `(?1, ?2), (?3, ?4)`.
fn value_tuples(dialect: Dialect, rows: usize, width: usize) -> Vec<String> {
    (0..rows)
        .map(|row| {
            let values: Vec<String> = (1..=width)
                .map(|n| dialect.parameter(row * width + n))
                .collect();
            format!("({})", values.join(", "))
        })
        .collect()
}

/// Rows added by one `insert_rows` statement: 14 columns of a room outcome make
/// 1 792 parameters, far below SQLite's limit of 32 766 a statement.
pub(crate) const ROWS_PER_INSERT: usize = 128;

/// Adds `rows` rows of `columns` to `table` in one statement (a statement per row
/// costs as much as the row itself). Parameters: each row's values in order.
pub(crate) fn insert_rows(dialect: Dialect, table: &str, columns: &[&str], rows: usize) -> String {
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        value_tuples(dialect, rows, columns.len()).join(", ")
    )
}

/// Daily rows replaced by one `upsert_days` statement: about 30 parameters each,
/// well within both backends' limits on parameters.
pub(crate) const DAYS_PER_UPSERT: usize = 500;

/// The parameters of one row of `upsert_days`.
pub(crate) fn day_width() -> usize {
    COLUMNS.len() + 3
}

/// Replaces `rows` daily rows in one statement (no two of the same org-day).
/// Parameters, for each row: organization, day, the value of every column of
/// `COLUMNS` in order, then the time it was computed.
pub(crate) fn upsert_days(dialect: Dialect, rows: usize) -> String {
    let names: Vec<&str> = COLUMNS.iter().map(|column| column.name).collect();
    let tuples = value_tuples(dialect, rows, day_width());
    let updates: Vec<String> = names
        .iter()
        .chain(std::iter::once(&"computed_at"))
        .map(|name| format!("{name} = excluded.{name}"))
        .collect();
    // A day recomputed to the same values is left as it is (still locked, so two
    // runs take turns): the nightly run recomputes days that mostly did not change,
    // and an update costs a new row version and its index entries.
    let distinct = match dialect {
        Dialect::Sqlite => "IS NOT",
        Dialect::Postgres => "IS DISTINCT FROM",
    };
    let changed: Vec<String> = names
        .iter()
        .map(|name| format!("ai_activity_logs.{name} {distinct} excluded.{name}"))
        .collect();
    format!(
        "INSERT INTO ai_activity_logs (organization_id, day, {}, computed_at) VALUES {} \
         ON CONFLICT (organization_id, day) DO UPDATE SET {} WHERE {}",
        names.join(", "),
        tuples.join(", "),
        updates.join(", "),
        changed.join(" OR ")
    )
}

/// `items` in pieces whose sizes come from a short ladder (`largest`, 100, 10, 1),
/// largest first. A multi-row statement's text depends on its row count, and
/// PostgreSQL keeps a prepared statement per text on each connection: with these
/// sizes a connection holds at most four of each, whatever the batches were.
pub(crate) fn ladder_chunks<T>(items: &[T], largest: usize) -> Vec<&[T]> {
    let mut pieces = Vec::new();
    let mut rest = items;
    for size in [largest, 100, 10, 1] {
        let size = size.clamp(1, largest.max(1));
        while rest.len() >= size {
            let (piece, tail) = rest.split_at(size);
            pieces.push(piece);
            rest = tail;
        }
    }
    pieces
}

/// Every daily row of a write with its organization, in order, for `upsert_days`.
pub(crate) fn day_rows(writes: &[super::OrgWrite]) -> Vec<(&str, &DailyCounters)> {
    writes
        .iter()
        .flat_map(|write| {
            write
                .rows
                .iter()
                .map(|row| (write.organization_id.as_str(), row))
        })
        .collect()
}

/// Organizations whose activity one `upsert_activity` statement writes.
pub(crate) const ORGANIZATIONS_PER_UPSERT: usize = 1000;

/// Records what a write leaves of `rows` organizations (no two the same): their
/// milestones and their source, the latest day written (never moved back), and how
/// far their source was read (kept when NULL: the run read no marks). Parameters,
/// for each: organization, first eligible day, first AI day, milestones' source,
/// latest day written, read until, read from, the time of the write.
pub(crate) fn upsert_activity(dialect: Dialect, rows: usize) -> String {
    let tuples = value_tuples(dialect, rows, 8);
    format!(
        "INSERT INTO organization_activity (organization_id, first_eligible_day, first_ai_day, \
             milestones_from, data_through, read_until, read_from, updated_at) VALUES {} \
         ON CONFLICT (organization_id) DO UPDATE SET \
             first_eligible_day = excluded.first_eligible_day, \
             first_ai_day = excluded.first_ai_day, \
             milestones_from = excluded.milestones_from, \
             data_through = CASE WHEN organization_activity.data_through IS NULL \
                 OR organization_activity.data_through < excluded.data_through \
                 THEN excluded.data_through ELSE organization_activity.data_through END, \
             read_until = COALESCE(excluded.read_until, organization_activity.read_until), \
             read_from = COALESCE(excluded.read_from, organization_activity.read_from), \
             updated_at = excluded.updated_at",
        tuples.join(", ")
    )
}

/// One row of `upsert_activity` per organization of a write, in the order they
/// first appear: an organization written twice in one batch (two runs of days)
/// keeps its last milestones and read, and its latest day.
pub(crate) struct ActivityRow<'a> {
    pub organization_id: &'a str,
    pub milestones: &'a super::StoredMilestones,
    pub data_through: Option<NaiveDate>,
    pub finished: Option<&'a super::FinishedRead>,
}

pub(crate) fn activity_rows(writes: &[super::OrgWrite]) -> Vec<ActivityRow<'_>> {
    let mut rows: Vec<ActivityRow<'_>> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for write in writes {
        let last_day = write.rows.iter().map(|row| row.day).max();
        match index.get(write.organization_id.as_str()) {
            Some(at) => {
                let row = &mut rows[*at];
                row.milestones = &write.milestones;
                row.data_through = row.data_through.max(last_day);
                if write.finished.is_some() {
                    row.finished = write.finished.as_ref();
                }
            }
            None => {
                index.insert(write.organization_id.as_str(), rows.len());
                rows.push(ActivityRow {
                    organization_id: write.organization_id.as_str(),
                    milestones: &write.milestones,
                    data_through: last_day,
                    finished: write.finished.as_ref(),
                });
            }
        }
    }
    rows
}

/// A cell of a `room_outcomes` row as a room outcome fills it; it becomes a
/// `store::driver::Value` (the rooms' copy), so nothing maps the row by position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum OutcomeCell<'a> {
    Day(NaiveDate),
    Text(&'a str),
    OptionalText(Option<&'a str>),
    Instant(DateTime<Utc>),
    OptionalInstant(Option<DateTime<Utc>>),
    Flag(bool),
    OptionalFlag(Option<bool>),
    Count(i64),
    OptionalReal(Option<f64>),
}

/// One column of `room_outcomes` (the key's `organization_id` aside): its name and
/// how a room outcome fills it.
pub(crate) struct OutcomeColumn {
    pub name: &'static str,
    pub get: for<'a> fn(&'a RoomOutcome) -> OutcomeCell<'a>,
}

/// Writes the table: `column: |room| cell`, where the name is the column's.
macro_rules! outcome_columns {
    ($($name:ident: |$room:ident| $cell:expr),* $(,)?) => {
        /// The columns of `room_outcomes`, in the order every statement below writes
        /// and reads them: the one description of the row, as `COLUMNS` is of the
        /// daily row. `decode_outcome` reads them back, and a test holds it to this
        /// table.
        pub(crate) const OUTCOME_COLUMNS: [OutcomeColumn; 13] = [$(
            OutcomeColumn {
                name: stringify!($name),
                get: |$room| $cell,
            },
        )*];
    };
}

outcome_columns! {
    day: |room| OutcomeCell::Day(room.day),
    room_id: |room| OutcomeCell::Text(&room.room_id),
    created_at: |room| OutcomeCell::Instant(room.created_at),
    closed_at: |room| OutcomeCell::OptionalInstant(room.closed_at),
    channel: |room| OutcomeCell::Text(&room.channel),
    outcome: |room| OutcomeCell::Text(room.outcome.name()),
    ai_handled: |room| OutcomeCell::Flag(room.ai_handled),
    after_hours: |room| OutcomeCell::OptionalFlag(room.after_hours),
    came_back_room_id: |room| OutcomeCell::OptionalText(room.came_back.as_ref().map(|c| c.room_id.as_str())),
    came_back_at: |room| OutcomeCell::OptionalInstant(room.came_back.as_ref().map(|c| c.created_at)),
    customer_messages: |room| OutcomeCell::Count(room.customer_messages),
    ai_messages: |room| OutcomeCell::Count(room.ai_messages),
    sentiment: |room| OutcomeCell::OptionalReal(room.sentiment),
}

/// The names of `OUTCOME_COLUMNS`, for a statement: `day, room_id, …`.
pub(crate) fn outcome_column_list() -> String {
    OUTCOME_COLUMNS.map(|column| column.name).join(", ")
}

/// A room outcome's cells, in the order of `OUTCOME_COLUMNS`.
pub(crate) fn outcome_cells(room: &RoomOutcome) -> [OutcomeCell<'_>; 13] {
    OUTCOME_COLUMNS.each_ref().map(|column| (column.get)(room))
}

/// A keyed statement runs once for a whole batch of keys on PostgreSQL, whose
/// parameters are then arrays (the `n`-th is every key's `n`-th column), and once
/// for each key on SQLite, where a statement costs no round trip and a row value
/// `IN (VALUES …)` would scan the table instead of its key (measured with EXPLAIN
/// QUERY PLAN). The builders below keep the two forms of each side by side.
///
/// The stored fingerprints of an organization's days from a first to a last day
/// (keys: organization, first day, last day); rows: organization, day, fingerprint.
pub(crate) fn stored_fingerprints(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => {
            "SELECT d.organization_id, d.day, d.fingerprint
             FROM unnest($1::text[], $2::date[], $3::date[]) AS s(org, first_day, last_day)
             JOIN room_outcome_days d ON d.organization_id = s.org
                 AND d.day >= s.first_day AND d.day <= s.last_day"
        }
        Dialect::Sqlite => {
            "SELECT organization_id, day, fingerprint FROM room_outcome_days
             WHERE organization_id = ?1 AND day >= ?2 AND day <= ?3"
        }
    }
}

/// Removes an org-day's room outcomes before the day is written again, so a re-run
/// replaces the day whole (keys: organization, day). Every outcome is named so
/// that the list index `(organization_id, outcome, day …)` finds the rows.
pub(crate) fn delete_outcomes_of_days(dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => format!(
            "DELETE FROM room_outcomes o USING unnest($1::text[], $2::date[]) AS d(org, day)
             WHERE o.organization_id = d.org AND o.outcome IN ({}) AND o.day = d.day",
            every_outcome()
        ),
        Dialect::Sqlite => format!(
            "DELETE FROM room_outcomes
             WHERE organization_id = ?1 AND outcome IN ({}) AND day = ?2",
            every_outcome()
        ),
    }
}

/// Sets each day's fingerprint (keys: organization, day, fingerprint).
pub(crate) fn upsert_fingerprints(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => {
            "INSERT INTO room_outcome_days (organization_id, day, fingerprint)
             SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[])
             ON CONFLICT (organization_id, day) DO UPDATE SET fingerprint = excluded.fingerprint"
        }
        Dialect::Sqlite => {
            "INSERT INTO room_outcome_days (organization_id, day, fingerprint) VALUES (?1, ?2, ?3)
             ON CONFLICT (organization_id, day) DO UPDATE SET fingerprint = excluded.fingerprint"
        }
    }
}

/// Deletes the marks a run restated, once the organization's days are written
/// (keys: organization, last mark).
pub(crate) fn clear_marks(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => {
            "DELETE FROM restatement_marks m USING unnest($1::text[], $2::bigint[]) AS c(org, last)
             WHERE m.organization_id = c.org AND m.seq <= c.last"
        }
        Dialect::Sqlite => "DELETE FROM restatement_marks WHERE organization_id = ?1 AND seq <= ?2",
    }
}

/// What a write of whole days does to their room outcomes: the days whose rooms are
/// written again (their fingerprint is new or differs from the stored one), with
/// their new fingerprints, and those days' rooms. Both backends run this plan.
pub(crate) struct OutcomeRewrite<'a> {
    pub days: Vec<(NaiveDate, i64)>,
    pub rooms: Vec<&'a RoomOutcome>,
}

/// The span whose stored fingerprints a write of `rows` compares against: from
/// its first day to its last, in whatever order the rows come. A day left out
/// would look as if it had no rooms stored, and its old rooms would stay beside
/// the new ones (`write::rewrite_outcomes` deletes only days with a fingerprint).
pub(crate) fn fingerprint_span(rows: &[DailyCounters]) -> Option<(NaiveDate, NaiveDate)> {
    let first = rows.iter().map(|row| row.day).min()?;
    let last = rows.iter().map(|row| row.day).max()?;
    Some((first, last))
}

pub(crate) fn outcome_rewrite<'a>(
    rows: &[DailyCounters],
    outcomes: &'a [RoomOutcome],
    stored: &std::collections::HashMap<NaiveDate, i64>,
) -> OutcomeRewrite<'a> {
    let days: Vec<NaiveDate> = rows.iter().map(|row| row.day).collect();
    let days: Vec<(NaiveDate, i64)> = day_fingerprints(&days, outcomes)
        .into_iter()
        .filter(|(day, fingerprint)| stored.get(day) != Some(fingerprint))
        .collect();
    let rewritten: std::collections::HashSet<NaiveDate> =
        days.iter().map(|(day, _)| *day).collect();
    let rooms = outcomes
        .iter()
        .filter(|room| rewritten.contains(&room.day))
        .collect();
    OutcomeRewrite { days, rooms }
}

/// Retention: the rows of every datamart table kept by day, older than the first day
/// kept (the one parameter). The daily rows come last; their count is the one reported.
pub(crate) fn delete_days_before(dialect: Dialect) -> Vec<String> {
    // The usage rows (`crate::usage`) are kept as long as the daily rows.
    [
        "usage_daily",
        "room_outcomes",
        "room_outcome_days",
        "ai_activity_logs",
    ]
    .iter()
    .map(|table| format!("DELETE FROM {table} WHERE day < {}", dialect.parameter(1)))
    .collect()
}

/// Every outcome's name as an SQL list of literals (a closed set, never input).
pub(crate) fn every_outcome() -> String {
    let outcomes: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| format!("'{}'", o.name()))
        .collect();
    outcomes.join(", ")
}

/// The outcomes a list draws from, and what else a row must be to be in it, read
/// from the list's rule (`metrics::rooms::LISTS`). Only literals of closed sets,
/// never input.
fn conversation_filter(list: ConversationList) -> (Vec<Outcome>, &'static str) {
    let rule = list.rule();
    let condition = match rule.condition {
        Condition::Any => "TRUE",
        Condition::StayedAway => "came_back_room_id IS NULL",
        Condition::CameBack => "came_back_room_id IS NOT NULL",
        Condition::AfterHoursWithTheAi => "after_hours = TRUE AND ai_handled = TRUE",
    };
    (rule.outcomes.to_vec(), condition)
}

/// One page of a list, newest first, strictly after a keyset cursor (never OFFSET).
/// Parameters: organization, first day, last day to read (`ConversationQuery::
/// last_day`), the cursor's day, `created_at` and `room_id`, the page size. The order is day, start, room id: the same as start
/// alone (a day is the local date of the start), and the order of the one index,
/// `(organization_id, outcome, day …)`. The last day to read is the earlier of the
/// range's end and the cursor's day, given as one plain bound, because SQLite uses a
/// row value only as a filter, and of two upper bounds on `day` it may take the
/// looser: either way a deep page would read every newer row first. A list drawn from
/// several outcomes (after hours) reads a page from each along that index and keeps
/// the newest of them.
pub(crate) fn conversation_page(dialect: Dialect, list: ConversationList) -> String {
    let p = |n| dialect.parameter(n);
    let (outcomes, condition) = conversation_filter(list);
    let order = "ORDER BY day DESC, created_at DESC, room_id DESC";
    let branch = |outcome: &Outcome| {
        format!(
            "SELECT {} FROM room_outcomes \
             WHERE organization_id = {} AND outcome = '{}' AND day >= {} AND day <= {} \
             AND {condition} AND (day, created_at, room_id) < ({}, {}, {}) \
             {order} LIMIT {}",
            outcome_column_list(),
            p(1),
            outcome.name(),
            p(2),
            p(3),
            p(4),
            p(5),
            p(6),
            p(7)
        )
    };
    match outcomes.as_slice() {
        [one] => branch(one),
        several => {
            let branches: Vec<String> = several
                .iter()
                .map(|outcome| format!("SELECT * FROM ({}) AS {}", branch(outcome), outcome.name()))
                .collect();
            format!(
                "SELECT * FROM ({}) AS pages {order} LIMIT {}",
                branches.join(" UNION ALL "),
                p(7)
            )
        }
    }
}

/// Every room outcome of an organization's days from the second parameter to the
/// third, in list order reversed (oldest first), for `impact verify`.
pub(crate) fn outcomes_of_days(dialect: Dialect) -> String {
    format!(
        "SELECT {} FROM room_outcomes WHERE organization_id = {} AND day >= {} AND day <= {} \
         ORDER BY day, created_at, room_id",
        outcome_column_list(),
        dialect.parameter(1),
        dialect.parameter(2),
        dialect.parameter(3)
    )
}

/// At the end of an import: marks the days its changes decide (METRICS.md §8.2),
/// from the import's temporary tables: `import_touched` (the old and new versions of
/// each changed room: organization, contact, `created_at`) and `import_touched_rooms`
/// (rooms whose messages or summary changed). A changed room marks its own days and
/// those of the same contact's rooms closed in the 48 hours before it opened; a
/// message or summary marks its room's day. Only organizations already aggregated
/// get marks: the first run of any other computes all of its days.
pub(crate) fn mark_touched_days(dialect: Dialect) -> String {
    let reach = match dialect {
        Dialect::Sqlite => format!("{}", REOPEN_WINDOW_HOURS * 3_600_000_000),
        Dialect::Postgres => format!("interval '{REOPEN_WINDOW_HOURS} hours'"),
    };
    // Each part keeps only the organizations already aggregated before it joins
    // anything: a first import touches every room, and marks none.
    let aggregated = "IN (SELECT organization_id FROM organization_activity)";
    format!(
        "INSERT INTO restatement_marks (organization_id, at)
         SELECT DISTINCT organization_id, at FROM (
             SELECT organization_id, created_at AS at FROM import_touched
             WHERE organization_id {aggregated}
             UNION ALL
             SELECT r.organization_id, r.created_at FROM import_touched_rooms t
             JOIN rooms r ON r.organization_id = t.organization_id AND r.id = t.room_id
             WHERE t.organization_id {aggregated}
             UNION ALL
             SELECT r.organization_id, r.created_at FROM import_touched t
             JOIN rooms r ON r.organization_id = t.organization_id
                 AND r.contact_id = t.contact_id
                 AND r.closed_at >= t.created_at - {reach} AND r.closed_at < t.created_at
             WHERE t.organization_id {aggregated}) touched
         ORDER BY organization_id, at"
    )
}

/// Each organization's first and last stored day within the range of the two
/// parameters, and the rooms those days count.
pub(crate) fn stored_room_totals(dialect: Dialect) -> String {
    format!(
        "SELECT organization_id, min(day), max(day), CAST(sum(eligible + test_chats + spam) AS BIGINT) \
         FROM ai_activity_logs WHERE day >= {} AND day <= {} GROUP BY organization_id",
        dialect.parameter(1),
        dialect.parameter(2)
    )
}

/// Refreshes the planner's statistics of the room outcomes after a run wrote them.
/// PostgreSQL picks a list's index walk only when it knows how many rows there are
/// (a list page took 130 to 400 ms before the first ANALYZE, 1 ms after), and
/// ANALYZE samples the table whatever changed (80 ms at 67 000 rows): so only when
/// the table was never analyzed, or a tenth of it changed since, as autovacuum
/// would, only sooner (the counts reach the statistics a moment after a commit; a
/// run they miss is counted by the next one). SQLite reads a list straight off its
/// table's key whatever the statistics; `PRAGMA optimize` is its own cheap upkeep.
pub(crate) fn refresh_statistics(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "PRAGMA optimize",
        Dialect::Postgres => {
            // By month: the statistics are each partition's (migration 14), and
            // a run writes a few months, so only those are sampled again.
            "DO $$ DECLARE month regclass; BEGIN
                 FOR month IN
                     SELECT s.relid::regclass FROM pg_stat_user_tables s
                     JOIN pg_inherits i ON i.inhrelid = s.relid
                     WHERE i.inhparent = 'room_outcomes'::regclass
                       AND ((s.last_analyze IS NULL AND s.last_autoanalyze IS NULL
                             AND s.n_live_tup + s.n_mod_since_analyze > 0)
                            OR s.n_mod_since_analyze > greatest(1000, s.n_live_tup / 10))
                 LOOP
                     EXECUTE format('ANALYZE %s', month);
                 END LOOP;
             END $$"
        }
    }
}

/// Stores (replacing) an organization's onboarding baseline (parameters:
/// organization, first day, last day, eligible, net).
pub(crate) fn upsert_baseline(dialect: Dialect) -> String {
    let p = |n| dialect.parameter(n);
    format!(
        "INSERT INTO onboarding_baselines (organization_id, first_day, last_day, eligible, net) \
         VALUES ({}, {}, {}, {}, {}) \
         ON CONFLICT (organization_id) DO UPDATE SET first_day = excluded.first_day, \
         last_day = excluded.last_day, eligible = excluded.eligible, net = excluded.net",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5)
    )
}

/// Removes an organization's onboarding baseline (parameter: organization).
pub(crate) fn delete_baseline(dialect: Dialect) -> String {
    format!(
        "DELETE FROM onboarding_baselines WHERE organization_id = {}",
        dialect.parameter(1)
    )
}

/// Reads one cell of a result row (`store::driver::Row`, whichever backend read it),
/// so the order of `OUTCOME_COLUMNS` is decoded in one place.
pub trait Cells {
    fn text(&self, index: usize) -> StoreResult<String>;
    fn optional_text(&self, index: usize) -> StoreResult<Option<String>>;
    fn day(&self, index: usize) -> StoreResult<NaiveDate>;
    fn instant(&self, index: usize) -> StoreResult<DateTime<Utc>>;
    fn optional_instant(&self, index: usize) -> StoreResult<Option<DateTime<Utc>>>;
    fn count(&self, index: usize) -> StoreResult<i64>;
    fn flag(&self, index: usize) -> StoreResult<bool>;
    fn optional_flag(&self, index: usize) -> StoreResult<Option<bool>>;
    fn optional_real(&self, index: usize) -> StoreResult<Option<f64>>;
}

/// A room outcome from a row of `conversation_page`.
pub(crate) fn decode_outcome(row: &impl Cells) -> StoreResult<RoomOutcome> {
    let outcome_name = row.text(5)?;
    let outcome = Outcome::parse(&outcome_name).ok_or(StoreError::UnknownName {
        column: "room_outcomes.outcome",
        value: outcome_name,
    })?;
    let came_back = match (row.optional_text(8)?, row.optional_instant(9)?) {
        (Some(room_id), Some(created_at)) => Some(CameBack {
            room_id,
            created_at,
        }),
        _ => None,
    };
    Ok(RoomOutcome {
        day: row.day(0)?,
        room_id: row.text(1)?,
        created_at: row.instant(2)?,
        closed_at: row.optional_instant(3)?,
        channel: row.text(4)?,
        outcome,
        ai_handled: row.flag(6)?,
        after_hours: row.optional_flag(7)?,
        came_back,
        customer_messages: row.count(10)?,
        ai_messages: row.count(11)?,
        sentiment: row.optional_real(12)?,
    })
}

/// The columns of `usage_daily`, in the order `upsert_usage` binds and
/// `select_usage` reads them.
pub(crate) const USAGE_COLUMNS: &str = "organization_id, day, user_hash, kind, role, events, \
    forming, with_value, with_forecast, slow, latency_ms_sum, latency_ms_max, reason";
pub(crate) const USAGE_WIDTH: usize = 13;
/// Usage rows written by one statement: 13 parameters each, well under both
/// backends' limits on parameters.
pub(crate) const USAGE_PER_UPSERT: usize = 500;

/// Adds `rows` usage rows to the stored ones of their keys (`crate::usage`).
pub(crate) fn upsert_usage(dialect: Dialect, rows: usize) -> String {
    let add = |column: &str| format!("{column} = usage_daily.{column} + excluded.{column}");
    let sums: Vec<String> = [
        "events",
        "forming",
        "with_value",
        "with_forecast",
        "slow",
        "latency_ms_sum",
    ]
    .iter()
    .map(|column| add(column))
    .collect();
    format!(
        "INSERT INTO usage_daily ({USAGE_COLUMNS}) VALUES {} \
         ON CONFLICT (day, organization_id, user_hash, kind) DO UPDATE SET \
             role = excluded.role, {}, \
             latency_ms_max = CASE WHEN excluded.latency_ms_max > usage_daily.latency_ms_max \
                 THEN excluded.latency_ms_max ELSE usage_daily.latency_ms_max END, \
             reason = COALESCE(excluded.reason, usage_daily.reason)",
        value_tuples(dialect, rows, USAGE_WIDTH).join(", "),
        sums.join(", ")
    )
}

/// Every usage row of a span of days (parameters: first and last day).
pub(crate) fn select_usage(dialect: Dialect) -> String {
    format!(
        "SELECT {USAGE_COLUMNS} FROM usage_daily WHERE day >= {} AND day <= {} \
         ORDER BY day, organization_id, user_hash, kind",
        dialect.parameter(1),
        dialect.parameter(2)
    )
}

/// The month's gauges in one row (parameters: the month's first day, the next
/// month's first day): organizations with the add-on, those of them where the report
/// was seen, loads, failed loads. Bounded on both sides, so PostgreSQL reads only
/// the month's partition.
pub(crate) fn usage_gauges(dialect: Dialect) -> String {
    let from = dialect.parameter(1);
    let to = dialect.parameter(2);
    format!(
        "SELECT \
             (SELECT COUNT(*) FROM organizations WHERE ai_addon = TRUE), \
             (SELECT COUNT(DISTINCT u.organization_id) FROM usage_daily u \
                 JOIN organizations o ON o.id = u.organization_id \
                 WHERE o.ai_addon = TRUE AND u.kind = 'view' AND u.day >= {from} AND u.day < {to}), \
             (SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) FROM usage_daily \
                 WHERE kind IN ('view', 'failed') AND day >= {from} AND day < {to}), \
             (SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) FROM usage_daily \
                 WHERE kind = 'failed' AND day >= {from} AND day < {to})"
    )
}

/// A usage row from its cells, read by position in `USAGE_COLUMNS` order.
pub(crate) fn decode_usage(row: &impl Cells) -> StoreResult<crate::usage::UsageRow> {
    use crate::usage::{UsageKind, UsageRow, UserHash};
    let text = |index: usize| row.text(index);
    let number = |index: usize| row.count(index);
    let org = crate::domain::OrgId::parse(&text(0)?)
        .map_err(StoreError::unreadable("usage_daily.organization_id"))?;
    let user = text(2)?;
    let user = UserHash::parse(&user).ok_or(StoreError::UnknownName {
        column: "usage_daily.user_hash",
        value: user,
    })?;
    let kind = text(3)?;
    let kind = UsageKind::parse(&kind).ok_or(StoreError::UnknownName {
        column: "usage_daily.kind",
        value: kind,
    })?;
    Ok(UsageRow {
        org,
        day: row.day(1)?,
        user,
        kind,
        role: text(4)?,
        events: number(5)?,
        forming: number(6)?,
        with_value: number(7)?,
        with_forecast: number(8)?,
        slow: number(9)?,
        latency_ms_sum: number(10)?,
        latency_ms_max: number(11)?,
        reason: row.optional_text(12)?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fingerprints_read_cover_every_day_written_in_any_order() {
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let rows: Vec<DailyCounters> = ["2026-10-05", "2026-10-01", "2026-10-09", "2026-10-03"]
            .iter()
            .map(|text| DailyCounters::empty(day(text)))
            .collect();
        assert_eq!(
            fingerprint_span(&rows),
            Some((day("2026-10-01"), day("2026-10-09")))
        );
        assert_eq!(fingerprint_span(&[]), None);
    }

    use super::*;

    /// A result row made of a room's own cells, as a backend would read them back.
    struct CellRow<'a>([OutcomeCell<'a>; 13]);

    /// `Cells` methods that take a cell of one kind, and fail on any other.
    macro_rules! read_as {
        ($($method:ident: $type:ty = $variant:ident($value:ident) => $convert:expr),* $(,)?) => {$(
            fn $method(&self, index: usize) -> StoreResult<$type> {
                match self.0[index] {
                    OutcomeCell::$variant($value) => Ok($convert),
                    other => Err(StoreError::Invalid(format!(
                        "{other:?} is not read by {}",
                        stringify!($method)
                    ))),
                }
            }
        )*};
    }

    impl Cells for CellRow<'_> {
        read_as!(
            text: String = Text(text) => text.to_string(),
            optional_text: Option<String> = OptionalText(text) => text.map(str::to_string),
            day: NaiveDate = Day(day) => day,
            instant: DateTime<Utc> = Instant(at) => at,
            optional_instant: Option<DateTime<Utc>> = OptionalInstant(at) => at,
            count: i64 = Count(count) => count,
            flag: bool = Flag(flag) => flag,
            optional_flag: Option<bool> = OptionalFlag(flag) => flag,
            optional_real: Option<f64> = OptionalReal(real) => real,
        );
    }

    #[test]
    fn a_room_outcome_reads_back_from_the_cells_it_is_written_as() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|at| at.with_timezone(&Utc))
                .expect("instant")
        };
        // Every field set, and none equal to another, so a column read from the
        // wrong position cannot decode to the same room.
        let room = RoomOutcome {
            day: NaiveDate::from_ymd_opt(2026, 10, 5).expect("day"),
            room_id: "room-1".into(),
            created_at: at("2026-10-05T10:00:00+07:00"),
            closed_at: Some(at("2026-10-05T10:30:00+07:00")),
            channel: "whatsapp".into(),
            outcome: Outcome::AiOnly,
            ai_handled: true,
            after_hours: Some(false),
            came_back: Some(CameBack {
                room_id: "room-2".into(),
                created_at: at("2026-10-06T09:00:00+07:00"),
            }),
            customer_messages: 3,
            ai_messages: 4,
            sentiment: Some(0.25),
        };
        let decoded = decode_outcome(&CellRow(outcome_cells(&room))).expect("decoded");
        assert_eq!(decoded, room);
        let names = outcome_column_list();
        assert!(names.starts_with("day, room_id, created_at"), "{names}");
    }

    #[test]
    fn ladder_chunks_keep_every_item_in_order_in_few_sizes() {
        for count in [0, 1, 9, 10, 99, 500, 1_234, 1_500] {
            let items: Vec<usize> = (0..count).collect();
            let pieces = ladder_chunks(&items, 500);
            let joined: Vec<usize> = pieces
                .iter()
                .flat_map(|piece| piece.iter().copied())
                .collect();
            assert_eq!(joined, items, "{count}");
            assert!(pieces
                .iter()
                .all(|piece| [500, 100, 10, 1].contains(&piece.len())));
        }
        assert_eq!(ladder_chunks(&[1, 2, 3], 2).len(), 2);
    }

    #[test]
    fn the_upsert_names_every_column_once_with_a_parameter_each() {
        let sql = upsert_days(Dialect::Postgres, 2);
        for column in COLUMNS {
            assert_eq!(
                sql.matches(&format!("{} = excluded.", column.name)).count(),
                1
            );
        }
        assert!(sql.contains(&format!("${}", 2 * day_width())));
        assert!(!sql.contains(&format!("${}", 2 * day_width() + 1)));
        assert!(upsert_days(Dialect::Sqlite, 1).contains("(?1, ?2"));
    }

    #[test]
    fn a_multi_row_insert_numbers_every_cell_once() {
        let columns = ["organization_id", "day", "room_id"];
        let sql = insert_rows(Dialect::Sqlite, "room_outcomes", &columns, 3);
        assert!(sql.starts_with("INSERT INTO room_outcomes (organization_id, day, room_id) VALUES"));
        assert!(sql.ends_with("(?7, ?8, ?9)"), "{sql}");
        assert!(!sql.contains("?10"));
        let sql = insert_rows(Dialect::Postgres, "room_outcomes", &columns, 1);
        assert!(sql.ends_with("VALUES ($1, $2, $3)"), "{sql}");
    }
}
