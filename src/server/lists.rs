//! The conversations behind each figure (docs/metrics.md §4.9): which list a caller
//! asks for, the keyset cursor that pages through it, the pages a download is
//! written from, how many downloads run at once, and how each one's end is
//! recorded. The files themselves are written in `crate::exports`; the routes in
//! `routes::lists` only parse requests and answer with these.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::domain::{DateRange, OrgId};
use crate::exports::{DownloadOutcome, Export, Pages};
use crate::i18n::api as api_words;
use crate::metrics::rooms::{ConversationList, RoomOutcome};
use crate::metrics::DailyCounters;
use crate::server::errors::ApiError;
use crate::server::observability::Metrics;
use crate::store::{ConversationQuery, ListPosition, ReportStore, StoreError};

/// Rows a page of the API's list holds unless `limit` says otherwise.
pub(crate) const DEFAULT_PAGE_ROWS: usize = 50;
/// The most rows one page of the API's list may ask for.
pub(crate) const MAX_PAGE_ROWS: usize = 200;
/// A cursor longer than this is not one of ours. The import bounds ids at 128
/// characters (a cursor of at most about 850 bytes), a live source at 256
/// (`store::MAX_SOURCE_ROOM_ID_CHARS`: at most about 2 300 bytes),
/// well within the 64 KiB a request line may have even percent-encoded.
pub(crate) const MAX_CURSOR_BYTES: usize = 4 * 1024;
/// Rows a download reads from the datamart at a time: what a download holds in memory.
pub(crate) const DOWNLOAD_PAGE_ROWS: usize = 5_000;
/// How long one page read may take.
pub(crate) const PAGE_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The list named by `outcome=`, or the 400 that names the allowed values.
pub(crate) fn parse_list(name: Option<&str>) -> Result<ConversationList, ApiError> {
    name.and_then(ConversationList::parse).ok_or_else(|| {
        let allowed: Vec<&str> = ConversationList::ALL.iter().map(|l| l.name()).collect();
        ApiError::bad_request(api_words::BAD_OUTCOME, &[("allowed", allowed.join(", "))])
    })
}

/// The page size asked for (`limit=`), within 1..=`MAX_PAGE_ROWS`.
pub(crate) fn parse_limit(text: Option<&str>) -> Result<usize, ApiError> {
    let bad = || ApiError::bad_request(api_words::BAD_LIMIT, &[("max", MAX_PAGE_ROWS.to_string())]);
    match text {
        None => Ok(DEFAULT_PAGE_ROWS),
        Some(text) => match text.trim().parse::<usize>() {
            Ok(limit) if (1..=MAX_PAGE_ROWS).contains(&limit) => Ok(limit),
            _ => Err(bad()),
        },
    }
}

/// Where the next page starts: the last row of this one, tied to the list and
/// range it came from so that it cannot be replayed against another list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Cursor {
    list: String,
    from: NaiveDate,
    to: NaiveDate,
    day: NaiveDate,
    created_at_micros: i64,
    room_id: String,
}

fn encode_cursor(query: &ConversationQuery, last: &RoomOutcome) -> String {
    let cursor = Cursor {
        list: query.list.name().to_string(),
        from: query.days.from(),
        to: query.days.to(),
        day: last.day,
        created_at_micros: last.created_at.timestamp_micros(),
        room_id: last.room_id.clone(),
    };
    // Serialising plain strings and numbers cannot fail.
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor).unwrap_or_default())
}

