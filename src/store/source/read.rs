//! The source's reads, written once over the `Driver` seam for every source: the
//! datamart's own source tables on either backend (filled by the import), and a
//! live PostgreSQL source of the chatbot's, reached with a role that may only
//! `SELECT` the relations of METRICS.md §8.1 (tables or views, under the names the
//! settings give).
//!
//! A live source is opened with `default_transaction_read_only` and a statement
//! timeout set for the whole session (`PostgresStore::connect_read_only`), so every
//! read is a read-only transaction with a time limit and nothing this program sends
//! could write there. Nothing is created or migrated in it. Text columns are read
//! through `CAST(… AS TEXT)`, so a view may expose `varchar` or `uuid` ids unchanged.
//!
//! Where the two engines differ is how a read covers many spans of rooms at once:
//! PostgreSQL takes the spans as arrays in one statement (`SPANS`), SQLite runs one
//! statement a span in one script (a statement costs it no round trip).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::{ContactVisit, RoomSpan, Source, SourceChange};
use crate::domain::{OrgId, Organization, RawSentiment};
use crate::metrics::rooms::REOPEN_WINDOW_HOURS;
use crate::settings::SourceSettings;
use crate::store::datamart::organization;
use crate::store::driver::{params, Decoded, Driver, Row, Run, Statement, Value};
use crate::store::sql::{Cells, Dialect};
use crate::store::{
    MessageCount, PostgresStore, SourceRoom, StoreError, StoreResult, MAX_SOURCE_ROOM_ID_CHARS,
    ROOM_COLUMNS,
};
use crate::text::redact;

/// The relations a source is read from, each already quoted for SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relations {
    organizations: String,
    rooms: String,
    histories: String,
    /// `None`: the source keeps no summaries (sentiment comes from MongoDB or nowhere).
    room_summaries: Option<String>,
    /// A column of `rooms` the chatbot sets on every change, quoted; `None`: none.
    rooms_changed_column: Option<String>,
}

impl Relations {
    /// The datamart's own source tables (`migrations/*/0001_init.sql`).
    pub fn own() -> Self {
        Relations {
            organizations: "organizations".into(),
            rooms: "rooms".into(),
            histories: "histories".into(),
            room_summaries: Some("room_summaries".into()),
            rooms_changed_column: None,
        }
    }

    /// The relations the settings name, each checked and quoted: a name is one or
    /// two identifiers (`rooms`, `chatbot.rooms_view`) of letters, digits, `_` and
    /// `$`, so nothing in a settings file can reach the SQL as anything but a name.
    pub fn from_settings(settings: &SourceSettings) -> StoreResult<Self> {
        let optional = |setting: &str, name: &str| -> StoreResult<Option<String>> {
            if name.trim().is_empty() {
                Ok(None)
            } else {
                quote_relation(setting, name).map(Some)
            }
        };
        Ok(Relations {
            organizations: quote_relation("source.organizations", &settings.organizations)?,
            rooms: quote_relation("source.rooms", &settings.rooms)?,
            histories: quote_relation("source.histories", &settings.histories)?,
            room_summaries: optional("source.room_summaries", &settings.room_summaries)?,
            rooms_changed_column: match settings.rooms_changed_column.trim() {
                "" => None,
                column => Some(quote_identifier("source.rooms_changed_column", column)?),
            },
        })
    }
}

/// `"schema"."name"` from `schema.name` (or `"name"` from `name`).
fn quote_relation(setting: &str, name: &str) -> StoreResult<String> {
    let parts: Vec<&str> = name.trim().split('.').collect();
    if parts.len() > 2 {
        return Err(StoreError::BadUrl(format!(
            "{setting} = '{name}' is not a relation name: use name or schema.name"
        )));
    }
    let quoted: Vec<String> = parts
        .iter()
        .map(|part| quote_identifier(setting, part))
        .collect::<StoreResult<_>>()?;
    Ok(quoted.join("."))
}

