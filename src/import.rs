//! `impact import --dir DIR`: the import format of docs/metrics.md §7, all or nothing.
//!
//! Files are streamed in batches, never held whole in memory. Every row is checked
//! before it is written; the first bad row stops the import with its file, line and
//! field, and the store's transaction is rolled back, so nothing of the run is kept.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value};

use crate::domain::{
    BusinessHours, CostAssumption, OrgId, Organization, RawSentiment, DEFAULT_TIMEZONE,
};
use crate::store::{HistoryRecord, ImportWriter, SourceRoom, Store, StoreError, SummaryRecord};

pub(crate) const ORGANIZATIONS_FILE: &str = "organizations.ndjson";
pub(crate) const ROOMS_FILE: &str = "rooms.csv";
pub(crate) const HISTORIES_FILE: &str = "histories.csv";
pub(crate) const SUMMARIES_FILE: &str = "room_summaries.ndjson";
pub(crate) const COST_ASSUMPTIONS_FILE: &str = "cost_assumptions.csv";

/// The header of `rooms.csv` (docs/metrics.md §7), the file's own order; the
/// datamart's table names the same columns in `store::ROOM_COLUMNS`'s order.
pub(crate) const ROOM_COLUMNS: [&str; 9] = [
    "id",
    "organization_id",
    "channel",
    "contact_id",
    "created_at",
    "closed_at",
    "closed_reason",
    "assign_channel_agent_id",
    "assigned_at",
];
pub(crate) const HISTORY_COLUMNS: [&str; 4] =
    ["room_id", "organization_id", "sender_type", "created_at"];
pub(crate) const COST_ASSUMPTION_COLUMNS: [&str; 3] = [
    "organization_id",
    "agent_hour_rate",
    "minutes_per_conversation",
];
/// The cost assumptions' optional column (docs/metrics.md §7): an empty cell, or no
/// such column, is no price.
pub(crate) const AI_PRICE_COLUMN: &str = "ai_price_per_month";

/// Rows written to the store at a time.
const BATCH_ROWS: usize = 10_000;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub organizations: u64,
    pub rooms: u64,
    pub histories: u64,
    pub summaries: u64,
    pub cost_assumptions: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file} line {line}, field {field}: {message}")]
    Field {
        file: &'static str,
        line: u64,
        field: String,
        message: String,
    },
    #[error("{file} line {line}: {message}")]
    Line {
        file: &'static str,
        line: u64,
        message: String,
    },
    #[error("{file}: {message}")]
    File { file: &'static str, message: String },
    #[error("{path}: {message}")]
    Directory { path: PathBuf, message: String },
    #[error("the database refused the import: {0}")]
    Store(#[from] StoreError),
}

impl ImportError {
    fn field(file: &'static str, line: u64, field: &str, message: impl Into<String>) -> Self {
        ImportError::Field {
            file,
            line,
            field: crate::text::excerpt(field),
            message: crate::text::excerpt(&message.into()),
        }
    }
}

/// Imports every known file in `dir` in one transaction.
pub async fn import_dir(
    store: &dyn Store,
    dir: &Path,
    show_progress: bool,
) -> Result<ImportSummary, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::Directory {
            path: dir.to_path_buf(),
            message: "is not a directory".into(),
        });
    }
    let present: Vec<&str> = [
        ORGANIZATIONS_FILE,
        COST_ASSUMPTIONS_FILE,
        ROOMS_FILE,
        HISTORIES_FILE,
        SUMMARIES_FILE,
    ]
    .into_iter()
    .filter(|name| dir.join(name).is_file())
    .collect();
    if present.is_empty() {
        return Err(ImportError::Directory {
            path: dir.to_path_buf(),
            message: format!(
                "holds none of the import files ({ORGANIZATIONS_FILE}, {ROOMS_FILE}, {HISTORIES_FILE}, {SUMMARIES_FILE}, {COST_ASSUMPTIONS_FILE})"
            ),
        });
    }
    let mut known: HashSet<String> = store
        .organizations()
        .await?
        .into_iter()
        .map(|org| org.id.to_string())
        .collect();
    let mut writer = store.begin_import().await?;
    let progress = Progress {
        enabled: show_progress && std::io::stderr().is_terminal(),
    };
    match import_files(writer.as_mut(), dir, &mut known, &progress).await {
        Ok(summary) => {
            let spinner = progress.spinner("saving everything in one transaction");
            let committed = writer.commit().await;
            spinner.finish_and_clear();
            committed?;
            Ok(summary)
        }
        Err(error) => {
            if let Err(rollback_error) = writer.rollback().await {
                tracing::warn!(error = %rollback_error, "rolling back the import failed");
            }
            Err(error)
        }
    }
}

