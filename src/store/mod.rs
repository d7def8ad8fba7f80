//! The one narrow interface between the program and its database, with two
//! backends: PostgreSQL for production and SQLite as the embedded default. Both
//! pass the same conformance suite (`tests/it/store_conformance.rs`). The SQL differs;
//! the behaviour must not. No metric rule lives here: the store only moves rows.

/// The schema's steps, in order, as `(version, name, SQL)`: one list for both
/// backends, each reading its own dialect's file from `migrations/<backend>/`.
macro_rules! migrations {
    ($backend:literal) => {
        [
            (
                1,
                "init",
                include_str!(concat!("../../migrations/", $backend, "/0001_init.sql")),
            ),
            (
                2,
                "job claims",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0002_job_claims.sql"
                )),
            ),
            (
                3,
                "onboarding baselines",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0003_onboarding_baselines.sql"
                )),
            ),
            (
                4,
                "forecast snapshots",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0004_forecast_snapshots.sql"
                )),
            ),
            (
                5,
                "datamart health",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0005_datamart_health.sql"
                )),
            ),
            (
                6,
                "room outcomes",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0006_room_outcomes.sql"
                )),
            ),
            (
                7,
                "restatement",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0007_restatement.sql"
                )),
            ),
            (
                8,
                "milestones",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0008_milestones.sql"
                )),
            ),
            (
                9,
                "ai_price",
                include_str!(concat!("../../migrations/", $backend, "/0009_ai_price.sql")),
            ),
            (
                10,
                "usage",
                include_str!(concat!("../../migrations/", $backend, "/0010_usage.sql")),
            ),
            (
                11,
                "sentiment_squares",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0011_sentiment_squares.sql"
                )),
            ),
            (
                12,
                "job_leases",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0012_job_leases.sql"
                )),
            ),
            (
                13,
                "milestone_rooms",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0013_milestone_rooms.sql"
                )),
            ),
            (
                14,
                "monthly_partitions",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0014_monthly_partitions.sql"
                )),
            ),
            (
                15,
                "no_day_indexes",
                include_str!(concat!(
                    "../../migrations/",
                    $backend,
                    "/0015_no_day_indexes.sql"
                )),
            ),
        ]
    };
}

mod datamart;
pub(crate) mod driver;
mod postgres;
pub mod source;

/// The most characters a room id read from a source may have. The import takes at
/// most `import::MAX_ID_CHARS`; a chatbot's own ids (UUIDs, WhatsApp JIDs, object
/// ids) are far shorter than this bound. It keeps every list cursor the server makes
/// within `crate::server::lists::MAX_CURSOR_BYTES` (even an id of 256 control characters,
/// six bytes each in JSON), so a list pages past any room it holds.
pub const MAX_SOURCE_ROOM_ID_CHARS: usize = 256;

mod sql;
mod sqlite;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

pub use self::datamart::{WriteTurn, WriteTurns};
pub use self::postgres::PostgresStore;
use self::source::Source;
pub use self::sqlite::SqliteStore;
use crate::domain::{CostAssumption, DateRange, OrgId, Organization, RawSentiment};
use crate::metrics::baseline::Baseline;
use crate::metrics::forecast::Snapshot;
use crate::metrics::rooms::{ConversationList, RoomOutcome};
use crate::metrics::{Column, DailyCounters, TileGroup};
use crate::usage::UsageRow;

/// A room's columns in a source (METRICS.md §8.1), in `SourceRoom`'s order: the
/// names a live source's view exposes and the datamart's own `rooms` table has, so
/// the source's reads and the import's writes name them from here.
pub(crate) const ROOM_COLUMNS: [&str; 9] = [
    "organization_id",
    "id",
    "channel",
    "contact_id",
    "created_at",
    "closed_at",
    "closed_reason",
    "assign_channel_agent_id",
    "assigned_at",
];

/// A room row exactly as stored in the source (free-text fields not yet normalised).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRoom {
    pub organization_id: OrgId,
    pub id: String,
    pub channel: String,
    pub contact_id: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_reason: Option<String>,
    pub assign_channel_agent_id: Option<String>,
    pub assigned_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRecord {
    pub organization_id: OrgId,
    pub room_id: String,
    pub sender_type: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRecord {
    pub organization_id: OrgId,
    pub room_id: String,
    pub sentiment: RawSentiment,
    pub created_at: Option<DateTime<Utc>>,
}

/// How many messages of one (raw) sender type a room has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageCount {
    pub room_id: String,
    pub sender_type: String,
    pub count: i64,
}