fn quote_identifier(setting: &str, name: &str) -> StoreResult<String> {
    let valid = !name.is_empty()
        && name.len() <= 63
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if !valid {
        return Err(StoreError::BadUrl(format!(
            "{setting}: '{name}' is not a PostgreSQL name this program accepts \
             (letters, digits, _ and $, at most 63, not starting with a digit)"
        )));
    }
    Ok(format!("\"{name}\""))
}

/// A sentiment cell's text: JSON (a `json`/`jsonb` column, or the import's own
/// table) or, from a `text` column, a bare label or number.
fn sentiment_from_text(text: &str) -> RawSentiment {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => RawSentiment::from_json(&value),
        Err(_) => RawSentiment::Label(text.to_string()),
    }
}

/// A room's columns of the relation `r`, in the order `room` reads them: text
/// through `CAST(… AS TEXT)`, the three instants as they are.
static ROOM_SELECT: LazyLock<String> = LazyLock::new(|| {
    ROOM_COLUMNS
        .iter()
        .map(|column| match *column {
            "created_at" | "closed_at" | "assigned_at" => format!("r.{column}"),
            _ => format!("CAST(r.{column} AS TEXT)"),
        })
        .collect::<Vec<_>>()
        .join(", ")
});

/// How many columns `ROOM_SELECT` names.
const ROOM_WIDTH: usize = ROOM_COLUMNS.len();

/// A room read with `ROOM_SELECT`, its id checked against the bound every list
/// cursor relies on.
fn room(row: &Row<'_>) -> StoreResult<SourceRoom> {
    let id = row.text(1)?;
    let start = || id.chars().take(40).collect::<String>();
    let organization_id = OrgId::parse(&row.text(0)?).map_err(|e| {
        StoreError::unreadable(format!("the organization of room {:?}", start()))(e)
    })?;
    let length = id.chars().count();
    if length > MAX_SOURCE_ROOM_ID_CHARS {
        return Err(StoreError::Invalid(format!(
            "organization {organization_id}: the room id {:?}… has {length} characters; \
             a room id may have at most {MAX_SOURCE_ROOM_ID_CHARS} (map longer ids in the \
             source's view)",
            start()
        )));
    }
    Ok(SourceRoom {
        organization_id,
        channel: row.text(2)?,
        contact_id: row.text(3)?,
        created_at: row.instant(4)?,
        closed_at: row.optional_instant(5)?,
        closed_reason: row.optional_text(6)?,
        assign_channel_agent_id: row.optional_text(7)?,
        assigned_at: row.optional_instant(8)?,
        id,
    })
}

/// The spans of a PostgreSQL read, as a relation `s(org, start_at, end_at, n)`
/// numbered from 1 (parameters 1 to 3: the organizations, starts and ends).
const SPANS: &str = "unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) \
     WITH ORDINALITY AS s(org, start_at, end_at, n)";

/// A room `r` of span `s`: a range of the (organization, created_at) index.
const IN_SPAN: &str =
    "r.organization_id = s.org AND r.created_at >= s.start_at AND r.created_at < s.end_at";

/// A room `r` of the span a SQLite statement is given (parameters 1 to 3).
const IN_THIS_SPAN: &str = "r.organization_id = ?1 AND r.created_at >= ?2 AND r.created_at < ?3";

/// The parameters of one span (`IN_THIS_SPAN`).
fn span_params(span: &RoomSpan) -> Vec<Value> {
    params![&span.organization_id, span.start, span.end]
}

/// The parameters of every span as three arrays (`SPANS`).
fn span_arrays<'a>(spans: impl Iterator<Item = &'a RoomSpan> + Clone) -> Vec<Value> {
    let array = |cell: &dyn Fn(&RoomSpan) -> Value| Value::Array(spans.clone().map(cell).collect());
    vec![
        array(&|span| Value::from(&span.organization_id)),
        array(&|span| Value::Instant(span.start)),
        array(&|span| Value::Instant(span.end)),
    ]
}

/// What a read of each span's rooms `r` selects and what it joins to each room.
#[derive(Clone, Copy)]
struct Part<'a> {
    select: &'a str,
    joins: &'a str,
}

