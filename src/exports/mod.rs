//! The downloads: the conversations behind a figure and the daily series, as CSV
//! and as Excel workbooks. Each format is written here, once, and a list of any
//! length is streamed with bounded memory (two pages and, for a workbook, a
//! temporary file). Nothing here knows HTTP: `server::routes::lists` answers with
//! these files, `server::lists` reads the pages they are written from, and a
//! download's end (its event and metric) is told through `DownloadOutcome`.

mod conversations;
mod daily;

pub(crate) use conversations::{conversations_csv, conversations_xlsx, Pages};
pub(crate) use daily::{daily_csv, daily_xlsx, DailySeries};

use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::domain::{CostAssumption, DateRange, Organization};
use crate::i18n::{self, lists as words, Lang};
use crate::metrics::rooms::ConversationList;
use crate::report::conversations::InboxLinks;

/// Who a download is for, in which language, and where its end is told.
pub(crate) struct Download {
    pub organization: Organization,
    pub lang: Lang,
    pub links: InboxLinks,
    /// How far the source was read for the organization, so a row whose 48 hours
    /// are not over says it can still change.
    pub read_until: Option<chrono::DateTime<chrono::Utc>>,
    /// A client that takes nothing for this long is cut off.
    pub send_timeout: std::time::Duration,
    pub outcome: Box<dyn DownloadOutcome>,
}

/// How a download ended, for its event and its metric. Each export moves its
/// `Download` into the task that writes the file, so this is dropped when the
/// download ends however it ends (what holds a download's place relies on it).
pub(crate) trait DownloadOutcome: Send + Sync {
    /// The whole file was handed over; `rows` it held.
    fn finished(&self, export: Export, list: Option<ConversationList>, rows: u64);
    /// The file was cut off after its first byte; `reason` is one of the export
    /// event's closed set (`datamart_unavailable`, `client_gone`, `client_stalled`,
    /// `workbook_error`).
    fn failed(
        &self,
        export: Export,
        list: Option<ConversationList>,
        rows: u64,
        reason: &'static str,
        error: &dyn std::fmt::Display,
    );
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

/// How both workbooks lay out a table: a bold header that wraps, kept in view while
/// the rows scroll, with a filter on it; columns wide enough for what they hold;
/// days and times as dates a person can sort and filter.
pub(super) struct TableFormats {
    pub header: rust_xlsxwriter::Format,
    pub date: rust_xlsxwriter::Format,
    pub date_time: rust_xlsxwriter::Format,
}

impl TableFormats {
    pub fn new() -> Self {
        TableFormats {
            header: rust_xlsxwriter::Format::new().set_bold().set_text_wrap(),
            date: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
            date_time: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        }
    }

    /// The header row: each column's title and width, the row kept in view.
    pub fn write_header<'a>(
        &self,
        sheet: &mut rust_xlsxwriter::Worksheet,
        columns: impl Iterator<Item = (&'a str, f64)>,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        for (column, (title, width)) in columns.enumerate() {
            let column = column as u16;
            sheet.write_string_with_format(0, column, title, &self.header)?;
            sheet.set_column_width(column, width)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(())
    }

    /// A day as a date cell.
    pub fn write_date(
        &self,
        sheet: &mut rust_xlsxwriter::Worksheet,
        (row, column): (u32, u16),
        day: chrono::NaiveDate,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        sheet.write_datetime_with_format(row, column, excel_date(day)?, &self.date)?;
        Ok(())
    }

    /// A local date and time as a date cell.
    pub fn write_date_time(
        &self,
        sheet: &mut rust_xlsxwriter::Worksheet,
        (row, column): (u32, u16),
        at: chrono::NaiveDateTime,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        use chrono::Timelike;
        let at_time =
            excel_date(at.date())?.and_hms(at.hour() as u16, at.minute() as u8, at.second())?;
        sheet.write_datetime_with_format(row, column, at_time, &self.date_time)?;
        Ok(())
    }
}

fn excel_date(
    day: chrono::NaiveDate,
) -> Result<rust_xlsxwriter::ExcelDateTime, rust_xlsxwriter::XlsxError> {
    use chrono::Datelike;
    let year = u16::try_from(day.year())
        .map_err(|_| rust_xlsxwriter::XlsxError::ParameterError(format!("the year of {day}")))?;
    rust_xlsxwriter::ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8)
}

/// The filter on a table of `rows` rows under its header and `columns` columns.
pub(super) fn add_filter(
    sheet: &mut rust_xlsxwriter::Worksheet,
    rows: u32,
    columns: usize,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let last_column = u16::try_from(columns.saturating_sub(1)).unwrap_or(u16::MAX);
    sheet.autofilter(0, 0, rows, last_column)?;
    Ok(())
}

/// The "what this means" sheet's title and lines, and the organization's own cost
/// numbers when its money columns use them (so the sums can be redone by hand,
/// docs/metrics.md §4.4); returns the next free row.
fn write_about(
    sheet: &mut rust_xlsxwriter::Worksheet,
    (organization, range, cost): (&Organization, DateRange, Option<CostAssumption>),
    lang: Lang,
    bold: &rust_xlsxwriter::Format,
) -> Result<u32, rust_xlsxwriter::XlsxError> {
    let title = words::ABOUT_TITLE.fill(
        lang,
        &[
            ("org", organization.name.clone()),
            ("from", i18n::format_date(range.from(), lang)),
            ("to", i18n::format_date(range.to(), lang)),
            ("timezone", i18n::zone_name(organization.timezone.name())),
        ],
    );
    sheet.write_string_with_format(0, 0, title, bold)?;
    sheet.set_column_width(0, 120)?;
    let mut line = 2;
    for phrase in words::ABOUT_LINES {
        sheet.write_string(line, 0, phrase.text(lang))?;
        line += 1;
    }
    if let Some(cost) = cost {
        let money = words::ABOUT_MONEY.fill(
            lang,
            &[
                ("rate", i18n::format_rupiah(cost.agent_hour_rate(), lang)),
                (
                    "minutes",
                    i18n::format_count(cost.minutes_per_conversation(), lang),
                ),
            ],
        );
        sheet.write_string(line, 0, money)?;
        line += 1;
        if let Some(price) = cost.ai_price_per_month() {
            let price =
                words::ABOUT_PRICE.fill(lang, &[("price", i18n::format_rupiah(price, lang))]);
            sheet.write_string(line, 0, price)?;
            line += 1;
        }
    }
    Ok(line + 1)
}