/// Datamart facts about an organization beyond its daily rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgActivity {
    pub first_eligible_day: Option<NaiveDate>,
    /// The latest day the datamart holds a row for.
    pub data_through: Option<NaiveDate>,
    /// How far the source was read for the organization (its high-water mark).
    pub read_until: Option<DateTime<Utc>>,
    /// Which source that was (`Source::identity`).
    pub read_from: Option<String>,
}

/// Everything one report reads from the datamart (`ReportStore::report_reads`).
#[derive(Debug, Clone, Default)]
pub struct ReportReads {
    /// `None` when the datamart does not know the organization.
    pub organization: Option<Organization>,
    /// The daily rows of the range read, every column, oldest first.
    pub days: Vec<DailyCounters>,
    pub activity: OrgActivity,
    pub cost_assumption: Option<CostAssumption>,
    pub baseline: Option<Baseline>,
}

/// A day to restate, as an import marked it: `at` is a moment of that day (the run
/// turns it into the organization's local day), `None` for every day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestatementMark {
    pub organization_id: OrgId,
    pub seq: i64,
    pub at: Option<DateTime<Utc>>,
}

/// How many rooms an organization's stored days count, and which days those are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRooms {
    pub organization_id: OrgId,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub rooms: i64,
}

/// What an aggregation run leaves behind for an organization once all its days are
/// written: how far it read the source, and the last mark it restated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedRead {
    pub read_until: DateTime<Utc>,
    pub read_from: String,
    /// Marks of the organization up to this one are deleted; `None`: none were read.
    pub marks_through: Option<i64>,
}

/// The days of an organization's whole source history a run needs (docs/metrics.md
/// §3, §4.8): its first eligible room's and its first AI-handled room's.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Milestones {
    pub first_eligible_day: Option<NaiveDate>,
    /// The onboarding baseline starts on this day.
    pub first_ai_day: Option<NaiveDate>,
}

/// Milestones as stored, with the source they were computed from (`None`: from no
/// source a run can trust, such as a test's own rows).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoredMilestones {
    pub milestones: Milestones,
    pub from: Option<String>,
}

/// What the aggregation knows of an organization from its earlier runs, read for
/// the whole fleet at once.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AggregationState {
    pub read_until: Option<DateTime<Utc>>,
    pub read_from: Option<String>,
    pub milestones: StoredMilestones,
    /// The latest day any run has written.
    pub data_through: Option<NaiveDate>,
    pub baseline: Option<Baseline>,
    /// Days whose sentiment could not be read when they were aggregated.
    pub pending_sentiment_days: Vec<NaiveDate>,
    /// The source's rooms the milestones depend on, as the census last counted them.
    pub milestone_rooms: Option<MilestoneRooms>,
}

/// How many of an organization's rooms in the source were created before the start
/// of `before` (its local day): the rooms its milestones and onboarding baseline
/// depend on, counted by the nightly census to see deletions that retention hid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MilestoneRooms {
    pub before: NaiveDate,
    pub rooms: i64,
}

/// One organization's part of a write: whole org-days, their room outcomes, its
/// milestones, and (with its last days) how far its source was read.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgWrite {
    pub organization_id: OrgId,
    pub rows: Vec<DailyCounters>,
    /// The rooms behind `rows`' counts.
    pub outcomes: Vec<RoomOutcome>,
    pub milestones: StoredMilestones,
    pub finished: Option<FinishedRead>,
    /// The organization's onboarding baseline, written in the same transaction.
    pub baseline: BaselineWrite,
}

/// What a write does to the organization's stored onboarding baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineWrite {
    /// Leave it as it is.
    Keep,
    /// Store (replacing) this one.
    Set(Baseline),
    /// Remove it: the baseline is forming again.
    Clear,
}

/// What ops watch across all organizations (the alerts of `config/prometheus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DatamartHealth {
    /// When an aggregation last finished writing an organization's days.
    pub last_written: Option<DateTime<Utc>>,
    /// The oldest day whose sentiment is still pending, of any organization.
    pub oldest_pending_sentiment_day: Option<NaiveDate>,
    /// Days the last full `impact verify` found drifted and left so (`None` before
    /// the first).
    pub drifted_days: Option<i64>,
    /// When a nightly run last completed, on any instance (`None` before the first).
    pub last_night_completed: Option<DateTime<Utc>>,
}