/// A read of each span's rooms: `width` columns on either engine, each engine's
/// own way of joining a room's rows.
struct SpanRead<'a> {
    width: usize,
    postgres: Part<'a>,
    sqlite: Part<'a>,
    /// On PostgreSQL, for a span that holds every room of its organization
    /// (`RoomSpan::holds_every_room`): the same columns read for all the
    /// organization's rooms (`s.org`) at once, with no lookup room by room.
    /// `None`: such a span is read as any other.
    postgres_organization: Option<&'a str>,
}

/// Reads the source relations of one database, through its driver.
pub(crate) struct SqlSource {
    driver: Arc<dyn Driver>,
    relations: Relations,
    /// Whether the configured summaries relation exists, asked once of a live
    /// source: it may keep no summaries (its sentiment in MongoDB, or none), and
    /// then none are read. The datamart's own tables always have them.
    summaries_exist: tokio::sync::OnceCell<bool>,
    identity: String,
    read_lag: Duration,
    /// Whether changes are found from timestamps (a live source) rather than marked
    /// by the import (the datamart's own tables).
    live: bool,
}

impl SqlSource {
    /// The datamart's own source tables, read through `driver`.
    pub(crate) fn own(driver: Arc<dyn Driver>, identity: String) -> Self {
        SqlSource {
            driver,
            relations: Relations::own(),
            summaries_exist: tokio::sync::OnceCell::new(),
            identity,
            read_lag: Duration::ZERO,
            live: false,
        }
    }

    /// A live PostgreSQL source: its own small pool, every session read-only with a
    /// statement timeout. Connections are made on first use.
    pub(crate) fn connect(url: &str, settings: &SourceSettings) -> StoreResult<Self> {
        let relations = Relations::from_settings(settings)?;
        let driver = PostgresStore::connect_read_only(
            url,
            settings.pool_size,
            settings.statement_timeout_ms.max(1),
        )?;
        Ok(SqlSource {
            driver: Arc::new(driver),
            relations,
            summaries_exist: tokio::sync::OnceCell::new(),
            identity: redact(url),
            read_lag: settings.lag(),
            live: true,
        })
    }

    fn dialect(&self) -> Dialect {
        self.driver.dialect()
    }

    /// The summaries relation, when one is configured and the source has it.
    async fn summaries_relation(&self) -> StoreResult<Option<&str>> {
        let Some(name) = self.relations.room_summaries.as_deref() else {
            return Ok(None);
        };
        if !self.live {
            return Ok(Some(name));
        }
        let exists = self
            .summaries_exist
            .get_or_try_init(|| async {
                let context = "looking for the source's summaries";
                let found = self
                    .driver
                    .query(
                        context,
                        Statement::new("SELECT to_regclass($1) IS NOT NULL", params![name]),
                    )
                    .await?;
                let exists = match found.first() {
                    Some(row) => row.flag(0)?,
                    None => false,
                };
                if !exists {
                    tracing::warn!(
                        relation = name,
                        source = %self.identity,
                        "the source has no such summaries relation: no sentiment is read from it \
                         (set source.room_summaries to empty, or configure MongoDB)"
                    );
                }
                Ok::<_, StoreError>(exists)
            })
            .await?;
        Ok(exists.then_some(name))
    }

    /// Rooms of the relation `r` that meet `condition` (with its ordering).
    async fn rooms(
        &self,
        context: &'static str,
        condition: &str,
        params: Vec<Value>,
    ) -> StoreResult<Vec<SourceRoom>> {
        let sql = format!(
            "SELECT {} FROM {} r {condition}",
            *ROOM_SELECT, self.relations.rooms
        );
        let (statement, rooms) = Statement::new(sql, params).decoded(room);
        self.driver.run(context, vec![statement]).await?;
        rooms.rows()
    }

