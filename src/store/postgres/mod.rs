//! The production backend: PostgreSQL through a deadpool connection pool.

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

use crate::store::datamart::upsert_cost_assumption;
use crate::store::driver::{
    self, Answer, Driver, Planning, ReadCell, Statement, Transaction, Value,
};
mod source;

use crate::domain::{CostAssumption, OrgId, Organization};
use crate::store::source::Source;
use crate::store::sql::{self, Dialect};
use crate::store::{
    organization_json_columns, Change, HistoryRecord, ImportWriter, SourceRoom, Store, StoreError,
    StoreResult, SummaryRecord,
};
pub use source::{PostgresSource, Relations};

/// The channel every instance listens on for `Change` notices.
const CHANGES_CHANNEL: &str = "impact_changes";

/// How long to wait for a connection before the caller gets an error.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct PostgresStore {
    config: tokio_postgres::Config,
    pool: Pool,
    /// The source tables of this same database, read on the same pool.
    source: Arc<PostgresSource>,
}

const ROOM_COLUMNS: &str = "organization_id, id, channel, contact_id, created_at, closed_at, \
     closed_reason, assign_channel_agent_id, assigned_at";

/// A pool of at most `size` connections to `config`, each waited for, made and
/// recycled within `CONNECT_TIMEOUT`.
pub(super) fn build_pool(mut config: tokio_postgres::Config, size: usize) -> StoreResult<Pool> {
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

/// Runs `sql` on `client` as a cached prepared statement.
pub(super) async fn query_on(
    client: &Object,
    context: &str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> StoreResult<Vec<Row>> {
    let statement = client
        .prepare_cached(sql)
        .await
        .map_err(StoreError::postgres(context))?;
    client
        .query(&statement, params)
        .await
        .map_err(StoreError::postgres(context))
}

impl PostgresStore {
    /// Sets up the pool; connections are made on first use.
    pub fn connect(url: &str, pool_size: usize) -> StoreResult<Self> {
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| {
            StoreError::BadUrl(format!(
                "'{}' is not a PostgreSQL URL: {e}",
                crate::text::redact(url)
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("impact");
        }
        let pool = build_pool(config.clone(), pool_size)?;
        let source = Arc::new(PostgresSource::own(pool.clone(), crate::text::redact(url)));
        Ok(Self {
            config,
            pool,
            source,
        })
    }

    async fn client(&self, context: &str) -> StoreResult<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::pool(context, e))
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

/// Prepares `statement` on a pooled connection or in its transaction: kept for
/// the connection's life unless it asks to be planned with its values each time.
async fn prepare(
    client: &impl deadpool_postgres::GenericClient,
    context: &str,
    statement: &Statement,
) -> StoreResult<tokio_postgres::Statement> {
    if statement.planning == Planning::Cached {
        client.prepare_cached(&statement.sql).await
    } else {
        client.prepare(&statement.sql).await
    }
    .map_err(StoreError::postgres(context))
}

/// A statement of a script, ready to send: prepared, or a batch of statements
/// sent as text.
enum Ready {
    Prepared(Statement, tokio_postgres::Statement),
    Batch(Statement),
}

/// Prepares every statement of `script` (each kept for the connection's life
/// unless it asks otherwise), the preparations themselves pipelined.
async fn prepare_script(
    client: &Object,
    context: &str,
    script: Vec<Statement>,
) -> StoreResult<Vec<Ready>> {
    futures_util::future::try_join_all(script.into_iter().map(|statement| async move {
        Ok(match statement.planning {
            Planning::Batch => Ready::Batch(statement),
            _ => {
                let prepared = prepare(client, context, &statement).await?;
                Ready::Prepared(statement, prepared)
            }
        })
    }))
    .await
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
/// statements in that order and runs them so; inside a transaction, after one
/// fails it refuses the rest, and the first error is the script's.
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
        rows: Vec<Vec<Value>>,
    ) -> StoreResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
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
            rows.iter().map(|row| {
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
        // Several statements: one transaction, its BEGIN and COMMIT pipelined with
        // them. Held as a transaction until it ends, so a script dropped half-way
        // closes its connection rather than return it to the pool inside BEGIN.
        let mut transaction = PostgresTransaction {
            client: Some(client),
        };
        let client = transaction.client()?;
        let (begun, answers, committed) = tokio::join!(
            // Biased: polled first in this order, so sent in it.
            biased;
            client.batch_execute("BEGIN"),
            send_script(client, context, ready),
            client.batch_execute("COMMIT"),
        );
        begun.map_err(StoreError::postgres(context))?;
        let answers = answers?;
        committed.map_err(StoreError::postgres(context))?;
        // Ended (committed): the connection goes back to the pool.
        drop(transaction.client.take());
        Ok(answers)
    }

    async fn begin(&self, context: &str) -> StoreResult<Box<dyn Transaction>> {
        let client = self.client(context).await?;
        client
            .batch_execute("BEGIN")
            .await
            .map_err(StoreError::postgres(context))?;
        Ok(Box::new(PostgresTransaction {
            client: Some(client),
        }))
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
        self.source.clone()
    }

    async fn migrate(&self) -> StoreResult<()> {
        super::datamart::migrate(self).await
    }

    async fn begin_import(&self) -> StoreResult<Box<dyn ImportWriter>> {
        // A connection of its own, outside the pool: if the import fails or is
        // dropped half-way, closing it makes PostgreSQL roll the transaction back,
        // and no pooled connection is ever left inside an open transaction.
        let context = "starting the import";
        let (client, connection) = self
            .config
            .connect(NoTls)
            .await
            .map_err(StoreError::postgres(context))?;
        let connection_task = tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(error = %error, "import connection ended with an error");
            }
        });
        client
            .batch_execute(
                "BEGIN;
                 CREATE TEMP TABLE import_rooms (
                     seq BIGINT NOT NULL, organization_id TEXT NOT NULL, id TEXT NOT NULL,
                     channel TEXT NOT NULL, contact_id TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
                     closed_at TIMESTAMPTZ, closed_reason TEXT, assign_channel_agent_id TEXT,
                     assigned_at TIMESTAMPTZ) ON COMMIT DROP;
                 CREATE TEMP TABLE import_histories (
                     organization_id TEXT NOT NULL, room_id TEXT NOT NULL,
                     sender_type TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL) ON COMMIT DROP;
                 CREATE TEMP TABLE import_summaries (
                     seq BIGINT NOT NULL, organization_id TEXT NOT NULL, room_id TEXT NOT NULL,
                     sentiment TEXT NOT NULL, created_at TIMESTAMPTZ) ON COMMIT DROP;",
            )
            .await
            .map_err(StoreError::postgres(context))?;
        Ok(Box::new(PostgresImport {
            client,
            connection_task,
            sequence: 0,
        }))
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

/// Inserts or replaces organizations. An aggregated organization whose days would now
/// be counted differently (another time zone, business hours or holidays) has all of
/// its days marked for the next run, in the same transaction.
async fn upsert_organizations(client: &Client, organizations: &[Organization]) -> StoreResult<()> {
    let context = "writing organizations";
    let mark = client
        .prepare(
            "INSERT INTO restatement_marks (organization_id, at)
             SELECT o.id, NULL FROM organizations o
             JOIN organization_activity a ON a.organization_id = o.id
             WHERE o.id = $1 AND (o.timezone, o.business_hours, o.holidays)
                 IS DISTINCT FROM ($2::text, $3::text, $4::text)",
        )
        .await
        .map_err(StoreError::postgres(context))?;
    let statement = client
        .prepare(
            "INSERT INTO organizations (id, name, ai_addon, timezone, business_hours, holidays, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, now())
             ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, ai_addon = EXCLUDED.ai_addon,
                 timezone = EXCLUDED.timezone, business_hours = EXCLUDED.business_hours,
                 holidays = EXCLUDED.holidays, updated_at = EXCLUDED.updated_at",
        )
        .await
        .map_err(StoreError::postgres(context))?;
    for org in organizations {
        let (hours, holidays) = organization_json_columns(org);
        client
            .execute(
                &mark,
                &[&org.id.as_str(), &org.timezone.name(), &hours, &holidays],
            )
            .await
            .map_err(StoreError::postgres(context))?;
        client
            .execute(
                &statement,
                &[
                    &org.id.as_str(),
                    &org.name,
                    &org.ai_addon,
                    &org.timezone.name(),
                    &hours,
                    &holidays,
                ],
            )
            .await
            .map_err(StoreError::postgres(context))?;
    }
    Ok(())
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

/// One import: rows are streamed with binary COPY into temporary tables and merged
/// into the real tables at commit, in the same transaction.
struct PostgresImport {
    client: Client,
    connection_task: tokio::task::JoinHandle<()>,
    /// Row order across batches, so that the last row for a key wins at merge time.
    sequence: i64,
}

impl PostgresImport {
    fn next_sequence(&mut self) -> i64 {
        self.sequence += 1;
        self.sequence
    }
}

impl Drop for PostgresImport {
    fn drop(&mut self) {
        // Ends the connection if it is still open; PostgreSQL then rolls back.
        self.connection_task.abort();
    }
}

#[async_trait]
impl ImportWriter for PostgresImport {
    async fn organizations(&mut self, rows: &[Organization]) -> StoreResult<()> {
        upsert_organizations(&self.client, rows).await
    }

    async fn rooms(&mut self, rows: &[SourceRoom]) -> StoreResult<()> {
        let sequences: Vec<i64> = rows.iter().map(|_| self.next_sequence()).collect();
        copy_in(
            &self.client,
            "importing rooms",
            &format!("COPY import_rooms (seq, {ROOM_COLUMNS}) FROM STDIN BINARY"),
            &[
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TIMESTAMPTZ,
                Type::TIMESTAMPTZ,
                Type::TEXT,
                Type::TEXT,
                Type::TIMESTAMPTZ,
            ],
            rows.iter().zip(&sequences).map(|(room, sequence)| {
                vec![
                    sequence as &(dyn ToSql + Sync),
                    &room.organization_id,
                    &room.id,
                    &room.channel,
                    &room.contact_id,
                    &room.created_at,
                    &room.closed_at,
                    &room.closed_reason,
                    &room.assign_channel_agent_id,
                    &room.assigned_at,
                ]
            }),
        )
        .await
    }

    async fn histories(&mut self, rows: &[HistoryRecord]) -> StoreResult<()> {
        copy_in(
            &self.client,
            "importing histories",
            "COPY import_histories (organization_id, room_id, sender_type, created_at) FROM STDIN BINARY",
            &[Type::TEXT, Type::TEXT, Type::TEXT, Type::TIMESTAMPTZ],
            rows.iter().map(|history| {
                vec![
                    &history.organization_id as &(dyn ToSql + Sync),
                    &history.room_id,
                    &history.sender_type,
                    &history.created_at,
                ]
            }),
        )
        .await
    }

    async fn summaries(&mut self, rows: &[SummaryRecord]) -> StoreResult<()> {
        let sequences: Vec<i64> = rows.iter().map(|_| self.next_sequence()).collect();
        let sentiments: Vec<String> = rows
            .iter()
            .map(|summary| summary.sentiment.to_json().to_string())
            .collect();
        copy_in(
            &self.client,
            "importing room summaries",
            "COPY import_summaries (seq, organization_id, room_id, sentiment, created_at) FROM STDIN BINARY",
            &[Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT, Type::TIMESTAMPTZ],
            rows.iter()
                .zip(sequences.iter().zip(&sentiments))
                .map(|(summary, (sequence, sentiment))| {
                    vec![
                        sequence as &(dyn ToSql + Sync),
                        &summary.organization_id,
                        &summary.room_id,
                        sentiment,
                        &summary.created_at,
                    ]
                }),
        )
        .await
    }

    async fn cost_assumptions(&mut self, rows: &[(OrgId, CostAssumption)]) -> StoreResult<()> {
        for (org, assumption) in rows {
            let statement = upsert_cost_assumption(Dialect::Postgres, org, *assumption);
            let context = "importing cost assumptions";
            let prepared = self
                .client
                .prepare(&statement.sql)
                .await
                .map_err(StoreError::postgres(context))?;
            run_prepared(&self.client, &prepared, context, statement).await?;
        }
        Ok(())
    }

    async fn commit(self: Box<Self>) -> StoreResult<()> {
        let context = "finishing the import";
        let marks = sql::mark_touched_days(Dialect::Postgres);
        self.client
            .batch_execute(&format!(
                "ANALYZE import_rooms; ANALYZE import_histories; ANALYZE import_summaries;
                 CREATE TEMP TABLE import_changed_rooms ON COMMIT DROP AS
                     SELECT i.*, r.contact_id AS old_contact_id, r.created_at AS old_created_at
                     FROM (SELECT DISTINCT ON (organization_id, id) {ROOM_COLUMNS}
                           FROM import_rooms ORDER BY organization_id, id, seq DESC) i
                     LEFT JOIN rooms r ON r.organization_id = i.organization_id AND r.id = i.id
                     WHERE r.id IS NULL
                        OR (i.channel, i.contact_id, i.created_at, i.closed_at, i.closed_reason,
                            i.assign_channel_agent_id, i.assigned_at)
                           IS DISTINCT FROM
                           (r.channel, r.contact_id, r.created_at, r.closed_at, r.closed_reason,
                            r.assign_channel_agent_id, r.assigned_at);
                 INSERT INTO rooms ({ROOM_COLUMNS})
                     SELECT {ROOM_COLUMNS} FROM import_changed_rooms
                 ON CONFLICT (organization_id, id) DO UPDATE SET channel = EXCLUDED.channel,
                     contact_id = EXCLUDED.contact_id, created_at = EXCLUDED.created_at,
                     closed_at = EXCLUDED.closed_at, closed_reason = EXCLUDED.closed_reason,
                     assign_channel_agent_id = EXCLUDED.assign_channel_agent_id,
                     assigned_at = EXCLUDED.assigned_at;
                 CREATE TEMP TABLE import_touched ON COMMIT DROP AS
                     SELECT organization_id, contact_id, created_at FROM import_changed_rooms
                     UNION
                     SELECT organization_id, old_contact_id, old_created_at FROM import_changed_rooms
                     WHERE old_created_at IS NOT NULL;
                 CREATE TEMP TABLE import_history_known ON COMMIT DROP AS
                     SELECT k.organization_id, k.room_id
                     FROM (SELECT DISTINCT organization_id, room_id FROM import_histories) k
                     WHERE EXISTS (SELECT 1 FROM histories h
                         WHERE h.organization_id = k.organization_id AND h.room_id = k.room_id);
                 CREATE TEMP TABLE import_history_rooms ON COMMIT DROP AS
                     WITH incoming AS (
                         SELECT i.organization_id, i.room_id, i.sender_type, i.created_at, count(*) AS n
                         FROM import_histories i
                         JOIN import_history_known k
                           ON k.organization_id = i.organization_id AND k.room_id = i.room_id
                         GROUP BY 1, 2, 3, 4),
                     stored AS (
                         SELECT h.organization_id, h.room_id, h.sender_type, h.created_at, count(*) AS n
                         FROM histories h
                         JOIN import_history_known k
                           ON k.organization_id = h.organization_id AND k.room_id = h.room_id
                         GROUP BY 1, 2, 3, 4)
                     SELECT DISTINCT organization_id, room_id FROM (
                         (SELECT * FROM incoming EXCEPT SELECT * FROM stored)
                         UNION ALL
                         (SELECT * FROM stored EXCEPT SELECT * FROM incoming)) differing
                     UNION
                     SELECT DISTINCT i.organization_id, i.room_id FROM import_histories i
                     WHERE NOT EXISTS (SELECT 1 FROM import_history_known k
                         WHERE k.organization_id = i.organization_id AND k.room_id = i.room_id);
                 DELETE FROM histories h USING import_history_rooms c
                     WHERE h.organization_id = c.organization_id AND h.room_id = c.room_id;
                 INSERT INTO histories (organization_id, room_id, sender_type, created_at)
                     SELECT i.organization_id, i.room_id, i.sender_type, i.created_at
                     FROM import_histories i JOIN import_history_rooms c
                       ON c.organization_id = i.organization_id AND c.room_id = i.room_id;
                 CREATE TEMP TABLE import_touched_rooms ON COMMIT DROP AS
                     SELECT organization_id, room_id FROM import_history_rooms;
                 WITH incoming AS (
                     SELECT DISTINCT ON (organization_id, room_id) organization_id, room_id, sentiment, created_at
                     FROM import_summaries ORDER BY organization_id, room_id, seq DESC),
                 written AS (
                     INSERT INTO room_summaries (organization_id, room_id, sentiment, created_at)
                     SELECT * FROM incoming
                     ON CONFLICT (organization_id, room_id) DO UPDATE SET
                         sentiment = EXCLUDED.sentiment, created_at = EXCLUDED.created_at
                     WHERE (room_summaries.sentiment, room_summaries.created_at)
                         IS DISTINCT FROM (EXCLUDED.sentiment, EXCLUDED.created_at)
                     RETURNING organization_id, room_id)
                 INSERT INTO import_touched_rooms SELECT organization_id, room_id FROM written;
                 {marks};
                 COMMIT;"
            ))
            .await
            .map_err(StoreError::postgres(context))
    }

    async fn rollback(self: Box<Self>) -> StoreResult<()> {
        self.client
            .batch_execute("ROLLBACK")
            .await
            .map_err(StoreError::postgres("undoing the import"))
    }
}
