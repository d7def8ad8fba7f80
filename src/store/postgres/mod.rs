//! The production backend: PostgreSQL through a deadpool connection pool.

use std::collections::HashMap;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use futures_util::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{IsNull, ToSql, Type};
use tokio_postgres::{Client, NoTls, Row};

use crate::domain::OrgId;
use crate::store::driver::{
    self, Answer, Driver, Planning, ReadCell, Statement, Transaction, Value,
};
use crate::store::source::{Source, SqlSource};
use crate::store::sql::Dialect;
use crate::store::{Change, ImportWriter, Store, StoreError, StoreResult};

/// The channel every instance listens on for `Change` notices.
const CHANGES_CHANNEL: &str = "impact_changes";

/// How long to wait for a connection before the caller gets an error.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A pool of connections to one database: the datamart (`connect`), or a live
/// source that is only read (`connect_read_only`).
#[derive(Clone)]
pub struct PostgresStore {
    config: tokio_postgres::Config,
    pool: Pool,
    /// The database's URL without its password, for logs and messages.
    identity: String,
    /// Whether this is a live source's pool (`connect_read_only`): its errors then
    /// say which database failed, since a run uses the datamart's pool as well.
    source: bool,
}

/// A pool of at most `size` connections to `config`, each waited for, made and
/// recycled within `CONNECT_TIMEOUT`.
fn build_pool(mut config: tokio_postgres::Config, size: usize) -> StoreResult<Pool> {
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(CONNECT_TIMEOUT))
        .create_timeout(Some(CONNECT_TIMEOUT))
        .recycle_timeout(Some(CONNECT_TIMEOUT))
        .build()
        .map_err(|e| StoreError::BadUrl(format!("setting up the connection pool: {e}")))
}

impl PostgresStore {
    /// Sets up the pool; connections are made on first use.
    pub fn connect(url: &str, pool_size: usize) -> StoreResult<Self> {
        Self::with_config(url, "", pool_size, "impact", false)
    }

    /// A pool on which every session is read-only, each statement at most
    /// `statement_timeout_ms` long: a live source's, where nothing this program
    /// sends could write.
    pub(crate) fn connect_read_only(
        url: &str,
        pool_size: usize,
        statement_timeout_ms: u64,
    ) -> StoreResult<Self> {
        let options = format!(
            " -c default_transaction_read_only=on -c statement_timeout={statement_timeout_ms}"
        );
        Self::with_config(url, &options, pool_size, "impact-source", true)
    }

    /// `url` with `options` added to its own, and `application` as the
    /// application's name unless the URL gives one.
    fn with_config(
        url: &str,
        options: &str,
        pool_size: usize,
        application: &str,
        source: bool,
    ) -> StoreResult<Self> {
        let identity = crate::text::redact(url);
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| {
            StoreError::BadUrl(format!("'{identity}' is not a PostgreSQL URL: {e}"))
        })?;
        if !options.is_empty() {
            let mut all = config.get_options().unwrap_or_default().to_string();
            all.push_str(options);
            config.options(all.trim());
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name(application);
        }
        let pool = build_pool(config.clone(), pool_size)?;
        Ok(Self {
            config,
            pool,
            identity,
            source,
        })
    }

    async fn client(&self, context: &str) -> StoreResult<Object> {
        self.pool.get().await.map_err(|e| match self.source {
            true => StoreError::pool(format!("{context} (source {})", self.identity), e),
            false => StoreError::pool(context, e),
        })
    }
}

/// A value as a PostgreSQL parameter of the type the statement gives it: an
/// integer fits an `integer` column or a `double precision` one, text a `json` one.
impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(number) => match *ty {
                Type::INT2 => i16::try_from(*number)?.to_sql_checked(ty, out),
                Type::INT4 => i32::try_from(*number)?.to_sql_checked(ty, out),
                Type::FLOAT8 => (*number as f64).to_sql_checked(ty, out),
                _ => number.to_sql_checked(ty, out),
            },
            Value::Real(real) => real.to_sql_checked(ty, out),
            Value::Flag(flag) => flag.to_sql_checked(ty, out),
            Value::Text(text) => match *ty {
                Type::JSON => {
                    out.extend_from_slice(text.as_bytes());
                    Ok(IsNull::No)
                }
                _ => text.as_str().to_sql_checked(ty, out),
            },
            Value::Day(day) => day.to_sql_checked(ty, out),
            Value::Instant(at) => at.to_sql_checked(ty, out),
            Value::Array(items) => items.to_sql_checked(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Which types a value fits is decided per value, in `to_sql`.
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

/// A `json` cell's text, as it crosses the seam.
struct JsonText(String);

impl<'a> tokio_postgres::types::FromSql<'a> for JsonText {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(JsonText(std::str::from_utf8(raw)?.to_string()))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSON
    }
}