async fn import_files(
    writer: &mut dyn ImportWriter,
    dir: &Path,
    known: &mut HashSet<String>,
    progress: &Progress,
) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary::default();
    if let Some(reader) = open(dir, ORGANIZATIONS_FILE, progress)? {
        let organizations = read_organizations(reader)?;
        known.extend(organizations.iter().map(|org| org.id.to_string()));
        summary.organizations = organizations.len() as u64;
        writer.organizations(&organizations).await?;
    }
    if let Some(reader) = open(dir, COST_ASSUMPTIONS_FILE, progress)? {
        summary.cost_assumptions = import_cost_assumptions(writer, reader, known).await?;
    }
    if let Some(reader) = open(dir, ROOMS_FILE, progress)? {
        summary.rooms = import_rooms(writer, reader, known).await?;
    }
    if let Some(reader) = open(dir, HISTORIES_FILE, progress)? {
        summary.histories = import_histories(writer, reader, known).await?;
    }
    if let Some(reader) = open(dir, SUMMARIES_FILE, progress)? {
        summary.summaries = import_summaries(writer, reader, known).await?;
    }
    Ok(summary)
}

struct Progress {
    enabled: bool,
}

impl Progress {
    /// A spinner for work whose length is unknown, shown only on a terminal.
    fn spinner(&self, message: &'static str) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::hidden();
        }
        let spinner = ProgressBar::new_spinner();
        spinner.set_message(message);
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        spinner
    }
}

/// An import file: its name (for messages) and its bytes.
type Source = (&'static str, Box<dyn Read>);

/// One line of an NDJSON file: its number and its object.
type JsonLine = (u64, Map<String, Value>);

/// The longest line any import file may have, in bytes. A real line is a few hundred
/// bytes (an organization with a year of holidays, a few kilobytes); a longer one is
/// a broken export, refused with its file and line before it is held in memory.
pub const MAX_LINE_BYTES: u64 = 64 * 1024;

/// The most characters a label may have: a room's `channel` and `closed_reason`, a
/// message's `sender_type` (the values METRICS.md names are at most 20).
pub const MAX_LABEL_CHARS: usize = 64;

/// A line longer than `MAX_LINE_BYTES`, found while reading: the error a
/// `LineBounded` reader gives, which `line_too_long` finds again in a CSV or JSON
/// reader's error to name the file and line.
#[derive(Debug)]
struct LineTooLong {
    line: u64,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} is longer than {MAX_LINE_BYTES} bytes",
            self.line
        )
    }
}

impl std::error::Error for LineTooLong {}

/// A reader that fails as soon as one line passes `MAX_LINE_BYTES`, so a file of
/// one huge line costs a buffer, not the line. Written here rather than taken from a
/// crate: it is a dozen lines over `Read`, and neither `csv` nor `std` bounds a line.
/// In a CSV file, a quoted cell may hold line breaks, so it is bounded on its own:
/// no quoted cell passes `MAX_LINE_BYTES` either, whatever lines it spans.
struct LineBounded<R> {
    inner: R,
    line: u64,
    bytes_in_line: u64,
    /// Whether quotes open cells (CSV), and the bytes of the open one.
    csv: bool,
    bytes_in_quotes: Option<u64>,
    /// The bytes of a cell whose quote the previous byte closed: a quote right
    /// after it is an escaped `""`, and the cell goes on.
    just_closed: Option<u64>,
}

