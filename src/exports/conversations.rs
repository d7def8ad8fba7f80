//! A figure's conversations as CSV and as a workbook, streamed page by page.

use std::io::Write;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::{
    add_filter, csv_chunk, send_chunk, stopped, workbook_text, write_about, Chunks, Download,
    Export, TableFormats,
};
use crate::domain::DateRange;
use crate::i18n::{self, lists as words, Lang};
use crate::metrics::rooms::{ConversationList, RoomOutcome};
use crate::report::conversations::{self, Cell, Conversation};
use crate::store::StoreError;

/// The pages of a list, oldest read first, as the reader sends them.
pub(crate) type Pages = mpsc::Receiver<Result<Vec<RoomOutcome>, StoreError>>;

/// A workbook holds at most this many conversations (Excel's sheet ends at
/// 1 048 576 rows); it says so when a list is longer, and the CSV has them all.
const MAX_WORKBOOK_ROWS: usize = 1_000_000;

/// The pieces a CSV page is sent in: a client's progress is seen piece by piece,
/// so the send timeout measures a client that takes nothing, not a slow one.
const CSV_PIECE_BYTES: usize = 64 * 1024;

/// The list as CSV (RFC 4180, UTF-8, header in the caller's language), streamed.
pub(crate) fn conversations_csv(
    download: Download,
    list: ConversationList,
    mut pages: Pages,
) -> Chunks {
    let (sender, chunks, complete) = Chunks::new();
    // On the caller's thread, as the response that takes the chunks: the caller
    // runs in a LocalSet (every actix-web worker does).
    tokio::task::spawn_local(async move {
        let timezone = download.organization.timezone;
        let header = csv_chunk(|w| w.write_record(conversations::columns(download.lang)));
        let timeout = download.send_timeout;
        if let Some(reason) = stopped(send_chunk(&sender, header, timeout).await) {
            download
                .outcome
                .failed(Export::ConversationsCsv, Some(list), 0, reason, &reason);
            return;
        }
        let mut rows = 0u64;
        while let Some(page) = pages.recv().await {
            let page = match page {
                Ok(page) => page,
                Err(error) => {
                    download.outcome.failed(
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
                    let row =
                        Conversation::new(room, timezone, &download.links, download.read_until);
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
                    download.outcome.failed(
                        Export::ConversationsCsv,
                        Some(list),
                        rows,
                        reason,
                        &reason,
                    );
                    return;
                }
            }
            rows += page.len() as u64;
        }
        complete.store(true, std::sync::atomic::Ordering::Release);
        download
            .outcome
            .finished(Export::ConversationsCsv, Some(list), rows);
    });
    chunks
}

/// The list as an Excel workbook: the conversations (at most `MAX_WORKBOOK_ROWS`)
/// and a sheet that says what they mean. Written on a blocking thread with the
/// worksheet kept on disk (rust_xlsxwriter's constant-memory mode) and the file
/// streamed out as it is zipped.
pub(crate) fn conversations_xlsx(
    download: Download,
    list: ConversationList,
    range: DateRange,
    mut pages: Pages,
) -> Chunks {
    let (sender, chunks, complete) = Chunks::new();
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
            let table = TableFormats::new();
            let sheet = workbook.add_worksheet_with_constant_memory()?;
            sheet.set_name(words::SHEET_CONVERSATIONS.text(lang))?;
            let titles = conversations::columns(lang);
            let width = titles.len();
            table.write_header(
                sheet,
                titles.into_iter().zip(conversations::column_widths()),
            )?;
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
                    tracing::error!(org_id = %download.organization.id, error = %error, "a workbook download stopped");
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
                        &Conversation::new(room, timezone, &download.links, download.read_until),
                        lang,
                        (&link, &table),
                    )?;
                    rows += 1;
                }
            }
            add_filter(sheet, u32::try_from(rows).unwrap_or(u32::MAX), width)?;
            let about = workbook.add_worksheet();
            about.set_name(words::SHEET_ABOUT.text(lang))?;
            let mut line = write_about(about, (&download.organization, range, None), lang, &bold)?;
            about.write_string(line, 0, crate::i18n::lists::title(list, lang))?;
            about.write_string(line + 1, 0, crate::i18n::lists::about(list, lang))?;
            line += 2;
            if truncated {
                about.write_string(
                    line,
                    0,
                    words::MORE_THAN_FITS.fill(
                        lang,
                        &[("rows", i18n::format_count(MAX_WORKBOOK_ROWS as i64, lang))],
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
                download
                    .outcome
                    .finished(Export::ConversationsXlsx, Some(list), rows)
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
                download
                    .outcome
                    .failed(Export::ConversationsXlsx, Some(list), 0, reason, &error);
                // Never waits: a stalled client's channel is full, and the stream
                // ends with an error anyway once this thread lets go of it.
                let _ = sender.try_send(Err(std::io::Error::other(error.to_string())));
            }
        }
    });
    chunks
}

/// The longest link Excel's `HYPERLINK` takes; a longer one is written as text.
const MAX_WORKBOOK_LINK: usize = 255;

fn write_conversation(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    conversation: &Conversation,
    lang: Lang,
    (link_format, table): (&rust_xlsxwriter::Format, &TableFormats),
) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (column, cell) in conversation.cells(lang).into_iter().enumerate() {
        let column = column as u16;
        match cell {
            Cell::Text(text) | Cell::Worded { person: text, .. } => {
                sheet.write_string(row, column, workbook_text(&text))?;
            }
            Cell::Number { value, .. } => {
                sheet.write_number(row, column, value)?;
            }
            Cell::Date(day) => table.write_date(sheet, (row, column), day)?,
            Cell::DateTime(at) => table.write_date_time(sheet, (row, column), at)?,
            // A `HYPERLINK` formula, not a worksheet hyperlink: the library keeps
            // every hyperlink in memory until the file is saved (a workbook's memory
            // would grow with its rows) and percent-encodes the link a second time.
            // The link is ours (a checked template, the id percent-encoded), so it
            // holds no quote to break out of the formula.
            Cell::Link(url) if url.len() <= MAX_WORKBOOK_LINK && !url.contains('"') => {
                let formula = rust_xlsxwriter::Formula::new(format!("=HYPERLINK(\"{url}\")"))
                    .set_result(url.as_str());
                sheet.write_formula_with_format(row, column, formula, link_format)?;
            }
            Cell::Link(url) => {
                sheet.write_string(row, column, workbook_text(&url))?;
            }
            Cell::Empty => {}
        }
    }
    Ok(())
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
