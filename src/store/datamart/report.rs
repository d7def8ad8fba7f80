//! What the report, the lists and the health watch read.

use async_trait::async_trait;

use super::{assumption, organizations};
use crate::domain::{DateRange, OrgId};
use crate::metrics::baseline::Baseline;
use crate::metrics::rooms::RoomOutcome;
use crate::metrics::{Column, DailyCounters};
use crate::store::driver::{answers, params, Answer, Decoded, Driver, Run, Statement};
use crate::store::sql::{self, Cells, Dialect};
use crate::store::{
    ConversationQuery, DatamartHealth, OrgActivity, ReportReads, ReportStore, StoreResult,
    NIGHTLY_JOB,
};

#[async_trait]
impl<D: Driver> ReportStore for D {
    async fn conversations(
        &self,
        org: &OrgId,
        query: &ConversationQuery,
    ) -> StoreResult<Vec<RoomOutcome>> {
        let cursor = query.cursor();
        let page = Statement::new(
            sql::conversation_page(self.dialect(), query.list),
            params![
                org,
                query.days.from(),
                query.last_day(),
                cursor.day,
                cursor.created_at,
                cursor.room_id,
                i64::try_from(query.limit).unwrap_or(i64::MAX)
            ],
        )
        // Planned with its values each time: a generic plan cannot see that the
        // cursor leaves only a few days to read, and sorts the whole list (measured
        // on PostgreSQL: 130 to 400 ms a page instead of 1 ms).
        .planned_each_time();
        self.query("reading a conversation list", page)
            .await?
            .rows()
            .map(|row| sql::decode_outcome(&row))
            .collect()
    }

    async fn daily_columns(
        &self,
        org: &OrgId,
        range: DateRange,
        columns: &[&'static Column],
    ) -> StoreResult<Vec<DailyCounters>> {
        let (read, days) = days_read(self.dialect(), org, range, columns);
        self.query("reading daily rows", read).await?;
        days.rows()
    }

    async fn activity(&self, org: &OrgId) -> StoreResult<OrgActivity> {
        let answer = self
            .query(
                "reading organization activity",
                activity_statement(self.dialect(), org),
            )
            .await?;
        decode_activity(&answer)
    }

    async fn report_reads(&self, org: &OrgId, range: DateRange) -> StoreResult<ReportReads> {
        let dialect = self.dialect();
        let (read_days, days) = days_read(dialect, org, range, &sql::all_columns());
        let script = vec![
            organizations::by_id(dialect, org),
            read_days,
            activity_statement(dialect, org),
            assumption::cost_statement(dialect, org),
            baseline_read(dialect, org),
        ];
        let [organization, _, activity, cost_assumption, baseline] =
            answers(self.run("reading a report", script).await?)?;
        Ok(ReportReads {
            organization: organizations::decode_first(&organization)?,
            days: days.rows()?,
            activity: decode_activity(&activity)?,
            cost_assumption: assumption::decode_cost(org, &cost_assumption)?,
            baseline: decode_baseline(&baseline)?,
        })
    }

    async fn datamart_health(&self) -> StoreResult<DatamartHealth> {
        let sql = format!(
            "SELECT (SELECT max(updated_at) FROM organization_activity) AS last_written, \
                    (SELECT min(day) FROM ai_activity_logs WHERE sentiment_pending) \
                        AS oldest_pending_sentiment_day, \
                    (SELECT drifted_days FROM verify_runs ORDER BY ran_at DESC LIMIT 1) \
                        AS drifted_days, \
                    (SELECT max(done_at) FROM job_claims WHERE job = {}) AS last_night_completed",
            self.dialect().parameter(1)
        );
        let answer = self
            .query(
                "reading the datamart's health",
                Statement::new(sql, params![NIGHTLY_JOB]),
            )
            .await?;
        let row = answer.first();
        let Some(row) = row else {
            return Ok(DatamartHealth::default());
        };
        Ok(DatamartHealth {
            last_written: row.optional_instant(0)?,
            oldest_pending_sentiment_day: row.optional_day(1)?,
            drifted_days: row.optional_count(2)?,
            last_night_completed: row.optional_instant(3)?,
        })
    }

    async fn onboarding_baseline(&self, org: &OrgId) -> StoreResult<Option<Baseline>> {
        let answer = self
            .query(
                "reading the onboarding baseline",
                baseline_read(self.dialect(), org),
            )
            .await?;
        decode_baseline(&answer)
    }
}

/// The daily rows of `range`, with `columns` after the day, decoded as they are
/// read (a report's are some 20 000 cells).
fn days_read(
    dialect: Dialect,
    org: &OrgId,
    range: DateRange,
    columns: &[&'static Column],
) -> (Statement, Decoded<Vec<DailyCounters>>) {
    let columns = columns.to_vec();
    Statement::new(
        sql::select_days(dialect, &columns),
        params![org, range.from(), range.to()],
    )
    // Sized for a report's range and its period before; a longer read (verify, the
    // census) grows past it rather than reserving for days without rows.
    .expecting(usize::try_from(range.days().min(2 * crate::domain::MAX_RANGE_DAYS)).unwrap_or(0))
    .decoded(move |row| {
        let mut day = DailyCounters::empty(row.day(0)?);
        for (index, column) in columns.iter().enumerate() {
            (column.set)(&mut day, row.counter(index + 1, column.kind)?);
        }
        Ok(day)
    })
}

fn activity_statement(dialect: Dialect, org: &OrgId) -> Statement {
    let p1 = dialect.parameter(1);
    let of_org = |column: &str| {
        format!(
            "(SELECT {column} FROM organization_activity WHERE organization_id = {p1}) AS {column}"
        )
    };
    // The latest day written is kept with the organization (every write moves it,
    // in the same transaction), so a report never looks for it through the months
    // of daily rows.
    let sql = format!(
        "SELECT {}, {}, {}, {}",
        of_org("first_eligible_day"),
        of_org("read_until"),
        of_org("read_from"),
        of_org("data_through"),
    );
    Statement::new(sql, params![org])
}

fn decode_activity(answer: &Answer) -> StoreResult<OrgActivity> {
    let Some(row) = answer.first() else {
        return Ok(OrgActivity::default());
    };
    Ok(OrgActivity {
        first_eligible_day: row.optional_day(0)?,
        read_until: row.optional_instant(1)?,
        read_from: row.optional_text(2)?,
        data_through: row.optional_day(3)?,
    })
}

fn baseline_read(dialect: Dialect, org: &OrgId) -> Statement {
    let sql = format!(
        "SELECT first_day, last_day, eligible, net FROM onboarding_baselines \
         WHERE organization_id = {}",
        dialect.parameter(1)
    );
    Statement::new(sql, params![org])
}

fn decode_baseline(answer: &Answer) -> StoreResult<Option<Baseline>> {
    answer
        .first()
        .map(|row| {
            Ok(Baseline {
                first_day: row.day(0)?,
                last_day: row.day(1)?,
                eligible: row.count(2)?,
                net: row.count(3)?,
            })
        })
        .transpose()
}