impl<R: Read> Read for LineBounded<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        let too_long =
            |line: u64| std::io::Error::new(std::io::ErrorKind::InvalidData, LineTooLong { line });
        for byte in &buffer[..read] {
            if self.csv && *byte == b'"' {
                match self.bytes_in_quotes.take() {
                    Some(bytes) => self.just_closed = Some(bytes),
                    None => self.bytes_in_quotes = Some(self.just_closed.take().unwrap_or(0)),
                }
            } else {
                self.just_closed = None;
            }
            if let Some(bytes) = self.bytes_in_quotes.as_mut() {
                *bytes += 1;
                if *bytes > MAX_LINE_BYTES {
                    return Err(too_long(self.line + 1));
                }
            }
            if *byte == b'\n' {
                self.line += 1;
                self.bytes_in_line = 0;
            } else if *byte == b'\r' {
                // A line may end in `\r` alone (old Mac files, which CSV takes).
                self.bytes_in_line = 0;
            } else {
                self.bytes_in_line += 1;
                if self.bytes_in_line > MAX_LINE_BYTES {
                    return Err(too_long(self.line + 1));
                }
            }
        }
        Ok(read)
    }
}

/// The line a read failed on for being too long, if that is why it failed.
fn line_too_long(error: &std::io::Error) -> Option<u64> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<LineTooLong>())
        .map(|too_long| too_long.line)
}

/// The import error for a read that failed: a line too long names its line.
fn read_failed(file: &'static str, error: &std::io::Error) -> ImportError {
    match line_too_long(error) {
        Some(line) => ImportError::Line {
            file,
            line,
            message: format!(
                "is longer than {} KiB; no line of an import file may be (a broken export?)",
                MAX_LINE_BYTES / 1024
            ),
        },
        None => ImportError::File {
            file,
            message: format!("cannot be read: {error}"),
        },
    }
}

/// A label as stored (`channel`, `closed_reason`, `sender_type`): at most
/// `MAX_LABEL_CHARS` characters.
fn bounded_label(
    file: &'static str,
    line: u64,
    field: &str,
    text: &str,
) -> Result<String, ImportError> {
    let length = text.chars().count();
    if length > MAX_LABEL_CHARS {
        return Err(ImportError::field(
            file,
            line,
            field,
            format!("has {length} characters; at most {MAX_LABEL_CHARS} are allowed"),
        ));
    }
    Ok(text.to_string())
}

/// Opens a file if present, with a progress bar on a terminal.
fn open(
    dir: &Path,
    name: &'static str,
    progress: &Progress,
) -> Result<Option<Source>, ImportError> {
    let path = dir.join(name);
    if !path.is_file() {
        return Ok(None);
    }
    let file = File::open(&path).map_err(|e| ImportError::File {
        file: name,
        message: format!("cannot be opened: {e}"),
    })?;
    let file = LineBounded {
        inner: file,
        line: 0,
        bytes_in_line: 0,
        csv: name.ends_with(".csv"),
        bytes_in_quotes: None,
        just_closed: None,
    };
    let reader: Box<dyn Read> = if progress.enabled {
        let length = file.inner.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>24} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(name);
        Box::new(bar.wrap_read(file))
    } else {
        Box::new(file)
    };
    Ok(Some((name, reader)))
}

// ---------------------------------------------------------------- NDJSON

/// Text with a NUL character is refused on every backend alike: PostgreSQL cannot
/// store it, and a page would show it.
const NUL_MESSAGE: &str = "contains a NUL character (\\0); remove it and import again";

