//! `OrgActor`: one organization's report inputs in the shared cache and its cost
//! assumption, its messages handled one at a time (read-your-writes).

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use crate::domain::{CostAssumption, DateRange, OrgId, Organization};
use chrono::NaiveDate;

use crate::metrics::forecast::monthly_net_rates;
use crate::metrics::report::{assemble, Report, ReportInputs, ReportPolicy};
use crate::metrics::{merge_groups, DailyCounters, TileGroup};
use crate::server::observability::Metrics;
use crate::settings::FetchSettings;
use crate::store::{AssumptionStore, Change, ReportStore, Store, StoreError};

use super::cache::{next_generation, CacheKey, Fetched};
use super::{DatamartFetcher, FetchGroup, LoadError, ReportCache};

/// What every organization actor shares.
#[derive(Clone)]
pub struct OrgDependencies {
    pub store: Arc<dyn Store>,
    pub fetcher: Addr<DatamartFetcher>,
    pub metrics: Arc<Metrics>,
    pub fetch: FetchSettings,
    pub cache: ReportCache,
}

pub struct OrgActor {
    org: OrgId,
    deps: OrgDependencies,
    /// This actor's entries in the shared cache are the ones of this generation.
    generation: u64,
    /// Loaded on first use, dropped on refresh.
    profile: Option<Organization>,
    assumption: Option<Option<CostAssumption>>,
    /// Complete months of net containment for the forecast, read on first use.
    forecast_history: Option<Arc<Vec<(NaiveDate, f64)>>>,
}

impl OrgActor {
    pub(super) fn new(org: OrgId, deps: OrgDependencies) -> Self {
        Self {
            org,
            deps,
            generation: next_generation(),
            profile: None,
            assumption: None,
            forecast_history: None,
        }
    }
}

impl Actor for OrgActor {
    type Context = Context<Self>;
}

/// The organization, if its report can exist (it is known and has the add-on).
#[derive(Message)]
#[rtype(result = "Result<Organization, LoadError>")]
pub struct GetProfile;

#[derive(Message)]
#[rtype(result = "Result<Report, LoadError>")]
pub struct GetReport {
    pub range: DateRange,
    pub policy: Arc<ReportPolicy>,
    /// The forecast flag is on for the account.
    pub forecast: bool,
}

#[derive(Message)]
#[rtype(result = "Result<Option<CostAssumption>, LoadError>")]
pub struct GetAssumption;

#[derive(Message)]
#[rtype(result = "Result<(), LoadError>")]
pub struct SaveAssumption(pub CostAssumption);

/// The organization's data changed elsewhere: forget what is cached.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Refresh;

/// A read or write of the actor's own (the organization, its cost assumption) within
/// the core group's time limit: a hung datamart is "unavailable", never a request
/// that waits without end.
async fn within<T>(
    limit_ms: u64,
    work: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, LoadError> {
    match tokio::time::timeout(Duration::from_millis(limit_ms), work).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(LoadError::Unavailable { reason: "timeout" }),
    }
}

async fn load_profile(
    store: &dyn crate::store::OrganizationStore,
    org: &OrgId,
    cached: Option<Organization>,
    limit_ms: u64,
) -> Result<Organization, LoadError> {
    let profile = match cached {
        Some(profile) => profile,
        None => within(limit_ms, store.organization(org))
            .await?
            .ok_or(LoadError::NotFound)?,
    };
    if profile.ai_addon {
        Ok(profile)
    } else {
        Err(LoadError::NotFound)
    }
}

impl Handler<GetProfile> for OrgActor {
    type Result = AtomicResponse<Self, Result<Organization, LoadError>>;

    fn handle(&mut self, _: GetProfile, _: &mut Self::Context) -> Self::Result {
        let store = Arc::clone(&self.deps.store);
        let org = self.org.clone();
        let cached = self.profile.clone();
        let limit = self.deps.fetch.core_timeout_ms;
        AtomicResponse::new(Box::pin(
            async move { load_profile(store.as_ref(), &org, cached, limit).await }
                .into_actor(self)
                .map(|result, actor, _| {
                    if let Ok(profile) = &result {
                        actor.profile = Some(profile.clone());
                    }
                    result
                }),
        ))
    }
}

