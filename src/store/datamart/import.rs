//! The import, written once: every row goes into a staging table of the import's
//! transaction (binary COPY on PostgreSQL, multi-row inserts on SQLite:
//! `Transaction::copy`), and at commit one script merges them into the real tables,
//! writing only what changed and marking the days that change decides (METRICS.md
//! §8.2), all in the same transaction.
//!
//! Only rows that really change are written: a room whose newest row differs from
//! the stored one, a room's messages when they differ from those stored (as
//! multisets: the same sender and time may repeat), a summary that differs. So a
//! re-import of the same files writes and marks nothing.

use async_trait::async_trait;

use super::write::write_organization;
use crate::domain::{CostAssumption, OrgId, Organization};
use crate::store::driver::{Statement, Transaction, Value};
use crate::store::sql::{self, Dialect};
// A room's columns are a source's (the import writes the datamart's own source
// tables), in the order `Transaction::copy` is given them.
use crate::store::ROOM_COLUMNS;
use crate::store::{HistoryRecord, ImportWriter, SourceRoom, StoreResult, SummaryRecord};

/// The room columns a re-imported room is compared on: all but its key (the first
/// two).
fn room_facts() -> &'static [&'static str] {
    &ROOM_COLUMNS[2..]
}

/// The summary columns a re-imported summary is compared on.
const SUMMARY_FACTS: [&str; 2] = ["sentiment", "created_at"];

/// Starts an import in `transaction` (which the backend opens: SQLite gives it a
/// connection of its own), with the staging tables it fills.
pub(crate) async fn begin_import(
    mut transaction: Box<dyn Transaction>,
    dialect: Dialect,
) -> StoreResult<Box<dyn ImportWriter>> {
    let instant = instant_type(dialect);
    let staging = [
        temp_table(
            dialect,
            "import_rooms",
            &format!(
                "(seq BIGINT NOT NULL, organization_id TEXT NOT NULL, id TEXT NOT NULL, \
                 channel TEXT NOT NULL, contact_id TEXT NOT NULL, created_at {instant} NOT NULL, \
                 closed_at {instant}, closed_reason TEXT, assign_channel_agent_id TEXT, \
                 assigned_at {instant})"
            ),
        ),
        temp_table(
            dialect,
            "import_histories",
            &format!(
                "(organization_id TEXT NOT NULL, room_id TEXT NOT NULL, \
                 sender_type TEXT NOT NULL, created_at {instant} NOT NULL)"
            ),
        ),
        temp_table(
            dialect,
            "import_summaries",
            &format!(
                "(seq BIGINT NOT NULL, organization_id TEXT NOT NULL, room_id TEXT NOT NULL, \
                 sentiment TEXT NOT NULL, created_at {instant})"
            ),
        ),
    ];
    transaction
        .run(
            "starting the import",
            vec![Statement::batch(staging.join(";\n"))],
        )
        .await?;
    Ok(Box::new(Import {
        transaction,
        dialect,
        sequence: 0,
    }))
}

/// One import's open transaction. Dropped without `commit`, it rolls back.
struct Import {
    transaction: Box<dyn Transaction>,
    dialect: Dialect,
    /// Row order across batches, so that the last row for a key wins at the merge.
    sequence: i64,
}

impl Import {
    fn next_sequence(&mut self) -> Value {
        self.sequence += 1;
        Value::Integer(self.sequence)
    }
}

#[async_trait]
impl ImportWriter for Import {
    async fn organizations(&mut self, rows: &[Organization]) -> StoreResult<()> {
        let script = rows
            .iter()
            .flat_map(|org| write_organization(self.dialect, org))
            .collect();
        self.transaction
            .run("importing organizations", script)
            .await
            .map(|_| ())
    }

    async fn rooms(&mut self, rows: &[SourceRoom]) -> StoreResult<()> {
        let cells = cells_of(rows, |room| {
            [
                self.next_sequence(),
                Value::from(&room.organization_id),
                Value::from(&room.id),
                Value::from(&room.channel),
                Value::from(&room.contact_id),
                Value::from(room.created_at),
                Value::from(room.closed_at),
                Value::from(room.closed_reason.as_deref()),
                Value::from(room.assign_channel_agent_id.as_deref()),
                Value::from(room.assigned_at),
            ]
        });
        let columns: Vec<&'static str> = std::iter::once("seq").chain(ROOM_COLUMNS).collect();
        self.transaction
            .copy("importing rooms", "import_rooms", &columns, cells)
            .await
    }