/// Whether a JSON value holds a NUL character in any string, or in any key, inside it.
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields
            .iter()
            .any(|(key, value)| key.contains('\0') || holds_nul(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

fn required_string<'a>(
    file: &'static str,
    line: u64,
    object: &'a Map<String, Value>,
    field: &str,
) -> Result<&'a str, ImportError> {
    match object.get(field) {
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text),
        Some(Value::String(_)) => Err(ImportError::field(file, line, field, "must not be empty")),
        None | Some(Value::Null) => Err(ImportError::field(file, line, field, "is missing")),
        Some(other) => Err(ImportError::field(
            file,
            line,
            field,
            format!("must be text, not {}", json_kind(other)),
        )),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn read_organizations((file, reader): Source) -> Result<Vec<Organization>, ImportError> {
    // Later lines for the same id win, as they would in the database.
    let mut by_id: HashMap<String, (u64, Organization)> = HashMap::new();
    let mut lines = JsonLines::new(file, reader);
    while let Some((line, object)) = lines.next_object()? {
        let organization = parse_organization(file, line, &object)?;
        by_id.insert(organization.id.to_string(), (line, organization));
    }
    let mut organizations: Vec<(u64, Organization)> = by_id.into_values().collect();
    organizations.sort_by_key(|(line, _)| *line);
    Ok(organizations.into_iter().map(|(_, org)| org).collect())
}

fn parse_organization(
    file: &'static str,
    line: u64,
    object: &Map<String, Value>,
) -> Result<Organization, ImportError> {
    let id = OrgId::parse(required_string(file, line, object, "id")?)
        .map_err(|e| ImportError::field(file, line, "id", e.to_string()))?;
    let name = required_string(file, line, object, "name")?
        .trim()
        .to_string();
    let ai_addon = match object.get("ai_addon") {
        Some(Value::Bool(value)) => *value,
        None | Some(Value::Null) => {
            return Err(ImportError::field(file, line, "ai_addon", "is missing"))
        }
        Some(other) => {
            return Err(ImportError::field(
                file,
                line,
                "ai_addon",
                format!("must be true or false, not {}", json_kind(other)),
            ))
        }
    };
    let timezone = match object.get("timezone") {
        None | Some(Value::Null) => DEFAULT_TIMEZONE,
        Some(Value::String(name)) if name.trim().is_empty() => DEFAULT_TIMEZONE,
        Some(Value::String(name)) => name.as_str(),
        Some(other) => {
            return Err(ImportError::field(
                file,
                line,
                "timezone",
                format!(
                    "must be text such as Asia/Jakarta, not {}",
                    json_kind(other)
                ),
            ))
        }
    };
    let timezone = Organization::parse_timezone(timezone)
        .map_err(|e| ImportError::field(file, line, "timezone", e.to_string()))?;
    let business_hours = match object.get("business_hours") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            BusinessHours::from_json(value)
                .map_err(|e| ImportError::field(file, line, "business_hours", e))?,
        ),
    };
    let holidays = match object.get("holidays") {
        None | Some(Value::Null) => Default::default(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .and_then(|text| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok())
                    .ok_or_else(|| {
                        ImportError::field(
                            file,
                            line,
                            "holidays",
                            format!("{item} is not a date in the form YYYY-MM-DD"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(ImportError::field(
                file,
                line,
                "holidays",
                format!(
                    "must be a list of YYYY-MM-DD dates, not {}",
                    json_kind(other)
                ),
            ))
        }
    };
    Ok(Organization {
        id,
        name,
        ai_addon,
        timezone,
        business_hours,
        holidays,
    })
}

async fn import_summaries(
    writer: &mut dyn ImportWriter,
    (file, reader): Source,
    known: &HashSet<String>,
) -> Result<u64, ImportError> {
    let mut count = 0;
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut lines = JsonLines::new(file, reader);
    while let Some((line, object)) = lines.next_object()? {
        let org_text = required_string(file, line, &object, "organization_id")?;
        let organization_id = known_org(file, line, "organization_id", org_text, known)?;
        let room_id = bounded_id(
            file,
            line,
            "room_id",
            required_string(file, line, &object, "room_id")?,
        )?;
        let sentiment = object
            .get("sentiment")
            .map(RawSentiment::from_json)
            .unwrap_or(RawSentiment::Missing);
        let created_at = match object.get("created_at") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(
                parse_instant(text)
                    .map_err(|message| ImportError::field(file, line, "created_at", message))?,
            ),
            Some(other) => {
                return Err(ImportError::field(
                    file,
                    line,
                    "created_at",
                    format!("must be an RFC 3339 timestamp, not {}", json_kind(other)),
                ))
            }
        };
        batch.push(SummaryRecord {
            organization_id,
            room_id,
            sentiment,
            created_at,
        });
        count += 1;
        if batch.len() == BATCH_ROWS {
            writer.summaries(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        writer.summaries(&batch).await?;
    }
    Ok(count)
}

/// Line-by-line NDJSON reading that can be interleaved with `await`s.
struct JsonLines {
    file: &'static str,
    reader: BufReader<Box<dyn Read>>,
    buffer: Vec<u8>,
    line: u64,
}

impl JsonLines {
    fn new(file: &'static str, reader: Box<dyn Read>) -> Self {
        Self {
            file,
            reader: BufReader::with_capacity(1 << 16, reader),
            buffer: Vec::new(),
            line: 0,
        }
    }

    fn next_object(&mut self) -> Result<Option<JsonLine>, ImportError> {
        let file = self.file;
        loop {
            self.buffer.clear();
            let read = self
                .reader
                .read_until(b'\n', &mut self.buffer)
                .map_err(|e| read_failed(file, &e))?;
            if read == 0 {
                return Ok(None);
            }
            self.line += 1;
            let line = self.line;
            let text = std::str::from_utf8(&self.buffer).map_err(|_| ImportError::Line {
                file,
                line,
                message: "is not valid UTF-8".into(),
            })?;
            let text = text.trim_start_matches('\u{feff}').trim();
            if text.is_empty() {
                continue;
            }
            return match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(object)) => {
                    if let Some((field, _)) = object.iter().find(|(_, value)| holds_nul(value)) {
                        return Err(ImportError::field(file, line, field, NUL_MESSAGE));
                    }
                    Ok(Some((line, object)))
                }
                Ok(_) => Err(ImportError::Line {
                    file,
                    line,
                    message: "is not a JSON object".into(),
                }),
                Err(e) => Err(ImportError::Line {
                    file,
                    line,
                    message: format!("is not valid JSON: {e}"),
                }),
            };
        }
    }
}

// ---------------------------------------------------------------- CSV

/// A CSV file with a header naming the columns it must have (in any order).
struct CsvFile {
    file: &'static str,
    reader: csv::Reader<Box<dyn Read>>,
    positions: Vec<usize>,
    /// Where each optional column is, when the header has it.
    optional_positions: Vec<Option<usize>>,
    record: csv::ByteRecord,
}

impl CsvFile {
    fn open(source: Source, columns: &[&str]) -> Result<Self, ImportError> {
        Self::open_with_optional(source, columns, &[])
    }

    /// A file whose header must have `columns` and may have `optional` ones.
    fn open_with_optional(
        (file, reader): Source,
        columns: &[&str],
        optional: &[&str],
    ) -> Result<Self, ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let headers = reader.byte_headers().map_err(|e| ImportError::File {
            file,
            message: format!("the header cannot be read: {e}"),
        })?;
        let headers: Vec<String> = headers
            .iter()
            .map(|h| {
                std::str::from_utf8(h)
                    .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
                    .map_err(|_| ImportError::Line {
                        file,
                        line: 1,
                        message: "the header is not valid UTF-8".into(),
                    })
            })
            .collect::<Result<_, _>>()?;
        let missing: Vec<&str> = columns
            .iter()
            .copied()
            .filter(|column| !headers.iter().any(|h| h == column))
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::File {
                file,
                message: format!(
                    "the header lacks the column(s) {}; expected {}",
                    missing.join(", "),
                    columns.join(",")
                ),
            });
        }
        let position = |column: &&str| headers.iter().position(|h| h == column);
        Ok(Self {
            file,
            positions: columns.iter().filter_map(position).collect(),
            optional_positions: optional.iter().map(position).collect(),
            reader,
            record: csv::ByteRecord::new(),
        })
    }

    /// Advances to the next row; returns its line number, or `None` at the end.
    fn next_row(&mut self) -> Result<Option<u64>, ImportError> {
        let file = self.file;
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => Ok(Some(
                self.record.position().map(|p| p.line()).unwrap_or_default(),
            )),
            Ok(false) => Ok(None),
            Err(error) => {
                if let csv::ErrorKind::Io(io) = error.kind() {
                    return Err(read_failed(file, io));
                }
                let line = error.position().map(|p| p.line()).unwrap_or_default();
                let message = match error.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("has {len} fields where the header has {expected_len}"),
                    _ => error.to_string(),
                };
                Err(ImportError::Line {
                    file,
                    line,
                    message,
                })
            }
        }
    }

    /// The `index`-th requested column of the current row; empty cells are `None`.
    fn cell(&self, line: u64, index: usize, name: &str) -> Result<Option<&str>, ImportError> {
        self.cell_at(line, self.positions[index], name)
    }

    /// The cell at `position` of the current row; empty cells are `None`.
    fn cell_at(&self, line: u64, position: usize, name: &str) -> Result<Option<&str>, ImportError> {
        let raw = self.record.get(position).unwrap_or_default();
        let text = std::str::from_utf8(raw)
            .map_err(|_| ImportError::field(self.file, line, name, "is not valid UTF-8"))?;
        if text.contains('\0') {
            return Err(ImportError::field(self.file, line, name, NUL_MESSAGE));
        }
        Ok(Some(text).filter(|t| !t.trim().is_empty()))
    }

    /// The `index`-th optional column of the current row: `None` when the header
    /// lacks the column or the cell is empty.
    fn optional(&self, line: u64, index: usize, name: &str) -> Result<Option<&str>, ImportError> {
        match self.optional_positions.get(index).copied().flatten() {
            Some(position) => self.cell_at(line, position, name),
            None => Ok(None),
        }
    }

    fn required(&self, line: u64, index: usize, name: &str) -> Result<&str, ImportError> {
        self.cell(line, index, name)?
            .ok_or_else(|| ImportError::field(self.file, line, name, "is empty but required"))
    }
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| {
            format!(
                "'{text}' is not an RFC 3339 timestamp with an offset, such as 2026-10-01T09:00:00+07:00"
            )
        })
}