/// A notice that an organization's data changed, sent to every server instance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// The aggregation recomputed some of the organization's days.
    Refreshed { org_id: String },
    /// Its cost assumption was saved.
    AssumptionSaved { org_id: String },
    /// Never sent: the listener tells its own instance that it reconnected. Notices
    /// sent while it was away are lost, so every organization may have changed.
    Resubscribed,
}

impl Change {
    /// The organization the change is about; `None` when it may be any.
    pub fn org_id(&self) -> Option<&str> {
        match self {
            Change::Refreshed { org_id } | Change::AssumptionSaved { org_id } => Some(org_id),
            Change::Resubscribed => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    BadUrl(String),
    #[error("{context}: {source}")]
    Sqlite {
        context: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{context}: {message}")]
    Postgres {
        context: String,
        message: String,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("{context}: could not get a PostgreSQL connection: {message}")]
    Pool { context: String, message: String },
    #[error("the database holds a value this program cannot read: {0}")]
    Invalid(String),
    /// A stored value that does not read as what it should be; `source` says why.
    #[error("the database holds a value this program cannot read: {what}: {source}")]
    Unreadable {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored name outside its closed set (an outcome, a usage kind).
    #[error("the database holds a value this program cannot read: {column} holds '{value}', which is none of its names")]
    UnknownName { column: &'static str, value: String },
    /// A result cell that is not what the statement's reader expects.
    #[error("the database holds a value this program cannot read: column {column} holds {found}, not {wanted}")]
    Cell {
        column: String,
        wanted: &'static str,
        found: &'static str,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("a database task stopped unexpectedly: {0}")]
    Task(String),
    /// A batch not committed because the batch before it was not (`WriteTurn`).
    #[error("{0}: not written, as the batch before it was not")]
    Abandoned(String),
    #[error("{0}: no answer within the time allowed")]
    TimedOut(String),
}

impl StoreError {
    /// A stored value, named by `what`, that its parser refused.
    pub(crate) fn unreadable<E>(what: impl Into<String>) -> impl FnOnce(E) -> Self
    where
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let what = what.into();
        move |source| StoreError::Unreadable {
            what,
            source: source.into(),
        }
    }

    pub(crate) fn sqlite(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> Self {
        let context = context.into();
        move |source| StoreError::Sqlite { context, source }
    }

    pub(crate) fn postgres(
        context: impl Into<String>,
    ) -> impl FnOnce(tokio_postgres::Error) -> Self {
        let context = context.into();
        move |source| StoreError::Postgres {
            context,
            message: postgres_message(&source),
            source,
        }
    }

    /// A pooled connection that could not be had: the server's or the network's own
    /// words ("3D000: database \"x\" does not exist", "error connecting to server:
    /// Connection refused"), never the pool's bare "db error".
    pub(crate) fn pool(context: impl Into<String>, error: deadpool_postgres::PoolError) -> Self {
        let message = match &error {
            deadpool_postgres::PoolError::Backend(source) => postgres_message(source),
            other => other.to_string(),
        };
        StoreError::Pool {
            context: context.into(),
            message,
        }
    }
}

/// What a PostgreSQL error says: the server's code and message when the server
/// answered (the driver's own text is a terse "db error"), else the driver's text
/// and its causes (a refused or unreachable host).
fn postgres_message(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{}: {}", db.code().code(), db.message());
    }
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        message.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    message
}

pub(crate) type StoreResult<T> = Result<T, StoreError>;

/// Which page of which list: the rooms of `list` created on the org-local days of
/// `days`, strictly after `after` in the list's order (newest first: day, then start,
/// then room id, all descending), at most `limit` of them.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationQuery {
    pub list: ConversationList,
    pub days: DateRange,
    /// The last row of the previous page; `None` for the first page.
    pub after: Option<ListPosition>,
    pub limit: usize,
}

/// Where a row stands in a list's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPosition {
    pub day: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub room_id: String,
}

impl ListPosition {
    pub fn of(room: &RoomOutcome) -> Self {
        ListPosition {
            day: room.day,
            created_at: room.created_at,
            room_id: room.room_id.clone(),
        }
    }
}

impl ConversationQuery {
    /// The first page of `list` over `days`.
    pub fn first_page(list: ConversationList, days: DateRange, limit: usize) -> Self {
        ConversationQuery {
            list,
            days,
            after: None,
            limit,
        }
    }

    /// The last day whose rooms can be on this page: the range's end, or the day of
    /// the previous page's last row.
    pub(crate) fn last_day(&self) -> NaiveDate {
        self.after
            .as_ref()
            .map_or(self.days.to(), |after| after.day.min(self.days.to()))
    }

    /// The keyset the SQL compares against: the previous page's last row, or a
    /// position every row of the range comes before: the day after the range (the
    /// day decides, so the time and id after it do not matter).
    pub(crate) fn cursor(&self) -> ListPosition {
        self.after.clone().unwrap_or_else(|| ListPosition {
            day: self.days.to() + chrono::Duration::days(1),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            room_id: String::new(),
        })
    }
}

/// Writes one import, all or nothing: nothing is visible to readers until
/// `commit`, and dropping the writer without committing discards everything.
#[async_trait]
pub trait ImportWriter: Send {
    async fn organizations(&mut self, rows: &[Organization]) -> StoreResult<()>;
    /// Rooms are upserted by `(organization_id, id)`; a later row for the same room wins.
    async fn rooms(&mut self, rows: &[SourceRoom]) -> StoreResult<()>;
    /// The messages of every room named here replace that room's stored messages
    /// at commit, so importing the same file twice changes nothing.
    async fn histories(&mut self, rows: &[HistoryRecord]) -> StoreResult<()>;
    async fn summaries(&mut self, rows: &[SummaryRecord]) -> StoreResult<()>;
    async fn cost_assumptions(&mut self, rows: &[(OrgId, CostAssumption)]) -> StoreResult<()>;
    async fn commit(self: Box<Self>) -> StoreResult<()>;
    async fn rollback(self: Box<Self>) -> StoreResult<()>;
}

/// What the aggregation (and `impact verify`) reads and writes in the datamart:
/// besides its own, the daily rows the report reads (verify compares them, the
/// census counts them) and the organizations (a live source's are copied).
#[async_trait]
pub trait AggregationStore: ReportStore + OrganizationStore + Send + Sync {
    /// Keeps the datamart's copy of a live source's organizations, so the report
    /// path never reads the source: each row is inserted or replaced.
    async fn copy_organizations(&self, organizations: &[Organization]) -> StoreResult<()>;

    /// Every organization's days waiting to be restated (METRICS.md §8.2), as the
    /// import marked them, oldest first.
    async fn restatement_marks(&self) -> StoreResult<Vec<RestatementMark>>;

    /// The days whose stored outcomes name one of `room_ids`: as the room itself, or
    /// as the room a customer came back in. A live source gives only a changed
    /// room's new values; these are the days its old values counted in.
    async fn days_naming_rooms(
        &self,
        org: &OrgId,
        room_ids: &[String],
    ) -> StoreResult<Vec<NaiveDate>>;

    /// Per organization, its first and last stored days in `range` and how many
    /// rooms (eligible, test chats and spam) those days count.
    async fn stored_room_totals(&self, range: DateRange) -> StoreResult<Vec<StoredRooms>>;

    /// Keeps what the census counted of each organization's first rooms.
    async fn record_milestone_rooms(&self, counted: &[(OrgId, MilestoneRooms)]) -> StoreResult<()>;

    /// Every stored room outcome of the organization's days in `range`, in list order.
    async fn room_outcomes(&self, org: &OrgId, range: DateRange) -> StoreResult<Vec<RoomOutcome>>;

    // The datamart.

    /// Writes several organizations' days in one transaction: each org-day is
    /// replaced whole, with its room outcomes (a day whose rooms have the
    /// fingerprint already stored keeps its rows as they are), so a day's counters
    /// and its rooms always agree. Each organization's milestones are set, kept
    /// apart from the daily rows so they outlive their retention; with `finished`,
    /// the same transaction records how far the source was read for it and deletes
    /// the marks the run restated. It commits in its `turn`: after the write before
    /// it in the same run has committed, and not at all if that one failed.
    async fn write_batch(&self, writes: Vec<OrgWrite>, turn: WriteTurn) -> StoreResult<()>;

    /// How many of a run's batch writes may be in flight at once: two on
    /// PostgreSQL, whose server then writes two batches on two cores; one on
    /// SQLite, which takes one write at a time.
    fn writes_at_once(&self) -> usize;

    /// `write_batch` for one organization, whose first eligible day is
    /// `first_eligible_day` (milestones of no trusted source).
    async fn write_days(
        &self,
        org: &OrgId,
        rows: &[DailyCounters],
        outcomes: Vec<RoomOutcome>,
        first_eligible_day: Option<NaiveDate>,
        finished: Option<&FinishedRead>,
    ) -> StoreResult<()> {
        self.write_batch(
            vec![OrgWrite {
                organization_id: org.clone(),
                rows: rows.to_vec(),
                outcomes,
                milestones: StoredMilestones {
                    milestones: Milestones {
                        first_eligible_day,
                        first_ai_day: None,
                    },
                    from: None,
                },
                finished: finished.cloned(),
                baseline: BaselineWrite::Keep,
            }],
            WriteTurn::alone(),
        )
        .await
    }

    /// Every organization's state from earlier runs, in a few statements.
    async fn aggregation_states(
        &self,
    ) -> StoreResult<std::collections::HashMap<OrgId, AggregationState>>;

    /// Deletes daily rows (and their room outcomes) older than `cutoff`; returns how
    /// many daily rows went.
    async fn delete_days_before(&self, cutoff: NaiveDate) -> StoreResult<u64>;

    /// Refreshes the planner's statistics of the room outcomes after a run wrote
    /// them: PostgreSQL picks the list's index walk only when it knows how many rows
    /// there are (a list page took 130 to 400 ms before the first ANALYZE, 1 ms after).
    async fn refresh_statistics(&self) -> StoreResult<()>;

    /// Days whose sentiment could not be read when they were aggregated.
    async fn pending_sentiment_days(&self, org: &OrgId) -> StoreResult<Vec<NaiveDate>>;

    /// Records what a verify of the whole retained range left drifted.
    async fn record_verify(&self, at: DateTime<Utc>, drifted_days: i64) -> StoreResult<()>;

    /// Stores (replacing) or, with `None`, removes the organization's baseline.
    /// Only the aggregation writes it, when the source says it changed.
    async fn set_onboarding_baseline(
        &self,
        org: &OrgId,
        baseline: Option<&Baseline>,
    ) -> StoreResult<()>;
}

/// What the report, the lists and the health watch read.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// One page of the conversations behind a figure, newest first.
    async fn conversations(
        &self,
        org: &OrgId,
        query: &ConversationQuery,
    ) -> StoreResult<Vec<RoomOutcome>>;

    /// The daily rows of `range`, oldest first, with only `columns` read (the others
    /// stay zero).
    async fn daily_columns(
        &self,
        org: &OrgId,
        range: DateRange,
        columns: &[&'static Column],
    ) -> StoreResult<Vec<DailyCounters>>;

    async fn daily_counters(
        &self,
        org: &OrgId,
        range: DateRange,
    ) -> StoreResult<Vec<DailyCounters>> {
        self.daily_columns(org, range, &sql::all_columns()).await
    }

    /// Only one tile group's columns of the daily rows, so each group is a read of
    /// its own that can fail or time out alone.
    async fn daily_group(
        &self,
        org: &OrgId,
        range: DateRange,
        group: TileGroup,
    ) -> StoreResult<Vec<DailyCounters>> {
        let columns: Vec<&'static Column> = group.columns().collect();
        self.daily_columns(org, range, &columns).await
    }

    async fn activity(&self, org: &OrgId) -> StoreResult<OrgActivity>;

    /// All a report of `range` reads (`ReportReads`), as one script: on SQLite one
    /// turn of its one connection, in one snapshot, rather than five turns handed
    /// from task to task; on PostgreSQL one connection, the statements pipelined.
    async fn report_reads(&self, org: &OrgId, range: DateRange) -> StoreResult<ReportReads>;

    /// The datamart's freshness across all organizations, read through indexes.
    async fn datamart_health(&self) -> StoreResult<DatamartHealth>;

    /// The organization's onboarding baseline, once stored.
    async fn onboarding_baseline(&self, org: &OrgId) -> StoreResult<Option<Baseline>>;
}

/// What the organization decides and what the page showed: cost assumptions and
/// recorded forecasts.
#[async_trait]
pub trait AssumptionStore: Send + Sync {
    /// Records a shown forecast, once per organization and projected month.
    async fn save_forecast_snapshot(&self, org: &OrgId, snapshot: &Snapshot) -> StoreResult<()>;

    /// Every recorded forecast, by organization, oldest first.
    async fn forecast_snapshots(&self) -> StoreResult<Vec<(OrgId, Snapshot)>>;

    async fn cost_assumption(&self, org: &OrgId) -> StoreResult<Option<CostAssumption>>;

    async fn save_cost_assumption(
        &self,
        org: &OrgId,
        assumption: CostAssumption,
    ) -> StoreResult<()>;
}

/// What people did with the report (`crate::usage`): one row per organization,
/// day, user and kind. Its rows expire with the daily rows
/// (`AggregationStore::delete_days_before`).
#[async_trait]
pub trait UsageStore: Send + Sync {
    /// Adds each row to the stored row of its key, or stores it (rows of one key
    /// in `rows` are added together first).
    async fn record_usage(&self, rows: &[UsageRow]) -> StoreResult<()>;

    /// Every row from `from` to `to`, both included.
    async fn usage_between(&self, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<UsageRow>>;

    /// The figures of the month that starts on `from`, for Prometheus, read from that
    /// month alone.
    async fn usage_gauges(&self, from: NaiveDate) -> StoreResult<UsageGauges>;
}

/// The month's usage as Prometheus shows it, without a label per organization.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageGauges {
    /// Organizations with the AI add-on.
    pub ai_enabled_orgs: i64,
    /// Of those, the ones where someone saw the report.
    pub viewing_orgs: i64,
    /// Report loads (shown or failed) and failed ones.
    pub loads: i64,
    pub failed_loads: i64,
}

/// What a claim of a once-a-day job found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds it now: run the job.
    Mine,
    /// Another instance holds a live lease on it.
    HeldByAnother,
    /// The job of that day is done.
    Done,
}

/// What a claim's holder writes on it while the job is not done: that it is still
/// alive, or that the job is done. Both backends write one column of a closed set.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ClaimStamp {
    Heartbeat,
    Done,
}

impl ClaimStamp {
    pub(crate) fn column(self) -> &'static str {
        match self {
            ClaimStamp::Heartbeat => "heartbeat_at",
            ClaimStamp::Done => "done_at",
        }
    }

