//! The seam between the datamart, written once (`store::datamart`), and the two
//! databases. A backend only runs statements: it turns a `Value` into its own
//! parameter, a result row into `Value`s, and runs a script of statements on one
//! connection, in one transaction when there are several. Everything a capability
//! means (which SQL, which rows, what they say) is above this line, once.
//!
//! Why a seam of our own and not a query builder (sea-query) or a driver for both
//! (sqlx's `Any`): the statements are already written once, for a `Dialect` that
//! only decides how a parameter and "now" are spelt (`store::sql`), and they read
//! as SQL; what differed was the running and the decoding, which is what this seam
//! takes. sqlx's `Any` driver would replace both drivers at once and has neither
//! PostgreSQL's binary COPY nor LISTEN/NOTIFY behind it; a builder would not remove
//! a single line of running or decoding.

use std::borrow::Cow;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::sql::{Cells, Dialect, OutcomeCell};
use super::{StoreError, StoreResult};
use crate::metrics::CounterValue;

/// A parameter, or a cell of a result row, as it crosses the seam. Each backend
/// stores a day and an instant its own way (SQLite: ISO text and microseconds
/// since 1970; PostgreSQL: `date` and `timestamptz`); here they are what they mean.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Flag(bool),
    Text(String),
    Day(NaiveDate),
    Instant(DateTime<Utc>),
    /// A list of values as one parameter: PostgreSQL takes a batch's keys as arrays
    /// (`unnest`); SQLite has no arrays, and its statements never name one
    /// (`store::sql` writes a statement a key there instead).
    Array(Vec<Value>),
}

impl Value {
    /// What kind of cell this is, for an error that names what was found.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Integer(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Flag(_) => "a boolean",
            Value::Text(_) => "text",
            Value::Day(_) => "a date",
            Value::Instant(_) => "a timestamp",
            Value::Array(_) => "a list",
        }
    }
}

macro_rules! value_from {
    ($($type:ty => |$value:ident| $make:expr),* $(,)?) => {$(
        impl From<$type> for Value {
            fn from($value: $type) -> Self {
                $make
            }
        }
    )*};
}

value_from! {
    i64 => |value| Value::Integer(value),
    i32 => |value| Value::Integer(i64::from(value)),
    f64 => |value| Value::Real(value),
    bool => |value| Value::Flag(value),
    String => |value| Value::Text(value),
    &str => |value| Value::Text(value.to_string()),
    &String => |value| Value::Text(value.clone()),
    NaiveDate => |value| Value::Day(value),
    DateTime<Utc> => |value| Value::Instant(value),
    &crate::domain::OrgId => |value| Value::Text(value.to_string()),
    CounterValue => |value| match value {
        CounterValue::Count(count) => Value::Integer(count),
        CounterValue::Sum(sum) => Value::Real(sum),
        CounterValue::Flag(flag) => Value::Flag(flag),
    },
    OutcomeCell<'_> => |cell| match cell {
        OutcomeCell::Day(day) => Value::Day(day),
        OutcomeCell::Text(text) => Value::from(text),
        OutcomeCell::OptionalText(text) => Value::from(text),
        OutcomeCell::Instant(at) => Value::Instant(at),
        OutcomeCell::OptionalInstant(at) => Value::from(at),
        OutcomeCell::Flag(flag) => Value::Flag(flag),
        OutcomeCell::OptionalFlag(flag) => Value::from(flag),
        OutcomeCell::Count(count) => Value::Integer(count),
        OutcomeCell::OptionalReal(real) => Value::from(real),
    },
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

/// The parameters of a statement, each turned into a `Value`: `params![org, day]`.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::store::driver::Value::from($value)),*]
    };
}
pub(crate) use params;

/// Where the cells of a row read as it comes are (`Statement::decoded`): the
/// backend's own row, each cell turned into a `Value` only when it is read.
pub(crate) trait ReadCell {
    /// The cell at `index`, as it crosses the seam.
    fn value(&self, index: usize) -> StoreResult<Value>;
    /// The text cell at `index` where it is, without a copy; `None` for NULL.
    fn borrowed_text(&self, index: usize) -> StoreResult<Option<&str>>;
    /// The name of the column at `index`, for an error that says which.
    fn column(&self, index: usize) -> String;
}