/// The most characters a room, contact or agent id may have (an organization id has
/// the same bound, `OrgId`). Chosen so that everything the server makes of an id
/// fits: a list's cursor (at most 1 KiB, docs/operations.md), a workbook cell, and a
/// link to the inbox.
pub const MAX_ID_CHARS: usize = 128;

/// An id as stored: trimmed, at most `MAX_ID_CHARS` characters, with no control
/// character (a tab or a NUL in an id is a broken export, not an id).
fn bounded_id(
    file: &'static str,
    line: u64,
    field: &str,
    text: &str,
) -> Result<String, ImportError> {
    let id = text.trim();
    let length = id.chars().count();
    if length > MAX_ID_CHARS {
        return Err(ImportError::field(
            file,
            line,
            field,
            format!("has {length} characters; an id may have at most {MAX_ID_CHARS}"),
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(ImportError::field(
            file,
            line,
            field,
            "contains a control character (such as a tab or a line break)",
        ));
    }
    Ok(id.to_string())
}

fn known_org(
    file: &'static str,
    line: u64,
    field: &str,
    text: &str,
    known: &HashSet<String>,
) -> Result<OrgId, ImportError> {
    let id =
        OrgId::parse(text).map_err(|e| ImportError::field(file, line, field, e.to_string()))?;
    if !known.contains(id.as_str()) {
        return Err(ImportError::field(
            file,
            line,
            field,
            format!(
                "unknown organization '{id}': it is neither in {ORGANIZATIONS_FILE} nor already imported"
            ),
        ));
    }
    Ok(id)
}

fn timestamp(
    csv: &CsvFile,
    line: u64,
    index: usize,
    name: &str,
    required: bool,
) -> Result<Option<DateTime<Utc>>, ImportError> {
    let cell = if required {
        Some(csv.required(line, index, name)?)
    } else {
        csv.cell(line, index, name)?
    };
    cell.map(|text| parse_instant(text).map_err(|m| ImportError::field(csv.file, line, name, m)))
        .transpose()
}

async fn import_rooms(
    writer: &mut dyn ImportWriter,
    source: Source,
    known: &HashSet<String>,
) -> Result<u64, ImportError> {
    let mut csv = CsvFile::open(source, &ROOM_COLUMNS)?;
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut count = 0;
    while let Some(line) = csv.next_row()? {
        let [id, org, channel, contact, created, closed, reason, agent, assigned] = ROOM_COLUMNS;
        let room = SourceRoom {
            id: bounded_id(csv.file, line, id, csv.required(line, 0, id)?)?,
            organization_id: known_org(csv.file, line, org, csv.required(line, 1, org)?, known)?,
            channel: bounded_label(csv.file, line, channel, csv.required(line, 2, channel)?)?,
            contact_id: bounded_id(csv.file, line, contact, csv.required(line, 3, contact)?)?,
            created_at: timestamp(&csv, line, 4, created, true)?.unwrap_or_default(),
            closed_at: timestamp(&csv, line, 5, closed, false)?,
            closed_reason: csv
                .cell(line, 6, reason)?
                .map(|text| bounded_label(csv.file, line, reason, text))
                .transpose()?,
            assign_channel_agent_id: csv
                .cell(line, 7, agent)?
                .map(|text| bounded_id(csv.file, line, agent, text))
                .transpose()?,
            assigned_at: timestamp(&csv, line, 8, assigned, false)?,
        };
        batch.push(room);
        count += 1;
        if batch.len() == BATCH_ROWS {
            writer.rooms(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        writer.rooms(&batch).await?;
    }
    Ok(count)
}

async fn import_histories(
    writer: &mut dyn ImportWriter,
    source: Source,
    known: &HashSet<String>,
) -> Result<u64, ImportError> {
    let mut csv = CsvFile::open(source, &HISTORY_COLUMNS)?;
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut count = 0;
    while let Some(line) = csv.next_row()? {
        let [room, org, sender, created] = HISTORY_COLUMNS;
        batch.push(HistoryRecord {
            room_id: bounded_id(csv.file, line, room, csv.required(line, 0, room)?)?,
            organization_id: known_org(csv.file, line, org, csv.required(line, 1, org)?, known)?,
            sender_type: bounded_label(csv.file, line, sender, csv.required(line, 2, sender)?)?,
            created_at: timestamp(&csv, line, 3, created, true)?.unwrap_or_default(),
        });
        count += 1;
        if batch.len() == BATCH_ROWS {
            writer.histories(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        writer.histories(&batch).await?;
    }
    Ok(count)
}

async fn import_cost_assumptions(
    writer: &mut dyn ImportWriter,
    source: Source,
    known: &HashSet<String>,
) -> Result<u64, ImportError> {
    let mut csv =
        CsvFile::open_with_optional(source, &COST_ASSUMPTION_COLUMNS, &[AI_PRICE_COLUMN])?;
    let mut rows = Vec::new();
    while let Some(line) = csv.next_row()? {
        let [org, rate, minutes] = COST_ASSUMPTION_COLUMNS;
        let organization = known_org(csv.file, line, org, csv.required(line, 0, org)?, known)?;
        let whole = |text: &str, name: &str| -> Result<i64, ImportError> {
            text.trim().parse::<i64>().map_err(|_| {
                ImportError::field(
                    csv.file,
                    line,
                    name,
                    format!("'{}' is not a whole number", crate::text::excerpt(text)),
                )
            })
        };
        let price = match csv.optional(line, 0, AI_PRICE_COLUMN)? {
            Some(text) => Some(whole(text, AI_PRICE_COLUMN)?),
            None => None,
        };
        let assumption = CostAssumption::with_ai_price(
            whole(csv.required(line, 1, rate)?, rate)?,
            whole(csv.required(line, 2, minutes)?, minutes)?,
            price,
        )
        .map_err(|problems| {
            let first = &problems[0];
            ImportError::field(csv.file, line, first.field.name(), first.message.clone())
        })?;
        rows.push((organization, assumption));
    }
    writer.cost_assumptions(&rows).await?;
    Ok(rows.len() as u64)
}