/// A text cell where it is, without a copy: any text type and `json`, whose form
/// on the wire is its text (as `cell_value` reads it).
struct TextRef<'a>(&'a str);

impl<'a> tokio_postgres::types::FromSql<'a> for TextRef<'a> {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        match *ty {
            Type::JSON => Ok(TextRef(std::str::from_utf8(raw)?)),
            _ => <&str as tokio_postgres::types::FromSql>::from_sql(ty, raw).map(TextRef),
        }
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSON || <&str as tokio_postgres::types::FromSql>::accepts(ty)
    }
}

/// A cell of a result row as it crosses the seam; the column's type says what it is.
fn cell_value(row: &Row, index: usize) -> Result<Value, tokio_postgres::Error> {
    let ty = row.columns()[index].type_();
    Ok(match *ty {
        Type::BOOL => row.try_get::<_, Option<bool>>(index)?.into(),
        Type::INT2 => row.try_get::<_, Option<i16>>(index)?.map(i64::from).into(),
        Type::INT4 => row.try_get::<_, Option<i32>>(index)?.into(),
        Type::INT8 => row.try_get::<_, Option<i64>>(index)?.into(),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(index)?.map(f64::from).into(),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(index)?.into(),
        Type::DATE => row.try_get::<_, Option<NaiveDate>>(index)?.into(),
        Type::TIMESTAMPTZ => row.try_get::<_, Option<DateTime<Utc>>>(index)?.into(),
        Type::JSON => row
            .try_get::<_, Option<JsonText>>(index)?
            .map(|json| json.0)
            .into(),
        // Text, and any type the program does not store: reading it as text fails
        // with the driver's own words for an unreadable column.
        _ => row.try_get::<_, Option<String>>(index)?.into(),
    })
}

/// A row as PostgreSQL gave it, its cells decoded where they are
/// (`Statement::decoded`).
struct ReadRow<'a> {
    row: &'a Row,
    context: &'a str,
}

impl ReadCell for ReadRow<'_> {
    fn value(&self, index: usize) -> StoreResult<Value> {
        if index >= self.row.len() {
            return Err(StoreError::Cell {
                column: self.column(index),
                wanted: "a cell",
                found: "no such column",
            });
        }
        cell_value(self.row, index).map_err(StoreError::postgres(self.context))
    }

    fn borrowed_text(&self, index: usize) -> StoreResult<Option<&str>> {
        self.row
            .try_get::<_, Option<TextRef>>(index)
            .map(|text| text.map(|text| text.0))
            .map_err(StoreError::postgres(self.context))
    }

    fn column(&self, index: usize) -> String {
        self.row
            .columns()
            .get(index)
            .map_or_else(|| format!("#{index}"), |column| column.name().to_string())
    }
}

/// Runs one statement prepared on `client`: its rows (into its answer, or decoded
/// where they are), or how many rows it changed.
async fn run_prepared(
    client: &(impl tokio_postgres::GenericClient + Sync),
    prepared: &tokio_postgres::Statement,
    context: &str,
    mut statement: Statement,
) -> StoreResult<Answer> {
    let error = || StoreError::postgres(context);
    let params: Vec<&(dyn ToSql + Sync)> = statement
        .params
        .iter()
        .map(|value| value as &(dyn ToSql + Sync))
        .collect();
    if prepared.columns().is_empty() {
        let changed = client.execute(prepared, &params).await.map_err(error())?;
        let mut answer = Answer::default();
        answer.changed = changed;
        return Ok(answer);
    }
    let rows = client.query(prepared, &params).await.map_err(error())?;
    if let Some(mut sink) = statement.sink.take() {
        for row in &rows {
            sink.row(&driver::Row::Read(&ReadRow { row, context }))?;
        }
        sink.finish();
        let mut answer = Answer::default();
        answer.changed = rows.len() as u64;
        return Ok(answer);
    }
    let names: Arc<[String]> = prepared
        .columns()
        .iter()
        .map(|column| column.name().to_string())
        .collect();
    let mut answer = Answer::with_columns(names, statement.expected_rows);
    for row in &rows {
        for index in 0..row.len() {
            answer.push(cell_value(row, index).map_err(error())?);
        }
    }
    answer.changed = answer.len() as u64;
    Ok(answer)
}