/// One result row, in the statement's order: a view of its cells in its answer, or
/// the backend's own row as it is read. Either way it is decoded the same way.
#[derive(Clone, Copy)]
pub(crate) enum Row<'a> {
    Stored {
        cells: &'a [Value],
        names: &'a [String],
    },
    Read(&'a dyn ReadCell),
}

impl Row<'_> {
    /// The name of the column at `index`, or its position when it has none.
    fn column(&self, index: usize) -> String {
        match self {
            Row::Stored { names, .. } => names
                .get(index)
                .cloned()
                .unwrap_or_else(|| format!("#{index}")),
            Row::Read(row) => row.column(index),
        }
    }

    fn cell(&self, index: usize) -> StoreResult<Cow<'_, Value>> {
        match self {
            Row::Stored { cells, .. } => {
                cells
                    .get(index)
                    .map(Cow::Borrowed)
                    .ok_or_else(|| StoreError::Cell {
                        column: self.column(index),
                        wanted: "a cell",
                        found: "no such column",
                    })
            }
            Row::Read(row) => row.value(index).map(Cow::Owned),
        }
    }

    /// Reads the cell at `index` with `read`, which answers `None` for a cell of a
    /// kind it cannot read; NULL is `None`.
    fn optional<T>(
        &self,
        index: usize,
        wanted: &'static str,
        read: impl FnOnce(&Value) -> Option<StoreResult<T>>,
    ) -> StoreResult<Option<T>> {
        let value = self.cell(index)?;
        if *value == Value::Null {
            return Ok(None);
        }
        read(&value)
            .transpose()?
            .map(Some)
            .ok_or_else(|| StoreError::Cell {
                column: self.column(index),
                wanted,
                found: value.kind(),
            })
    }

    fn required<T>(
        &self,
        index: usize,
        wanted: &'static str,
        read: impl FnOnce(&Value) -> Option<StoreResult<T>>,
    ) -> StoreResult<T> {
        self.optional(index, wanted, read)?
            .ok_or_else(|| StoreError::Cell {
                column: self.column(index),
                wanted,
                found: "NULL",
            })
    }

    /// The text at `index` where it is, without a copy: a source's messages are
    /// counted as they are read, each compared with the last one's room and sender
    /// and copied only when they change.
    pub(crate) fn borrowed_text(&self, index: usize) -> StoreResult<&str> {
        let text = match self {
            Row::Stored { cells, .. } => match cells.get(index) {
                Some(Value::Text(text)) => Some(text.as_str()),
                Some(Value::Null) => None,
                Some(other) => {
                    return Err(StoreError::Cell {
                        column: self.column(index),
                        wanted: "text",
                        found: other.kind(),
                    })
                }
                None => {
                    return Err(StoreError::Cell {
                        column: self.column(index),
                        wanted: "text",
                        found: "no such column",
                    })
                }
            },
            Row::Read(row) => row.borrowed_text(index)?,
        };
        text.ok_or_else(|| StoreError::Cell {
            column: self.column(index),
            wanted: "text",
            found: "NULL",
        })
    }

    pub(crate) fn optional_day(&self, index: usize) -> StoreResult<Option<NaiveDate>> {
        self.optional(index, "a date", |value| match value {
            Value::Day(day) => Some(Ok(*day)),
            // SQLite stores a day as ISO text (chrono's own reading of it is
            // several times faster than a format's).
            Value::Text(text) => Some(text.parse::<NaiveDate>().map_err(|_| StoreError::Cell {
                column: self.column(index),
                wanted: "a date",
                found: "text that is not a date",
            })),
            _ => None,
        })
    }

    pub(crate) fn optional_count(&self, index: usize) -> StoreResult<Option<i64>> {
        self.optional(index, "an integer", |value| match value {
            Value::Integer(count) => Some(Ok(*count)),
            _ => None,
        })
    }

    pub(crate) fn real(&self, index: usize) -> StoreResult<f64> {
        self.required(index, "a real number", |value| match value {
            Value::Real(real) => Some(Ok(*real)),
            // SQLite hands back a whole REAL it stored compactly as an integer.
            Value::Integer(whole) => Some(Ok(*whole as f64)),
            _ => None,
        })
    }

    /// The cell at `index` as a counter of `kind`.
    pub(crate) fn counter(
        &self,
        index: usize,
        kind: crate::metrics::ColumnKind,
    ) -> StoreResult<CounterValue> {
        use crate::metrics::ColumnKind;
        // The common cells first, without the general reader: a report decodes
        // some 20 000 of them.
        match (kind, self.cell(index)?.as_ref()) {
            (ColumnKind::Count, Value::Integer(count)) => return Ok(CounterValue::Count(*count)),
            (ColumnKind::Sum, Value::Real(sum)) => return Ok(CounterValue::Sum(*sum)),
            (ColumnKind::Flag, Value::Flag(flag)) => return Ok(CounterValue::Flag(*flag)),
            _ => {}
        }
        Ok(match kind {
            ColumnKind::Count => CounterValue::Count(self.count(index)?),
            ColumnKind::Sum => CounterValue::Sum(self.real(index)?),
            ColumnKind::Flag => CounterValue::Flag(self.flag(index)?),
        })
    }
}

