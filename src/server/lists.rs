//! The conversations behind each figure (docs/metrics.md §4.9): which list a caller
//! asks for, the keyset cursor that pages through it, and the downloads (CSV and
//! workbook) that stream a whole list or the daily series with bounded memory.
//! The routes in `routes::lists` only parse requests and answer with these.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::domain::{DateRange, OrgId, Organization};
use crate::i18n::{self, api as api_words, lists as words, Lang};
use crate::metrics::rooms::{ConversationList, RoomOutcome};
use crate::metrics::DailyCounters;
use crate::report::conversations::{self, Cell, Conversation, InboxLinks};
use crate::server::errors::ApiError;
use crate::server::observability::Metrics;
use crate::store::{ConversationQuery, ListPosition, Store, StoreError};

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
/// A workbook holds at most this many conversations (Excel's sheet ends at
/// 1 048 576 rows); it says so when a list is longer, and the CSV has them all.
pub(crate) const MAX_WORKBOOK_ROWS: usize = 1_000_000;
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
}

/// One page, its next cursor (one row more than asked is read to know whether more
/// follow), and the `impact_report_drilldown_viewed` event.
pub(crate) async fn read_page(
    store: &dyn Store,
    org: &OrgId,
    query: &ConversationQuery,
) -> Result<Page, ApiError> {
    let started = Instant::now();
    let mut asked = query.clone();
    asked.limit = query.limit + 1;
    let mut rows = read(store, org, &asked).await.map_err(|error| {
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
    Ok(Page { rows, next_cursor })
}

async fn read(
    store: &dyn Store,
    org: &OrgId,
    query: &ConversationQuery,
) -> Result<Vec<RoomOutcome>, StoreError> {
    tokio::time::timeout(PAGE_READ_TIMEOUT, store.conversations(org, query))
        .await
        .map_err(|_| StoreError::TimedOut("reading a conversation list".into()))?
}

/// A download's bytes, sent to the response as they are made. A download that
/// stops before its end (the datamart, the workbook, a stalled client) ends the
/// stream with an error, so the connection is aborted and the client sees a
/// broken download, never a file that looks whole but is cut short.
pub struct Chunks {
    receiver: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    /// Set by the producer once the whole file was handed over.
    complete: Arc<std::sync::atomic::AtomicBool>,
    ended: bool,
}

/// The sending side of `Chunks`, and the flag its producer sets when done.
type ChunkSender = (
    mpsc::Sender<Result<Bytes, std::io::Error>>,
    Chunks,
    Arc<std::sync::atomic::AtomicBool>,
);

impl Chunks {
    fn new() -> ChunkSender {
        let (sender, receiver) = mpsc::channel(2);
        let complete = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let chunks = Self {
            receiver,
            complete: Arc::clone(&complete),
            ended: false,
        };
        (sender, chunks, complete)
    }

    pub fn poll_next(
        &mut self,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Bytes, std::io::Error>>> {
        if self.ended {
            return std::task::Poll::Ready(None);
        }
        match self.receiver.poll_recv(context) {
            std::task::Poll::Ready(None)
                if !self.complete.load(std::sync::atomic::Ordering::Acquire) =>
            {
                self.ended = true;
                std::task::Poll::Ready(Some(Err(std::io::Error::other(
                    "the download stopped before its end",
                ))))
            }
            std::task::Poll::Ready(Some(Err(error))) => {
                self.ended = true;
                std::task::Poll::Ready(Some(Err(error)))
            }
            other => other,
        }
    }
}

/// The pieces a CSV page is sent in: a client's progress is seen piece by piece,
/// so the send timeout measures a client that takes nothing, not a slow one.
const CSV_PIECE_BYTES: usize = 64 * 1024;

/// The first page of a download, read before the response starts so that a
/// datamart that cannot be read is a 503, not a cut-off file.
pub struct FirstPage {
    query: ConversationQuery,
    rows: Vec<RoomOutcome>,
}

pub(crate) async fn first_download_page(
    store: &dyn Store,
    org: &OrgId,
    list: ConversationList,
    range: DateRange,
) -> Result<FirstPage, ApiError> {
    let query = ConversationQuery::first_page(list, range, DOWNLOAD_PAGE_ROWS);
    let rows = read(store, org, &query).await.map_err(|error| {
        tracing::error!(org_id = %org, list = query.list.name(), error = %error, "a download could not start");
        ApiError::Unavailable
    })?;
    Ok(FirstPage { query, rows })
}

/// Reads a whole list page by page into a channel that holds at most two pages, so
/// a download of a million conversations never holds more than that in memory.
fn pages(
    store: std::sync::Arc<dyn Store>,
    org: OrgId,
    first: FirstPage,
) -> mpsc::Receiver<Result<Vec<RoomOutcome>, StoreError>> {
    let (sender, receiver) = mpsc::channel(2);
    let FirstPage { mut query, rows } = first;
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

/// Who a download is for and in which language, and when it was asked for.
pub struct Download {
    pub organization: Organization,
    pub lang: Lang,
    pub links: InboxLinks,
    pub metrics: Arc<Metrics>,
    pub started: Instant,
    /// The download's place among those streamed at once, given back when the
    /// download ends however it ends; `None` for the daily series (one small read).
    pub slot: Option<DownloadSlot>,
    /// A client that takes nothing for this long is cut off.
    pub send_timeout: std::time::Duration,
}

/// How many conversation downloads a server streams at once (`server.
/// max_downloads_at_once`): each holds up to two pages, a workbook also a thread
/// and a temporary file, so their number bounds the memory they take.
pub(crate) struct DownloadLimit {
    permits: Arc<tokio::sync::Semaphore>,
    send_timeout: std::time::Duration,
}

/// Seconds a client refused for too many downloads is told to wait.
pub(crate) const BUSY_RETRY_AFTER_SECONDS: u64 = 10;

impl DownloadLimit {
    pub fn new(at_once: usize, send_timeout: std::time::Duration) -> Self {
        Self {
            permits: Arc::new(tokio::sync::Semaphore::new(at_once)),
            send_timeout,
        }
    }

    pub fn send_timeout(&self) -> std::time::Duration {
        self.send_timeout
    }

    /// A place for one more download, or 429 when all are taken.
    pub fn admit(&self, metrics: &Arc<Metrics>) -> Result<DownloadSlot, ApiError> {
        let permit = Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| ApiError::Busy {
                retry_after_seconds: BUSY_RETRY_AFTER_SECONDS,
            })?;
        metrics.downloads_in_flight.inc();
        Ok(DownloadSlot {
            _permit: permit,
            metrics: Arc::clone(metrics),
        })
    }
}

/// One running download's place; dropping it frees the place.
pub struct DownloadSlot {
    _permit: tokio::sync::OwnedSemaphorePermit,
    metrics: Arc<Metrics>,
}

impl Drop for DownloadSlot {
    fn drop(&mut self) {
        self.metrics.downloads_in_flight.dec();
    }
}

impl Download {
    fn org(&self) -> &OrgId {
        &self.organization.id
    }

    /// The whole file was handed to the response: its event, and its time from the
    /// request to the last byte in the export histogram (the HTTP histogram ends
    /// when a streamed response starts).
    fn finished(&self, export: Export, list: Option<ConversationList>, rows: u64) {
        let elapsed = self.started.elapsed();
        self.metrics
            .export_duration
            .with_label_values(&[export.name()])
            .observe(elapsed.as_secs_f64());
        crate::server::observability::events::exported(
            self.org().as_str(),
            export.name(),
            list.map(ConversationList::name).unwrap_or_default(),
            rows,
            elapsed.as_millis() as u64,
            None,
        );
    }

    /// The file was cut off after its first byte: logged with the organization, and
    /// the export event says so (`reason` is one of the event's closed set).
    fn failed(
        &self,
        export: Export,
        list: Option<ConversationList>,
        rows: u64,
        reason: &'static str,
        error: &dyn std::fmt::Display,
    ) {
        tracing::error!(org_id = %self.org(), kind = export.name(), rows, reason, error = %error, "a download was cut off");
        crate::server::observability::events::exported(
            self.org().as_str(),
            export.name(),
            list.map(ConversationList::name).unwrap_or_default(),
            rows,
            self.started.elapsed().as_millis() as u64,
            Some(reason),
        );
    }
}

/// What a download holds and in which format. Its name is the `kind` of the
/// `impact_report_exported` event and of `impact_export_duration_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Export {
    ConversationsCsv,
    ConversationsXlsx,
    DailyCsv,
    DailyXlsx,
}

impl Export {
    pub fn name(self) -> &'static str {
        match self {
            Export::ConversationsCsv => "conversations_csv",
            Export::ConversationsXlsx => "conversations_xlsx",
            Export::DailyCsv => "daily_csv",
            Export::DailyXlsx => "daily_xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Export::ConversationsCsv | Export::DailyCsv => "text/csv; charset=utf-8",
            Export::ConversationsXlsx | Export::DailyXlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    /// A file name that says what the file holds, e.g.
    /// `ai-agent-impact-conversations-solved_alone-2026-10-01-2026-10-31.csv`.
    pub fn file_name(self, list: Option<ConversationList>, range: DateRange) -> String {
        let (what, extension) = match self {
            Export::ConversationsCsv => ("conversations", "csv"),
            Export::ConversationsXlsx => ("conversations", "xlsx"),
            Export::DailyCsv => ("daily", "csv"),
            Export::DailyXlsx => ("daily", "xlsx"),
        };
        let list = list
            .map(|list| format!("-{}", list.name()))
            .unwrap_or_default();
        format!(
            "ai-agent-impact-{what}{list}-{}-{}.{extension}",
            range.from(),
            range.to()
        )
    }
}

/// The list as CSV (RFC 4180, UTF-8, header in the caller's language), streamed.
pub fn conversations_csv(
    store: std::sync::Arc<dyn Store>,
    download: Download,
    first: FirstPage,
) -> Chunks {
    let (sender, chunks, complete) = Chunks::new();
    let list = first.query.list;
    let mut pages = pages(store, download.org().clone(), first);
    actix_web::rt::spawn(async move {
        let timezone = download.organization.timezone;
        let header = csv_chunk(|w| w.write_record(conversations::columns(download.lang)));
        let timeout = download.send_timeout;
        if let Some(reason) = stopped(send_chunk(&sender, header, timeout).await) {
            download.failed(Export::ConversationsCsv, Some(list), 0, reason, &reason);
            return;
        }
        let mut rows = 0u64;
        while let Some(page) = pages.recv().await {
            let page = match page {
                Ok(page) => page,
                Err(error) => {
                    download.failed(
                        Export::ConversationsCsv,
                        Some(list),
                        rows,
                        "datamart_unavailable",
                        &error,
                    );
                    let failed = std::io::Error::other("the datamart could not be read");
                    send_chunk(&sender, Err(failed), timeout).await;
                    return;
                }
            };
            let chunk = csv_chunk(|w| {
                for room in &page {
                    let row = Conversation::new(room, timezone, &download.links);
                    w.write_record(row.cells(download.lang).iter().map(Cell::csv))?;
                }
                Ok(())
            });
            let pieces: Vec<Result<Bytes, std::io::Error>> = match chunk {
                Ok(bytes) => (0..bytes.len())
                    .step_by(CSV_PIECE_BYTES)
                    .map(|at| Ok(bytes.slice(at..(at + CSV_PIECE_BYTES).min(bytes.len()))))
                    .collect(),
                Err(error) => vec![Err(error)],
            };
            for piece in pieces {
                if let Some(reason) = stopped(send_chunk(&sender, piece, timeout).await) {
                    download.failed(Export::ConversationsCsv, Some(list), rows, reason, &reason);
                    return;
                }
            }
            rows += page.len() as u64;
        }
        complete.store(true, std::sync::atomic::Ordering::Release);
        download.finished(Export::ConversationsCsv, Some(list), rows);
    });
    chunks
}

/// How a chunk was handed to the response.
enum Sent {
    Taken,
    /// The download is over: the chunk was the error that ends it.
    Ended,
    /// The client went away.
    Gone,
    /// The client took nothing for the send timeout.
    Stalled,
}

/// Hands one chunk (or the error that ends the file) to the response, waiting at
/// most `timeout` for the client to take the chunks before it.
async fn send_chunk(
    sender: &mpsc::Sender<Result<Bytes, std::io::Error>>,
    chunk: Result<Bytes, std::io::Error>,
    timeout: std::time::Duration,
) -> Sent {
    let going_on = chunk.is_ok();
    match sender.send_timeout(chunk, timeout).await {
        Ok(()) if going_on => Sent::Taken,
        Ok(()) => Sent::Ended,
        Err(mpsc::error::SendTimeoutError::Timeout(_)) => Sent::Stalled,
        Err(mpsc::error::SendTimeoutError::Closed(_)) => Sent::Gone,
    }
}

/// Why a download stops after a chunk, as the export event's `reason`; `None`: it
/// goes on.
fn stopped(sent: Sent) -> Option<&'static str> {
    match sent {
        Sent::Taken => None,
        Sent::Ended => Some("workbook_error"),
        Sent::Gone => Some("client_gone"),
        Sent::Stalled => Some("client_stalled"),
    }
}

fn csv_chunk(
    write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>,
) -> Result<Bytes, std::io::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    write(&mut writer).map_err(std::io::Error::other)?;
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|error| std::io::Error::other(error.to_string()))
}

