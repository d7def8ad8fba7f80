//! The embedded default: one SQLite file, no server.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::store::driver::{
    self, Answer, Driver, Planning, ReadCell, Statement, Transaction, Value,
};
use crate::store::source::{Source, SqlSource};
use crate::store::sql::{self, Dialect};
use crate::store::{Change, ImportWriter, Store, StoreError, StoreResult};

/// A SQLite connection, shared and taken in turns. A transaction holds it across
/// awaits (`Driver::begin`), so its lock is the runtime's, not the thread's.
type Shared = Arc<tokio::sync::Mutex<Connection>>;

pub struct SqliteStore {
    path: PathBuf,
    /// Every write, and every read of the datamart.
    connection: Shared,
    /// Reads of the source tables (rooms, histories, summaries) only. A second
    /// connection lets the aggregation read the next days while the last ones are
    /// written: in WAL mode a reader and the writer run side by side, and the
    /// reader sees every transaction committed before its read began (a script of
    /// reads, such as one statement a span of rooms, is one snapshot).
    source_connection: Shared,
}

fn micros(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_micros()
}

/// How much page cache a connection keeps.
#[derive(Clone, Copy)]
enum PageCache {
    /// Up to 64 MiB, for the connection that writes (the datamart, an import, and
    /// the import's temporary tables): it keeps the indexes being written in
    /// memory, and the room outcomes' pages while a list is read.
    Writing,
    /// SQLite's own default of 2 MiB, for reading the source: the aggregation reads
    /// it in range scans that a larger cache would fill but not speed up.
    Scanning,
}

impl PageCache {
    fn kib(self) -> u32 {
        match self {
            PageCache::Writing => 65_536,
            PageCache::Scanning => 2_000,
        }
    }
}

fn open_connection(path: &Path, cache: PageCache) -> StoreResult<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
            context: format!("creating the data directory {}", parent.display()),
            source,
        })?;
    }
    let context = format!("opening the SQLite database {}", path.display());
    let connection = Connection::open(path).map_err(StoreError::sqlite(context.clone()))?;
    // WAL lets readers go on while the nightly aggregation writes; the busy timeout
    // makes a second writer wait instead of failing at once.
    connection
        .execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 30000;
             PRAGMA cache_size = -{};",
            cache.kib()
        ))
        .map_err(StoreError::sqlite(context))?;
    Ok(connection)
}

impl SqliteStore {
    pub fn open(path: &Path) -> StoreResult<Self> {
        let shared = |cache| {
            Ok::<_, StoreError>(Arc::new(tokio::sync::Mutex::new(open_connection(
                path, cache,
            )?)))
        };
        Ok(Self {
            path: path.to_path_buf(),
            connection: shared(PageCache::Writing)?,
            source_connection: shared(PageCache::Scanning)?,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs blocking SQLite work on the writing connection, off the async runtime's
    /// threads.
    async fn with_connection<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        // The lock is awaited here, not on the blocking thread: a caller that gives
        // up (a read past its time limit) stops waiting and its work never runs,
        // and no blocking thread is parked behind an open transaction, which needs
        // one for each of its own steps.
        let mut connection = Arc::clone(&self.connection).lock_owned().await;
        tokio::task::spawn_blocking(move || work(&mut connection))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

/// A value as SQLite stores it: a day as ISO text, an instant as microseconds
/// since 1970, a flag as 0 or 1.
impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as Stored, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Integer(number) => ToSqlOutput::Owned(Stored::Integer(*number)),
            Value::Real(real) => ToSqlOutput::Owned(Stored::Real(*real)),
            Value::Flag(flag) => ToSqlOutput::Owned(Stored::Integer(i64::from(*flag))),
            Value::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Value::Day(day) => ToSqlOutput::Owned(Stored::Text(day.to_string())),
            Value::Instant(at) => ToSqlOutput::Owned(Stored::Integer(micros(*at))),
            Value::Array(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "SQLite takes no list as a parameter; `store::sql` writes a statement a key"
                        .into(),
                ))
            }
        })
    }
}

/// A result cell as it crosses the seam; SQLite's own types say what it is.
fn cell_value(
    cell: rusqlite::types::ValueRef<'_>,
    column: impl FnOnce() -> String,
) -> StoreResult<Value> {
    use rusqlite::types::ValueRef;
    Ok(match cell {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(number) => Value::Integer(number),
        ValueRef::Real(real) => Value::Real(real),
        ValueRef::Text(bytes) => Value::Text(
            std::str::from_utf8(bytes)
                .map_err(|_| StoreError::Cell {
                    column: column(),
                    wanted: "text",
                    found: "bytes that are not UTF-8",
                })?
                .to_string(),
        ),
        ValueRef::Blob(_) => {
            return Err(StoreError::Cell {
                column: column(),
                wanted: "a value",
                found: "a blob",
            })
        }
    })
}