impl Cells for Row<'_> {
    fn text(&self, index: usize) -> StoreResult<String> {
        self.optional_text(index)?.ok_or_else(|| StoreError::Cell {
            column: self.column(index),
            wanted: "text",
            found: "NULL",
        })
    }

    fn optional_text(&self, index: usize) -> StoreResult<Option<String>> {
        // Straight from the backend's row: one copy of the text, not two.
        if let Row::Read(row) = self {
            return Ok(row.borrowed_text(index)?.map(str::to_string));
        }
        self.optional(index, "text", |value| match value {
            Value::Text(text) => Some(Ok(text.clone())),
            _ => None,
        })
    }

    fn day(&self, index: usize) -> StoreResult<NaiveDate> {
        self.optional_day(index)?.ok_or_else(|| StoreError::Cell {
            column: self.column(index),
            wanted: "a date",
            found: "NULL",
        })
    }

    fn instant(&self, index: usize) -> StoreResult<DateTime<Utc>> {
        self.optional_instant(index)?
            .ok_or_else(|| StoreError::Cell {
                column: self.column(index),
                wanted: "a timestamp",
                found: "NULL",
            })
    }

    fn optional_instant(&self, index: usize) -> StoreResult<Option<DateTime<Utc>>> {
        self.optional(index, "a timestamp", |value| match value {
            Value::Instant(at) => Some(Ok(*at)),
            Value::Integer(micros) => Some(DateTime::from_timestamp_micros(*micros).ok_or_else(
                || StoreError::Cell {
                    column: self.column(index),
                    wanted: "a timestamp",
                    found: "an integer out of a timestamp's range",
                },
            )),
            _ => None,
        })
    }

    fn count(&self, index: usize) -> StoreResult<i64> {
        self.optional_count(index)?.ok_or_else(|| StoreError::Cell {
            column: self.column(index),
            wanted: "an integer",
            found: "NULL",
        })
    }

    fn flag(&self, index: usize) -> StoreResult<bool> {
        self.optional_flag(index)?.ok_or_else(|| StoreError::Cell {
            column: self.column(index),
            wanted: "a boolean",
            found: "NULL",
        })
    }

    fn optional_flag(&self, index: usize) -> StoreResult<Option<bool>> {
        self.optional(index, "a boolean", |value| match value {
            Value::Flag(flag) => Some(Ok(*flag)),
            // SQLite stores a boolean as 0 or 1.
            Value::Integer(number) => Some(Ok(*number != 0)),
            _ => None,
        })
    }

    fn optional_real(&self, index: usize) -> StoreResult<Option<f64>> {
        match self.cell(index)?.as_ref() {
            Value::Null => Ok(None),
            _ => self.real(index).map(Some),
        }
    }
}

