//! The SQLite file's own source tables (`rooms`, `histories`, `room_summaries`,
//! `organizations`), filled by the import and read by the aggregation when no live
//! source is set.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection};

use super::{instant, micros, query_rooms, read_organizations, run_blocking, text_at};
use crate::domain::{OrgId, Organization, RawSentiment};
use crate::metrics::rooms::REOPEN_WINDOW_HOURS;
use crate::store::source::{ContactVisit, RoomSpan, Source, SourceChange};
use crate::store::{sentiment_from_column, MessageCount, SourceRoom, StoreError, StoreResult};

/// The source tables of the SQLite file, read on a connection of their own.
pub(crate) struct SqliteSource {
    /// Reads of the source tables (rooms, histories, summaries) only. A second
    /// connection lets the aggregation read the next days while the last ones are
    /// written: in WAL mode a reader and the writer run side by side, and the
    /// reader sees every transaction committed before its statement began.
    pub(super) reader: Arc<Mutex<Connection>>,
    pub(super) identity: String,
}

impl SqliteSource {
    async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        run_blocking(Arc::clone(&self.reader), work).await
    }
}

#[async_trait]
impl Source for SqliteSource {
    fn identity(&self) -> String {
        self.identity.clone()
    }

    fn read_lag(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }

    async fn read_organizations(&self) -> StoreResult<Vec<Organization>> {
        self.read(read_organizations).await
    }