    pub(crate) fn context(self) -> &'static str {
        match self {
            ClaimStamp::Heartbeat => "renewing a job's claim",
            ClaimStamp::Done => "marking a job done",
        }
    }
}

/// What a claim's row says to the caller `me`, whichever backend read it.
pub(crate) fn claim_of(holder: &str, done: bool, me: &str) -> Claim {
    if done {
        Claim::Done
    } else if holder == me {
        Claim::Mine
    } else {
        Claim::HeldByAnother
    }
}

/// The once-a-day job of the nightly aggregation.
pub const NIGHTLY_JOB: &str = "nightly_aggregation";

/// How instances share one database: once-a-day jobs and change notices.
#[async_trait]
pub trait CoordinationStore: Send + Sync {
    /// Claims a once-a-day job for `lease`: `Mine` for exactly one caller at a time;
    /// a claim not renewed within its lease (its holder died) and not done is taken
    /// over by the next caller.
    async fn claim_job(
        &self,
        job: &str,
        day: NaiveDate,
        claimed_by: &str,
        lease: std::time::Duration,
    ) -> StoreResult<Claim>;

    /// Renews the holder's claim; false when it is no longer the holder's (its lease
    /// ran out and another instance took the job over).
    async fn renew_job(&self, job: &str, day: NaiveDate, claimed_by: &str) -> StoreResult<bool>;