    /// Runs `read` over every span and folds each span's rows into its own `T`, in
    /// the order of the spans; nothing is sent for no spans. On PostgreSQL the
    /// spans that hold every room of their organization, when `read` can read them
    /// so, go in a second statement of the same script.
    async fn in_spans<T, F>(
        &self,
        context: &'static str,
        read: SpanRead<'_>,
        spans: &[RoomSpan],
        fold: F,
    ) -> StoreResult<Vec<T>>
    where
        T: Default + Send + Sync + 'static,
        F: Fn(&mut T, &Row<'_>) -> StoreResult<()> + Clone + Send + Sync + 'static,
    {
        if spans.is_empty() {
            return Ok(Vec::new());
        }
        let SpanRead {
            width,
            postgres,
            sqlite,
            postgres_organization,
        } = read;
        let rooms = &self.relations.rooms;
        match self.dialect() {
            Dialect::Postgres => {
                // Each span is read as a range of the (organization, created_at)
                // index in a subquery the planner keeps apart (`OFFSET 0`), each
                // room's messages or summary joined inside it through their own
                // indexes, so a read costs what it returns whatever the tables hold.
                // Joined whole, the planner may hash every room and message of the
                // source for a few days of it. Joined outside the subquery, it knows
                // nothing of the rooms' ids and puts a cache (Memoize) in front of
                // each room's lookup that never hits, as every room is looked up
                // once: a fifth of the read (docs/performance.md). The span's number
                // is the last column.
                //
                // A span that holds every room of its organization (a run of an
                // organization's whole history that fits one batch) is read as the
                // organization's range of the other relation's index, with no rooms
                // at all: the rooms are read apart anyway, and the lookups cost the
                // standby twice the CPU in a first backfill (docs/performance.md).
                // With no join, no plan of the planner's can turn it back into a
                // lookup a room.
                let Part { select, joins } = postgres;
                let by_room = format!(
                    "SELECT x.*, s.n FROM {SPANS} CROSS JOIN LATERAL \
                     (SELECT {select} FROM {rooms} r {joins} WHERE {IN_SPAN} OFFSET 0) x"
                );
                let (whole, each): (Vec<usize>, Vec<usize>) = (0..spans.len())
                    .partition(|at| postgres_organization.is_some() && spans[*at].holds_every_room);
                let by_organization = postgres_organization.map(|read| {
                    format!("SELECT x.*, s.n FROM {SPANS} CROSS JOIN LATERAL ({read} OFFSET 0) x")
                });
                let mut script = Vec::new();
                let mut answers = Vec::new();
                for (sql, subset) in [(Some(by_room), each), (by_organization, whole)] {
                    let Some(sql) = sql.filter(|_| !subset.is_empty()) else {
                        continue;
                    };
                    let count = subset.len();
                    let found: Vec<T> = (0..count).map(|_| T::default()).collect();
                    let fold = fold.clone();
                    let params = span_arrays(subset.iter().map(|at| &spans[*at]));
                    let (statement, found) = Statement::new(sql, params).folded(
                        found,
                        move |found: &mut Vec<T>, row| {
                            let n = row.count(width)?;
                            let span = usize::try_from(n - 1)
                                .ok()
                                .and_then(|index| found.get_mut(index))
                                .ok_or_else(|| {
                                    StoreError::Invalid(format!("{context}: span {n} of {count}"))
                                })?;
                            fold(span, row)
                        },
                    );
                    script.push(statement);
                    answers.push((subset, found));
                }
                self.driver.run(context, script).await?;
                let mut found: Vec<T> = (0..spans.len()).map(|_| T::default()).collect();
                for (subset, answer) in answers {
                    for (at, rows) in subset.into_iter().zip(answer.rows()?) {
                        found[at] = rows;
                    }
                }
                Ok(found)
            }
            Dialect::Sqlite => {
                let Part { select, joins } = sqlite;
                let sql = format!("SELECT {select} FROM {rooms} r {joins} WHERE {IN_THIS_SPAN}");
                let (script, found): (Vec<Statement>, Vec<Decoded<T>>) = spans
                    .iter()
                    .map(|span| {
                        Statement::new(sql.clone(), span_params(span))
                            .folded(T::default(), fold.clone())
                    })
                    .unzip();
                self.driver.run(context, script).await?;
                found.into_iter().map(Decoded::rows).collect()
            }
        }
    }
}

#[async_trait]
impl Source for SqlSource {
    fn identity(&self) -> String {
        self.identity.clone()
    }