/// A statement of a script, ready to send: prepared, or a batch of statements
/// sent as text.
enum Ready {
    Prepared(Statement, tokio_postgres::Statement),
    Batch(Statement),
}

/// Prepares every statement of `script` before any runs, the preparations
/// pipelined: each distinct text once, kept for the connection's life, unless a
/// statement asks to be planned with its values each time. So a script cannot use
/// a table an earlier statement of it creates (none does; a migration is a batch,
/// prepared by nobody).
async fn prepare_script(
    client: &Object,
    context: &str,
    script: Vec<Statement>,
) -> StoreResult<Vec<Ready>> {
    let mut distinct: Vec<String> = script
        .iter()
        .filter(|statement| statement.planning == Planning::Cached)
        .map(|statement| statement.sql.clone())
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    let cached: HashMap<String, tokio_postgres::Statement> =
        futures_util::future::try_join_all(distinct.into_iter().map(|sql| async move {
            let prepared = client
                .prepare_cached(&sql)
                .await
                .map_err(StoreError::postgres(context))?;
            Ok::<_, StoreError>((sql, prepared))
        }))
        .await?
        .into_iter()
        .collect();
    let mut ready = Vec::with_capacity(script.len());
    for statement in script {
        ready.push(match statement.planning {
            Planning::Batch => Ready::Batch(statement),
            Planning::Cached => match cached.get(&statement.sql).cloned() {
                Some(prepared) => Ready::Prepared(statement, prepared),
                None => return Err(StoreError::Task("a statement was not prepared".into())),
            },
            Planning::EachTime => {
                let prepared = client
                    .prepare(&statement.sql)
                    .await
                    .map_err(StoreError::postgres(context))?;
                Ready::Prepared(statement, prepared)
            }
        });
    }
    Ok(ready)
}

/// Runs one statement of a prepared script.
async fn send_one(
    client: &tokio_postgres::Client,
    context: &str,
    ready: Ready,
) -> StoreResult<Answer> {
    match ready {
        Ready::Prepared(statement, prepared) => {
            run_prepared(client, &prepared, context, statement).await
        }
        Ready::Batch(statement) => client
            .batch_execute(&statement.sql)
            .await
            .map(|()| Answer::default())
            .map_err(StoreError::postgres(context)),
    }
}

/// Runs a prepared script on `client`, pipelined: every statement is sent before
/// the first answer is awaited, so a script costs one round trip rather than one a
/// statement. tokio-postgres sends a request at its future's first poll, and the
/// first polls are made here in the script's order, so PostgreSQL receives the
/// statements in that order and runs them so. The first error is the script's;
/// inside a transaction PostgreSQL refuses every statement after one it failed, but
/// one that failed here (its parameters did not encode, so it was never sent) does
/// not stop the rest: the caller must not commit after an error (`Driver::run`
/// does not; a `Transaction` dropped without its commit rolls back).
async fn send_script(
    client: &Object,
    context: &str,
    script: Vec<Ready>,
) -> StoreResult<Vec<Answer>> {
    let plain: &tokio_postgres::Client = client;
    let mut runs: Vec<_> = script
        .into_iter()
        .map(|ready| {
            Box::pin(futures_util::future::maybe_done(send_one(
                plain, context, ready,
            )))
        })
        .collect();
    std::future::poll_fn(|cx| {
        for run in &mut runs {
            // A statement whose answer is already here keeps it (`MaybeDone`).
            let _ = run.as_mut().poll(cx);
        }
        std::task::Poll::Ready(())
    })
    .await;
    futures_util::future::join_all(runs.iter_mut().map(|run| run.as_mut())).await;
    runs.iter_mut()
        .map(|run| {
            run.as_mut()
                .take_output()
                .ok_or_else(|| StoreError::Task("a pipelined statement gave no answer".into()))?
        })
        .collect()
}

/// A transaction on a pooled connection (`Driver::begin`). Dropped before its
/// commit, the connection is closed rather than returned to the pool: the server
/// rolls the transaction back, and no pooled connection is ever left inside one.
struct PostgresTransaction {
    client: Option<Object>,
}

impl PostgresTransaction {
    fn client(&self) -> StoreResult<&Object> {
        self.client
            .as_ref()
            .ok_or_else(|| StoreError::Task("the PostgreSQL transaction was already closed".into()))
    }
}

impl Drop for PostgresTransaction {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            drop(Object::take(client));
        }
    }
}

#[async_trait]
impl Transaction for PostgresTransaction {
    async fn run(&mut self, context: &str, script: Vec<Statement>) -> StoreResult<Vec<Answer>> {
        let client = self.client()?;
        let ready = prepare_script(client, context, script).await?;
        send_script(client, context, ready).await
    }

