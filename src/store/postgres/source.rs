//! The source reads on PostgreSQL, written once for both uses: the datamart's own
//! source tables (`PostgresStore`) and a live source of the chatbot's, reached with
//! a role that may only `SELECT` the relations of METRICS.md §8.1 (tables or views,
//! under the names the settings give).
//!
//! A live source is opened with `default_transaction_read_only` and a statement
//! timeout set for the whole session, so every read is a read-only transaction with
//! a time limit and nothing this program sends could write there. Nothing is created
//! or migrated in it. Text columns are read through `::text`, so a view may expose
//! `varchar` or `uuid` ids unchanged.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::{Object, Pool};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::{build_pool, query_on};
use crate::domain::{OrgId, Organization, RawSentiment};
use crate::metrics::rooms::REOPEN_WINDOW_HOURS;
use crate::settings::SourceSettings;
use crate::store::source::{ContactVisit, RoomSpan, Source, SourceChange};
use crate::store::{
    organization_from_columns, MessageCount, SourceRoom, StoreError, StoreResult,
    MAX_SOURCE_ROOM_ID_CHARS,
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
    /// The datamart's own source tables (migrations/postgres/0001_init.sql).
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

/// A sentiment column's text: JSON (a `json`/`jsonb` column, or the import's own
/// table) or, from a `text` column, a bare label or number.
fn sentiment_from_text(text: &str) -> RawSentiment {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => RawSentiment::from_json(&value),
        Err(_) => RawSentiment::Label(text.to_string()),
    }
}

/// Reads the source relations of one PostgreSQL database.
pub struct PostgresSource {
    pool: Pool,
    relations: Relations,
    /// Whether the configured summaries relation exists, asked once: a source may
    /// keep no summaries (its sentiment in MongoDB, or none), and then none are read.
    summaries_exist: tokio::sync::OnceCell<bool>,
    identity: String,
    read_lag: Duration,
    /// Whether changes are found from timestamps (a live source) rather than marked
    /// by the import (the datamart's own tables).
    live: bool,
}

/// A room's columns in the order `room_from_row` reads them, of the relation `alias`.
fn room_columns(alias: &str) -> String {
    format!(
        "{alias}.organization_id::text, {alias}.id::text, {alias}.channel::text, \
         {alias}.contact_id::text, {alias}.created_at, {alias}.closed_at, \
         {alias}.closed_reason::text, {alias}.assign_channel_agent_id::text, {alias}.assigned_at"
    )
}

pub(super) fn room_from_row(row: &Row) -> StoreResult<SourceRoom> {
    let context = "reading a room";
    let get_text = |index: usize| -> StoreResult<String> {
        row.try_get(index).map_err(StoreError::postgres(context))
    };
    let id = get_text(1)?;
    let organization_id = OrgId::parse(&get_text(0)?).map_err(|e| {
        let start: String = id.chars().take(40).collect();
        StoreError::unreadable(format!("the organization of room {start:?}"))(e)
    })?;
    let length = id.chars().count();
    if length > MAX_SOURCE_ROOM_ID_CHARS {
        let start: String = id.chars().take(40).collect();
        return Err(StoreError::Invalid(format!(
            "organization {organization_id}: the room id {start:?}… has {length} characters; \
             a room id may have at most {MAX_SOURCE_ROOM_ID_CHARS} (map longer ids in the \
             source's view)"
        )));
    }
    Ok(SourceRoom {
        organization_id,
        channel: get_text(2)?,
        contact_id: get_text(3)?,
        created_at: row.try_get(4).map_err(StoreError::postgres(context))?,
        closed_at: row.try_get(5).map_err(StoreError::postgres(context))?,
        closed_reason: row.try_get(6).map_err(StoreError::postgres(context))?,
        assign_channel_agent_id: row.try_get(7).map_err(StoreError::postgres(context))?,
        assigned_at: row.try_get(8).map_err(StoreError::postgres(context))?,
        id,
    })
}

impl PostgresSource {
    /// The datamart's own source tables, on the datamart's pool.
    pub(super) fn own(pool: Pool, identity: String) -> Self {
        PostgresSource {
            pool,
            relations: Relations::own(),
            summaries_exist: tokio::sync::OnceCell::new(),
            identity,
            read_lag: Duration::ZERO,
            live: false,
        }
    }