    async fn histories(&mut self, rows: &[HistoryRecord]) -> StoreResult<()> {
        let cells = cells_of(rows, |history| {
            [
                Value::from(&history.organization_id),
                Value::from(&history.room_id),
                Value::from(&history.sender_type),
                Value::from(history.created_at),
            ]
        });
        self.transaction
            .copy(
                "importing histories",
                "import_histories",
                &["organization_id", "room_id", "sender_type", "created_at"],
                cells,
            )
            .await
    }

    async fn summaries(&mut self, rows: &[SummaryRecord]) -> StoreResult<()> {
        let cells = cells_of(rows, |summary| {
            [
                self.next_sequence(),
                Value::from(&summary.organization_id),
                Value::from(&summary.room_id),
                Value::Text(summary.sentiment.to_json().to_string()),
                Value::from(summary.created_at),
            ]
        });
        self.transaction
            .copy(
                "importing room summaries",
                "import_summaries",
                &[
                    "seq",
                    "organization_id",
                    "room_id",
                    "sentiment",
                    "created_at",
                ],
                cells,
            )
            .await
    }

    async fn cost_assumptions(&mut self, rows: &[(OrgId, CostAssumption)]) -> StoreResult<()> {
        let script = rows
            .iter()
            .map(|(org, assumption)| super::upsert_cost_assumption(self.dialect, org, *assumption))
            .collect();
        self.transaction
            .run("importing cost assumptions", script)
            .await
            .map(|_| ())
    }

    async fn commit(mut self: Box<Self>) -> StoreResult<()> {
        let context = "finishing the import";
        self.transaction
            .run(context, vec![Statement::batch(merge(self.dialect))])
            .await?;
        self.transaction.commit(context).await
    }

    async fn rollback(self: Box<Self>) -> StoreResult<()> {
        // Dropped before its commit, the transaction rolls back.
        drop(self);
        Ok(())
    }
}

/// The cells of `rows`, one row after another, in one vector sized once (an import
/// stages millions of them).
fn cells_of<T, const N: usize>(rows: &[T], mut row: impl FnMut(&T) -> [Value; N]) -> Vec<Value> {
    let mut cells = Vec::with_capacity(rows.len() * N);
    for item in rows {
        cells.extend(row(item));
    }
    cells
}

/// How each backend stores an instant: SQLite as microseconds since 1970.
fn instant_type(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "INTEGER",
        Dialect::Postgres => "TIMESTAMPTZ",
    }
}

/// A temporary table of the import's transaction, from `shape` (its columns in
/// parentheses, or `AS` and a query). PostgreSQL drops it at commit; on SQLite it
/// ends with the import's own connection.
fn temp_table(dialect: Dialect, name: &str, shape: &str) -> String {
    match dialect {
        Dialect::Postgres => match shape.strip_prefix("AS ") {
            Some(query) => format!("CREATE TEMP TABLE {name} ON COMMIT DROP AS {query}"),
            None => format!("CREATE TEMP TABLE {name} {shape} ON COMMIT DROP"),
        },
        Dialect::Sqlite => format!("CREATE TEMP TABLE {name} {shape}"),
    }
}

