//! The schema: every migration not applied yet, in one transaction, safe to run at
//! every start and from several instances at once.

use std::collections::HashSet;

use crate::store::driver::{params, Answer, Driver, Statement};
use crate::store::sql::{self, Cells, Dialect};
use crate::store::StoreResult;

pub(crate) async fn migrate(driver: &(impl Driver + ?Sized)) -> StoreResult<()> {
    let dialect = driver.dialect();
    let context = match dialect {
        Dialect::Sqlite => "applying the SQLite schema",
        Dialect::Postgres => "applying the PostgreSQL schema",
    };
    // The transaction holds the schema's lock (SQLite's write lock, taken at its
    // start; PostgreSQL's advisory lock), so of several instances starting at once
    // one applies what is missing and the others then find it applied.
    let mut transaction = driver.begin(context).await?;
    let table = match dialect {
        Dialect::Sqlite => {
            "CREATE TABLE IF NOT EXISTS impact_schema_migrations (
                 version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
        }
        Dialect::Postgres => {
            "SELECT pg_advisory_xact_lock(7242024);
             CREATE TABLE IF NOT EXISTS impact_schema_migrations (
                 version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        }
    };
    transaction
        .run(context, vec![Statement::batch(table)])
        .await?;
    let versions = transaction
        .run(
            context,
            vec![Statement::new(
                "SELECT version FROM impact_schema_migrations",
                vec![],
            )],
        )
        .await?;
    let applied: HashSet<i64> = versions
        .iter()
        .flat_map(Answer::rows)
        .map(|row| row.count(0))
        .collect::<StoreResult<_>>()?;
    let record = format!(
        "INSERT INTO impact_schema_migrations (version, name, applied_at) VALUES ({}, {}, {})",
        dialect.parameter(1),
        dialect.parameter(2),
        dialect.now()
    );
    for (version, name, migration) in sql::migrations(dialect) {
        if applied.contains(version) {
            continue;
        }
        transaction
            .run(
                &format!("applying migration {version} ({name})"),
                vec![
                    Statement::batch(*migration),
                    Statement::new(record.as_str(), params![*version, *name]),
                ],
            )
            .await?;
    }
    transaction.commit(context).await
}