    fn read_lag(&self) -> Duration {
        self.read_lag
    }

    async fn read_organizations(&self) -> StoreResult<Vec<Organization>> {
        // json, jsonb and text all read as text; a JSON null means "not configured".
        let sql = format!(
            "SELECT CAST(id AS TEXT), CAST(name AS TEXT), ai_addon,
                    coalesce(CAST(timezone AS TEXT), 'Asia/Jakarta'),
                    NULLIF(CAST(business_hours AS TEXT), 'null'),
                    coalesce(NULLIF(CAST(holidays AS TEXT), 'null'), '[]')
             FROM {} ORDER BY id",
            self.relations.organizations
        );
        let (statement, organizations) = Statement::new(sql, vec![]).decoded(organization);
        self.driver
            .run("reading organizations", vec![statement])
            .await?;
        organizations.rows()
    }

    async fn room_creation_span(
        &self,
        org: &OrgId,
    ) -> StoreResult<Option<(DateTime<Utc>, DateTime<Utc>)>> {
        let sql = format!(
            "SELECT min(created_at), max(created_at) FROM {} WHERE organization_id = {}",
            self.relations.rooms,
            self.dialect().parameter(1)
        );
        let span = self
            .driver
            .query(
                "reading the span of rooms",
                Statement::new(sql, params![org]),
            )
            .await?;
        // A column of another type (say, a timestamp without a time zone) is an
        // error to report, never "no rooms".
        match span.first() {
            Some(row) => Ok(row.optional_instant(0)?.zip(row.optional_instant(1)?)),
            None => Ok(None),
        }
    }

    async fn rooms_in_creation_order(
        &self,
        org: &OrgId,
        after: Option<(DateTime<Utc>, String)>,
        limit: i64,
    ) -> StoreResult<Vec<SourceRoom>> {
        let p = |n| self.dialect().parameter(n);
        let (condition, params) = match after {
            Some((at, id)) => (
                format!(
                    "WHERE organization_id = {} AND (created_at, id) > ({}, {}) \
                     ORDER BY created_at, id LIMIT {}",
                    p(1),
                    p(2),
                    p(3),
                    p(4)
                ),
                params![org, at, id, limit],
            ),
            None => (
                // As a later page's keyset does, rooms with no creation time are
                // left out (a live view may have them; they have no day).
                format!(
                    "WHERE organization_id = {} AND created_at IS NOT NULL \
                     ORDER BY created_at, id LIMIT {}",
                    p(1),
                    p(2)
                ),
                params![org, limit],
            ),
        };
        self.rooms("reading rooms in creation order", &condition, params)
            .await
    }

    async fn rooms_in_spans(&self, spans: &[RoomSpan]) -> StoreResult<Vec<Vec<SourceRoom>>> {
        let each = Part {
            select: &ROOM_SELECT,
            joins: "",
        };
        let read = SpanRead {
            width: ROOM_WIDTH,
            postgres: each,
            sqlite: each,
            postgres_organization: None,
        };
        self.in_spans("reading rooms", read, spans, |rooms: &mut Vec<_>, row| {
            rooms.push(room(row)?);
            Ok(())
        })
        .await
    }