/// The script that merges the staged rows into the real tables and marks the days
/// their changes decide (`sql::mark_touched_days`).
fn merge(dialect: Dialect) -> String {
    let columns = ROOM_COLUMNS.join(", ");
    let room_differs = differs(room_facts(), "i", "r");
    let summary_differs = differs(&SUMMARY_FACTS, "i", "s");
    let room_updates = set_from_excluded(room_facts());
    let same_key = |left: &str, right: &str| {
        format!(
            "{left}.organization_id = {right}.organization_id AND {left}.room_id = {right}.room_id"
        )
    };
    // A known room's messages, each counted +1 when it comes in and -1 when it is
    // stored: a message (sender and time) whose counts cancel is in both as often.
    let messages_of_known = |table: &str, side: i32| {
        format!(
            "SELECT organization_id, room_id, sender_type, created_at, {side} AS side \
             FROM {table} WHERE (organization_id, room_id) IN \
                 (SELECT organization_id, room_id FROM import_history_known)"
        )
    };
    let (incoming, stored) = (
        messages_of_known("import_histories", 1),
        messages_of_known("histories", -1),
    );
    let known = same_key("h", "i");
    let statements = [
        // PostgreSQL's planner knows nothing of a temporary table until it is
        // analyzed (autovacuum never visits one); SQLite makes a passing index for
        // a join on a table without one.
        match dialect {
            Dialect::Postgres => {
                "ANALYZE import_rooms; ANALYZE import_histories; ANALYZE import_summaries"
                    .to_string()
            }
            Dialect::Sqlite => String::new(),
        },
        // The newest row of each room that is new or differs from the stored one,
        // with what the stored one said (its customer and creation decide days too).
        temp_table(
            dialect,
            "import_changed_rooms",
            &format!(
                "AS SELECT i.*, r.contact_id AS old_contact_id, r.created_at AS old_created_at \
                 FROM ({}) i \
                 LEFT JOIN rooms r ON r.organization_id = i.organization_id AND r.id = i.id \
                 WHERE r.id IS NULL OR {room_differs}",
                newest("import_rooms", &columns, "organization_id, id")
            ),
        ),
        // WHERE true: SQLite reads an ON after a bare SELECT's FROM as a join's.
        format!(
            "INSERT INTO rooms ({columns}) SELECT {columns} FROM import_changed_rooms WHERE true \
             ON CONFLICT (organization_id, id) DO UPDATE SET {room_updates}"
        ),
        temp_table(
            dialect,
            "import_touched",
            "AS SELECT organization_id, contact_id, created_at FROM import_changed_rooms \
             UNION ALL \
             SELECT organization_id, old_contact_id, old_created_at FROM import_changed_rooms \
             WHERE old_created_at IS NOT NULL",
        ),
        // Messages: the rooms that had messages stored are compared, as multisets
        // (the same sender and time may repeat) in one grouping of both sides; a
        // room's first messages are simply new.
        temp_table(
            dialect,
            "import_history_known",
            &format!(
                "AS SELECT DISTINCT organization_id, room_id FROM import_histories i \
                 WHERE EXISTS (SELECT 1 FROM histories h WHERE {known})"
            ),
        ),
        temp_table(
            dialect,
            "import_history_rooms",
            &format!(
                "AS SELECT DISTINCT organization_id, room_id FROM import_histories i \
                 WHERE NOT EXISTS (SELECT 1 FROM histories h WHERE {known}) \
                 UNION \
                 SELECT organization_id, room_id FROM ({incoming} UNION ALL {stored}) AS both_sides \
                 GROUP BY organization_id, room_id, sender_type, created_at \
                 HAVING sum(side) <> 0"
            ),
        ),
        "DELETE FROM histories WHERE (organization_id, room_id) IN \
             (SELECT organization_id, room_id FROM import_history_rooms)"
            .to_string(),
        "INSERT INTO histories (organization_id, room_id, sender_type, created_at) \
         SELECT organization_id, room_id, sender_type, created_at FROM import_histories \
         WHERE (organization_id, room_id) IN \
             (SELECT organization_id, room_id FROM import_history_rooms)"
            .to_string(),
        // The newest summary of each room that is new or differs from the stored one.
        temp_table(
            dialect,
            "import_changed_summaries",
            &format!(
                "AS SELECT i.* FROM ({}) i \
                 LEFT JOIN room_summaries s ON {} \
                 WHERE s.room_id IS NULL OR {summary_differs}",
                newest(
                    "import_summaries",
                    "organization_id, room_id, sentiment, created_at",
                    "organization_id, room_id"
                ),
                same_key("s", "i"),
            ),
        ),
        format!(
            "INSERT INTO room_summaries (organization_id, room_id, sentiment, created_at) \
             SELECT organization_id, room_id, sentiment, created_at \
             FROM import_changed_summaries WHERE true \
             ON CONFLICT (organization_id, room_id) DO UPDATE SET {}",
            set_from_excluded(&SUMMARY_FACTS),
        ),
        // The rooms whose messages or summary changed: the days they count in.
        temp_table(
            dialect,
            "import_touched_rooms",
            "AS SELECT organization_id, room_id FROM import_history_rooms \
             UNION ALL \
             SELECT organization_id, room_id FROM import_changed_summaries",
        ),
        // Marks are kept only for organizations already aggregated: the first run of
        // any other computes all of its days.
        sql::mark_touched_days(dialect),
    ];
    statements
        .into_iter()
        .filter(|statement| !statement.is_empty())
        .collect::<Vec<_>>()
        .join(";\n")
}

/// The newest staged row (the highest `seq`) of each `key`, with `columns`.
fn newest(table: &str, columns: &str, key: &str) -> String {
    format!(
        "SELECT {columns} FROM (SELECT *, row_number() OVER \
             (PARTITION BY {key} ORDER BY seq DESC) AS newest FROM {table}) staged \
         WHERE newest = 1"
    )
}

/// Whether any of `columns` differs between `left` and `right`, a NULL equal to a
/// NULL only.
fn differs(columns: &[&str], left: &str, right: &str) -> String {
    let same: Vec<String> = columns
        .iter()
        .map(|column| format!("{left}.{column} IS NOT DISTINCT FROM {right}.{column}"))
        .collect();
    format!("NOT ({})", same.join(" AND "))
}

/// An upsert's update of `columns` from the row it was given.
fn set_from_excluded(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|column| format!("{column} = excluded.{column}"))
        .collect::<Vec<_>>()
        .join(", ")
}