    /// Marks the holder's job of the day done; false when it was no longer the
    /// holder's (taken over) or already done.
    async fn finish_job(&self, job: &str, day: NaiveDate, claimed_by: &str) -> StoreResult<bool>;

    /// Tells every server instance sharing this database about a change.
    async fn publish(&self, change: &Change) -> StoreResult<()> {
        self.publish_all(std::slice::from_ref(change)).await
    }

    /// Tells every server instance about several changes at once (a run's
    /// refreshed organizations): one round trip, not one per change.
    async fn publish_all(&self, changes: &[Change]) -> StoreResult<()>;

    /// Changes published by any instance, or `None` where the database cannot
    /// deliver them (SQLite: one process, which is told directly).
    async fn subscribe(&self) -> StoreResult<Option<tokio::sync::mpsc::Receiver<Change>>>;
}

/// The organizations the datamart knows, and whether it answers at all.
#[async_trait]
pub trait OrganizationStore: Send + Sync {
    async fn organizations(&self) -> StoreResult<Vec<Organization>>;

    async fn organization(&self, id: &OrgId) -> StoreResult<Option<Organization>>;

    /// Answers when the database is reachable (for readiness checks).
    async fn ping(&self) -> StoreResult<()>;
}

/// The datamart: the capabilities above, and what every entry point needs first
/// (migrations, readiness, the import, the organizations, the own source tables).
#[async_trait]
pub trait Store:
    AggregationStore
    + ReportStore
    + AssumptionStore
    + CoordinationStore
    + UsageStore
    + OrganizationStore
    + Send
    + Sync
{
    /// `sqlite` or `postgres`, for logs and messages.
    fn backend(&self) -> &'static str;

    /// Applies every migration not applied yet. Safe to call at every start.
    async fn migrate(&self) -> StoreResult<()>;

    async fn begin_import(&self) -> StoreResult<Box<dyn ImportWriter>>;

    /// The datamart's own source tables (`rooms`, `histories`, `room_summaries`,
    /// `organizations`), filled by the import: the source when no live one is set.
    fn own_source(&self) -> Arc<dyn Source>;
}

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StoreError::BadUrl(
                    "a sqlite:// URL needs a file path, e.g. sqlite://data/impact.sqlite".into(),
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        Err(StoreError::BadUrl(format!(
            "'{}' is not a database URL this program knows; use sqlite://PATH or postgres://USER@HOST/DB",
            crate::text::redact(url)
        )))
    }
}

