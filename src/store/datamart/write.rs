//! A batch's write (`AggregationStore::write_batch`) and the copy of a live
//! source's organizations, written once over a transaction of the seam.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};

use crate::domain::{OrgId, Organization};
use crate::metrics::COLUMNS;
use crate::store::driver::{params, Answer, Driver, Statement, Transaction, Value};
use crate::store::sql::{self, Cells, Dialect};
use crate::store::{organization_json_columns, OrgWrite, StoreResult, WriteTurn};

/// A keyed statement (`store::sql::stored_fingerprints` and the others) for
/// `keys`, each a value for every key column: one statement with the columns as
/// arrays on PostgreSQL, one a key on SQLite. No statement for no keys.
fn keyed(dialect: Dialect, sql: &str, keys: Vec<Vec<Value>>) -> Vec<Statement> {
    let Some(width) = keys.first().map(Vec::len) else {
        return Vec::new();
    };
    match dialect {
        Dialect::Postgres => {
            let mut columns: Vec<Vec<Value>> = vec![Vec::with_capacity(keys.len()); width];
            for key in keys {
                for (column, value) in columns.iter_mut().zip(key) {
                    column.push(value);
                }
            }
            vec![Statement::new(
                sql,
                columns.into_iter().map(Value::Array).collect(),
            )]
        }
        Dialect::Sqlite => keys
            .into_iter()
            .map(|key| Statement::new(sql, key))
            .collect(),
    }
}

/// Writes several organizations' days in one transaction, in its `turn`
/// (`AggregationStore::write_batch`).
pub(super) async fn write_batch(
    driver: &(impl Driver + ?Sized),
    writes: Vec<OrgWrite>,
    mut turn: WriteTurn,
) -> StoreResult<()> {
    let dialect = driver.dialect();
    let context = match writes.as_slice() {
        [] => "writing no daily rows".to_string(),
        [one] => format!("writing daily rows of {}", one.organization_id),
        many => format!("writing daily rows of {} organizations", many.len()),
    };
    if writes.is_empty() {
        turn.the_one_before_committed(&context).await?;
        turn.committed();
        return Ok(());
    }
    // The write before this one takes its lock and makes its months first, so
    // this one never holds what that one waits on (`WriteTurn`).
    turn.wait_for_the_one_before_to_begin().await;
    let mut transaction = driver.begin(&context).await?;
    let now = Utc::now();
    let days = sql::day_rows(&writes);
    let mut first = Vec::from_iter(turn.own_lock(dialect));
    first.extend(super::partitions::months_of(
        dialect,
        days.iter().map(|(_, row)| row.day),
    ));
    if !first.is_empty() {
        transaction.run(&context, first).await?;
    }
    turn.begun();
    // The days' counters are upserted first on purpose: that locks their rows (or,
    // for a new day, waits on its key), so two runs writing the same org-days (a
    // manual aggregate during the nightly one) take turns before either reads the
    // fingerprints; `room_outcomes` has no key that would refuse a duplicate.
    let upserts = sql::ladder_chunks(&days, sql::DAYS_PER_UPSERT)
        .into_iter()
        .map(|piece| {
            let values = piece
                .iter()
                .flat_map(|(org, row)| {
                    [Value::from(*org), Value::Day(row.day)]
                        .into_iter()
                        .chain(COLUMNS.iter().map(|column| Value::from((column.get)(row))))
                        .chain(std::iter::once(Value::Instant(now)))
                })
                .collect();
            Statement::new(sql::upsert_days(dialect, piece.len()), values)
        })
        .collect();
    transaction.run(&context, upserts).await?;
    rewrite_outcomes(dialect, transaction.as_mut(), &writes, &context).await?;
    // Only the days' own rows are written above, which no other write of the run
    // touches (a month the write before made and has not committed yet makes this
    // one wait on it, never the other way). What follows (an organization's
    // activity, marks and baseline) may be the write before's too, so it waits
    // here for that one to end.
    if let Some(wait) = turn.lock_of_the_one_before(dialect) {
        transaction.run(&context, vec![wait]).await?;
    }
    turn.the_one_before_committed(&context).await?;
    let activity = sql::activity_rows(&writes);
    let mut script: Vec<Statement> = sql::ladder_chunks(&activity, sql::ORGANIZATIONS_PER_UPSERT)
        .into_iter()
        .map(|piece| {
            let values = piece
                .iter()
                .flat_map(|row| {
                    params![
                        row.organization_id,
                        row.milestones.milestones.first_eligible_day,
                        row.milestones.milestones.first_ai_day,
                        row.milestones.from.as_deref(),
                        row.data_through,
                        row.finished.map(|finished| finished.read_until),
                        row.finished.map(|finished| finished.read_from.as_str()),
                        now
                    ]
                })
                .collect();
            Statement::new(sql::upsert_activity(dialect, piece.len()), values)
        })
        .collect();
    let cleared = activity
        .iter()
        .filter_map(|row| {
            let last = row.finished.and_then(|finished| finished.marks_through)?;
            Some(params![row.organization_id, last])
        })
        .collect();
    script.extend(keyed(dialect, sql::clear_marks(dialect), cleared));
    script.extend(writes.iter().filter_map(|write| {
        super::baseline_statement(dialect, &write.organization_id, write.baseline)
    }));
    transaction.run(&context, script).await?;
    transaction.commit(&context).await?;
    turn.committed();
    Ok(())
}