/// A row as SQLite reads it, its cells decoded where they are (`Statement::decoded`).
struct ReadRow<'a, 'row> {
    row: &'a rusqlite::Row<'row>,
    context: &'a str,
}

impl ReadCell for ReadRow<'_, '_> {
    fn value(&self, index: usize) -> StoreResult<Value> {
        let cell = self
            .row
            .get_ref(index)
            .map_err(StoreError::sqlite(self.context))?;
        cell_value(cell, || self.column(index))
    }

    fn borrowed_text(&self, index: usize) -> StoreResult<Option<&str>> {
        use rusqlite::types::ValueRef;
        match self
            .row
            .get_ref(index)
            .map_err(StoreError::sqlite(self.context))?
        {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) => {
                std::str::from_utf8(bytes)
                    .map(Some)
                    .map_err(|_| StoreError::Cell {
                        column: self.column(index),
                        wanted: "text",
                        found: "bytes that are not UTF-8",
                    })
            }
            other => Err(StoreError::Cell {
                column: self.column(index),
                wanted: "text",
                found: cell_value(other, || self.column(index))?.kind(),
            }),
        }
    }

    fn column(&self, index: usize) -> String {
        self.row
            .as_ref()
            .column_name(index)
            .map_or_else(|_| format!("#{index}"), str::to_string)
    }
}

/// Runs one statement on `connection`: its rows (into its answer, or decoded where
/// they are read), or how many rows it changed.
fn run_statement(
    connection: &Connection,
    context: &str,
    mut statement: Statement,
) -> StoreResult<Answer> {
    let error = || StoreError::sqlite(context);
    if statement.planning == Planning::Batch {
        connection.execute_batch(&statement.sql).map_err(error())?;
        return Ok(Answer::default());
    }
    // Every statement is kept prepared: SQLite plans each run with its values
    // anyway, so `Statement::cached` matters only to PostgreSQL.
    let mut prepared = connection.prepare_cached(&statement.sql).map_err(error())?;
    let params = rusqlite::params_from_iter(statement.params.iter());
    if prepared.column_count() == 0 {
        let changed = prepared.execute(params).map_err(error())?;
        let mut answer = Answer::default();
        answer.changed = changed as u64;
        return Ok(answer);
    }
    if let Some(mut sink) = statement.sink.take() {
        let mut rows = prepared.query(params).map_err(error())?;
        let mut read = 0;
        while let Some(row) = rows.next().map_err(error())? {
            sink.row(&driver::Row::Read(&ReadRow { row, context }))?;
            read += 1;
        }
        sink.finish();
        let mut answer = Answer::default();
        answer.changed = read;
        return Ok(answer);
    }
    // The names are taken before the rows, which hold the statement.
    let names: Arc<[String]> = prepared
        .column_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut rows = prepared.query(params).map_err(error())?;
    let mut answer = Answer::with_columns(Arc::clone(&names), statement.expected_rows);
    while let Some(row) = rows.next().map_err(error())? {
        for (index, name) in names.iter().enumerate() {
            answer.push(cell_value(row.get_ref(index).map_err(error())?, || {
                name.clone()
            })?);
        }
    }
    answer.changed = answer.len() as u64;
    Ok(answer)
}

/// The writing connection inside an open transaction: dropped before its commit,
/// wherever that happens (an error, a cancelled task, a panic), it rolls back, so
/// the next holder of the lock never finds a transaction left open.
struct Held {
    connection: tokio::sync::OwnedMutexGuard<Connection>,
    open: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.open {
            if let Err(error) = self.connection.execute_batch("ROLLBACK") {
                tracing::warn!(error = %error, "a SQLite transaction could not be rolled back");
            }
        }
    }
}

impl Held {
    /// Commits; the lock is free again once `self` is gone.
    fn commit(mut self, context: &str) -> StoreResult<()> {
        self.connection
            .execute_batch("COMMIT")
            .map_err(StoreError::sqlite(context))?;
        self.open = false;
        Ok(())
    }
}

struct SqliteTransaction {
    held: Option<Held>,
}

