//! The actors of the report server (ARCHITECTURE.md):
//!
//! - `DatamartFetcher` reads one tile group of an organization's daily rows, with
//!   that group's own time limit. One fetcher serves every organization.
//! - `OrgActor` owns one organization's report inputs in the shared cache and its
//!   cost assumption. Its messages are handled one at a time (`AtomicResponse`), so
//!   an assumption write is seen by the very next read (read-your-writes).
//! - `ReportCache` is one bounded cache for every organization (moka, weighed in
//!   bytes), keyed by organization: each `OrgActor` is still the only one that reads,
//!   fills and invalidates its own entries, but an idle actor costs a few hundred
//!   bytes rather than a cache of its own.
//! - `OrgRegistry` starts an `OrgActor` per organization on first use and lets it
//!   go after an idle period, so memory stays bounded with thousands of tenants.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;

use crate::domain::{CostAssumption, DateRange, OrgId, Organization};
use chrono::NaiveDate;

use crate::metrics::baseline::Baseline;
use crate::metrics::forecast::monthly_net_rates;
use crate::metrics::report::{assemble, Report, ReportInputs, ReportPolicy};
use crate::metrics::{merge_groups, DailyCounters, TileGroup};
use crate::server::observability::Metrics;
use crate::settings::FetchSettings;
use crate::store::{Change, OrgActivity, Store, StoreError};

/// Why a report could not be produced.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// The organization does not exist or has no AI add-on: the report does not exist.
    NotFound,
    /// The core data could not be read; `reason` is `timeout` or `error`.
    Unavailable { reason: &'static str },
    /// Something else failed; the cause is for the log.
    Failed(String),
}

impl From<StoreError> for LoadError {
    fn from(error: StoreError) -> Self {
        LoadError::Failed(error.to_string())
    }
}

// ---------------------------------------------------------------- fetcher

pub struct DatamartFetcher {
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
}

impl DatamartFetcher {
    pub fn new(store: Arc<dyn Store>, metrics: Arc<Metrics>) -> Self {
        Self { store, metrics }
    }
}

impl Actor for DatamartFetcher {
    type Context = Context<Self>;
}

/// What one tile group's read returned.
#[derive(Debug, Clone)]
pub struct GroupRows {
    pub rows: Vec<DailyCounters>,
    /// Read with the core group only: how fresh and how long the history is,
    /// and the onboarding baseline.
    pub activity: Option<(OrgActivity, Option<Baseline>)>,
}

#[derive(Message)]
#[rtype(result = "Result<GroupRows, &'static str>")]
pub struct FetchGroup {
    pub org: OrgId,
    pub range: DateRange,
    pub group: TileGroup,
    pub timeout: Duration,
}

impl Handler<FetchGroup> for DatamartFetcher {
    type Result = ResponseFuture<Result<GroupRows, &'static str>>;

    fn handle(&mut self, message: FetchGroup, _: &mut Self::Context) -> Self::Result {
        let store = Arc::clone(&self.store);
        let metrics = Arc::clone(&self.metrics);
        Box::pin(async move {
            let FetchGroup {
                org,
                range,
                group,
                timeout,
            } = message;
            let read = async {
                let rows = store.daily_group(&org, range, group).await?;
                let activity = match group {
                    TileGroup::Core => Some((
                        store.activity(&org).await?,
                        store.onboarding_baseline(&org).await?,
                    )),
                    _ => None,
                };
                Ok::<_, StoreError>(GroupRows { rows, activity })
            };
            match tokio::time::timeout(timeout, read).await {
                Ok(Ok(rows)) => Ok(rows),
                Ok(Err(error)) => {
                    metrics
                        .fetch_failures
                        .with_label_values(&[group.name()])
                        .inc();
                    tracing::warn!(org_id = %org, tile = group.name(), error = %error, "datamart read failed");
                    Err("error")
                }
                Err(_) => {
                    metrics
                        .fetch_timeouts
                        .with_label_values(&[group.name()])
                        .inc();
                    tracing::warn!(org_id = %org, tile = group.name(), timeout_ms = timeout.as_millis() as u64, "datamart read timed out");
                    Err("timeout")
                }
            }
        })
    }
}

