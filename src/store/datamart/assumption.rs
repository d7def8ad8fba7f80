//! What the organization decides and what the page showed: cost assumptions and
//! recorded forecasts.

use async_trait::async_trait;

use crate::domain::{CostAssumption, OrgId};
use crate::metrics::forecast::Snapshot;
use crate::store::driver::{params, Answer, Driver, Run, Statement};
use crate::store::sql::{Cells, Dialect};
use crate::store::{AssumptionStore, StoreError, StoreResult};

#[async_trait]
impl<D: Driver> AssumptionStore for D {
    async fn save_forecast_snapshot(&self, org: &OrgId, snapshot: &Snapshot) -> StoreResult<()> {
        let dialect = self.dialect();
        let p = |n| dialect.parameter(n);
        let sql = format!(
            "INSERT INTO forecast_snapshots \
                 (organization_id, period_from, period_to, projected, low, high, recorded_at) \
             VALUES ({}, {}, {}, {}, {}, {}, {}) \
             ON CONFLICT (organization_id, period_from) DO NOTHING",
            p(1),
            p(2),
            p(3),
            p(4),
            p(5),
            p(6),
            dialect.now()
        );
        let params = params![
            org,
            snapshot.period_from,
            snapshot.period_to,
            snapshot.projected,
            snapshot.low,
            snapshot.high
        ];
        self.execute("recording a forecast", Statement::new(sql, params))
            .await
            .map(|_| ())
    }

    async fn forecast_snapshots(&self) -> StoreResult<Vec<(OrgId, Snapshot)>> {
        let sql = "SELECT organization_id, period_from, period_to, projected, low, high \
                   FROM forecast_snapshots ORDER BY organization_id, period_from";
        self.query("reading recorded forecasts", Statement::new(sql, vec![]))
            .await?
            .rows()
            .map(|row| {
                let org = OrgId::parse(&row.text(0)?)
                    .map_err(StoreError::unreadable("forecast_snapshots.organization_id"))?;
                Ok((
                    org,
                    Snapshot {
                        period_from: row.day(1)?,
                        period_to: row.day(2)?,
                        projected: row.real(3)?,
                        low: row.real(4)?,
                        high: row.real(5)?,
                    },
                ))
            })
            .collect()
    }

    async fn cost_assumption(&self, org: &OrgId) -> StoreResult<Option<CostAssumption>> {
        let answer = self
            .query(
                "reading the cost assumption",
                cost_statement(self.dialect(), org),
            )
            .await?;
        decode_cost(org, &answer)
    }

    async fn save_cost_assumption(
        &self,
        org: &OrgId,
        assumption: CostAssumption,
    ) -> StoreResult<()> {
        self.execute(
            "saving the cost assumption",
            upsert_cost_assumption(self.dialect(), org, assumption),
        )
        .await
        .map(|_| ())
    }
}

/// The organization's saved cost assumption, if it saved one (`decode_cost`).
pub(super) fn cost_statement(dialect: Dialect, org: &OrgId) -> Statement {
    let sql = format!(
        "SELECT agent_hour_rate, minutes_per_conversation, ai_price_per_month \
         FROM cost_assumptions WHERE organization_id = {}",
        dialect.parameter(1)
    );
    Statement::new(sql, params![org])
}

pub(super) fn decode_cost(org: &OrgId, answer: &Answer) -> StoreResult<Option<CostAssumption>> {
    answer
        .first()
        .map(|row| {
            CostAssumption::with_ai_price(row.count(0)?, row.count(1)?, row.optional_count(2)?)
                .map_err(|errors| {
                    let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    StoreError::unreadable(format!("the cost assumption of {org}"))(
                        reasons.join("; "),
                    )
                })
        })
        .transpose()
}

/// Stores (replacing) an organization's cost assumption, stamped with the
/// database's clock: from the page, and from an import that carries one.
pub(crate) fn upsert_cost_assumption(
    dialect: Dialect,
    org: &OrgId,
    assumption: CostAssumption,
) -> Statement {
    let p = |n| dialect.parameter(n);
    let sql = format!(
        "INSERT INTO cost_assumptions \
             (organization_id, agent_hour_rate, minutes_per_conversation, ai_price_per_month, updated_at) \
         VALUES ({}, {}, {}, {}, {}) \
         ON CONFLICT (organization_id) DO UPDATE SET \
             agent_hour_rate = excluded.agent_hour_rate, \
             minutes_per_conversation = excluded.minutes_per_conversation, \
             ai_price_per_month = excluded.ai_price_per_month, \
             updated_at = excluded.updated_at",
        p(1),
        p(2),
        p(3),
        p(4),
        dialect.now()
    );
    Statement::new(
        sql,
        params![
            org,
            assumption.agent_hour_rate(),
            assumption.minutes_per_conversation(),
            assumption.ai_price_per_month()
        ],
    )
}