/// How a backend runs a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Planning {
    /// Kept prepared on the connection, its plan reused.
    Cached,
    /// Planned with its values each time: for a statement whose best plan depends
    /// on them (a list page: PostgreSQL's generic plan sorts the whole list,
    /// `ReportStore::conversations`).
    EachTime,
    /// Several statements in one text, without parameters or rows: a migration.
    Batch,
}

/// Takes a statement's rows one by one, as the backend reads them
/// (`Statement::decoded`).
pub(crate) trait RowSink: Send + Sync {
    fn row(&mut self, row: &Row<'_>) -> StoreResult<()>;
    /// Every row was read.
    fn finish(self: Box<Self>);
}

/// One statement and its parameters.
pub(crate) struct Statement {
    pub sql: String,
    pub params: Vec<Value>,
    pub planning: Planning,
    /// How many rows the statement is expected to give at most, so its answer is
    /// sized once (`Statement::expecting`); 0 when unknown.
    pub expected_rows: usize,
    /// Where its rows go as they are read, instead of into its answer.
    pub sink: Option<Box<dyn RowSink>>,
}

impl std::fmt::Debug for Statement {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Statement")
            .field("sql", &self.sql)
            .field("params", &self.params)
            .field("planning", &self.planning)
            .field("decoded", &self.sink.is_some())
            .finish()
    }
}

impl Statement {
    pub(crate) fn new(sql: impl Into<String>, params: Vec<Value>) -> Self {
        Statement {
            sql: sql.into(),
            params,
            planning: Planning::Cached,
            expected_rows: 0,
            sink: None,
        }
    }

    /// The statement gives about `rows` rows: its answer is sized for them at once
    /// rather than grown (and moved) as they come; a report's daily rows are some
    /// 20 000 cells.
    pub(crate) fn expecting(mut self, rows: usize) -> Self {
        self.expected_rows = rows;
        self
    }

    /// The statement planned with its values each time it runs.
    pub(crate) fn planned_each_time(mut self) -> Self {
        self.planning = Planning::EachTime;
        self
    }

    /// Several statements without parameters, run as one text.
    pub(crate) fn batch(sql: impl Into<String>) -> Self {
        Statement {
            sql: sql.into(),
            params: Vec::new(),
            planning: Planning::Batch,
            expected_rows: 0,
            sink: None,
        }
    }

