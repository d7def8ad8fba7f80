//! What people did with the report (`crate::usage`), one row per organization,
//! day, user and kind.

use async_trait::async_trait;
use chrono::{Months, NaiveDate};

use crate::store::driver::{params, Driver, Run, Statement, Value};
use crate::store::sql::{self, Cells};
use crate::store::{StoreResult, UsageGauges, UsageStore};
use crate::usage::UsageRow;

#[async_trait]
impl<D: Driver> UsageStore for D {
    async fn record_usage(&self, rows: &[UsageRow]) -> StoreResult<()> {
        let rows = crate::usage::merged(rows);
        let upserts = sql::ladder_chunks(&rows, sql::USAGE_PER_UPSERT)
            .into_iter()
            .map(|batch| {
                let values: Vec<Value> = batch
                    .iter()
                    .flat_map(|row| {
                        params![
                            &row.org,
                            row.day,
                            row.user.as_str(),
                            row.kind.as_str(),
                            &row.role,
                            row.events,
                            row.forming,
                            row.with_value,
                            row.with_forecast,
                            row.slow,
                            row.latency_ms_sum,
                            row.latency_ms_max,
                            row.reason.as_deref()
                        ]
                    })
                    .collect();
                Statement::new(sql::upsert_usage(self.dialect(), batch.len()), values)
            });
        // The months' partitions first (PostgreSQL), in the same transaction.
        let script: Vec<Statement> =
            super::partitions::months_of(self.dialect(), rows.iter().map(|row| row.day))
                .into_iter()
                .chain(upserts)
                .collect();
        self.run("recording usage", script).await.map(|_| ())
    }

    async fn usage_between(&self, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<UsageRow>> {
        self.query(
            "reading usage",
            Statement::new(sql::select_usage(self.dialect()), params![from, to]),
        )
        .await?
        .rows()
        .map(|row| sql::decode_usage(&row))
        .collect()
    }

    async fn usage_gauges(&self, from: NaiveDate) -> StoreResult<UsageGauges> {
        let answer = self
            .query(
                "reading this month's usage",
                Statement::new(
                    sql::usage_gauges(self.dialect()),
                    params![
                        from,
                        from.checked_add_months(Months::new(1)).unwrap_or(from)
                    ],
                ),
            )
            .await?;
        let row = answer.first();
        let Some(row) = row else {
            return Ok(UsageGauges::default());
        };
        Ok(UsageGauges {
            ai_enabled_orgs: row.count(0)?,
            viewing_orgs: row.count(1)?,
            loads: row.count(2)?,
            failed_loads: row.count(3)?,
        })
    }
}