/// The list as an Excel workbook: the conversations (at most `MAX_WORKBOOK_ROWS`)
/// and a sheet that says what they mean. Written on a blocking thread with the
/// worksheet kept on disk (rust_xlsxwriter's constant-memory mode) and the file
/// streamed out as it is zipped.
pub fn conversations_xlsx(
    store: std::sync::Arc<dyn Store>,
    download: Download,
    first: FirstPage,
) -> Chunks {
    let (sender, chunks, complete) = Chunks::new();
    let list = first.query.list;
    let range = first.query.days;
    let mut pages = pages(store, download.org().clone(), first);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let lang = download.lang;
        let timezone = download.organization.timezone;
        let result = (|| -> Result<u64, rust_xlsxwriter::XlsxError> {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            let link = rust_xlsxwriter::Format::new()
                .set_font_color(rust_xlsxwriter::Color::Blue)
                .set_underline(rust_xlsxwriter::FormatUnderline::Single);
            let sheet = workbook.add_worksheet_with_constant_memory()?;
            sheet.set_name(words::SHEET_CONVERSATIONS.text(lang))?;
            for (column, title) in conversations::columns(lang).into_iter().enumerate() {
                sheet.write_string_with_format(0, column as u16, title, &bold)?;
            }
            let mut rows = 0u64;
            let mut truncated = false;
            'pages: while let Some(page) = pages.blocking_recv() {
                // A client that went away stops the workbook at once, not after
                // reading the whole list.
                if sender.is_closed() {
                    return Err(rust_xlsxwriter::XlsxError::IoError(std::io::Error::new(
                        std::io::ErrorKind::BrokenPipe,
                        "the client went away",
                    )));
                }
                let page = page.map_err(|error| {
                    tracing::error!(org_id = %download.org(), error = %error, "a workbook download stopped");
                    rust_xlsxwriter::XlsxError::ParameterError("the datamart could not be read".into())
                })?;
                for room in &page {
                    if rows as usize >= MAX_WORKBOOK_ROWS {
                        truncated = true;
                        // Stop the page reader too: nothing more is written.
                        pages.close();
                        break 'pages;
                    }
                    let row = (rows + 1) as u32;
                    write_conversation(
                        sheet,
                        row,
                        &Conversation::new(room, timezone, &download.links),
                        lang,
                        &link,
                    )?;
                    rows += 1;
                }
            }
            let about = workbook.add_worksheet();
            about.set_name(words::SHEET_ABOUT.text(lang))?;
            let mut line = write_about(about, &download.organization, range, lang, &bold)?;
            about.write_string(line, 0, conversations::label(list).text(lang))?;
            line += 1;
            if truncated {
                about.write_string(
                    line,
                    0,
                    words::MORE_THAN_FITS.fill(
                        lang,
                        &[("rows", i18n::format_count(MAX_WORKBOOK_ROWS as i64))],
                    ),
                )?;
            }
            workbook.save_to_writer(ChannelWriter::new(
                sender.clone(),
                download.send_timeout,
                runtime,
            ))?;
            Ok(rows)
        })();
        match result {
            Ok(rows) => {
                complete.store(true, std::sync::atomic::Ordering::Release);
                download.finished(Export::ConversationsXlsx, Some(list), rows)
            }
            Err(error) => {
                let reason = match &error {
                    rust_xlsxwriter::XlsxError::ParameterError(_) => "datamart_unavailable",
                    rust_xlsxwriter::XlsxError::IoError(io)
                        if io.kind() == std::io::ErrorKind::TimedOut =>
                    {
                        "client_stalled"
                    }
                    rust_xlsxwriter::XlsxError::IoError(_) => "client_gone",
                    _ => "workbook_error",
                };
                download.failed(Export::ConversationsXlsx, Some(list), 0, reason, &error);
                // Never waits: a stalled client's channel is full, and the stream
                // ends with an error anyway once this thread lets go of it.
                let _ = sender.try_send(Err(std::io::Error::other(error.to_string())));
            }
        }
    });
    chunks
}

