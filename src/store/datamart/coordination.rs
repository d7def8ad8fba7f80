//! How instances share one database: once-a-day jobs and change notices.

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::store::driver::{params, Answer, Driver, Run, Statement};
use crate::store::sql::Cells;
use crate::store::{
    claim_of, Change, Claim, ClaimStamp, CoordinationStore, StoreError, StoreResult,
};

#[async_trait]
impl<D: Driver> CoordinationStore for D {
    async fn claim_job(
        &self,
        job: &str,
        day: NaiveDate,
        claimed_by: &str,
        lease: std::time::Duration,
    ) -> StoreResult<Claim> {
        let context = "claiming a job";
        let dialect = self.dialect();
        let p = |n| dialect.parameter(n);
        let now = dialect.now();
        // Taken when nobody holds it, or its holder has neither finished nor renewed
        // it within the lease; then read back, in the same transaction.
        let take = format!(
            "INSERT INTO job_claims (job, day, claimed_by, claimed_at, heartbeat_at) \
             VALUES ({}, {}, {}, {now}, {now}) \
             ON CONFLICT (job, day) DO UPDATE SET claimed_by = excluded.claimed_by, \
                 claimed_at = excluded.claimed_at, heartbeat_at = excluded.heartbeat_at \
             WHERE job_claims.done_at IS NULL \
               AND coalesce(job_claims.heartbeat_at, job_claims.claimed_at) < {}",
            p(1),
            p(2),
            p(3),
            dialect.seconds_before_now(4)
        );
        let read = format!(
            "SELECT claimed_by, done_at IS NOT NULL FROM job_claims WHERE job = {} AND day = {}",
            p(1),
            p(2)
        );
        let answers = self
            .run(
                context,
                vec![
                    Statement::new(take, params![job, day, claimed_by, lease.as_secs_f64()]),
                    Statement::new(read, params![job, day]),
                ],
            )
            .await?;
        let row = answers
            .get(1)
            .and_then(Answer::first)
            .ok_or_else(|| StoreError::Invalid(format!("{context}: the claim was not stored")))?;
        Ok(claim_of(&row.text(0)?, row.flag(1)?, claimed_by))
    }

    async fn renew_job(&self, job: &str, day: NaiveDate, claimed_by: &str) -> StoreResult<bool> {
        stamp_claim(self, job, day, claimed_by, ClaimStamp::Heartbeat).await
    }

    async fn finish_job(&self, job: &str, day: NaiveDate, claimed_by: &str) -> StoreResult<bool> {
        stamp_claim(self, job, day, claimed_by, ClaimStamp::Done).await
    }

    async fn publish_all(&self, changes: &[Change]) -> StoreResult<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let payloads = changes
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<String>, _>>()
            .map_err(|e| StoreError::Invalid(format!("change notice: {e}")))?;
        self.notify(payloads).await
    }

    async fn subscribe(&self) -> StoreResult<Option<tokio::sync::mpsc::Receiver<Change>>> {
        self.listen().await
    }
}

/// Writes `stamp` on the caller's claim of a job not yet done; whether it held one.
async fn stamp_claim(
    driver: &(impl Driver + ?Sized),
    job: &str,
    day: NaiveDate,
    claimed_by: &str,
    stamp: ClaimStamp,
) -> StoreResult<bool> {
    let dialect = driver.dialect();
    let p = |n| dialect.parameter(n);
    let sql = format!(
        "UPDATE job_claims SET {} = {} \
         WHERE job = {} AND day = {} AND claimed_by = {} AND done_at IS NULL",
        stamp.column(),
        dialect.now(),
        p(1),
        p(2),
        p(3)
    );
    let stamped = driver
        .execute(
            stamp.context(),
            Statement::new(sql, params![job, day, claimed_by]),
        )
        .await?;
    Ok(stamped == 1)
}