    async fn message_counts_in_spans(
        &self,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Vec<MessageCount>>> {
        let histories = &self.relations.histories;
        // PostgreSQL counts each room's messages by sender in the room's own
        // subquery. SQLite reads each message once through the covering index and
        // counts equal neighbours as they come: a room's messages arrive together,
        // in sender order, so no sort is needed (a GROUP BY built a temporary
        // b-tree a span). Were they ever to arrive apart, the aggregation sums the
        // counts of a room and sender all the same. `CROSS JOIN` keeps the span's
        // rooms the outer loop.
        let postgres_joins = format!(
            "CROSS JOIN LATERAL (SELECT h.sender_type, count(*) AS count FROM {histories} h \
                 WHERE h.organization_id = r.organization_id AND h.room_id = r.id \
                 GROUP BY h.sender_type) m"
        );
        let sqlite_joins = format!(
            "CROSS JOIN {histories} h ON h.organization_id = r.organization_id AND h.room_id = r.id"
        );
        // All an organization's rooms: one range of the (organization, room,
        // sender) index, each room's messages counted by sender.
        let organization = format!(
            "SELECT CAST(h.room_id AS TEXT), CAST(h.sender_type AS TEXT), count(*) \
             FROM {histories} h WHERE h.organization_id = s.org \
             GROUP BY h.room_id, h.sender_type"
        );
        let read = SpanRead {
            width: 3,
            postgres: Part {
                select: "CAST(r.id AS TEXT), CAST(m.sender_type AS TEXT), m.count",
                joins: &postgres_joins,
            },
            sqlite: Part {
                select: "CAST(h.room_id AS TEXT), CAST(h.sender_type AS TEXT), 1",
                joins: &sqlite_joins,
            },
            postgres_organization: Some(&organization),
        };
        self.in_spans(
            "counting messages",
            read,
            spans,
            |counts: &mut Vec<MessageCount>, row| {
                let (room_id, sender_type, count) =
                    (row.borrowed_text(0)?, row.borrowed_text(1)?, row.count(2)?);
                match counts.last_mut() {
                    Some(last) if last.room_id == room_id && last.sender_type == sender_type => {
                        last.count += count;
                    }
                    _ => counts.push(MessageCount {
                        room_id: room_id.to_string(),
                        sender_type: sender_type.to_string(),
                        count,
                    }),
                }
                Ok(())
            },
        )
        .await
    }

    async fn summaries_in_spans(
        &self,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Vec<(String, RawSentiment)>>> {
        let Some(summaries) = self.summaries_relation().await? else {
            return Ok(vec![Vec::new(); spans.len()]);
        };
        let postgres_joins = format!(
            "CROSS JOIN LATERAL (SELECT m.sentiment FROM {summaries} m \
                 WHERE m.organization_id = r.organization_id AND m.room_id = r.id OFFSET 0) m"
        );
        let sqlite_joins = format!(
            "CROSS JOIN {summaries} m ON m.organization_id = r.organization_id AND m.room_id = r.id"
        );
        let select = "CAST(r.id AS TEXT), CAST(m.sentiment AS TEXT)";
        let organization = format!(
            "SELECT CAST(m.room_id AS TEXT), CAST(m.sentiment AS TEXT) \
             FROM {summaries} m WHERE m.organization_id = s.org"
        );
        let read = SpanRead {
            width: 2,
            postgres: Part {
                select,
                joins: &postgres_joins,
            },
            sqlite: Part {
                select,
                joins: &sqlite_joins,
            },
            postgres_organization: Some(&organization),
        };
        // A label, a number or JSON: its text form parses as the import's does.
        self.in_spans(
            "reading room summaries",
            read,
            spans,
            |found: &mut Vec<(String, RawSentiment)>, row| {
                let sentiment = row
                    .optional_text(1)?
                    .as_deref()
                    .map_or(RawSentiment::Missing, sentiment_from_text);
                found.push((row.text(0)?, sentiment));
                Ok(())
            },
        )
        .await
    }

    async fn rooms_closed_before(
        &self,
        org: &OrgId,
        visits: &[ContactVisit],
    ) -> StoreResult<Vec<SourceRoom>> {
        if visits.is_empty() {
            return Ok(Vec::new());
        }
        let context = "reading the rooms a returning customer may have reopened";
        let rooms = &self.relations.rooms;
        let reach = chrono::Duration::hours(REOPEN_WINDOW_HOURS);
        // Each visit is an index range on (organization, contact, closed_at):
        // PostgreSQL takes them all as arrays in one statement, SQLite one
        // statement a visit.
        let script: Vec<(Statement, Decoded<Vec<SourceRoom>>)> = match self.dialect() {
            Dialect::Postgres => {
                let sql = format!(
                    "SELECT {}
                     FROM unnest($2::text[], $3::timestamptz[]) AS v(contact_id, at)
                     JOIN {rooms} r ON r.organization_id = $1 AND r.contact_id = v.contact_id
                         AND r.closed_at >= v.at - make_interval(hours => $4)
                         AND r.closed_at < v.at",
                    *ROOM_SELECT
                );
                let contacts = visits.iter().map(|v| Value::from(&v.contact_id)).collect();
                let instants = visits.iter().map(|v| Value::Instant(v.at)).collect();
                let params = vec![
                    Value::from(org),
                    Value::Array(contacts),
                    Value::Array(instants),
                    Value::from(REOPEN_WINDOW_HOURS),
                ];
                vec![Statement::new(sql, params).decoded(room)]
            }
            Dialect::Sqlite => {
                let sql = format!(
                    "SELECT {} FROM {rooms} r WHERE r.organization_id = ?1 \
                     AND r.contact_id = ?2 AND r.closed_at >= ?3 AND r.closed_at < ?4",
                    *ROOM_SELECT
                );
                visits
                    .iter()
                    .map(|visit| {
                        let params = params![org, &visit.contact_id, visit.at - reach, visit.at];
                        Statement::new(sql.clone(), params).decoded(room)
                    })
                    .collect()
            }
        };
        let (script, found): (Vec<Statement>, Vec<_>) = script.into_iter().unzip();
        self.driver.run(context, script).await?;
        // A room within reach of two visits is one room.
        let mut seen = HashSet::new();
        let mut rooms = Vec::new();
        for room in found.into_iter().map(Decoded::rows) {
            rooms.extend(
                room?
                    .into_iter()
                    .filter(|room| seen.insert(room.id.clone())),
            );
        }
        Ok(rooms)
    }

    async fn count_rooms(&self, spans: &[RoomSpan]) -> StoreResult<Vec<i64>> {
        let context = "counting the source's rooms";
        let rooms = &self.relations.rooms;
        // Each span is a range of the (organization, created_at) index: PostgreSQL
        // counts them all in one statement, SQLite one statement a span.
        let script = match self.dialect() {
            Dialect::Postgres if spans.is_empty() => Vec::new(),
            Dialect::Postgres => vec![Statement::new(
                format!(
                    "SELECT (SELECT count(*) FROM {rooms} r WHERE {IN_SPAN}) \
                     FROM {SPANS} ORDER BY s.n"
                ),
                span_arrays(spans.iter()),
            )],
            Dialect::Sqlite => {
                let sql = format!("SELECT count(*) FROM {rooms} r WHERE {IN_THIS_SPAN}");
                spans
                    .iter()
                    .map(|span| Statement::new(sql.clone(), span_params(span)))
                    .collect()
            }
        };
        let mut counts = Vec::with_capacity(spans.len());
        for answer in self.driver.run(context, script).await? {
            for row in answer.rows() {
                counts.push(row.count(0)?);
            }
        }
        if counts.len() != spans.len() {
            return Err(StoreError::Invalid(format!(
                "{context}: {} counts for {} spans",
                counts.len(),
                spans.len()
            )));
        }
        Ok(counts)
    }

    async fn rooms_per_day(
        &self,
        org: &OrgId,
        timezone: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<(NaiveDate, i64)>> {
        let context = "counting the source's rooms per day";
        let rooms = &self.relations.rooms;
        match self.dialect() {
            Dialect::Postgres => {
                let sql = format!(
                    "SELECT (created_at AT TIME ZONE $2)::date AS day, count(*) FROM {rooms}
                     WHERE organization_id = $1 AND created_at >= $3 AND created_at < $4
                     GROUP BY 1 ORDER BY 1"
                );
                let read = Statement::new(sql, params![org, timezone, start, end]);
                self.driver
                    .query(context, read)
                    .await?
                    .rows()
                    .map(|row| Ok((row.day(0)?, row.count(1)?)))
                    .collect()
            }
            // SQLite knows no time zones but UTC: the days are counted here.
            Dialect::Sqlite => {
                let timezone = Organization::parse_timezone(timezone)
                    .map_err(StoreError::unreadable("an organization's time zone"))?;
                let sql = format!(
                    "SELECT created_at FROM {rooms} \
                     WHERE organization_id = ?1 AND created_at >= ?2 AND created_at < ?3"
                );
                let (read, days) = Statement::new(sql, params![org, start, end]).folded(
                    BTreeMap::<NaiveDate, i64>::new(),
                    move |days, row| {
                        let day = row.instant(0)?.with_timezone(&timezone).date_naive();
                        *days.entry(day).or_default() += 1;
                        Ok(())
                    },
                );
                self.driver.run(context, vec![read]).await?;
                Ok(days.rows()?.into_iter().collect())
            }
        }
    }

    async fn changes_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<SourceChange>>> {
        // Only the import writes the datamart's own tables, and it marks what it
        // changed; a live source is PostgreSQL.
        if !self.live {
            return Ok(None);
        }
        let Relations {
            rooms,
            histories,
            rooms_changed_column,
            ..
        } = &self.relations;
        let room_summaries = self.summaries_relation().await?;
        let mut room_conditions = vec![
            "(r.created_at > $1 AND r.created_at <= $2)".to_string(),
            "(r.closed_at > $1 AND r.closed_at <= $2)".to_string(),
            "(r.assigned_at > $1 AND r.assigned_at <= $2)".to_string(),
        ];
        if let Some(column) = rooms_changed_column {
            room_conditions.push(format!("(r.{column} > $1 AND r.{column} <= $2)"));
        }
        // Each branch is one index range over the whole fleet (docs/operations.md
        // lists the indexes a source should have); a room found twice is one change.
        let mut sql = format!(
            "SELECT r.organization_id::text, r.id::text, r.created_at, r.contact_id::text
             FROM {rooms} r WHERE {}
             UNION
             SELECT r.organization_id::text, r.id::text, r.created_at, NULL
             FROM {rooms} r
             JOIN (SELECT DISTINCT organization_id, room_id FROM {histories}
                   WHERE created_at > $1 AND created_at <= $2) h
               ON h.organization_id = r.organization_id AND h.room_id = r.id",
            room_conditions.join(" OR ")
        );
        if let Some(summaries) = room_summaries {
            sql.push_str(&format!(
                "
             UNION
             SELECT r.organization_id::text, r.id::text, r.created_at, NULL
             FROM {rooms} r
             JOIN (SELECT DISTINCT organization_id, room_id FROM {summaries}
                   WHERE created_at > $1 AND created_at <= $2) s
               ON s.organization_id = r.organization_id AND s.room_id = r.id"
            ));
        }
        let (read, changes) = Statement::new(sql, params![after, until]).decoded(|row| {
            let room_id = row.text(1)?;
            Ok(SourceChange {
                organization_id: OrgId::parse(&row.text(0)?).map_err(StoreError::unreadable(
                    format!("the organization of room {room_id}"),
                ))?,
                room_id,
                created_at: row.instant(2)?,
                contact_id: row.optional_text(3)?,
            })
        });
        self.driver
            .run("finding changed rooms in the source", vec![read])
            .await?;
        changes.rows().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rooms_width_is_its_column_list() {
        // The span's number is read right after a room's columns.
        assert_eq!(ROOM_SELECT.split(", ").count(), ROOM_WIDTH);
    }

    #[test]
    fn relation_names_are_quoted_and_nothing_else_passes() {
        assert_eq!(quote_relation("x", "rooms").unwrap(), "\"rooms\"");
        assert_eq!(
            quote_relation("x", "chatbot.rooms_v").unwrap(),
            "\"chatbot\".\"rooms_v\""
        );
        for bad in [
            "",
            "a.b.c",
            "rooms; DROP TABLE rooms",
            "r\"x",
            "1rooms",
            "rooms--",
        ] {
            assert!(quote_relation("source.rooms", bad).is_err(), "{bad}");
        }
    }
}
