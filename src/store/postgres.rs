//! The production backend: PostgreSQL through a deadpool connection pool.

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

use super::datamart::{baseline_statement, upsert_cost_assumption};
use super::driver::{Answer, Driver, Row as DriverRow, Statement, Value};
use super::postgres_source::PostgresSource;
use super::sql::{self, Dialect};
use super::{
    organization_from_columns, organization_json_columns, Change, HistoryRecord, ImportWriter,
    OrgWrite, SourceRoom, Store, StoreError, StoreResult, SummaryRecord,
};
use crate::domain::{CostAssumption, OrgId, Organization};
use crate::metrics::rooms::RoomOutcome;
use crate::metrics::{CounterValue, COLUMNS};
use crate::store::source::Source;

const MIGRATIONS: &[(i32, &str, &str)] = &migrations!("postgres");

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

/// A column's value as a PostgreSQL parameter.
fn counter_param(value: CounterValue) -> Box<dyn ToSql + Sync + Send> {
    match value {
        CounterValue::Count(count) => Box::new(count),
        CounterValue::Sum(sum) => Box::new(sum),
        CounterValue::Flag(flag) => Box::new(flag),
    }
}

fn organization_from_row(row: &Row) -> StoreResult<Organization> {
    organization_from_columns(
        row.get(0),
        row.get(1),
        row.get(2),
        row.get(3),
        row.get(4),
        row.get(5),
    )
}

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

/// Upserts the days' counters of a batch (a day recomputed to the same values is
/// left as it is, `sql::upsert_days`).
async fn upsert_days(
    transaction: &deadpool_postgres::Transaction<'_>,
    writes: &[OrgWrite],
    now: DateTime<Utc>,
) -> Result<(), tokio_postgres::Error> {
    let days = sql::day_rows(writes);
    for batch in sql::ladder_chunks(&days, sql::DAYS_PER_UPSERT) {
        let values: Vec<Box<dyn ToSql + Sync + Send>> = batch
            .iter()
            .flat_map(|(org, row)| {
                [
                    Box::new(org.to_string()) as Box<dyn ToSql + Sync + Send>,
                    Box::new(row.day),
                ]
                .into_iter()
                .chain(
                    COLUMNS
                        .iter()
                        .map(|column| counter_param((column.get)(row))),
                )
                .chain(std::iter::once(
                    Box::new(now) as Box<dyn ToSql + Sync + Send>
                ))
            })
            .collect();
        execute_values(
            transaction,
            &sql::upsert_days(Dialect::Postgres, batch.len()),
            &values,
        )
        .await?;
    }
    Ok(())
}