// ---------------------------------------------------------------- the shared cache

/// What a cache entry holds: the rows of a range, fully read.
#[derive(Debug, Clone)]
struct Fetched {
    rows: Vec<DailyCounters>,
    /// The core rows of the period before the range, for the changes.
    rows_before: Vec<DailyCounters>,
    activity: OrgActivity,
    baseline: Option<Baseline>,
    failed_groups: Vec<TileGroup>,
}

impl Fetched {
    /// Roughly the bytes the entry holds, for the cache's weigher.
    fn weight(&self) -> u32 {
        let bytes = std::mem::size_of::<Self>()
            + (self.rows.capacity() + self.rows_before.capacity())
                * std::mem::size_of::<DailyCounters>()
            + self.failed_groups.capacity() * std::mem::size_of::<TileGroup>();
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }
}

/// Whose entry it is and for which range. `generation` changes whenever that
/// organization's data changes (and for every new actor), so its old entries are
/// never read again and age out without a scan of the cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    org: OrgId,
    generation: u64,
    range: DateRange,
}

/// One bounded cache of report inputs for every organization.
#[derive(Clone)]
pub struct ReportCache {
    entries: Option<moka::sync::Cache<CacheKey, Arc<Fetched>>>,
}

/// Hands out cache generations, unique for the life of the process.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl ReportCache {
    /// At most `max_bytes` of entries (0 turns the cache off), each kept for `ttl`.
    pub fn new(max_bytes: u64, ttl: Duration) -> Self {
        let entries = (max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_: &CacheKey, fetched: &Arc<Fetched>| fetched.weight())
                .time_to_live(ttl)
                .build()
        });
        Self { entries }
    }

    fn get(&self, key: &CacheKey) -> Option<Arc<Fetched>> {
        self.entries.as_ref()?.get(key)
    }

    fn insert(&self, key: CacheKey, fetched: Arc<Fetched>) {
        if let Some(entries) = &self.entries {
            entries.insert(key, fetched);
        }
    }

    /// Bytes held now (for the benchmark and tests); pending work is done first.
    pub fn weighted_size(&self) -> u64 {
        self.entries.as_ref().map_or(0, |entries| {
            entries.run_pending_tasks();
            entries.weighted_size()
        })
    }
}