/// Opens the store a URL names and applies the schema.
pub async fn open(url: &str, pool_size: usize) -> Result<Arc<dyn Store>, StoreError> {
    let store: Arc<dyn Store> = match DatabaseUrl::parse(url)? {
        DatabaseUrl::Sqlite(path) => Arc::new(SqliteStore::open(&path)?),
        DatabaseUrl::Postgres(url) => Arc::new(PostgresStore::connect(&url, pool_size)?),
    };
    store.migrate().await?;
    Ok(store)
}

/// Parses an organization row read back from either database.
pub(crate) fn organization_from_columns(
    id: String,
    name: String,
    ai_addon: bool,
    timezone: String,
    business_hours: Option<String>,
    holidays: String,
) -> StoreResult<Organization> {
    let id = OrgId::parse(&id).map_err(StoreError::unreadable("an organization's id"))?;
    let timezone = Organization::parse_timezone(&timezone)
        .map_err(StoreError::unreadable(format!("the time zone of {id}")))?;
    let business_hours = match business_hours {
        Some(text) => {
            let value: serde_json::Value = serde_json::from_str(&text).map_err(
                StoreError::unreadable(format!("the business hours of {id}")),
            )?;
            Some(crate::domain::BusinessHours::from_json(&value).map_err(
                StoreError::unreadable(format!("the business hours of {id}")),
            )?)
        }
        None => None,
    };
    let holidays: Vec<NaiveDate> = serde_json::from_str(&holidays)
        .map_err(StoreError::unreadable(format!("the holidays of {id}")))?;
    Ok(Organization {
        id,
        name,
        ai_addon,
        timezone,
        business_hours,
        holidays: holidays.into_iter().collect(),
    })
}