/// Writes the room outcomes of the days whose fingerprint changed, and their new
/// fingerprints; days whose rooms came out the same are left as they are.
async fn rewrite_outcomes(
    transaction: &deadpool_postgres::Transaction<'_>,
    writes: &[OrgWrite],
    context: &str,
) -> StoreResult<()> {
    let error = || StoreError::postgres(context);
    // Every written organization's stored fingerprints in one read.
    let spans: Vec<(&str, NaiveDate, NaiveDate)> = writes
        .iter()
        .filter_map(|write| {
            sql::fingerprint_span(&write.rows)
                .map(|(first, last)| (write.organization_id.as_str(), first, last))
        })
        .collect();
    let mut stored: std::collections::HashMap<(String, NaiveDate), i64> = Default::default();
    if !spans.is_empty() {
        let orgs: Vec<&str> = spans.iter().map(|span| span.0).collect();
        let firsts: Vec<NaiveDate> = spans.iter().map(|span| span.1).collect();
        let lasts: Vec<NaiveDate> = spans.iter().map(|span| span.2).collect();
        for row in query_cached(
            transaction,
            "SELECT d.organization_id, d.day, d.fingerprint
                 FROM unnest($1::text[], $2::date[], $3::date[]) AS s(org, first_day, last_day)
                 JOIN room_outcome_days d ON d.organization_id = s.org
                     AND d.day >= s.first_day AND d.day <= s.last_day",
            &[&orgs, &firsts, &lasts],
        )
        .await
        .map_err(error())?
        {
            stored.insert(
                (
                    row.try_get(0).map_err(error())?,
                    row.try_get(1).map_err(error())?,
                ),
                row.try_get(2).map_err(error())?,
            );
        }
    }
    let mut rewritten_orgs: Vec<&str> = Vec::new();
    let mut rewritten_days: Vec<NaiveDate> = Vec::new();
    let mut fingerprints: Vec<i64> = Vec::new();
    let mut rooms: Vec<(&str, &RoomOutcome)> = Vec::new();
    for write in writes {
        let org = write.organization_id.as_str();
        let own: std::collections::HashMap<NaiveDate, i64> = write
            .rows
            .iter()
            .filter_map(|row| {
                stored
                    .get(&(org.to_string(), row.day))
                    .map(|fingerprint| (row.day, *fingerprint))
            })
            .collect();
        let rewrite = sql::outcome_rewrite(&write.rows, &write.outcomes, &own);
        for (day, fingerprint) in rewrite.days {
            rewritten_orgs.push(org);
            rewritten_days.push(day);
            fingerprints.push(fingerprint);
        }
        rooms.extend(rewrite.rooms.into_iter().map(|room| (org, room)));
    }
    if !rewritten_days.is_empty() {
        execute_cached(
            transaction,
            &format!(
                "DELETE FROM room_outcomes o USING unnest($1::text[], $2::date[]) AS d(org, day)
                     WHERE o.organization_id = d.org AND o.outcome IN ({}) AND o.day = d.day",
                sql::every_outcome()
            ),
            &[&rewritten_orgs, &rewritten_days],
        )
        .await
        .map_err(error())?;
        execute_cached(
            transaction,
            "INSERT INTO room_outcome_days (organization_id, day, fingerprint)
             SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[])
             ON CONFLICT (organization_id, day) DO UPDATE SET fingerprint = EXCLUDED.fingerprint",
            &[&rewritten_orgs, &rewritten_days, &fingerprints],
        )
        .await
        .map_err(error())?;
        write_outcomes(transaction.client(), &rooms).await?;
    }
    Ok(())
}

/// Upserts each written organization's activity (milestones, latest day, read
/// mark) and clears the marks its last days restated.
async fn upsert_activity(
    transaction: &deadpool_postgres::Transaction<'_>,
    writes: &[OrgWrite],
    now: DateTime<Utc>,
) -> Result<(), tokio_postgres::Error> {
    let activity = sql::activity_rows(writes);
    for batch in sql::ladder_chunks(&activity, sql::ORGANIZATIONS_PER_UPSERT) {
        let values: Vec<Box<dyn ToSql + Sync + Send>> = batch
            .iter()
            .flat_map(|row| {
                [
                    Box::new(row.organization_id.to_string()) as Box<dyn ToSql + Sync + Send>,
                    Box::new(row.milestones.milestones.first_eligible_day),
                    Box::new(row.milestones.milestones.first_ai_day),
                    Box::new(row.milestones.from.clone()),
                    Box::new(row.data_through),
                    Box::new(row.finished.map(|finished| finished.read_until)),
                    Box::new(row.finished.map(|finished| finished.read_from.clone())),
                    Box::new(now),
                ]
            })
            .collect();
        execute_values(
            transaction,
            &sql::upsert_activity(Dialect::Postgres, batch.len()),
            &values,
        )
        .await?;
    }
    let cleared: Vec<(&str, i64)> = activity
        .iter()
        .filter_map(|row| {
            row.finished
                .and_then(|finished| finished.marks_through)
                .map(|last| (row.organization_id, last))
        })
        .collect();
    if !cleared.is_empty() {
        let orgs: Vec<&str> = cleared.iter().map(|(org, _)| *org).collect();
        let lasts: Vec<i64> = cleared.iter().map(|(_, last)| *last).collect();
        execute_cached(
            transaction,
            "DELETE FROM restatement_marks m USING unnest($1::text[], $2::bigint[]) AS c(org, last)
             WHERE m.organization_id = c.org AND m.seq <= c.last",
            &[&orgs, &lasts],
        )
        .await?;
    }
    Ok(())
}