    async fn copy(
        &mut self,
        context: &str,
        table: &'static str,
        columns: &[&'static str],
        cells: Vec<Value>,
    ) -> StoreResult<()> {
        if driver::rows_of(&cells, columns)? == 0 {
            return Ok(());
        }
        let width = columns.len();
        let client = self.client()?;
        let columns = columns.join(", ");
        // The table's own column types, which binary COPY needs, from a statement
        // the connection keeps prepared.
        let shape = client
            .prepare_cached(&format!("SELECT {columns} FROM {table} LIMIT 0"))
            .await
            .map_err(StoreError::postgres(context))?;
        let types: Vec<Type> = shape
            .columns()
            .iter()
            .map(|column| column.type_().clone())
            .collect();
        copy_in(
            client,
            context,
            &format!("COPY {table} ({columns}) FROM STDIN BINARY"),
            &types,
            cells.chunks(width).map(|row| {
                row.iter()
                    .map(|value| value as &(dyn ToSql + Sync))
                    .collect()
            }),
        )
        .await
    }

    async fn commit(mut self: Box<Self>, context: &str) -> StoreResult<()> {
        self.client()?
            .batch_execute("COMMIT")
            .await
            .map_err(StoreError::postgres(context))?;
        // Committed: the connection goes back to the pool.
        self.client.take();
        Ok(())
    }
}

#[async_trait]
impl Driver for PostgresStore {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn run(&self, context: &str, script: Vec<Statement>) -> StoreResult<Vec<Answer>> {
        if script.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client(context).await?;
        let ready = prepare_script(&client, context, script).await?;
        if let [_] = ready.as_slice() {
            return send_script(&client, context, ready).await;
        }
        // Several statements: one transaction, BEGIN pipelined with them. COMMIT
        // waits for every answer: a statement that never left (its parameters did
        // not encode) or whose rows did not decode must stop the whole script, and
        // only an answer says so. Held as a transaction until it ends, so a script
        // that fails or is dropped half-way closes its connection (PostgreSQL then
        // rolls back) rather than return it to the pool inside BEGIN.
        let mut transaction = PostgresTransaction {
            client: Some(client),
        };
        let client = transaction.client()?;
        let (begun, answers) = tokio::join!(
            // Biased: polled first in this order, so sent in it.
            biased;
            client.batch_execute("BEGIN"),
            send_script(client, context, ready),
        );
        begun.map_err(StoreError::postgres(context))?;
        let answers = answers?;
        client
            .batch_execute("COMMIT")
            .await
            .map_err(StoreError::postgres(context))?;
        // Ended (committed): the connection goes back to the pool.
        drop(transaction.client.take());
        Ok(answers)
    }

    async fn begin(&self, context: &str) -> StoreResult<Box<dyn Transaction>> {
        // Held as a transaction before BEGIN is sent: a BEGIN that fails or is
        // dropped closes the connection rather than return it to the pool inside one.
        let transaction = PostgresTransaction {
            client: Some(self.client(context).await?),
        };
        transaction
            .client()?
            .batch_execute("BEGIN")
            .await
            .map_err(StoreError::postgres(context))?;
        Ok(Box::new(transaction))
    }

    async fn notify(&self, payloads: Vec<String>) -> StoreResult<()> {
        let context = "publishing changes";
        let client = self.client(context).await?;
        // One notice per change (each well under the 8 000-byte payload limit), all
        // in one statement.
        client
            .execute(
                "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload",
                &[&CHANGES_CHANNEL, &payloads],
            )
            .await
            .map(|_| ())
            .map_err(StoreError::postgres(context))
    }

    async fn listen(&self) -> StoreResult<Option<tokio::sync::mpsc::Receiver<Change>>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(1024);
        tokio::spawn(listen_for_changes(self.config.clone(), sender));
        Ok(Some(receiver))
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn own_source(&self) -> Arc<dyn Source> {
        // The same database on the same pool.
        Arc::new(SqlSource::own(
            Arc::new(self.clone()),
            self.identity.clone(),
        ))
    }

    async fn migrate(&self) -> StoreResult<()> {
        super::datamart::migrate(self).await
    }