    /// A live source: its own small pool, every session read-only with a statement
    /// timeout. Connections are made on first use.
    pub fn connect(url: &str, settings: &SourceSettings) -> StoreResult<Self> {
        let relations = Relations::from_settings(settings)?;
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| {
            StoreError::BadUrl(format!(
                "'{}' is not a PostgreSQL URL for the source: {e}",
                redact(url)
            ))
        })?;
        let mut options = config.get_options().unwrap_or_default().to_string();
        options.push_str(&format!(
            " -c default_transaction_read_only=on -c statement_timeout={}",
            settings.statement_timeout_ms.max(1)
        ));
        config.options(options.trim());
        if config.get_application_name().is_none() {
            config.application_name("impact-source");
        }
        Ok(PostgresSource {
            pool: build_pool(config, settings.pool_size)?,
            relations,
            summaries_exist: tokio::sync::OnceCell::new(),
            identity: redact(url),
            read_lag: settings.lag(),
            live: true,
        })
    }

    async fn client(&self, context: &str) -> StoreResult<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::pool(format!("{context} (source {})", self.identity), e))
    }

    async fn query(
        &self,
        context: &str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> StoreResult<Vec<Row>> {
        let client = self.client(context).await?;
        query_on(&client, context, sql, params).await
    }

    /// The summaries relation, when one is configured and the source has it.
    async fn summaries_relation(&self) -> StoreResult<Option<&str>> {
        let Some(name) = self.relations.room_summaries.as_deref() else {
            return Ok(None);
        };
        let exists = self
            .summaries_exist
            .get_or_try_init(|| async {
                let rows = self
                    .query(
                        "looking for the source's summaries",
                        "SELECT to_regclass($1) IS NOT NULL",
                        &[&name],
                    )
                    .await?;
                let exists = match rows.first() {
                    Some(row) => row
                        .try_get::<_, bool>(0)
                        .map_err(StoreError::postgres("looking for the source's summaries"))?,
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

    async fn rooms(
        &self,
        context: &str,
        condition: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> StoreResult<Vec<SourceRoom>> {
        let rooms = &self.relations.rooms;
        let columns = room_columns("r");
        self.query(
            context,
            &format!("SELECT {columns} FROM {rooms} r {condition}"),
            params,
        )
        .await?
        .iter()
        .map(room_from_row)
        .collect()
    }
}

/// The spans of a read, as a relation `s(org, start_at, end_at, n)` numbered from 1
/// (parameters 1 to 3: the organizations, starts and ends).
const SPANS: &str = "unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) \
     WITH ORDINALITY AS s(org, start_at, end_at, n)";

/// A room `r` of span `s`: a range of the (organization, created_at) index.
const IN_SPAN: &str =
    "r.organization_id = s.org AND r.created_at >= s.start_at AND r.created_at < s.end_at";

/// The rooms of span `s`, as a subquery the planner keeps apart (`OFFSET 0`): each
/// span is read as a range of the (organization, created_at) index, then each room's
/// messages and summary through their own indexes, so a read costs what it returns
/// whatever the tables hold. Joined whole, the planner may hash every room and
/// message of the source for a few days of it.
fn rooms_of_span(rooms: &str) -> String {
    format!("SELECT * FROM {rooms} r WHERE {IN_SPAN} OFFSET 0")
}

/// The span (from 0) a row of an `in_spans` read belongs to, from its ordinal column.
fn span_index(row: &Row, column: usize, spans: usize, context: &str) -> StoreResult<usize> {
    let n: i64 = row.try_get(column).map_err(StoreError::postgres(context))?;
    usize::try_from(n - 1)
        .ok()
        .filter(|index| *index < spans)
        .ok_or_else(|| StoreError::Invalid(format!("{context}: span {n} of {spans}")))
}

impl PostgresSource {
    /// Runs one read over `spans` (see `SPANS`); nothing is sent for no spans.
    async fn in_spans(
        &self,
        context: &str,
        sql: &str,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Row>> {
        if spans.is_empty() {
            return Ok(Vec::new());
        }
        let orgs: Vec<&str> = spans.iter().map(|s| s.organization_id.as_str()).collect();
        let starts: Vec<DateTime<Utc>> = spans.iter().map(|s| s.start).collect();
        let ends: Vec<DateTime<Utc>> = spans.iter().map(|s| s.end).collect();
        self.query(context, sql, &[&orgs, &starts, &ends]).await
    }
}

#[async_trait]
impl Source for PostgresSource {
    fn identity(&self) -> String {
        self.identity.clone()
    }

    fn read_lag(&self) -> Duration {
        self.read_lag
    }

    async fn read_organizations(&self) -> StoreResult<Vec<Organization>> {
        let context = "reading organizations";
        // json, jsonb and text all read as text; a JSON null means "not configured".
        let sql = format!(
            "SELECT id::text, name::text, ai_addon, coalesce(timezone::text, 'Asia/Jakarta'),
                    NULLIF(business_hours::text, 'null'), coalesce(NULLIF(holidays::text, 'null'), '[]')
             FROM {} ORDER BY id",
            self.relations.organizations
        );
        self.query(context, &sql, &[])
            .await?
            .iter()
            .map(|row| {
                let text = |index: usize| -> StoreResult<String> {
                    row.try_get(index).map_err(StoreError::postgres(context))
                };
                organization_from_columns(
                    text(0)?,
                    text(1)?,
                    row.try_get(2).map_err(StoreError::postgres(context))?,
                    text(3)?,
                    row.try_get(4).map_err(StoreError::postgres(context))?,
                    text(5)?,
                )
            })
            .collect()
    }

    async fn room_creation_span(
        &self,
        org: &OrgId,
    ) -> StoreResult<Option<(DateTime<Utc>, DateTime<Utc>)>> {
        let rows = self
            .query(
                "reading the span of rooms",
                &format!(
                    "SELECT min(created_at), max(created_at) FROM {} WHERE organization_id = $1",
                    self.relations.rooms
                ),
                &[&org.as_str()],
            )
            .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        // A column of another type (say, a timestamp without a time zone) is an error
        // to report, never "no rooms".
        let context = "reading the span of rooms";
        let first: Option<DateTime<Utc>> = row.try_get(0).map_err(StoreError::postgres(context))?;
        let last: Option<DateTime<Utc>> = row.try_get(1).map_err(StoreError::postgres(context))?;
        Ok(first.zip(last))
    }

    async fn rooms_in_creation_order(
        &self,
        org: &OrgId,
        after: Option<(DateTime<Utc>, String)>,
        limit: i64,
    ) -> StoreResult<Vec<SourceRoom>> {
        let (after_at, after_id) = match after {
            Some((at, id)) => (at, id),
            // Before any real room and within PostgreSQL's range of timestamps.
            None => (
                DateTime::<Utc>::from_timestamp(-62_135_596_800, 0).unwrap_or_default(),
                String::new(),
            ),
        };
        self.rooms(
            "reading rooms in creation order",
            "WHERE organization_id = $1 AND (created_at, id) > ($2, $3)
             ORDER BY created_at, id LIMIT $4",
            &[&org.as_str(), &after_at, &after_id, &limit],
        )
        .await
    }

    async fn rooms_in_spans(&self, spans: &[RoomSpan]) -> StoreResult<Vec<Vec<SourceRoom>>> {
        let context = "reading rooms";
        let columns = room_columns("r");
        let rows = self
            .in_spans(
                context,
                &format!(
                    "SELECT {columns}, s.n FROM {SPANS} CROSS JOIN LATERAL ({}) r",
                    rooms_of_span(&self.relations.rooms)
                ),
                spans,
            )
            .await?;
        let mut found = vec![Vec::new(); spans.len()];
        for row in &rows {
            let room = room_from_row(row)?;
            found[span_index(row, 9, spans.len(), context)?].push(room);
        }
        Ok(found)
    }

    async fn message_counts_in_spans(
        &self,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Vec<MessageCount>>> {
        let context = "counting messages";
        let Relations {
            rooms, histories, ..
        } = &self.relations;
        let rows = self
            .in_spans(
                context,
                &format!(
                    "SELECT r.id::text, m.sender_type::text, m.count, s.n
                     FROM {SPANS} CROSS JOIN LATERAL ({}) r
                     CROSS JOIN LATERAL (SELECT h.sender_type, count(*) AS count FROM {histories} h
                         WHERE h.organization_id = r.organization_id AND h.room_id = r.id
                         GROUP BY h.sender_type) m",
                    rooms_of_span(rooms)
                ),
                spans,
            )
            .await?;
        let mut found = vec![Vec::new(); spans.len()];
        for row in &rows {
            found[span_index(row, 3, spans.len(), context)?].push(MessageCount {
                room_id: row.try_get(0).map_err(StoreError::postgres(context))?,
                sender_type: row.try_get(1).map_err(StoreError::postgres(context))?,
                count: row.try_get(2).map_err(StoreError::postgres(context))?,
            });
        }
        Ok(found)
    }

    async fn summaries_in_spans(
        &self,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Vec<(String, RawSentiment)>>> {
        let mut found = vec![Vec::new(); spans.len()];
        let Some(summaries) = self.summaries_relation().await? else {
            return Ok(found);
        };
        let context = "reading room summaries";
        let rooms = &self.relations.rooms;
        // A label, a number or JSON: its text form parses as the import's does.
        let rows = self
            .in_spans(
                context,
                &format!(
                    "SELECT r.id::text, m.sentiment::text, s.n
                     FROM {SPANS} CROSS JOIN LATERAL ({}) r
                     CROSS JOIN LATERAL (SELECT s2.sentiment FROM {summaries} s2
                         WHERE s2.organization_id = r.organization_id AND s2.room_id = r.id
                         OFFSET 0) m",
                    rooms_of_span(rooms)
                ),
                spans,
            )
            .await?;
        for row in &rows {
            let room: String = row.try_get(0).map_err(StoreError::postgres(context))?;
            let sentiment: Option<String> =
                row.try_get(1).map_err(StoreError::postgres(context))?;
            found[span_index(row, 2, spans.len(), context)?].push((
                room,
                sentiment
                    .as_deref()
                    .map_or(RawSentiment::Missing, sentiment_from_text),
            ));
        }
        Ok(found)
    }

    async fn rooms_closed_before(
        &self,
        org: &OrgId,
        visits: &[ContactVisit],
    ) -> StoreResult<Vec<SourceRoom>> {
        if visits.is_empty() {
            return Ok(Vec::new());
        }
        let contacts: Vec<&str> = visits.iter().map(|v| v.contact_id.as_str()).collect();
        let instants: Vec<DateTime<Utc>> = visits.iter().map(|v| v.at).collect();
        let rooms = &self.relations.rooms;
        let columns = room_columns("r");
        // One statement for every visit, each an index range on (organization,
        // contact, closed_at).
        self.query(
            "reading the rooms a returning customer may have reopened",
            &format!(
                "SELECT DISTINCT {columns}
                 FROM unnest($2::text[], $3::timestamptz[]) AS v(contact_id, at)
                 JOIN {rooms} r ON r.organization_id = $1 AND r.contact_id = v.contact_id
                     AND r.closed_at >= v.at - make_interval(hours => $4)
                     AND r.closed_at < v.at"
            ),
            &[
                &org.as_str(),
                &contacts,
                &instants,
                &(REOPEN_WINDOW_HOURS as i32),
            ],
        )
        .await?
        .iter()
        .map(room_from_row)
        .collect()
    }

    async fn count_rooms(&self, spans: &[RoomSpan]) -> StoreResult<Vec<i64>> {
        let context = "counting the source's rooms";
        // One statement; each span is a range of the (organization, created_at) index.
        let rows = self
            .in_spans(
                context,
                &format!(
                    "SELECT (SELECT count(*) FROM {} r WHERE {IN_SPAN}) FROM {SPANS} ORDER BY s.n",
                    self.relations.rooms
                ),
                spans,
            )
            .await?;
        rows.iter()
            .map(|row| row.try_get(0).map_err(StoreError::postgres(context)))
            .collect()
    }

    async fn rooms_per_day(
        &self,
        org: &OrgId,
        timezone: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<(NaiveDate, i64)>> {
        let context = "counting the source's rooms per day";
        self.query(
            context,
            &format!(
                "SELECT (created_at AT TIME ZONE $2)::date AS day, count(*) FROM {}
                 WHERE organization_id = $1 AND created_at >= $3 AND created_at < $4
                 GROUP BY 1 ORDER BY 1",
                self.relations.rooms
            ),
            &[&org.as_str(), &timezone, &start, &end],
        )
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get(0).map_err(StoreError::postgres(context))?,
                row.try_get(1).map_err(StoreError::postgres(context))?,
            ))
        })
        .collect()
    }

    async fn changes_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<SourceChange>>> {
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
        let context = "finding changed rooms in the source";
        let rows = self.query(context, &sql, &[&after, &until]).await?;
        let mut changes = Vec::with_capacity(rows.len());
        for row in &rows {
            let org: String = row.try_get(0).map_err(StoreError::postgres(context))?;
            let room_id: String = row.try_get(1).map_err(StoreError::postgres(context))?;
            changes.push(SourceChange {
                organization_id: OrgId::parse(&org).map_err(StoreError::unreadable(format!(
                    "the organization of room {room_id}"
                )))?,
                room_id,
                created_at: row.try_get(2).map_err(StoreError::postgres(context))?,
                contact_id: row.try_get(3).map_err(StoreError::postgres(context))?,
            });
        }
        Ok(Some(changes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
