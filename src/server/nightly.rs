//! The nightly aggregation inside `impact serve`: every day at the configured local
//! time one instance (the first to claim the day in the database) recomputes the
//! recent days and what changed, then every instance drops the affected caches. On
//! the configured weekday the same instance then verifies the retained range
//! (`impact verify`), whose drifted days every instance reports.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use chrono::{Datelike, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::aggregate::{Request, Scope};
use crate::server::actors::{Invalidate, OrgRegistry};
use crate::server::observability::Metrics;
use crate::settings::Settings;
use crate::store::Store;
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
        Ok(Self {
            settings,
            store,
            registry,
            metrics,
            time,
            timezone,
            verify_on,
            instance,
        })
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
        let settings = self.settings.clone();
        let store = Arc::clone(&self.store);
        let registry = self.registry.clone();
        let metrics = Arc::clone(&self.metrics);
        let instance = self.instance.clone();
        let day = Utc::now().with_timezone(&self.timezone).date_naive();
        let verify = self.verify_on == Some(day.weekday());
        ctx.spawn(
            async move {
                match store.claim_job("nightly_aggregation", day, &instance).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::info!("another instance runs tonight's aggregation");
                        return;
                    }
                    Err(error) => {
                        tracing::error!(error = %error, "cannot claim the nightly aggregation");
                        metrics.aggregation_runs.with_label_values(&["error"]).inc();
                        return;
                    }
                }
                match run_nightly(&settings, Arc::clone(&store)).await {
                    Ok(refreshed) => {
                        metrics.aggregation_runs.with_label_values(&["ok"]).inc();
                        match store.datamart_health().await {
                            Ok(health) => metrics.record_health(health, Utc::now()),
                            Err(error) => {
                                tracing::warn!(error = %error, "cannot read the datamart's health")
                            }
                        }
                        registry.do_send(Invalidate(Some(refreshed)));
                        if verify {
                            run_weekly_verify(&settings, &store, &metrics).await;
                        }
                    }
                    Err(error) => {
                        tracing::error!(error = %error, "the nightly aggregation failed");
                        metrics.aggregation_runs.with_label_values(&["error"]).inc();
                    }
                }
            }
            .into_actor(self),
        );
    }
}

/// Runs `impact aggregate --nightly` in-process (which also tells the other
/// instances); returns the refreshed organizations.
pub(crate) async fn run_nightly(
    settings: &Settings,
    store: Arc<dyn Store>,
) -> Result<Vec<crate::domain::OrgId>, String> {
    let request = Request {
        scope: Scope::Nightly { now: Utc::now() },
        organization: None,
        shard: None,
        show_progress: false,
    };
    let summary = crate::pipeline::aggregate(settings, &store, &request)
        .await
        .map_err(|e| e.to_string())?;
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
        self.schedule(ctx);
    }
}