/// The position a cursor names, if it is ours and belongs to `query`'s list and range.
fn decode_cursor(text: &str, query: &ConversationQuery) -> Result<ListPosition, ApiError> {
    let bad = || ApiError::bad_request(api_words::BAD_CURSOR, &[]);
    if text.len() > MAX_CURSOR_BYTES {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
    let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if cursor.list != query.list.name()
        || cursor.from != query.days.from()
        || cursor.to != query.days.to()
    {
        return Err(bad());
    }
    // A cursor edited by hand may name anything; one the server made names a row of
    // the range: its day in the range, its start within a day and a half of that
    // day's noon (a local date is at most 14 hours from UTC's), and an id without a
    // NUL (no stored id has one: PostgreSQL's text cannot hold it).
    // Anything else is refused here, before a database sees it.
    if cursor.day < query.days.from() || cursor.day > query.days.to() {
        return Err(bad());
    }
    let created_at = DateTime::from_timestamp_micros(cursor.created_at_micros).ok_or_else(bad)?;
    let noon = cursor.day.and_hms_opt(12, 0, 0).ok_or_else(bad)?.and_utc();
    if (created_at - noon).num_hours().abs() > 36 || cursor.room_id.contains('\0') {
        return Err(bad());
    }
    Ok(ListPosition {
        day: cursor.day,
        created_at,
        room_id: cursor.room_id,
    })
}

/// A page of a list as the API and the page show it.
pub struct Page {
    pub rows: Vec<RoomOutcome>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
    /// How many rooms the whole list holds: its figure over the range, read from the
    /// daily counters (a list holds exactly its figure's rooms).
    pub total: i64,
    /// How far the source was read for the organization: which rows can still change.
    pub read_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// One page, its next cursor (one row more than asked is read to know whether more
/// follow), the `impact_report_drilldown_viewed` event and the usage row.
pub(crate) async fn read_page(
    state: &crate::server::reports::AppState,
    caller: &crate::server::auth::Caller,
    query: &ConversationQuery,
) -> Result<Page, ApiError> {
    let (store, org) = (state.store.as_ref(), &caller.org);
    let started = Instant::now();
    let mut asked = query.clone();
    asked.limit = query.limit + 1;
    let (mut rows, total, read_until) = tokio::try_join!(
        read(store, org, &asked),
        total(store, org, query),
        read_mark(store, org)
    )
        .map_err(|error| {
            tracing::error!(org_id = %org, list = query.list.name(), error = %error, "reading a conversation list failed");
            ApiError::Unavailable
        })?;
    let more = rows.len() > query.limit;
    rows.truncate(query.limit);
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|last| encode_cursor(query, last));
    crate::server::observability::events::drilldown_viewed(
        org.as_str(),
        query.list.name(),
        rows.len(),
        started.elapsed().as_millis() as u64,
    );
    let mut viewed = crate::server::reports::usage_event(caller, crate::usage::UsageKind::List);
    viewed.latency = started.elapsed();
    state.usage.record(viewed);
    Ok(Page {
        rows,
        next_cursor,
        total,
        read_until,
    })
}

/// How far the aggregation read the source for the organization (METRICS.md §8.3),
/// within the time a page read may take: a list row closed less than 48 hours
/// before it can still change. Before any run recorded a mark (only runs of given
/// days so far), the present moment is the bound: nothing read can be newer, and a
/// room closed five hours ago is never called settled.
async fn read_mark(
    store: &dyn ReportStore,
    org: &OrgId,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    let activity = tokio::time::timeout(PAGE_READ_TIMEOUT, store.activity(org))
        .await
        .map_err(|_| StoreError::TimedOut("reading the organization's read mark".into()))??;
    Ok(Some(activity.read_until.unwrap_or_else(chrono::Utc::now)))
}

/// The list's figure over its range, within the time a page read may take.
async fn total(
    store: &dyn ReportStore,
    org: &OrgId,
    query: &ConversationQuery,
) -> Result<i64, StoreError> {
    let days = tokio::time::timeout(PAGE_READ_TIMEOUT, store.daily_counters(org, query.days))
        .await
        .map_err(|_| StoreError::TimedOut("reading a list's total".into()))??;
    let mut sum = DailyCounters::default();
    for day in &days {
        sum.add(day);
    }
    Ok(query.list.count(&sum))
}

async fn read(
    store: &dyn ReportStore,
    org: &OrgId,
    query: &ConversationQuery,
) -> Result<Vec<RoomOutcome>, StoreError> {
    tokio::time::timeout(PAGE_READ_TIMEOUT, store.conversations(org, query))
        .await
        .map_err(|_| StoreError::TimedOut("reading a conversation list".into()))?
}

/// The first page of a download, read before the response starts so that a
/// datamart that cannot be read is a 503, not a cut-off file.
pub struct FirstPage {
    query: ConversationQuery,
    rows: Vec<RoomOutcome>,
    /// The organization's read mark when the download started (see `Page`).
    pub read_until: Option<chrono::DateTime<chrono::Utc>>,
}

pub(crate) async fn first_download_page(
    store: &dyn ReportStore,
    org: &OrgId,
    list: ConversationList,
    range: DateRange,
) -> Result<FirstPage, ApiError> {
    let query = ConversationQuery::first_page(list, range, DOWNLOAD_PAGE_ROWS);
    let (rows, read_until) = tokio::try_join!(read(store, org, &query), read_mark(store, org))
        .map_err(|error| {
            tracing::error!(org_id = %org, list = query.list.name(), error = %error, "a download could not start");
            ApiError::Unavailable
        })?;
    Ok(FirstPage {
        query,
        rows,
        read_until,
    })
}

/// Reads a whole list page by page into a channel that holds at most two pages, so
/// a download of a million conversations never holds more than that in memory.
pub(crate) fn pages(store: Arc<dyn ReportStore>, org: OrgId, first: FirstPage) -> Pages {
    let (sender, receiver) = mpsc::channel(2);
    let FirstPage {
        mut query, rows, ..
    } = first;
    actix_web::rt::spawn(async move {
        let mut ready = Some(rows);
        loop {
            let page = match ready.take() {
                Some(rows) => Ok(rows),
                None => read(store.as_ref(), &org, &query).await,
            };
            let last = match &page {
                Ok(rows) if rows.len() == query.limit => rows.last().cloned(),
                _ => None,
            };
            if sender.send(page).await.is_err() {
                return; // The client went away.
            }
            match last {
                Some(last) => query.after = Some(ListPosition::of(&last)),
                None => return,
            }
        }
    });
    receiver
}

/// Where a download's end is recorded: the export event, the export histogram
/// (from the request to the last byte; the HTTP histogram ends when a streamed
/// response starts), and the download's place among those streamed at once, given
/// back when the download ends however it ends.
pub(crate) struct DownloadRecord {
    pub(crate) org: OrgId,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) started: Instant,
    /// The download's usage row, recorded when it ends however it ends.
    pub(crate) usage: (
        crate::server::usage_recorder::Recorder,
        crate::usage::UsageEvent,
    ),
    /// Held, never read: dropping the record frees the place. `None` for the
    /// daily series (one small read).
    pub(crate) _slot: Option<crate::server::limits::DownloadSlot>,
}