/// Reads every tile group of a range at once, each with its own time limit.
async fn fetch_groups(
    fetcher: &Addr<DatamartFetcher>,
    settings: &FetchSettings,
    org: &OrgId,
    range: DateRange,
) -> Result<Fetched, LoadError> {
    let ask = |group: TileGroup, range: DateRange, millis: u64| {
        let timeout = Duration::from_millis(millis);
        let request = fetcher.send(FetchGroup {
            org: org.clone(),
            range,
            group,
            timeout,
        });
        async move {
            // The fetcher enforces the limit; this outer one also covers a full mailbox.
            match tokio::time::timeout(timeout + Duration::from_millis(250), request).await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => Err("error"),
                Err(_) => Err("timeout"),
            }
        }
    };
    // The core read also brings the period before (docs/metrics.md §4.9): one read
    // of both ranges, so the changes cost no second query and never a second timeout.
    let (core, journey, quality) = tokio::join!(
        ask(
            TileGroup::Core,
            range.with_before(),
            settings.core_timeout_ms
        ),
        ask(TileGroup::Journey, range, settings.journey_timeout_ms),
        ask(TileGroup::Quality, range, settings.quality_timeout_ms),
    );
    let core = core.map_err(|reason| LoadError::Unavailable { reason })?;
    let (core_rows, rows_before): (Vec<DailyCounters>, Vec<DailyCounters>) = core
        .rows
        .into_iter()
        .partition(|row| range.contains(row.day));
    let mut failed_groups = Vec::new();
    if journey.is_err() {
        failed_groups.push(TileGroup::Journey);
    }
    if quality.is_err() {
        failed_groups.push(TileGroup::Quality);
    }
    let journey = journey.ok();
    let quality = quality.ok();
    let (activity, baseline) = core.activity.unwrap_or_default();
    Ok(Fetched {
        rows: merge_groups(
            core_rows,
            journey.as_ref().map(|j| j.rows.as_slice()),
            quality.as_ref().map(|q| q.rows.as_slice()),
        ),
        rows_before,
        activity,
        baseline,
        failed_groups,
    })
}

impl Handler<GetReport> for OrgActor {
    type Result = AtomicResponse<Self, Result<Report, LoadError>>;

    fn handle(&mut self, message: GetReport, _: &mut Self::Context) -> Self::Result {
        let store = Arc::clone(&self.deps.store);
        let fetcher = self.deps.fetcher.clone();
        let settings = self.deps.fetch.clone();
        let metrics = Arc::clone(&self.deps.metrics);
        let org = self.org.clone();
        let cached_profile = self.profile.clone();
        let cached_assumption = self.assumption;
        let key = CacheKey {
            org: self.org.clone(),
            generation: self.generation,
            range: message.range,
        };
        let cached = self.deps.cache.get(&key);
        let cached_history = self.forecast_history.clone();
        let range = message.range;
        let forecast = message.forecast;
        AtomicResponse::new(Box::pin(
            async move {
                let limit = settings.core_timeout_ms;
                let profile = load_profile(store.as_ref(), &org, cached_profile, limit).await?;
                let assumption = match cached_assumption {
                    Some(assumption) => assumption,
                    None => within(limit, store.cost_assumption(&org)).await?,
                };
                let (fetched, fresh) = match cached {
                    Some(fetched) => {
                        metrics.cache_hits.inc();
                        (fetched, false)
                    }
                    None => {
                        metrics.cache_misses.inc();
                        (
                            Arc::new(fetch_groups(&fetcher, &settings, &org, range).await?),
                            true,
                        )
                    }
                };
                let history = match (forecast, cached_history, fetched.activity.data_through) {
                    (false, _, _) => None,
                    (true, Some(history), _) => Some(history),
                    (true, None, Some(through)) => {
                        forecast_history(store.as_ref(), &org, through, settings.core_timeout_ms)
                            .await
                    }
                    (true, None, None) => Some(Arc::new(Vec::new())),
                };
                Ok::<_, LoadError>((profile, assumption, fetched, fresh, history))
            }
            .into_actor(self)
            .map(move |result, actor, _| {
                let (profile, assumption, fetched, fresh, history) = result?;
                // Only complete reads are kept: a degraded tile is retried next time.
                // An entry read before a refresh is not kept under the new generation.
                if fresh && fetched.failed_groups.is_empty() && key.generation == actor.generation {
                    actor.deps.cache.insert(key, Arc::clone(&fetched));
                }
                let report = assemble(&ReportInputs {
                    organization: &profile,
                    range,
                    days: &fetched.rows,
                    first_eligible_day: fetched.activity.first_eligible_day,
                    data_through: fetched.activity.data_through,
                    read_until: fetched.activity.read_until,
                    cost_assumption: assumption,
                    policy: &message.policy,
                    failed_groups: &fetched.failed_groups,
                    baseline: fetched.baseline,
                    forecast_history: history.as_deref().map(Vec::as_slice),
                    days_before: Some(&fetched.rows_before),
                });
                if history.is_some() {
                    actor.forecast_history = history;
                }
                actor.profile = Some(profile);
                actor.assumption = Some(assumption);
                Ok(report)
            })
            .then(|result: Result<Report, LoadError>, actor, _| {
                let store = Arc::clone(&actor.deps.store);
                let org = actor.org.clone();
                async move {
                    if let Ok(report) = &result {
                        record_forecast(store.as_ref(), &org, report).await;
                    }
                    result
                }
                .into_actor(actor)
            }),
        ))
    }
}