    async fn room_creation_span(
        &self,
        org: &OrgId,
    ) -> StoreResult<Option<(DateTime<Utc>, DateTime<Utc>)>> {
        let org = org.to_string();
        self.read(move |c| {
            let (first, last): (Option<i64>, Option<i64>) = c
                .query_row(
                    "SELECT min(created_at), max(created_at) FROM rooms WHERE organization_id = ?1",
                    [&org],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .map_err(StoreError::sqlite("reading the span of rooms"))?;
            match (first, last) {
                (Some(first), Some(last)) => Ok(Some((instant(first)?, instant(last)?))),
                _ => Ok(None),
            }
        })
        .await
    }

    async fn rooms_in_creation_order(
        &self,
        org: &OrgId,
        after: Option<(DateTime<Utc>, String)>,
        limit: i64,
    ) -> StoreResult<Vec<SourceRoom>> {
        let org = org.to_string();
        self.read(move |c| {
            let (after_at, after_id) = match after {
                Some((at, id)) => (micros(at), id),
                None => (i64::MIN, String::new()),
            };
            query_rooms(
                c,
                "reading rooms in creation order",
                "WHERE organization_id = ?1 AND (created_at, id) > (?2, ?3) ORDER BY created_at, id LIMIT ?4",
                params![org, after_at, after_id, limit],
            )
        })
        .await
    }

    async fn rooms_in_spans(&self, spans: &[RoomSpan]) -> StoreResult<Vec<Vec<SourceRoom>>> {
        let spans = spans.to_vec();
        // One trip to the reading thread; each span is then a range of the
        // (organization, created_at) index, and a statement costs no round trip here.
        self.read(move |c| {
            spans
                .iter()
                .map(|span| {
                    query_rooms(
                        c,
                        "reading rooms",
                        "WHERE organization_id = ?1 AND created_at >= ?2 AND created_at < ?3",
                        params![
                            span.organization_id.as_str(),
                            micros(span.start),
                            micros(span.end)
                        ],
                    )
                })
                .collect()
        })
        .await
    }

    async fn message_counts_in_spans(
        &self,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Vec<MessageCount>>> {
        let spans = spans.to_vec();
        self.read(move |c| {
            let context = "counting messages";
            // Each message is read once through the covering index, and equal
            // neighbours are counted here: in the nested loop below a room's messages
            // arrive together, in sender order, so no sort is needed (a GROUP BY built
            // a temporary b-tree per span). Were they ever to arrive apart, the
            // aggregation sums the counts of a room and sender all the same.
            // `CROSS JOIN` keeps the span's rooms the outer loop.
            let mut statement = c
                .prepare_cached(
                    "SELECT h.room_id, h.sender_type
                     FROM rooms r
                     CROSS JOIN histories h ON h.organization_id = r.organization_id AND h.room_id = r.id
                     WHERE r.organization_id = ?1 AND r.created_at >= ?2 AND r.created_at < ?3",
                )
                .map_err(StoreError::sqlite(context))?;
            let mut all = Vec::with_capacity(spans.len());
            for span in &spans {
                let mut rows = statement
                    .query(params![
                        span.organization_id.as_str(),
                        micros(span.start),
                        micros(span.end)
                    ])
                    .map_err(StoreError::sqlite(context))?;
                let mut counts: Vec<MessageCount> = Vec::new();
                while let Some(row) = rows.next().map_err(StoreError::sqlite(context))? {
                    let room_id = text_at(row, 0, context)?;
                    let sender_type = text_at(row, 1, context)?;
                    match counts.last_mut() {
                        Some(last) if last.room_id == room_id && last.sender_type == sender_type => {
                            last.count += 1;
                        }
                        _ => counts.push(MessageCount {
                            room_id: room_id.to_string(),
                            sender_type: sender_type.to_string(),
                            count: 1,
                        }),
                    }
                }
                all.push(counts);
            }
            Ok(all)
        })
        .await
    }

    async fn summaries_in_spans(
        &self,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Vec<(String, RawSentiment)>>> {
        let spans = spans.to_vec();
        self.read(move |c| {
            let context = "reading room summaries";
            let mut statement = c
                .prepare_cached(
                    "SELECT s.room_id, s.sentiment
                     FROM rooms r
                     CROSS JOIN room_summaries s ON s.organization_id = r.organization_id AND s.room_id = r.id
                     WHERE r.organization_id = ?1 AND r.created_at >= ?2 AND r.created_at < ?3",
                )
                .map_err(StoreError::sqlite(context))?;
            let mut all = Vec::with_capacity(spans.len());
            for span in &spans {
                let rows = statement
                    .query_map(
                        params![
                            span.organization_id.as_str(),
                            micros(span.start),
                            micros(span.end)
                        ],
                        |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
                    )
                    .map_err(StoreError::sqlite(context))?;
                let mut found = Vec::new();
                for row in rows {
                    let (room_id, sentiment) = row.map_err(StoreError::sqlite(context))?;
                    found.push((room_id, sentiment_from_column(&sentiment)));
                }
                all.push(found);
            }
            Ok(all)
        })
        .await
    }

    async fn rooms_closed_before(
        &self,
        org: &OrgId,
        visits: &[ContactVisit],
    ) -> StoreResult<Vec<SourceRoom>> {
        let org = org.to_string();
        let visits = visits.to_vec();
        let reach = chrono::Duration::hours(REOPEN_WINDOW_HOURS);
        self.read(move |c| {
            let mut found = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for visit in &visits {
                for room in query_rooms(
                    c,
                    "reading the rooms a returning customer may have reopened",
                    "WHERE organization_id = ?1 AND contact_id = ?2 AND closed_at >= ?3 AND closed_at < ?4",
                    params![org, visit.contact_id, micros(visit.at - reach), micros(visit.at)],
                )? {
                    if seen.insert(room.id.clone()) {
                        found.push(room);
                    }
                }
            }
            Ok(found)
        })
        .await
    }

    async fn count_rooms(&self, spans: &[RoomSpan]) -> StoreResult<Vec<i64>> {
        let spans = spans.to_vec();
        self.read(move |c| {
            let context = "counting rooms";
            let mut statement = c
                .prepare_cached(
                    "SELECT count(*) FROM rooms
                     WHERE organization_id = ?1 AND created_at >= ?2 AND created_at < ?3",
                )
                .map_err(StoreError::sqlite(context))?;
            spans
                .iter()
                .map(|span| {
                    statement
                        .query_row(
                            params![
                                span.organization_id.as_str(),
                                micros(span.start),
                                micros(span.end)
                            ],
                            |row| row.get(0),
                        )
                        .map_err(StoreError::sqlite(context))
                })
                .collect()
        })
        .await
    }

    async fn rooms_per_day(
        &self,
        org: &OrgId,
        timezone: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<(NaiveDate, i64)>> {
        let timezone = crate::domain::Organization::parse_timezone(timezone)
            .map_err(StoreError::unreadable("an organization's time zone"))?;
        let mut days: std::collections::BTreeMap<NaiveDate, i64> = Default::default();
        for room in self.rooms_created_between(org, start, end).await? {
            *days
                .entry(room.created_at.with_timezone(&timezone).date_naive())
                .or_default() += 1;
        }
        Ok(days.into_iter().collect())
    }

    async fn changes_between(
        &self,
        _after: DateTime<Utc>,
        _until: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<SourceChange>>> {
        // Only the import writes these tables, and it marks what it changed.
        Ok(None)
    }
}