/// The columns an organization is stored as: business hours and holidays as JSON text.
pub(crate) fn organization_json_columns(org: &Organization) -> (Option<String>, String) {
    let hours = org.business_hours.as_ref().map(|h| h.to_json().to_string());
    let holidays = serde_json::to_string(&org.holidays.iter().collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into());
    (hours, holidays)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_stored_value_keeps_its_cause() {
        let error = organization_from_columns(
            "org-1".into(),
            "Toko".into(),
            true,
            "Mars/Olympus".into(),
            None,
            "[]".into(),
        )
        .expect_err("no such time zone");
        assert!(
            error.to_string().contains("the time zone of org-1"),
            "{error}"
        );
        assert!(
            std::error::Error::source(&error).is_some(),
            "the parser's own error is kept"
        );
    }

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.sqlite").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("data/x.sqlite"))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://postgres@127.0.0.1/db").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn passwords_never_reach_messages() {
        use crate::text::redact;
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/impact"),
            "postgres://app:***@db:5432/impact"
        );
        assert_eq!(
            redact("postgres://app@db/impact"),
            "postgres://app@db/impact"
        );
        let error = DatabaseUrl::parse("mysql://app:s3cret@db/x").unwrap_err();
        assert!(!error.to_string().contains("s3cret"));
    }
}