impl SqliteTransaction {
    /// Runs blocking work on the transaction's connection, off the runtime's threads.
    async fn on_connection<T, F>(&mut self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let held = self
            .held
            .take()
            .ok_or_else(|| StoreError::Task("the SQLite transaction was already closed".into()))?;
        let (held, result) = tokio::task::spawn_blocking(move || {
            let result = work(&held.connection);
            (held, result)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?;
        self.held = Some(held);
        result
    }
}

#[async_trait]
impl Transaction for SqliteTransaction {
    async fn run(&mut self, context: &str, script: Vec<Statement>) -> StoreResult<Vec<Answer>> {
        let context = context.to_string();
        self.on_connection(move |c| {
            script
                .into_iter()
                .map(|statement| run_statement(c, &context, statement))
                .collect()
        })
        .await
    }

    async fn copy(
        &mut self,
        context: &str,
        table: &'static str,
        columns: &[&'static str],
        cells: Vec<Value>,
    ) -> StoreResult<()> {
        let rows = driver::rows_of(&cells, columns)?;
        let context = context.to_string();
        let columns = columns.to_vec();
        self.on_connection(move |c| {
            // The sizes of the inserts: mostly the largest, so its text is written
            // once a copy rather than once an insert.
            let sizes: Vec<usize> = sql::ladder_chunks(&vec![(); rows], sql::ROWS_PER_INSERT)
                .iter()
                .map(|piece| piece.len())
                .collect();
            let mut insert = (0, String::new());
            // The values are moved into each statement, not copied.
            let mut cells = cells.into_iter();
            for size in sizes {
                if insert.0 != size {
                    insert = (
                        size,
                        sql::insert_rows(Dialect::Sqlite, table, &columns, size),
                    );
                }
                let statement = Statement::new(
                    insert.1.clone(),
                    cells.by_ref().take(size * columns.len()).collect(),
                );
                run_statement(c, &context, statement)?;
            }
            Ok(())
        })
        .await
    }

    async fn commit(mut self: Box<Self>, context: &str) -> StoreResult<()> {
        let context = context.to_string();
        let held = self
            .held
            .take()
            .ok_or_else(|| StoreError::Task("the SQLite transaction was already closed".into()))?;
        tokio::task::spawn_blocking(move || held.commit(&context))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

/// Opens a transaction on `connection`, once the connection is free.
async fn begin_on(connection: Shared, context: &str) -> StoreResult<Box<dyn Transaction>> {
    let connection = connection.lock_owned().await;
    let context = context.to_string();
    let held = tokio::task::spawn_blocking(move || {
        // Immediate: what the transaction writes may depend on what it reads.
        connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::sqlite(context))?;
        Ok::<_, StoreError>(Held {
            connection,
            open: true,
        })
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))??;
    Ok(Box::new(SqliteTransaction { held: Some(held) }))
}

#[async_trait]
impl Driver for SqliteStore {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn run(&self, context: &str, script: Vec<Statement>) -> StoreResult<Vec<Answer>> {
        let context = context.to_string();
        self.with_connection(move |c| {
            if script.len() <= 1 {
                return script
                    .into_iter()
                    .map(|statement| run_statement(c, &context, statement))
                    .collect();
            }
            // A script that writes takes the write lock before its first read (its
            // writes may depend on what it reads, as a claim's do); one that only
            // reads takes none, so it never waits on a long import in another
            // process (WAL lets a reader run beside the writer).
            let writes = script.iter().try_fold(false, |writes, statement| {
                Ok::<_, StoreError>(
                    writes
                        || statement.planning == Planning::Batch
                        || !c
                            .prepare_cached(&statement.sql)
                            .map_err(StoreError::sqlite(&context))?
                            .readonly(),
                )
            })?;
            let behavior = if writes {
                rusqlite::TransactionBehavior::Immediate
            } else {
                rusqlite::TransactionBehavior::Deferred
            };
            let transaction = c
                .transaction_with_behavior(behavior)
                .map_err(StoreError::sqlite(&context))?;
            let answers = script
                .into_iter()
                .map(|statement| run_statement(&transaction, &context, statement))
                .collect::<StoreResult<Vec<Answer>>>()?;
            transaction.commit().map_err(StoreError::sqlite(&context))?;
            Ok(answers)
        })
        .await
    }

    async fn begin(&self, context: &str) -> StoreResult<Box<dyn Transaction>> {
        begin_on(Arc::clone(&self.connection), context).await
    }

    async fn notify(&self, _payloads: Vec<String>) -> StoreResult<()> {
        Ok(())
    }

    async fn listen(&self) -> StoreResult<Option<tokio::sync::mpsc::Receiver<Change>>> {
        Ok(None)
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn own_source(&self) -> Arc<dyn Source> {
        // The same file on the connection that reads the source: a store that is
        // only ever read through.
        let reader = SqliteStore {
            path: self.path.clone(),
            connection: Arc::clone(&self.source_connection),
            source_connection: Arc::clone(&self.source_connection),
        };
        let identity = format!("sqlite://{}", self.path.display());
        Arc::new(SqlSource::own(Arc::new(reader), identity))
    }

    async fn migrate(&self) -> StoreResult<()> {
        super::datamart::migrate(self).await
    }

    async fn begin_import(&self) -> StoreResult<Box<dyn ImportWriter>> {
        // A connection of its own: the import's long transaction never holds the
        // connection every other use of this store waits for, and its temporary
        // tables (and their page cache) end with it. Kept on the shared connection,
        // they made every later transaction's end slower (measured: a nightly run
        // after an import 6 % slower).
        let connection = open_connection(&self.path, PageCache::Writing)?;
        let transaction = begin_on(
            Arc::new(tokio::sync::Mutex::new(connection)),
            "starting the import",
        )
        .await?;
        super::datamart::begin_import(transaction, Dialect::Sqlite).await
    }
}