// ---------------------------------------------------------------- organization

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
    fn new(org: OrgId, deps: OrgDependencies) -> Self {
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

async fn load_profile(
    store: &dyn Store,
    org: &OrgId,
    cached: Option<Organization>,
) -> Result<Organization, LoadError> {
    let profile = match cached {
        Some(profile) => profile,
        None => store.organization(org).await?.ok_or(LoadError::NotFound)?,
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
        AtomicResponse::new(Box::pin(
            async move { load_profile(store.as_ref(), &org, cached).await }
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
                let profile = load_profile(store.as_ref(), &org, cached_profile).await?;
                let assumption = match cached_assumption {
                    Some(assumption) => assumption,
                    None => store.cost_assumption(&org).await?,
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
async fn record_forecast(store: &dyn Store, org: &OrgId, report: &Report) {
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
    store: &dyn Store,
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
        AtomicResponse::new(Box::pin(
            async move {
                match cached {
                    Some(assumption) => Ok(assumption),
                    None => Ok(store.cost_assumption(&org).await?),
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
        AtomicResponse::new(Box::pin(
            async move {
                store.save_cost_assumption(&org, assumption).await?;
                // Other server instances drop their copy; a failed notice only
                // delays them until their cache expires, so it is logged, not fatal.
                let change = Change::AssumptionSaved {
                    org_id: org.to_string(),
                };
                if let Err(error) = store.publish(&change).await {
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

// ---------------------------------------------------------------- registry

struct Entry {
    address: Addr<OrgActor>,
    last_used: Instant,
}

pub struct OrgRegistry {
    deps: OrgDependencies,
    idle: Duration,
    orgs: HashMap<OrgId, Entry>,
}

impl OrgRegistry {
    pub fn new(deps: OrgDependencies, idle: Duration) -> Self {
        Self {
            deps,
            idle,
            orgs: HashMap::new(),
        }
    }
}

impl Actor for OrgRegistry {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        let every = (self.idle / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
        ctx.run_interval(every, |registry, _| {
            let idle = registry.idle;
            // Dropping the last address stops the actor and frees its cache.
            registry
                .orgs
                .retain(|_, entry| entry.last_used.elapsed() < idle);
        });
    }
}

/// The actor of one organization, started if needed.
#[derive(Message)]
#[rtype(result = "Addr<OrgActor>")]
pub struct ActorFor(pub OrgId);

impl Handler<ActorFor> for OrgRegistry {
    type Result = MessageResult<ActorFor>;

    fn handle(&mut self, ActorFor(org): ActorFor, _: &mut Self::Context) -> Self::Result {
        let deps = &self.deps;
        let entry = self.orgs.entry(org.clone()).or_insert_with(|| Entry {
            address: OrgActor::new(org, deps.clone()).start(),
            last_used: Instant::now(),
        });
        entry.last_used = Instant::now();
        MessageResult(entry.address.clone())
    }
}

/// Data changed: drop the caches of these organizations (or of all).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Invalidate(pub Option<Vec<OrgId>>);

impl Handler<Invalidate> for OrgRegistry {
    type Result = ();

    fn handle(&mut self, Invalidate(orgs): Invalidate, _: &mut Self::Context) {
        match orgs {
            Some(orgs) => {
                for org in orgs {
                    if let Some(entry) = self.orgs.get(&org) {
                        entry.address.do_send(Refresh);
                    }
                }
            }
            None => {
                for entry in self.orgs.values() {
                    entry.address.do_send(Refresh);
                }
            }
        }
    }
}

/// How many organizations have a live actor (for tests and diagnostics).
#[derive(Message)]
#[rtype(result = "usize")]
pub struct LiveActors;

impl Handler<LiveActors> for OrgRegistry {
    type Result = usize;

    fn handle(&mut self, _: LiveActors, _: &mut Self::Context) -> usize {
        self.orgs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetched(days: usize) -> Arc<Fetched> {
        let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        Arc::new(Fetched {
            rows: first
                .iter_days()
                .take(days)
                .map(DailyCounters::empty)
                .collect(),
            rows_before: Vec::new(),
            activity: OrgActivity::default(),
            baseline: None,
            failed_groups: Vec::new(),
        })
    }

    fn key(org: &str, generation: u64) -> CacheKey {
        let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        CacheKey {
            org: OrgId::parse(org).unwrap(),
            generation,
            range: DateRange::new(first, first + chrono::Duration::days(29)).unwrap(),
        }
    }

    #[test]
    fn one_cache_for_every_organization_stays_within_its_bytes() {
        let cache = ReportCache::new(1024 * 1024, Duration::from_secs(60));
        for n in 0..2_000 {
            cache.insert(key(&format!("org_{n}"), 1), fetched(30));
        }
        let held = cache.weighted_size();
        assert!(held > 0 && held <= 1024 * 1024, "{held} bytes");
    }

    #[test]
    fn entries_belong_to_an_organization_and_a_generation() {
        let cache = ReportCache::new(1024 * 1024, Duration::from_secs(60));
        cache.insert(key("org_a", 7), fetched(3));
        assert!(cache.get(&key("org_a", 7)).is_some());
        assert!(
            cache.get(&key("org_b", 7)).is_none(),
            "another organization"
        );
        assert!(cache.get(&key("org_a", 8)).is_none(), "after a refresh");
        assert!(next_generation() != next_generation());
        let off = ReportCache::new(0, Duration::from_secs(60));
        off.insert(key("org_a", 7), fetched(3));
        assert!(off.get(&key("org_a", 7)).is_none(), "0 turns the cache off");
    }
}