    async fn begin_import(&self) -> StoreResult<Box<dyn ImportWriter>> {
        let transaction = self.begin("starting the import").await?;
        super::datamart::begin_import(transaction, Dialect::Postgres).await
    }
}

/// Listens for change notices on a connection of its own, reconnecting after a
/// failure, until the receiving side goes away.
async fn listen_for_changes(
    config: tokio_postgres::Config,
    sender: tokio::sync::mpsc::Sender<Change>,
) {
    use futures_util::StreamExt;
    let mut delay = Duration::from_millis(250);
    let mut listened_before = false;
    while !sender.is_closed() {
        match config.connect(NoTls).await {
            Ok((client, mut connection)) => {
                let (notices, mut incoming) = tokio::sync::mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    let mut messages =
                        futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(message) = messages.next().await {
                        match message {
                            Ok(tokio_postgres::AsyncMessage::Notification(notice)) => {
                                let _ = notices.send(notice.payload().to_string());
                            }
                            Ok(_) => {}
                            Err(error) => {
                                tracing::warn!(error = %error, "the change listener lost its connection");
                                break;
                            }
                        }
                    }
                });
                if let Err(error) = client
                    .batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))
                    .await
                {
                    tracing::warn!(error = %error, "cannot listen for changes");
                } else {
                    delay = Duration::from_millis(250);
                    // Notices sent while the listener was away are lost for good.
                    if listened_before && sender.send(Change::Resubscribed).await.is_err() {
                        return;
                    }
                    listened_before = true;
                    while let Some(payload) = incoming.recv().await {
                        match serde_json::from_str::<Change>(&payload) {
                            Ok(change) => {
                                if sender.send(change).await.is_err() {
                                    return;
                                }
                            }
                            Err(error) => {
                                tracing::warn!(error = %error, payload, "ignored an unreadable change notice")
                            }
                        }
                    }
                }
                driver.abort();
            }
            Err(error) => {
                tracing::warn!(error = %error, "cannot connect to listen for changes; retrying")
            }
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

/// Streams rows into a table with binary COPY.
async fn copy_in<'a>(
    client: &Client,
    context: &str,
    sql: &str,
    types: &[Type],
    rows: impl Iterator<Item = Vec<&'a (dyn ToSql + Sync)>>,
) -> StoreResult<()> {
    let sink = client
        .copy_in(sql)
        .await
        .map_err(StoreError::postgres(context))?;
    let writer = BinaryCopyInWriter::new(sink, types);
    pin_mut!(writer);
    for row in rows {
        writer
            .as_mut()
            .write(&row)
            .await
            .map_err(StoreError::postgres(context))?;
    }
    writer
        .finish()
        .await
        .map_err(StoreError::postgres(context))?;
    Ok(())
}

/// Organization ids go to PostgreSQL as text.
impl ToSql for OrgId {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        self.as_str().to_sql(ty, out)
    }

    fn accepts(ty: &Type) -> bool {
        <&str as ToSql>::accepts(ty)
    }

    tokio_postgres::types::to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::driver::{params, Run};
    use crate::store::sql::Cells;

    /// A script is all or nothing even when one of its statements never leaves
    /// (its parameter does not encode, so PostgreSQL never sees it to refuse the
    /// rest). Needs the test server (`IMPACT_TEST_POSTGRES_URL`, or the local one),
    /// as the integration suite does: without it the test fails, it never skips.
    #[tokio::test]
    async fn a_script_with_a_statement_that_never_left_commits_nothing() {
        let admin_url = std::env::var("IMPACT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
        let name = format!(
            "impact_unit_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.subsec_nanos())
                .unwrap_or_default()
        );
        let (admin, connection) = tokio_postgres::connect(&admin_url, NoTls)
            .await
            .expect("the test PostgreSQL server (scripts/test starts it)");
        tokio::spawn(connection);
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("a scratch database");
        let server = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(server, _)| server);
        let store = PostgresStore::connect(&format!("{server}/{name}"), 2).expect("a store");
        let outcome = async {
            store
                .run("test", vec![Statement::batch("CREATE TABLE t (n integer)")])
                .await?;
            let script = vec![
                Statement::new("INSERT INTO t VALUES (1)", vec![]),
                // No `integer` holds it: the parameter does not encode.
                Statement::new("INSERT INTO t VALUES ($1)", params![i64::MAX]),
                Statement::new("INSERT INTO t VALUES (3)", vec![]),
            ];
            let refused = store.run("test", script).await.is_err();
            let rows = store
                .query("test", Statement::new("SELECT count(*) FROM t", vec![]))
                .await?
                .first()
                .map(|row| row.count(0))
                .transpose()?;
            Ok::<_, StoreError>((refused, rows))
        }
        .await;
        drop(store);
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .expect("the scratch database dropped");
        let (refused, rows) = outcome.expect("the scratch database answers");
        assert!(refused, "the script reports the statement that never left");
        assert_eq!(rows, Some(0), "nothing of the script is committed");
    }
}