impl DownloadOutcome for DownloadRecord {
    fn finished(&self, export: Export, list: Option<ConversationList>, rows: u64) {
        let elapsed = self.started.elapsed();
        self.metrics
            .export_duration
            .with_label_values(&[export.name()])
            .observe(elapsed.as_secs_f64());
        crate::server::observability::events::exported(
            self.org.as_str(),
            export.name(),
            list.map(ConversationList::name).unwrap_or_default(),
            rows,
            elapsed.as_millis() as u64,
            None,
        );
        self.record_usage(None);
    }

    fn failed(
        &self,
        export: Export,
        list: Option<ConversationList>,
        rows: u64,
        reason: &'static str,
        error: &dyn std::fmt::Display,
    ) {
        tracing::error!(org_id = %self.org, kind = export.name(), rows, reason, error = %error, "a download was cut off");
        crate::server::observability::events::exported(
            self.org.as_str(),
            export.name(),
            list.map(ConversationList::name).unwrap_or_default(),
            rows,
            self.started.elapsed().as_millis() as u64,
            Some(reason),
        );
        self.record_usage(Some(reason));
    }
}

impl DownloadRecord {
    fn record_usage(&self, reason: Option<&'static str>) {
        let (recorder, event) = &self.usage;
        let mut event = event.clone();
        event.latency = self.started.elapsed();
        event.reason = reason;
        recorder.record(event);
    }
}

/// A list query over `range`, from the optional cursor.
pub(crate) fn list_query(
    list: ConversationList,
    range: DateRange,
    limit: usize,
    cursor: Option<&str>,
) -> Result<ConversationQuery, ApiError> {
    let mut query = ConversationQuery::first_page(list, range, limit);
    if let Some(text) = cursor.filter(|text| !text.is_empty()) {
        query.after = Some(decode_cursor(text, &query)?);
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::rooms::Outcome;
    use crate::store::MAX_SOURCE_ROOM_ID_CHARS;

    fn room(id: &str) -> RoomOutcome {
        let created_at = DateTime::parse_from_rfc3339("2026-10-05T10:00:00+07:00")
            .map(|at| at.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        RoomOutcome {
            day: NaiveDate::from_ymd_opt(2026, 10, 5).unwrap_or_default(),
            room_id: id.to_string(),
            created_at,
            closed_at: None,
            channel: "whatsapp".into(),
            outcome: Outcome::AiOnly,
            ai_handled: true,
            after_hours: None,
            came_back: None,
            customer_messages: 1,
            ai_messages: 1,
            sentiment: None,
        }
    }

    #[test]
    fn the_server_takes_back_every_cursor_it_makes() {
        let range = DateRange::new(
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(2026, 10, 31).unwrap_or_default(),
        )
        .expect("range");
        let query = ConversationQuery::first_page(ConversationList::AiOnly, range, 50);
        // The longest ids the import and a live source take, of quotes, four-byte
        // characters and control characters (six bytes each in JSON).
        let longest_import = format!("\"{}", "😀".repeat(127));
        let longest_source = MAX_SOURCE_ROOM_ID_CHARS;
        let live = [
            "😀".repeat(longest_source),
            "\"".repeat(longest_source),
            "\u{1}".repeat(longest_source),
        ];
        let ids = [
            longest_import.as_str(),
            &live[0],
            &live[1],
            &live[2],
            "=1+1",
            "a\\b",
        ];
        for id in ids {
            let cursor = encode_cursor(&query, &room(id));
            assert!(cursor.len() <= MAX_CURSOR_BYTES, "{} bytes", cursor.len());
            let position = decode_cursor(&cursor, &query).expect("accepted");
            assert_eq!(position.room_id, id);
        }
        assert!(encode_cursor(&query, &room(&longest_import)).len() < 1_024);
    }
}
