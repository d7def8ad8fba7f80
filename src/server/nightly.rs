//! The nightly aggregation inside `impact serve`: every day at the configured local
//! time one instance (the first to claim the day in the database) recomputes the
//! recent days and what changed, then every instance drops the affected caches. On
//! the configured weekday the same instance then verifies the retained range
//! (`impact verify`), whose drifted days every instance reports.
//!
//! The claim is a lease (`nightly.lease_seconds`): its holder renews it while it
//! runs and marks the night done at the end. The other instances watch it; when
//! its holder dies (its lease runs out undone), one of them takes the night over, so
//! a crash costs minutes, not the night. An instance started after the night's time
//! whose night is not done yet runs it too (every instance down at 02:00 is no
//! excuse). The nightly run is idempotent, so a second one costs little.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use chrono::{Datelike, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::aggregate::{Request, Scope};
use crate::server::actors::{Invalidate, OrgRegistry};
use crate::server::observability::Metrics;
use crate::settings::Settings;
use crate::store::{Claim, Store, NIGHTLY_JOB};
use crate::verify::VerifyRequest;

pub(crate) struct NightlyScheduler {
    settings: Settings,
    store: Arc<dyn Store>,
    registry: Addr<OrgRegistry>,
    metrics: Arc<Metrics>,
    time: NaiveTime,
    timezone: Tz,
    verify_on: Option<Weekday>,
    instance: String,
    /// How long a claim lives without being renewed.
    lease: Duration,
}

impl NightlyScheduler {
    pub fn new(
        settings: Settings,
        store: Arc<dyn Store>,
        registry: Addr<OrgRegistry>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, String> {
        let time =
            NaiveTime::parse_from_str(settings.nightly.time.trim(), "%H:%M").map_err(|_| {
                format!(
                    "nightly.time '{}' is not a time like 02:00",
                    settings.nightly.time
                )
            })?;
        let timezone: Tz = settings.nightly.timezone.trim().parse().map_err(|_| {
            format!(
                "nightly.timezone '{}' is not an IANA time zone",
                settings.nightly.timezone
            )
        })?;
        let verify_on = match settings.nightly.verify_weekday.trim() {
            "" => None,
            day => Some(day.parse::<Weekday>().map_err(|_| {
                format!("nightly.verify_weekday '{day}' is not a weekday like sun (or empty)")
            })?),
        };
        let instance = format!("{}-{}", std::process::id(), Utc::now().timestamp_micros());
        let lease = Duration::from_secs(settings.nightly.lease_seconds.clamp(2, 3600));
        Ok(Self {
            settings,
            store,
            registry,
            metrics,
            time,
            timezone,
            verify_on,
            instance,
            lease,
        })
    }

    /// Whether today's night time has passed in the scheduler's time zone.
    fn past_tonights_time(&self) -> bool {
        let now = Utc::now().with_timezone(&self.timezone);
        now.naive_local() >= now.date_naive().and_time(self.time)
    }

    /// How long until the next run.
    fn until_next_run(&self) -> Duration {
        let now = Utc::now().with_timezone(&self.timezone);
        let today = now.date_naive().and_time(self.time);
        let next = if now.naive_local() < today {
            today
        } else {
            today + chrono::Duration::days(1)
        };
        (next - now.naive_local())
            .to_std()
            .unwrap_or(Duration::from_secs(60))
    }

    fn schedule(&self, ctx: &mut Context<Self>) {
        let wait = self.until_next_run();
        tracing::info!(
            in_seconds = wait.as_secs(),
            "next nightly aggregation scheduled"
        );
        ctx.run_later(wait, |scheduler, ctx| {
            scheduler.run(ctx);
            scheduler.schedule(ctx);
        });
    }

    fn run(&self, ctx: &mut Context<Self>) {
        let night = Night {
            settings: self.settings.clone(),
            store: Arc::clone(&self.store),
            registry: self.registry.clone(),
            metrics: Arc::clone(&self.metrics),
            instance: self.instance.clone(),
            day: Utc::now().with_timezone(&self.timezone).date_naive(),
            lease: self.lease,
        };
        let verify = self.verify_on == Some(night.day.weekday());
        ctx.spawn(async move { night.run(verify).await }.into_actor(self));
    }
}

/// One night's work by one instance: claim it (or watch another instance's lease
/// on it), run it while renewing the claim, and mark it done.
struct Night {
    settings: Settings,
    store: Arc<dyn Store>,
    registry: Addr<OrgRegistry>,
    metrics: Arc<Metrics>,
    instance: String,
    day: chrono::NaiveDate,
    lease: Duration,
}

impl Night {
    async fn run(self, verify: bool) {
        if !self.claim().await {
            return;
        }
        tracing::info!(day = %self.day, instance = %self.instance, "nightly aggregation claimed");
        // Renewed three times a lease, so a slow database costs no claim.
        let renewing = {
            let (store, day, instance, every) = (
                Arc::clone(&self.store),
                self.day,
                self.instance.clone(),
                self.lease / 3,
            );
            async move {
                loop {
                    actix_web::rt::time::sleep(every).await;
                    match store.renew_job(NIGHTLY_JOB, day, &instance).await {
                        Ok(true) => {}
                        Ok(false) => return,
                        Err(error) => {
                            tracing::warn!(error = %error, "cannot renew the nightly aggregation's claim")
                        }
                    }
                }
            }
        };
        // The run lasts only while the claim is this instance's: taken over (its
        // renewals failed for a whole lease), it stops here, its open transaction
        // rolled back, and the new holder runs the night whole.
        let result = tokio::select! {
            result = run_nightly(&self.settings, Arc::clone(&self.store)) => result,
            () = renewing => {
                tracing::warn!("the nightly aggregation's claim was taken over; this instance stops its run");
                return;
            }
        };
        let store = &self.store;
        match result {
            Ok(refreshed) => {
                match store
                    .finish_job(NIGHTLY_JOB, self.day, &self.instance)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(
                            "the nightly aggregation finished, but its claim had been taken over"
                        );
                        return;
                    }
                    Err(error) => {
                        tracing::error!(error = %error, "cannot mark the nightly aggregation done")
                    }
                }
                self.metrics
                    .aggregation_runs
                    .with_label_values(&["ok"])
                    .inc();
                match store.datamart_health().await {
                    Ok(health) => self.metrics.record_health(health, Utc::now()),
                    Err(error) => {
                        tracing::warn!(error = %error, "cannot read the datamart's health")
                    }
                }
                self.registry.do_send(Invalidate(Some(refreshed)));
                if verify {
                    run_weekly_verify(&self.settings, store, &self.metrics).await;
                }
            }
            Err(error) => {
                // The claim is left to run out: another instance (or this one's next
                // night) takes the work over.
                tracing::error!(error = %error, "the nightly aggregation failed");
                self.metrics
                    .aggregation_runs
                    .with_label_values(&["error"])
                    .inc();
            }
        }
    }

    /// True once this instance holds the night; false when it is done (here or
    /// elsewhere). While another instance holds a live lease, it looks again every
    /// half lease, and takes the night over when that lease runs out undone.
    async fn claim(&self) -> bool {
        loop {
            match self
                .store
                .claim_job(NIGHTLY_JOB, self.day, &self.instance, self.lease)
                .await
            {
                Ok(Claim::Mine) => return true,
                Ok(Claim::Done) => {
                    tracing::info!(day = %self.day, "tonight's aggregation is done");
                    return false;
                }
                Ok(Claim::HeldByAnother) => {
                    tracing::info!(
                        "another instance runs tonight's aggregation; watching its claim"
                    );
                }
                Err(error) => {
                    tracing::error!(error = %error, "cannot claim the nightly aggregation");
                    self.metrics
                        .aggregation_runs
                        .with_label_values(&["error"])
                        .inc();
                }
            }
            actix_web::rt::time::sleep(self.lease / 2).await;
        }
    }
}

