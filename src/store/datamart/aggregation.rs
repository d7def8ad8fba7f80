//! What the aggregation (and `impact verify`) reads and writes in the datamart;
//! a batch's write is in `write.rs`.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::{DateRange, OrgId, Organization};
use crate::metrics::baseline::Baseline;
use crate::metrics::rooms::RoomOutcome;
use crate::store::driver::{params, Driver, Run, Statement, Value};
use crate::store::sql::{self, Cells, Dialect};
use crate::store::{
    AggregationState, AggregationStore, BaselineWrite, MilestoneRooms, Milestones, OrgWrite,
    RestatementMark, StoreError, StoreResult, StoredMilestones, StoredRooms, WriteTurn,
};

/// Room ids named by one statement of `days_naming_rooms`.
const ROOMS_PER_READ: usize = 500;

#[async_trait]
impl<D: Driver> AggregationStore for D {
    async fn copy_organizations(&self, organizations: &[Organization]) -> StoreResult<()> {
        super::write::copy_organizations(self, organizations).await
    }

    async fn restatement_marks(&self) -> StoreResult<Vec<RestatementMark>> {
        let sql = "SELECT organization_id, seq, at FROM restatement_marks ORDER BY seq";
        self.query("reading the days to restate", Statement::new(sql, vec![]))
            .await?
            .rows()
            .map(|row| {
                Ok(RestatementMark {
                    organization_id: org_id(&row.text(0)?, "restatement_marks")?,
                    seq: row.count(1)?,
                    at: row.optional_instant(2)?,
                })
            })
            .collect()
    }

    async fn days_naming_rooms(
        &self,
        org: &OrgId,
        room_ids: &[String],
    ) -> StoreResult<Vec<NaiveDate>> {
        let dialect = self.dialect();
        let naming = |rooms: &str| {
            format!(
                "SELECT day FROM room_outcomes WHERE organization_id = {p1} AND room_id {rooms} \
                 UNION \
                 SELECT day FROM room_outcomes WHERE organization_id = {p1} AND came_back_room_id {rooms}",
                p1 = dialect.parameter(1)
            )
        };
        // PostgreSQL takes the ids as one array; SQLite a list of parameters, in
        // pieces of a few sizes (each size is a statement kept prepared).
        let script: Vec<Statement> = match dialect {
            Dialect::Postgres if !room_ids.is_empty() => vec![Statement::new(
                naming("= ANY($2::text[])"),
                vec![
                    Value::from(org),
                    Value::Array(room_ids.iter().map(Value::from).collect()),
                ],
            )],
            Dialect::Postgres => Vec::new(),
            Dialect::Sqlite => sql::ladder_chunks(room_ids, ROOMS_PER_READ)
                .into_iter()
                .map(|rooms| {
                    let list: Vec<String> =
                        (0..rooms.len()).map(|n| dialect.parameter(n + 2)).collect();
                    let params = std::iter::once(Value::from(org))
                        .chain(rooms.iter().map(Value::from))
                        .collect();
                    Statement::new(naming(&format!("IN ({})", list.join(", "))), params)
                })
                .collect(),
        };
        let mut days = BTreeSet::new();
        for answer in self
            .run("reading the days a changed room counted in", script)
            .await?
        {
            for row in answer.rows() {
                days.insert(row.day(0)?);
            }
        }
        Ok(days.into_iter().collect())
    }

    async fn stored_room_totals(&self, range: DateRange) -> StoreResult<Vec<StoredRooms>> {
        let read = Statement::new(
            sql::stored_room_totals(self.dialect()),
            params![range.from(), range.to()],
        );
        self.query("counting the datamart's rooms", read)
            .await?
            .rows()
            .map(|row| {
                Ok(StoredRooms {
                    organization_id: org_id(&row.text(0)?, "ai_activity_logs")?,
                    first_day: row.day(1)?,
                    last_day: row.day(2)?,
                    rooms: row.count(3)?,
                })
            })
            .collect()
    }