    /// The statement's rows decoded by `decode` where the backend reads them,
    /// straight off its own row: for a read of many cells (a report's daily rows
    /// are some 20 000), where copying every cell into the answer first cost more
    /// than the reading (docs/performance.md). The rows are in the `Decoded` once
    /// the statement has run; its answer holds none.
    pub(crate) fn decoded<T, F>(self, decode: F) -> (Self, Decoded<Vec<T>>)
    where
        T: Send + Sync + 'static,
        F: Fn(&Row<'_>) -> StoreResult<T> + Send + Sync + 'static,
    {
        let rows = Vec::with_capacity(self.expected_rows);
        self.folded(rows, move |rows, row| {
            rows.push(decode(row)?);
            Ok(())
        })
    }

    /// The statement's rows folded into `start` by `fold` where the backend reads
    /// them: for a read whose rows become fewer values than rows (a source's
    /// messages are counted as they come, not kept).
    pub(crate) fn folded<A, F>(mut self, start: A, fold: F) -> (Self, Decoded<A>)
    where
        A: Send + Sync + 'static,
        F: Fn(&mut A, &Row<'_>) -> StoreResult<()> + Send + Sync + 'static,
    {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        self.sink = Some(Box::new(Fold {
            value: start,
            fold,
            sender,
        }));
        (self, Decoded(receiver))
    }
}

/// Folds a statement's rows into one value, and hands it over when all are read.
struct Fold<A, F> {
    value: A,
    fold: F,
    sender: tokio::sync::oneshot::Sender<A>,
}

impl<A, F> RowSink for Fold<A, F>
where
    A: Send + Sync,
    F: Fn(&mut A, &Row<'_>) -> StoreResult<()> + Send + Sync,
{
    fn row(&mut self, row: &Row<'_>) -> StoreResult<()> {
        (self.fold)(&mut self.value, row)
    }

    fn finish(self: Box<Self>) {
        let Fold { value, sender, .. } = *self;
        // Nobody waits for rows whose reader gave up.
        let _ = sender.send(value);
    }
}

/// What a statement's rows became where they were read (`Statement::decoded`,
/// `Statement::folded`).
pub(crate) struct Decoded<A>(tokio::sync::oneshot::Receiver<A>);

impl<A> Decoded<A> {
    /// The decoded rows, once the statement has run.
    pub(crate) fn rows(mut self) -> StoreResult<A> {
        self.0.try_recv().map_err(|_| {
            StoreError::Task("a statement's decoded rows were not there after it ran".into())
        })
    }
}

/// What one statement of a script gave back: its rows (a statement that returns
/// none has none) and how many rows it changed. Every row's cells are in one
/// vector, row after row: a report reads hundreds of rows of some 30 cells, and a
/// vector a row cost it more than the reading (docs/performance.md).
#[derive(Debug, Default)]
pub(crate) struct Answer {
    cells: Vec<Value>,
    names: Arc<[String]>,
    pub changed: u64,
}

impl Answer {
    /// An answer with the columns `names` and room for `rows` rows, none yet.
    pub(crate) fn with_columns(names: Arc<[String]>, rows: usize) -> Self {
        Answer {
            cells: Vec::with_capacity(rows.saturating_mul(names.len())),
            names,
            changed: 0,
        }
    }

    /// Adds a row's cell (a row is as many cells as there are columns).
    pub(crate) fn push(&mut self, cell: Value) {
        self.cells.push(cell);
    }

    /// How many columns a row has.
    fn width(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        let width = self.width().max(1);
        self.cells.chunks_exact(width).map(|cells| Row::Stored {
            cells,
            names: &self.names,
        })
    }

    pub(crate) fn first(&self) -> Option<Row<'_>> {
        self.rows().next()
    }

    pub(crate) fn len(&self) -> usize {
        self.cells.len() / self.width().max(1)
    }
}

/// How many rows `cells` holds for `columns` (`Transaction::copy`).
pub(crate) fn rows_of(cells: &[Value], columns: &[&str]) -> StoreResult<usize> {
    let width = columns.len();
    if width == 0 {
        return Err(StoreError::Invalid("rows copied with no column".into()));
    }
    if cells.len() % width != 0 {
        return Err(StoreError::Invalid(format!(
            "{} cells are no whole number of rows of {width} columns",
            cells.len()
        )));
    }
    Ok(cells.len() / width)
}

/// The answers of a script of `N` statements, one each.
pub(crate) fn answers<const N: usize>(answers: Vec<Answer>) -> StoreResult<[Answer; N]> {
    let given = answers.len();
    <[Answer; N]>::try_from(answers).map_err(|_| {
        StoreError::Invalid(format!("a script of {N} statements gave {given} answers"))
    })
}

/// What a backend does, and all it does. Every capability of the datamart is
/// written once over it (`store::datamart`).
#[async_trait]
pub(crate) trait Driver: Send + Sync {
    fn dialect(&self) -> Dialect;

    /// Runs `script` in order on one connection: a single statement on its own,
    /// several in one transaction (all or nothing). `context` says what the caller
    /// was doing, for the error. PostgreSQL prepares every statement before the
    /// first runs (and pipelines them), so a statement may not use a table an
    /// earlier one of the same script creates.
    async fn run(&self, context: &str, script: Vec<Statement>) -> StoreResult<Vec<Answer>>;

    /// Opens a transaction for work whose later statements depend on what its
    /// earlier ones read. Dropped without `commit`, it is rolled back.
    async fn begin(&self, context: &str) -> StoreResult<Box<dyn Transaction>>;

    /// Tells every instance sharing the database each of `payloads` (a change
    /// notice as JSON). SQLite has no one else to tell: one process owns the file
    /// and tells its own actors directly.
    async fn notify(&self, payloads: Vec<String>) -> StoreResult<()>;

    /// The change notices every instance publishes, or `None` where the database
    /// cannot deliver them (SQLite).
    async fn listen(&self) -> StoreResult<Option<tokio::sync::mpsc::Receiver<super::Change>>>;
}

/// An open transaction on one connection (`Driver::begin`).
#[async_trait]
pub(crate) trait Transaction: Send {
    /// Runs `script` in order, inside the transaction.
    async fn run(&mut self, context: &str, script: Vec<Statement>) -> StoreResult<Vec<Answer>>;

    /// Adds rows to `table`: `cells` holds them one after another, a value for
    /// every one of `columns` each (one vector, not one a row: an import stages a
    /// million). Binary COPY on PostgreSQL (a million room outcomes a run is
    /// usual), multi-row inserts on SQLite.
    async fn copy(
        &mut self,
        context: &str,
        table: &'static str,
        columns: &[&'static str],
        cells: Vec<Value>,
    ) -> StoreResult<()>;

    async fn commit(self: Box<Self>, context: &str) -> StoreResult<()>;
}

/// The ways a capability runs one statement, over `Driver::run`.
#[async_trait]
pub(crate) trait Run: Driver {
    /// The rows of one statement (`Answer::rows`, `Answer::first`).
    async fn query(&self, context: &str, statement: Statement) -> StoreResult<Answer> {
        Ok(self
            .run(context, vec![statement])
            .await?
            .pop()
            .unwrap_or_default())
    }

    /// How many rows one statement changed.
    async fn execute(&self, context: &str, statement: Statement) -> StoreResult<u64> {
        Ok(self
            .run(context, vec![statement])
            .await?
            .pop()
            .unwrap_or_default()
            .changed)
    }
}

impl<D: Driver + ?Sized> Run for D {}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(names: Arc<[String]>, cells: Vec<Value>) -> Answer {
        let mut answer = Answer::with_columns(names, 1);
        cells.into_iter().for_each(|cell| answer.push(cell));
        answer
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn a_row_reads_each_backends_spelling_of_a_day_an_instant_and_a_flag() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_123_456).expect("instant");
        // As SQLite gives them back, then as PostgreSQL does.
        let names: Arc<[String]> = ["day", "at", "flag", "real"].map(String::from).into();
        let sqlite = answer(
            names.clone(),
            vec![
                Value::Text("2026-10-05".into()),
                Value::Integer(at.timestamp_micros()),
                Value::Integer(1),
                Value::Integer(2),
            ],
        );
        let postgres = answer(
            names,
            vec![
                Value::Day(day("2026-10-05")),
                Value::Instant(at),
                Value::Flag(true),
                Value::Real(2.0),
            ],
        );
        for answer in [sqlite, postgres] {
            let row = answer.first().expect("a row");
            assert_eq!(row.day(0).expect("day"), day("2026-10-05"));
            assert_eq!(row.instant(1).expect("instant"), at);
            assert!(row.flag(2).expect("flag"));
            assert_eq!(row.real(3).expect("real"), 2.0);
        }
    }

    #[test]
    fn a_cell_of_the_wrong_kind_or_null_says_which_and_where() {
        let names: Arc<[String]> = vec!["opened".to_string(), "closed_at".to_string()].into();
        let answer = answer(names, vec![Value::Text("soon".into()), Value::Null]);
        let row = answer.first().expect("a row");
        let wrong = row.count(0).expect_err("text is no count").to_string();
        assert!(wrong.contains("column opened holds text"), "{wrong}");
        let null = row.day(1).expect_err("NULL is no day").to_string();
        assert!(null.contains("column closed_at holds NULL"), "{null}");
        assert_eq!(row.optional_day(1).expect("NULL is None"), None);
        assert!(row.day(0).is_err(), "'soon' is not a date");
        assert!(row.text(2).is_err(), "there is no third column");
    }
}