/// Runs `impact aggregate --nightly` in-process (which also tells the other
/// instances); returns the refreshed organizations.
pub(crate) async fn run_nightly(
    settings: &Settings,
    store: Arc<dyn Store>,
) -> Result<Vec<crate::domain::OrgId>, crate::pipeline::PipelineError> {
    let request = Request {
        scope: Scope::Nightly { now: Utc::now() },
        organization: None,
        shard: None,
        show_progress: false,
    };
    let summary = crate::pipeline::aggregate(settings, &store, &request).await?;
    tracing::info!(
        org_days = summary.days,
        rooms = summary.rooms,
        pending_sentiment_days = summary.sentiment_pending_days,
        expired_rows = summary.expired_rows_deleted,
        "nightly aggregation done"
    );
    Ok(summary.refreshed)
}

/// `impact verify` over the retained range, without repairing: ops decide (the
/// runbook of ImpactDatamartDrifted). The result goes to the datamart, so every
/// instance's gauge says the same.
async fn run_weekly_verify(settings: &Settings, store: &Arc<dyn Store>, metrics: &Metrics) {
    let request = VerifyRequest {
        days: None,
        organization: None,
        repair: false,
        now: Utc::now(),
        show_progress: false,
    };
    match crate::pipeline::verify(settings, store, &request).await {
        Ok(outcome) => {
            for day in &outcome.drifted {
                tracing::warn!(
                    org_id = %day.organization_id,
                    day = %day.day,
                    counters = day.counters.len(),
                    rooms_missing = day.rooms_missing.len(),
                    rooms_extra = day.rooms_extra.len(),
                    rooms_changed = day.rooms_changed.len(),
                    "a datamart day differs from its source"
                );
            }
            tracing::info!(
                org_days = outcome.days_checked,
                drifted = outcome.drifted.len(),
                "weekly verify done"
            );
            match store.datamart_health().await {
                Ok(health) => metrics.record_health(health, Utc::now()),
                Err(error) => tracing::warn!(error = %error, "cannot read the datamart's health"),
            }
        }
        Err(error) => tracing::error!(error = %error, "the weekly verify failed"),
    }
}

impl Actor for NightlyScheduler {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Started after tonight's time (a restart, or every instance down then): the
        // night runs now unless it is done already.
        if self.past_tonights_time() {
            self.run(ctx);
        }
        self.schedule(ctx);
    }
}