/// Records a forecast the report shows, once per organization and month, for the
/// audit of docs/forecast.md, and logs `impact_forecast_rendered`. The organization's actor
/// does it, since it owns the organization's forecast state; a failed write is
/// logged and never costs the report.
async fn record_forecast(store: &dyn AssumptionStore, org: &OrgId, report: &Report) {
    let Some(figures) = report.figures.as_ref() else {
        return;
    };
    let Some(forecast) = figures.forecast.as_ref() else {
        return;
    };
    let (crate::metrics::forecast::Outcome::Ok(projection), Some(period_from), Some(period_to)) =
        (forecast.outcome, forecast.period_from, forecast.period_to)
    else {
        return;
    };
    let snapshot = crate::metrics::forecast::Snapshot {
        period_from,
        period_to,
        projected: projection.net_rate,
        low: projection.low,
        high: projection.high,
    };
    if let Err(error) = store.save_forecast_snapshot(org, &snapshot).await {
        tracing::warn!(org_id = %org, error = %error, "could not record a forecast");
    }
    crate::server::observability::events::forecast_rendered(
        org.as_str(),
        projection.net_rate,
        figures.trend.baseline.net_rate,
    );
}

/// Complete months of net containment up to `through`, read with the core time
/// limit. A failed read leaves the forecast out of this report (logged), never the report.
async fn forecast_history(
    store: &dyn ReportStore,
    org: &OrgId,
    through: NaiveDate,
    timeout_ms: u64,
) -> Option<Arc<Vec<(NaiveDate, f64)>>> {
    let range = DateRange::unbounded(through - chrono::Duration::days(430), through).ok()?;
    let read = store.daily_group(org, range, TileGroup::Core);
    match tokio::time::timeout(Duration::from_millis(timeout_ms), read).await {
        Ok(Ok(days)) => Some(Arc::new(monthly_net_rates(&days, through))),
        Ok(Err(error)) => {
            tracing::warn!(org_id = %org, error = %error, "the forecast's history could not be read");
            None
        }
        Err(_) => {
            tracing::warn!(org_id = %org, "the forecast's history read timed out");
            None
        }
    }
}

impl Handler<GetAssumption> for OrgActor {
    type Result = AtomicResponse<Self, Result<Option<CostAssumption>, LoadError>>;

    fn handle(&mut self, _: GetAssumption, _: &mut Self::Context) -> Self::Result {
        let store = Arc::clone(&self.deps.store);
        let org = self.org.clone();
        let cached = self.assumption;
        let limit = self.deps.fetch.core_timeout_ms;
        AtomicResponse::new(Box::pin(
            async move {
                match cached {
                    Some(assumption) => Ok(assumption),
                    None => within(limit, store.cost_assumption(&org)).await,
                }
            }
            .into_actor(self)
            .map(
                |result: Result<Option<CostAssumption>, LoadError>, actor, _| {
                    if let Ok(assumption) = result {
                        actor.assumption = Some(assumption);
                    }
                    result
                },
            ),
        ))
    }
}

impl Handler<SaveAssumption> for OrgActor {
    type Result = AtomicResponse<Self, Result<(), LoadError>>;

    fn handle(&mut self, message: SaveAssumption, _: &mut Self::Context) -> Self::Result {
        let store = Arc::clone(&self.deps.store);
        let org = self.org.clone();
        let assumption = message.0;
        let limit = self.deps.fetch.core_timeout_ms;
        AtomicResponse::new(Box::pin(
            async move {
                within(limit, store.save_cost_assumption(&org, assumption)).await?;
                // Other server instances drop their copy; a failed notice only
                // delays them until their cache expires, so it is logged, not fatal.
                let change = Change::AssumptionSaved {
                    org_id: org.to_string(),
                };
                if let Err(error) = within(limit, store.publish(&change)).await {
                    tracing::warn!(org_id = %org, error = %error, "could not tell other instances about the new assumption");
                }
                Ok(())
            }
            .into_actor(self)
            .map(move |result: Result<(), LoadError>, actor, _| {
                if result.is_ok() {
                    actor.assumption = Some(Some(assumption));
                }
                result
            }),
        ))
    }
}

impl Handler<Refresh> for OrgActor {
    type Result = ();

    fn handle(&mut self, _: Refresh, _: &mut Self::Context) {
        // The old entries are never read again; the cache lets them go.
        self.generation = next_generation();
        self.forecast_history = None;
        self.profile = None;
        self.assumption = None;
    }
}
