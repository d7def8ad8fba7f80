//! The organizations the datamart knows (imported, or copied from a live source).

use async_trait::async_trait;

use crate::domain::{OrgId, Organization};
use crate::store::driver::{params, Answer, Driver, Row, Run, Statement};
use crate::store::sql::{Cells, Dialect};
use crate::store::{organization_from_columns, OrganizationStore, StoreResult};

const COLUMNS: &str = "id, name, ai_addon, timezone, business_hours, holidays";

/// An organization read as `id, name, ai_addon, timezone, business_hours, holidays`.
pub(crate) fn organization(row: &Row) -> StoreResult<Organization> {
    organization_from_columns(
        row.text(0)?,
        row.text(1)?,
        row.flag(2)?,
        row.text(3)?,
        row.optional_text(4)?,
        row.text(5)?,
    )
}

/// The organization `id`, when the datamart knows it (`decode_first`).
pub(super) fn by_id(dialect: Dialect, id: &OrgId) -> Statement {
    let sql = format!(
        "SELECT {COLUMNS} FROM organizations WHERE id = {}",
        dialect.parameter(1)
    );
    Statement::new(sql, params![id])
}

pub(super) fn decode_first(answer: &Answer) -> StoreResult<Option<Organization>> {
    answer.first().map(|row| organization(&row)).transpose()
}

#[async_trait]
impl<D: Driver> OrganizationStore for D {
    async fn organizations(&self) -> StoreResult<Vec<Organization>> {
        let sql = format!("SELECT {COLUMNS} FROM organizations ORDER BY id");
        self.query("reading organizations", Statement::new(sql, vec![]))
            .await?
            .rows()
            .map(|row| organization(&row))
            .collect()
    }

    async fn organization(&self, id: &OrgId) -> StoreResult<Option<Organization>> {
        let answer = self
            .query("reading an organization", by_id(self.dialect(), id))
            .await?;
        decode_first(&answer)
    }

    async fn ping(&self) -> StoreResult<()> {
        let context = match self.dialect() {
            Dialect::Sqlite => "checking the SQLite database",
            Dialect::Postgres => "checking the PostgreSQL database",
        };
        self.query(context, Statement::new("SELECT 1", vec![]))
            .await
            .map(|_| ())
    }
}