/// The most characters an Excel cell holds.
const MAX_CELL_CHARS: usize = 32_767;

/// A text cell as the workbook writes it: invisible characters shown, and cut to
/// what a cell holds (a live source's channels and contact ids are not bounded),
/// so one long value never breaks the whole file.
fn workbook_text(text: &str) -> String {
    let shown = crate::text::show_invisible(text);
    if shown.chars().count() <= MAX_CELL_CHARS {
        return shown.into_owned();
    }
    let mut cut: String = shown.chars().take(MAX_CELL_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The longest link Excel's `HYPERLINK` takes; a longer one is written as text.
const MAX_WORKBOOK_LINK: usize = 255;

fn write_conversation(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    conversation: &Conversation,
    lang: Lang,
    link_format: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (column, cell) in conversation.cells(lang).into_iter().enumerate() {
        let column = column as u16;
        match cell {
            Cell::Text(text) => sheet.write_string(row, column, workbook_text(&text))?,
            Cell::Number { value, .. } => sheet.write_number(row, column, value)?,
            // A `HYPERLINK` formula, not a worksheet hyperlink: the library keeps
            // every hyperlink in memory until the file is saved (a workbook's memory
            // would grow with its rows) and percent-encodes the link a second time.
            // The link is ours (a checked template, the id percent-encoded), so it
            // holds no quote to break out of the formula.
            Cell::Link(url) if url.len() <= MAX_WORKBOOK_LINK && !url.contains('"') => sheet
                .write_formula_with_format(
                    row,
                    column,
                    rust_xlsxwriter::Formula::new(format!("=HYPERLINK(\"{url}\")"))
                        .set_result(url.as_str()),
                    link_format,
                )?,
            Cell::Link(url) => sheet.write_string(row, column, workbook_text(&url))?,
            Cell::Empty => sheet,
        };
    }
    Ok(())
}

/// The "what this means" sheet's title and lines; returns the next free row.
fn write_about(
    sheet: &mut rust_xlsxwriter::Worksheet,
    organization: &Organization,
    range: DateRange,
    lang: Lang,
    bold: &rust_xlsxwriter::Format,
) -> Result<u32, rust_xlsxwriter::XlsxError> {
    let title = words::ABOUT_TITLE.fill(
        lang,
        &[
            ("org", organization.name.clone()),
            ("from", i18n::format_date(range.from(), lang)),
            ("to", i18n::format_date(range.to(), lang)),
            ("timezone", organization.timezone.name().to_string()),
        ],
    );
    sheet.write_string_with_format(0, 0, title, bold)?;
    sheet.set_column_width(0, 120)?;
    let mut line = 2;
    for phrase in words::ABOUT_LINES {
        sheet.write_string(line, 0, phrase.text(lang))?;
        line += 1;
    }
    Ok(line + 1)
}

/// Sends what the workbook writes to the response in chunks of 64 KiB.
struct ChannelWriter {
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buffer: Vec<u8>,
    /// A client that takes nothing for this long fails the write (and so the
    /// workbook, whose thread and temporary file then go).
    timeout: std::time::Duration,
    runtime: tokio::runtime::Handle,
}

impl ChannelWriter {
    const CHUNK: usize = 64 * 1024;

    fn new(
        sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
        timeout: std::time::Duration,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        Self {
            sender,
            buffer: Vec::with_capacity(Self::CHUNK),
            timeout,
            runtime,
        }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(Self::CHUNK),
        ));
        self.runtime
            .block_on(self.sender.send_timeout(Ok(chunk), self.timeout))
            .map_err(|error| match error {
                mpsc::error::SendTimeoutError::Timeout(_) => std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the client took nothing for the send timeout",
                ),
                mpsc::error::SendTimeoutError::Closed(_) => {
                    std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
                }
            })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= Self::CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

impl Drop for ChannelWriter {
    fn drop(&mut self) {
        let _ = self.send();
    }
}

/// One line of the daily series: a day's counters (or the period's, summed) as the
/// report counts them. While the range is still forming its baseline the report
/// shows volume only, and so does the download: the outcome columns are empty
/// (docs/metrics.md §4.7).
struct DailyLine {
    label: String,
    total: DailyCounters,
    forming: bool,
    with_hours: bool,
}

/// A cell of the daily series, as both downloads write it.
enum DailyCell {
    Text(String),
    Count(i64),
    Rate(f64),
    Empty,
}

impl DailyLine {
    fn new(label: String, rows: &[DailyCounters], with_hours: bool, forming: bool) -> Self {
        let mut total = DailyCounters::default();
        for row in rows {
            total.add(row);
        }
        DailyLine {
            label,
            total,
            forming,
            with_hours,
        }
    }

    /// A figure shown only once the baseline has formed.
    fn outcome(&self, count: i64) -> DailyCell {
        if self.forming {
            DailyCell::Empty
        } else {
            DailyCell::Count(count)
        }
    }
}

/// A column of the daily series: its title and how a line fills it.
type DailyColumn = (i18n::Phrase, fn(&DailyLine) -> DailyCell);

/// The daily series' columns, in order. Both downloads write exactly these.
const DAILY_COLUMNS: [DailyColumn; 13] = [
    (words::DAILY_DAY, |line| DailyCell::Text(line.label.clone())),
    (words::DAILY_ALL, |line| {
        DailyCell::Count(line.total.eligible + line.total.test_chats + line.total.spam)
    }),
    (words::DAILY_COUNTED, |line| {
        DailyCell::Count(line.total.eligible)
    }),
    (words::DAILY_TEST_CHATS, |line| {
        DailyCell::Count(line.total.test_chats)
    }),
    (words::DAILY_SPAM, |line| DailyCell::Count(line.total.spam)),
    (words::DAILY_AI_HANDLED, |line| {
        DailyCell::Count(line.total.ai_handled)
    }),
    (words::DAILY_SOLVED_ALONE, |line| {
        line.outcome(line.total.net())
    }),
    (words::DAILY_CAME_BACK, |line| {
        line.outcome(line.total.reopened)
    }),
    (words::DAILY_AI_ASSISTED, |line| {
        line.outcome(line.total.ai_assisted)
    }),
    (words::DAILY_ESCALATED, |line| {
        line.outcome(line.total.escalated)
    }),
    (words::DAILY_OTHER, |line| line.outcome(line.total.other)),
    (words::DAILY_AFTER_HOURS, |line| {
        if line.with_hours {
            line.outcome(line.total.after_hours)
        } else {
            DailyCell::Empty
        }
    }),
    (words::DAILY_NET_RATE, |line| {
        if line.forming || line.total.eligible == 0 {
            DailyCell::Empty
        } else {
            DailyCell::Rate(line.total.net() as f64 / line.total.eligible as f64)
        }
    }),
];

/// Every day of the range up to the last one the datamart holds, oldest first (a
/// day without rooms is a row of zeros, as the report counts it), then the whole
/// period, which is the report's own totals.
fn daily_lines(
    organization: &Organization,
    range: DateRange,
    days: &[DailyCounters],
    lang: Lang,
    forming: bool,
) -> Vec<DailyLine> {
    let with_hours = organization.business_hours.is_some();
    let by_day: std::collections::HashMap<NaiveDate, &DailyCounters> =
        days.iter().map(|row| (row.day, row)).collect();
    let last = by_day.keys().max().copied();
    let all: Vec<DailyCounters> = range
        .iter_days()
        .take_while(|day| Some(*day) <= last)
        .map(|day| {
            by_day
                .get(&day)
                .map_or_else(|| DailyCounters::empty(day), |row| (*row).clone())
        })
        .collect();
    let mut lines: Vec<DailyLine> = all
        .iter()
        .map(|row| {
            let one = std::slice::from_ref(row);
            DailyLine::new(row.day.to_string(), one, with_hours, forming)
        })
        .collect();
    lines.push(DailyLine::new(
        words::DAILY_TOTAL.text(lang).to_string(),
        &all,
        with_hours,
        forming,
    ));
    lines
}

/// The daily series as CSV; at most 366 days, so it is made at once.
pub fn daily_csv(
    download: &Download,
    days: &[DailyCounters],
    range: DateRange,
    forming: bool,
) -> Result<Bytes, std::io::Error> {
    let lines = daily_lines(&download.organization, range, days, download.lang, forming);
    let bytes = csv_chunk(|w| {
        w.write_record(
            DAILY_COLUMNS
                .iter()
                .map(|(title, _)| title.text(download.lang)),
        )?;
        for line in &lines {
            w.write_record(DAILY_COLUMNS.iter().map(|(_, cell)| match cell(line) {
                DailyCell::Text(text) => text,
                DailyCell::Count(count) => count.to_string(),
                DailyCell::Rate(rate) => format!("{rate:.6}"),
                DailyCell::Empty => String::new(),
            }))?;
        }
        Ok(())
    })?;
    download.finished(Export::DailyCsv, None, lines.len().saturating_sub(1) as u64);
    Ok(bytes)
}

/// The daily series as a workbook, with the sheet that says what it means.
pub fn daily_xlsx(
    download: &Download,
    days: &[DailyCounters],
    range: DateRange,
    forming: bool,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let lang = download.lang;
    let lines = daily_lines(&download.organization, range, days, lang, forming);
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let percent = rust_xlsxwriter::Format::new().set_num_format("0%");
    let sheet = workbook.add_worksheet();
    sheet.set_name(words::SHEET_DAILY.text(lang))?;
    for (column, (title, _)) in DAILY_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, title.text(lang), &bold)?;
    }
    for (index, line) in lines.iter().enumerate() {
        let row = index as u32 + 1;
        for (column, (_, cell)) in DAILY_COLUMNS.iter().enumerate() {
            let column = column as u16;
            match cell(line) {
                DailyCell::Text(text) => {
                    sheet.write_string(row, column, text)?;
                }
                DailyCell::Count(count) => {
                    sheet.write_number(row, column, count as f64)?;
                }
                DailyCell::Rate(rate) => {
                    sheet.write_number_with_format(row, column, rate, &percent)?;
                }
                DailyCell::Empty => {}
            }
        }
    }
    let about = workbook.add_worksheet();
    about.set_name(words::SHEET_ABOUT.text(lang))?;
    write_about(about, &download.organization, range, lang, &bold)?;
    let bytes = workbook.save_to_buffer()?;
    download.finished(
        Export::DailyXlsx,
        None,
        lines.len().saturating_sub(1) as u64,
    );
    Ok(bytes)
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