    async fn record_milestone_rooms(&self, counted: &[(OrgId, MilestoneRooms)]) -> StoreResult<()> {
        let p = |n| self.dialect().parameter(n);
        let sql = format!(
            "UPDATE organization_activity SET milestone_rooms_before = {}, milestone_rooms = {} \
             WHERE organization_id = {}",
            p(1),
            p(2),
            p(3)
        );
        let script = counted
            .iter()
            .map(|(org, counted)| {
                Statement::new(sql.clone(), params![counted.before, counted.rooms, org])
            })
            .collect();
        self.run("keeping the census' count of first rooms", script)
            .await
            .map(|_| ())
    }

    async fn room_outcomes(&self, org: &OrgId, range: DateRange) -> StoreResult<Vec<RoomOutcome>> {
        let read = Statement::new(
            sql::outcomes_of_days(self.dialect()),
            params![org, range.from(), range.to()],
        );
        self.query("reading room outcomes", read)
            .await?
            .rows()
            .map(|row| sql::decode_outcome(&row))
            .collect()
    }

    async fn write_batch(&self, writes: Vec<OrgWrite>, turn: WriteTurn) -> StoreResult<()> {
        super::write::write_batch(self, writes, turn).await
    }

    fn writes_at_once(&self) -> usize {
        match self.dialect() {
            Dialect::Postgres => 2,
            Dialect::Sqlite => 1,
        }
    }

    async fn aggregation_states(&self) -> StoreResult<HashMap<OrgId, AggregationState>> {
        let context = "reading what earlier runs left";
        let script = vec![
            Statement::new(
                "SELECT organization_id, first_eligible_day, first_ai_day, milestones_from, \
                        data_through, read_until, read_from, milestone_rooms_before, milestone_rooms \
                 FROM organization_activity",
                vec![],
            ),
            Statement::new(
                "SELECT organization_id, first_day, last_day, eligible, net FROM onboarding_baselines",
                vec![],
            ),
            Statement::new(
                "SELECT organization_id, day FROM ai_activity_logs \
                 WHERE sentiment_pending ORDER BY organization_id, day",
                vec![],
            ),
        ];
        let mut answers = self.run(context, script).await?.into_iter();
        let mut states: HashMap<OrgId, AggregationState> = HashMap::new();
        let activity = answers.next().unwrap_or_default();
        for row in activity.rows() {
            let state = states
                .entry(org_id(&row.text(0)?, "organization_activity")?)
                .or_default();
            state.milestones = StoredMilestones {
                milestones: Milestones {
                    first_eligible_day: row.optional_day(1)?,
                    first_ai_day: row.optional_day(2)?,
                },
                from: row.optional_text(3)?,
            };
            state.data_through = row.optional_day(4)?;
            state.read_until = row.optional_instant(5)?;
            state.read_from = row.optional_text(6)?;
            state.milestone_rooms = match (row.optional_day(7)?, row.optional_count(8)?) {
                (Some(before), Some(rooms)) => Some(MilestoneRooms { before, rooms }),
                _ => None,
            };
        }
        let baselines = answers.next().unwrap_or_default();
        for row in baselines.rows() {
            states
                .entry(org_id(&row.text(0)?, "onboarding_baselines")?)
                .or_default()
                .baseline = Some(Baseline {
                first_day: row.day(1)?,
                last_day: row.day(2)?,
                eligible: row.count(3)?,
                net: row.count(4)?,
            });
        }
        let pending = answers.next().unwrap_or_default();
        for row in pending.rows() {
            states
                .entry(org_id(&row.text(0)?, "ai_activity_logs")?)
                .or_default()
                .pending_sentiment_days
                .push(row.day(1)?);
        }
        Ok(states)
    }