/// Writes the room outcomes of the days whose fingerprint changed, and their new
/// fingerprints; days whose rooms came out the same are left as they are.
async fn rewrite_outcomes(
    dialect: Dialect,
    transaction: &mut dyn Transaction,
    writes: &[OrgWrite],
    context: &str,
) -> StoreResult<()> {
    // Every written organization's stored fingerprints in one read.
    let spans = writes
        .iter()
        .filter_map(|write| {
            let (first, last) = sql::fingerprint_span(&write.rows)?;
            Some(params![&write.organization_id, first, last])
        })
        .collect();
    let read = keyed(dialect, sql::stored_fingerprints(dialect), spans);
    let mut stored: HashMap<(String, NaiveDate), i64> = HashMap::new();
    let answers = transaction.run(context, read).await?;
    for row in answers.iter().flat_map(Answer::rows) {
        stored.insert((row.text(0)?, row.day(1)?), row.count(2)?);
    }
    let mut days = Vec::new();
    let mut replaced = Vec::new();
    let mut rooms = Vec::new();
    for write in writes {
        let org = write.organization_id.as_str();
        let own: HashMap<NaiveDate, i64> = write
            .rows
            .iter()
            .filter_map(|row| {
                let fingerprint = stored.get(&(org.to_string(), row.day))?;
                Some((row.day, *fingerprint))
            })
            .collect();
        let rewrite = sql::outcome_rewrite(&write.rows, &write.outcomes, &own);
        // A day's rooms are written in the transaction that writes its
        // fingerprint, and removed with it: only a day that has one has rooms to
        // delete. None does in a first backfill, where the delete probed the
        // list index for every day (some 5 % of the write's statements' time).
        replaced.extend(
            rewrite
                .days
                .iter()
                .filter(|(day, _)| own.contains_key(day))
                .map(|(day, _)| params![org, *day]),
        );
        days.extend(rewrite.days.into_iter().map(|day| (org, day)));
        // Reserved for the rooms at once: the cells of a night's outcomes are a few
        // megabytes, grown by doubling they were copied (and their pages zeroed)
        // again and again.
        rooms.reserve(rewrite.rooms.len() * (1 + sql::OUTCOME_COLUMNS.len()));
        rooms.extend(rewrite.rooms.into_iter().flat_map(|room| {
            std::iter::once(Value::from(org))
                .chain(sql::outcome_cells(room).into_iter().map(Value::from))
        }));
    }
    if days.is_empty() {
        return Ok(());
    }
    let remembered = days
        .iter()
        .map(|(org, (day, fingerprint))| params![*org, *day, *fingerprint])
        .collect();
    let mut script = keyed(dialect, &sql::delete_outcomes_of_days(dialect), replaced);
    script.extend(keyed(
        dialect,
        sql::upsert_fingerprints(dialect),
        remembered,
    ));
    transaction.run(context, script).await?;
    let mut columns = vec!["organization_id"];
    columns.extend(sql::OUTCOME_COLUMNS.iter().map(|column| column.name));
    transaction
        .copy(context, "room_outcomes", &columns, rooms)
        .await
}

/// Keeps the datamart's copy of a live source's organizations: each row inserted or
/// replaced, and an organization already aggregated whose time zone, business hours
/// or holidays changed is marked for a restatement of all its days (METRICS.md §8.2).
pub(super) async fn copy_organizations(
    driver: &(impl Driver + ?Sized),
    organizations: &[Organization],
) -> StoreResult<()> {
    let context = "copying the source's organizations";
    let script = organizations
        .iter()
        .flat_map(|org| write_organization(driver.dialect(), org))
        .collect();
    driver.run(context, script).await.map(|_| ())
}

/// The statements that store one organization (see `copy_organizations`).
pub(crate) fn write_organization(dialect: Dialect, org: &Organization) -> [Statement; 2] {
    let p = |n| dialect.parameter(n);
    let (hours, holidays) = organization_json_columns(org);
    let mark = format!(
        "INSERT INTO restatement_marks (organization_id, at) \
         SELECT o.id, NULL FROM organizations o \
         JOIN organization_activity a ON a.organization_id = o.id \
         WHERE o.id = {} AND NOT (o.timezone IS NOT DISTINCT FROM {} \
             AND o.business_hours IS NOT DISTINCT FROM {} AND o.holidays IS NOT DISTINCT FROM {})",
        p(1),
        p(2),
        p(3),
        p(4)
    );
    let upsert = format!(
        "INSERT INTO organizations (id, name, ai_addon, timezone, business_hours, holidays, updated_at) \
         VALUES ({}, {}, {}, {}, {}, {}, {}) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, ai_addon = excluded.ai_addon, \
             timezone = excluded.timezone, business_hours = excluded.business_hours, \
             holidays = excluded.holidays, updated_at = excluded.updated_at",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        dialect.now()
    );
    let id: &OrgId = &org.id;
    [
        Statement::new(
            mark,
            params![id, org.timezone.name(), hours.as_deref(), holidays.as_str()],
        ),
        Statement::new(
            upsert,
            params![
                id,
                &org.name,
                org.ai_addon,
                org.timezone.name(),
                hours.as_deref(),
                holidays.as_str()
            ],
        ),
    ]
}