/// Runs `sql` in `transaction` as a cached prepared statement: a batch's writes
/// repeat the same few statements, and parsing one of its multi-row upserts took
/// about as long as running it (docs/performance.md).
async fn execute_cached(
    transaction: &deadpool_postgres::Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, tokio_postgres::Error> {
    let statement = transaction.prepare_cached(sql).await?;
    transaction.execute(&statement, params).await
}

/// `execute_cached` with parameters boxed row by row (a multi-row upsert's).
async fn execute_values(
    transaction: &deadpool_postgres::Transaction<'_>,
    sql: &str,
    values: &[Box<dyn ToSql + Sync + Send>],
) -> Result<u64, tokio_postgres::Error> {
    let parameters: Vec<&(dyn ToSql + Sync)> = values
        .iter()
        .map(|value| value.as_ref() as &(dyn ToSql + Sync))
        .collect();
    execute_cached(transaction, sql, &parameters).await
}

/// Reads with `sql` in `transaction` as a cached prepared statement.
async fn query_cached(
    transaction: &deadpool_postgres::Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let statement = transaction.prepare_cached(sql).await?;
    transaction.query(&statement, params).await
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

    async fn query(
        &self,
        context: &str,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> StoreResult<Vec<Row>> {
        let client = self.client(context).await?;
        query_on(&client, context, sql, params).await
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

/// A result row as it crosses the seam; the column's type says what each cell is.
fn row_values(row: &Row) -> Result<Vec<Value>, tokio_postgres::Error> {
    (0..row.len())
        .map(|index| {
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
                // Text, and any type the program does not store: reading it as text
                // fails with the driver's own words for an unreadable column.
                _ => row.try_get::<_, Option<String>>(index)?.into(),
            })
        })
        .collect()
}

/// Runs one statement prepared on `client`: its rows, or how many rows it changed.
async fn run_prepared(
    client: &(impl tokio_postgres::GenericClient + Sync),
    prepared: &tokio_postgres::Statement,
    context: &str,
    statement: &Statement,
) -> StoreResult<Answer> {
    let error = || StoreError::postgres(context);
    let params: Vec<&(dyn ToSql + Sync)> = statement
        .params
        .iter()
        .map(|value| value as &(dyn ToSql + Sync))
        .collect();
    if prepared.columns().is_empty() {
        let changed = client.execute(prepared, &params).await.map_err(error())?;
        return Ok(Answer {
            rows: Vec::new(),
            changed,
        });
    }
    let rows = client
        .query(prepared, &params)
        .await
        .map_err(error())?
        .iter()
        .map(|row| row_values(row).map(DriverRow))
        .collect::<Result<Vec<DriverRow>, _>>()
        .map_err(error())?;
    Ok(Answer {
        changed: rows.len() as u64,
        rows,
    })
}

/// Prepares `statement` on a pooled connection or in its transaction: kept for
/// the connection's life unless it asks to be planned with its values each time.
async fn prepare(
    client: &impl deadpool_postgres::GenericClient,
    context: &str,
    statement: &Statement,
) -> StoreResult<tokio_postgres::Statement> {
    if statement.cached {
        client.prepare_cached(&statement.sql).await
    } else {
        client.prepare(&statement.sql).await
    }
    .map_err(StoreError::postgres(context))
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
        let mut client = self.client(context).await?;
        if let [statement] = script.as_slice() {
            let prepared = prepare(&client, context, statement).await?;
            let plain: &tokio_postgres::Client = &client;
            return Ok(vec![
                run_prepared(plain, &prepared, context, statement).await?,
            ]);
        }
        let transaction = client
            .transaction()
            .await
            .map_err(StoreError::postgres(context))?;
        let mut answers = Vec::with_capacity(script.len());
        for statement in &script {
            let prepared = prepare(&transaction, context, statement).await?;
            let plain: &tokio_postgres::Transaction<'_> = &transaction;
            answers.push(run_prepared(plain, &prepared, context, statement).await?);
        }
        transaction
            .commit()
            .await
            .map_err(StoreError::postgres(context))?;
        Ok(answers)
    }

    async fn write_batch(&self, writes: Vec<OrgWrite>) -> StoreResult<()> {
        if writes.is_empty() {
            return Ok(());
        }
        let context = match writes.as_slice() {
            [one] => format!("writing daily rows of {}", one.organization_id),
            many => format!("writing daily rows of {} organizations", many.len()),
        };
        let error = || StoreError::postgres(context.clone());
        let mut client = self.client(&context).await?;
        let transaction = client.transaction().await.map_err(error())?;
        // The days' counters are upserted first on purpose: that locks their rows (or,
        // for a new day, waits on its key), so two runs writing the same org-days
        // (a manual aggregate during the nightly one) take turns before either reads
        // the fingerprints; `room_outcomes` has no key that would refuse a duplicate.
        let now = Utc::now();
        upsert_days(&transaction, &writes, now)
            .await
            .map_err(error())?;
        rewrite_outcomes(&transaction, &writes, &context).await?;
        upsert_activity(&transaction, &writes, now)
            .await
            .map_err(error())?;
        for write in &writes {
            if let Some(statement) =
                baseline_statement(Dialect::Postgres, &write.organization_id, write.baseline)
            {
                let prepared = prepare(&transaction, &context, &statement).await?;
                let plain: &tokio_postgres::Transaction<'_> = &transaction;
                run_prepared(plain, &prepared, &context, &statement).await?;
            }
        }
        transaction.commit().await.map_err(error())
    }

    async fn copy_organizations(&self, organizations: &[Organization]) -> StoreResult<()> {
        let context = "copying the source's organizations";
        let mut client = self.client(context).await?;
        let transaction = client
            .transaction()
            .await
            .map_err(StoreError::postgres(context))?;
        upsert_organizations(transaction.client(), organizations).await?;
        transaction
            .commit()
            .await
            .map_err(StoreError::postgres(context))
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
        let context = "applying the PostgreSQL schema";
        let mut client = self.client(context).await?;
        let transaction = client
            .transaction()
            .await
            .map_err(StoreError::postgres(context))?;
        // Several servers may start at once; only one applies the schema.
        transaction
            .batch_execute(
                "SELECT pg_advisory_xact_lock(7242024);
                 CREATE TABLE IF NOT EXISTS impact_schema_migrations (
                     version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                     applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            )
            .await
            .map_err(StoreError::postgres(context))?;
        for (version, name, sql) in MIGRATIONS {
            let applied = transaction
                .query_opt(
                    "SELECT 1 FROM impact_schema_migrations WHERE version = $1",
                    &[version],
                )
                .await
                .map_err(StoreError::postgres(context))?
                .is_some();
            if !applied {
                transaction
                    .batch_execute(sql)
                    .await
                    .map_err(StoreError::postgres(format!(
                        "applying migration {version} ({name})"
                    )))?;
                transaction
                    .execute(
                        "INSERT INTO impact_schema_migrations (version, name) VALUES ($1, $2)",
                        &[version, name],
                    )
                    .await
                    .map_err(StoreError::postgres(context))?;
            }
        }
        transaction
            .commit()
            .await
            .map_err(StoreError::postgres(context))
    }

    async fn ping(&self) -> StoreResult<()> {
        self.query("checking the PostgreSQL database", "SELECT 1", &[])
            .await
            .map(|_| ())
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

    async fn organizations(&self) -> StoreResult<Vec<Organization>> {
        self.query(
            "reading organizations",
            "SELECT id, name, ai_addon, timezone, business_hours, holidays FROM organizations ORDER BY id",
            &[],
        )
        .await?
        .iter()
        .map(organization_from_row)
        .collect()
    }

    async fn organization(&self, id: &OrgId) -> StoreResult<Option<Organization>> {
        self.query(
            "reading an organization",
            "SELECT id, name, ai_addon, timezone, business_hours, holidays FROM organizations WHERE id = $1",
            &[&id.as_str()],
        )
        .await?
        .first()
        .map(organization_from_row)
        .transpose()
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

/// A room outcome's cell as PostgreSQL takes it: each value as its own type does.
impl ToSql for sql::OutcomeCell<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            sql::OutcomeCell::Day(day) => day.to_sql(ty, out),
            sql::OutcomeCell::Text(text) => text.to_sql(ty, out),
            sql::OutcomeCell::OptionalText(text) => text.to_sql(ty, out),
            sql::OutcomeCell::Instant(at) => at.to_sql(ty, out),
            sql::OutcomeCell::OptionalInstant(at) => at.to_sql(ty, out),
            sql::OutcomeCell::Flag(flag) => flag.to_sql(ty, out),
            sql::OutcomeCell::OptionalFlag(flag) => flag.to_sql(ty, out),
            sql::OutcomeCell::Count(count) => count.to_sql(ty, out),
            sql::OutcomeCell::OptionalReal(real) => real.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        [
            Type::DATE,
            Type::TEXT,
            Type::TIMESTAMPTZ,
            Type::BOOL,
            Type::INT8,
            Type::FLOAT8,
        ]
        .contains(ty)
    }

    tokio_postgres::types::to_sql_checked!();
}

/// The column type `room_outcomes` has for a cell of this kind.
fn outcome_type(cell: &sql::OutcomeCell<'_>) -> Type {
    match cell {
        sql::OutcomeCell::Day(_) => Type::DATE,
        sql::OutcomeCell::Text(_) | sql::OutcomeCell::OptionalText(_) => Type::TEXT,
        sql::OutcomeCell::Instant(_) | sql::OutcomeCell::OptionalInstant(_) => Type::TIMESTAMPTZ,
        sql::OutcomeCell::Flag(_) | sql::OutcomeCell::OptionalFlag(_) => Type::BOOL,
        sql::OutcomeCell::Count(_) => Type::INT8,
        sql::OutcomeCell::OptionalReal(_) => Type::FLOAT8,
    }
}

/// Adds an org's room outcomes with binary COPY (a million rows a run is usual).
async fn write_outcomes(client: &Client, outcomes: &[(&str, &RoomOutcome)]) -> StoreResult<()> {
    let context = "writing room outcomes";
    let rows: Vec<_> = outcomes
        .iter()
        .map(|(org, room)| (org, sql::outcome_cells(room)))
        .collect();
    let Some((_, first)) = rows.first() else {
        return Ok(());
    };
    let types: Vec<Type> = std::iter::once(Type::TEXT)
        .chain(first.iter().map(outcome_type))
        .collect();
    copy_in(
        client,
        context,
        &format!(
            "COPY room_outcomes (organization_id, {}) FROM STDIN BINARY",
            sql::outcome_column_list()
        ),
        &types,
        rows.iter().map(|(org, cells)| {
            std::iter::once(*org as &(dyn ToSql + Sync))
                .chain(cells.iter().map(|cell| cell as &(dyn ToSql + Sync)))
                .collect()
        }),
    )
    .await
}

/// Streams rows into a table with binary COPY.
async fn copy_in<'a>(
    client: &Client,
    context: &'static str,
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
            run_prepared(&self.client, &prepared, context, &statement).await?;
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

impl sql::Cells for Row {
    sql::cells_read_by!(try_get, StoreError::postgres;
        text: String,
        optional_text: Option<String>,
        day: NaiveDate,
        instant: DateTime<Utc>,
        optional_instant: Option<DateTime<Utc>>,
        count: i64,
        flag: bool,
        optional_flag: Option<bool>,
        optional_real: Option<f64>,
    );
}