    async fn delete_days_before(&self, cutoff: NaiveDate) -> StoreResult<u64> {
        let dialect = self.dialect();
        // PostgreSQL drops the months wholly before the cutoff (the nightly run's is
        // a month's first day, so no row is left to delete and nothing to vacuum);
        // the days of a cutoff within a month are deleted, which reads that month
        // alone. The drop waits for the readers of those tables, and the reports wait
        // behind it, so it gives up after a while and the next night drops them.
        let drop = super::partitions::drop_months_before(dialect, cutoff);
        let mut script: Vec<Statement> = Vec::new();
        if let Some(drop) = drop {
            script.push(Statement::new("SET LOCAL lock_timeout = '30s'", vec![]));
            script.push(drop);
        }
        let dropped_at = script.len().checked_sub(1);
        script.extend(
            sql::delete_days_before(dialect)
                .into_iter()
                .map(|sql| Statement::new(sql, params![cutoff])),
        );
        // The daily rows are deleted last; theirs is the count reported.
        let deleted_at = script.len() - 1;
        script.extend(super::partitions::ahead(dialect));
        let answers = self.run("deleting expired daily rows", script).await?;
        let dropped = match dropped_at.and_then(|at| answers.get(at)?.rows().next()) {
            Some(row) => u64::try_from(row.count(0)?).unwrap_or(0),
            None => 0,
        };
        let deleted = answers.get(deleted_at).map_or(0, |answer| answer.changed);
        Ok(dropped + deleted)
    }

    async fn refresh_statistics(&self) -> StoreResult<()> {
        let refresh = Statement::new(sql::refresh_statistics(self.dialect()), vec![]);
        self.execute("refreshing the room outcomes' statistics", refresh)
            .await
            .map(|_| ())
    }

    async fn pending_sentiment_days(&self, org: &OrgId) -> StoreResult<Vec<NaiveDate>> {
        let sql = format!(
            "SELECT day FROM ai_activity_logs \
             WHERE organization_id = {} AND sentiment_pending ORDER BY day",
            self.dialect().parameter(1)
        );
        self.query(
            "reading days with pending sentiment",
            Statement::new(sql, params![org]),
        )
        .await?
        .rows()
        .map(|row| row.day(0))
        .collect()
    }

    async fn record_verify(&self, at: DateTime<Utc>, drifted_days: i64) -> StoreResult<()> {
        let p = |n| self.dialect().parameter(n);
        // Only the latest run matters; the older ones go in the same transaction.
        let script = vec![
            Statement::new(
                format!("DELETE FROM verify_runs WHERE ran_at < {}", p(1)),
                params![at],
            ),
            Statement::new(
                format!(
                    "INSERT INTO verify_runs (ran_at, drifted_days) VALUES ({}, {}) \
                     ON CONFLICT (ran_at) DO UPDATE SET drifted_days = excluded.drifted_days",
                    p(1),
                    p(2)
                ),
                params![at, drifted_days],
            ),
        ];
        self.run("recording a verify run", script).await.map(|_| ())
    }

    async fn set_onboarding_baseline(
        &self,
        org: &OrgId,
        baseline: Option<&Baseline>,
    ) -> StoreResult<()> {
        let change = baseline.map_or(BaselineWrite::Clear, |b| BaselineWrite::Set(*b));
        let script = baseline_statement(self.dialect(), org, change)
            .into_iter()
            .collect();
        self.run("saving the onboarding baseline", script)
            .await
            .map(|_| ())
    }
}

/// The statement that applies a baseline change, if it changes anything.
pub(crate) fn baseline_statement(
    dialect: Dialect,
    org: &OrgId,
    change: BaselineWrite,
) -> Option<Statement> {
    match change {
        BaselineWrite::Keep => None,
        BaselineWrite::Set(baseline) => Some(Statement::new(
            sql::upsert_baseline(dialect),
            params![
                org,
                baseline.first_day,
                baseline.last_day,
                baseline.eligible,
                baseline.net
            ],
        )),
        BaselineWrite::Clear => Some(Statement::new(sql::delete_baseline(dialect), params![org])),
    }
}

/// An organization id read from `table`.
fn org_id(text: &str, table: &str) -> StoreResult<OrgId> {
    OrgId::parse(text).map_err(StoreError::unreadable(format!("{table}.organization_id")))
}
