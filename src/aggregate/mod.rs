//! The nightly aggregation: reads source rooms, their message counts and sentiment,
//! applies the pure rules of `metrics::rooms`, and upserts whole org-days into the
//! datamart. Re-running it for the same days replaces those days, so it never
//! double-counts; a crash leaves each org-day either old or new, never half-written.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::IsTerminal;

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::domain::{ClosedReason, DateRange, OrgId, Organization, RawSentiment, SenderType};
use crate::metrics::baseline;
use crate::metrics::baseline::Baseline;
use crate::metrics::rooms::{
    is_eligible, room_outcomes, tally_days, ReopenIndex, RoomFacts, RoomOutcome,
    REOPEN_WINDOW_HOURS,
};
use crate::metrics::DailyCounters;
use crate::sentiment::{SentimentError, SentimentRequest, SentimentSource};
use crate::settings::AggregationSettings;
use crate::store::source::{ContactVisit, RoomSpan, Source, SourceChange};
use crate::store::{
    AggregationState, AggregationStore, BaselineWrite, MessageCount, MilestoneRooms, Milestones,
    OrgWrite, SourceRoom, StoreError, StoredMilestones, StoredRooms, WriteTurn, WriteTurns,
};
use futures_util::stream::{FuturesOrdered, StreamExt};

mod plan;

pub(crate) use plan::{day_span, retention_cutoff, History, OrgPlan, Restatement};

/// Which days to (re)compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// These organization-local days, for every selected organization.
    Days { from: NaiveDate, to: NaiveDate },
    /// Every day from each organization's first room to its last.
    AllData,
    /// The last few complete local days as of `now`, plus any day whose sentiment is
    /// still pending; then daily rows past the retention period are deleted.
    Nightly { now: DateTime<Utc> },
}

impl Scope {
    /// The scope's name in logs (a closed set).
    pub fn name(&self) -> &'static str {
        match self {
            Scope::Days { .. } => "days",
            Scope::AllData => "all_data",
            Scope::Nightly { .. } => "nightly",
        }
    }
}

/// A slice of the organizations, so several workers can share a large fleet:
/// worker `index` of `count` takes the organizations whose id hashes to `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    /// Parses `I/N` with `0 ≤ I < N`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("'{text}' is not a shard like 0/4"))?;
        let index: u32 = index
            .trim()
            .parse()
            .map_err(|_| format!("'{index}' is not a shard number"))?;
        let count: u32 = count
            .trim()
            .parse()
            .map_err(|_| format!("'{count}' is not a shard count"))?;
        if count == 0 || index >= count {
            return Err(format!(
                "shard {index}/{count} does not exist: use I/N with 0 ≤ I < N"
            ));
        }
        Ok(Self { index, count })
    }

    /// FNV-1a of the organization id: stable across runs, machines and versions.
    pub fn includes(&self, org: &OrgId) -> bool {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in org.as_str().bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash % u64::from(self.count) == u64::from(self.index)
    }
}

#[derive(Debug, Clone)]
pub struct Request {
    pub scope: Scope,
    pub organization: Option<OrgId>,
    pub shard: Option<Shard>,
    pub show_progress: bool,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub organizations: usize,
    pub days: usize,
    pub rooms: u64,
    pub sentiment_pending_days: usize,
    pub expired_rows_deleted: u64,
    /// Org-days asked for that are after their organization's today, which no run
    /// writes (METRICS.md §8.4), and the latest such today, to say where it stopped.
    pub future_days_skipped: usize,
    pub stopped_at: Option<NaiveDate>,
    /// Organizations whose days were recomputed, for cache invalidation.
    pub refreshed: Vec<OrgId>,
}

#[derive(Debug, thiserror::Error)]
pub enum AggregateError {
    #[error("organization '{0}' is not in the database")]
    UnknownOrganization(OrgId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) struct Aggregator<'a> {
    /// The datamart, where the results go (and, for the embedded default, the
    /// import's marks).
    pub store: &'a dyn AggregationStore,
    /// Where the conversations are read: the datamart's own tables or a live source.
    pub source: &'a dyn Source,
    /// Whether `source` is the datamart's own tables (filled by the import).
    pub reads_own_tables: bool,
    pub sentiment: &'a dyn SentimentSource,
    pub settings: &'a AggregationSettings,
    /// How far before its last mark a run looks for changes (§8.3 `overlap_seconds`).
    pub overlap: Duration,
}

/// What the nightly census found: the days to restate, the organizations whose
/// first rooms changed (their milestones are walked again), and the counts of first
/// rooms to keep once the restated days are written.
#[derive(Default)]
struct Census {
    plans: Vec<OrgPlan>,
    first_rooms_changed: HashMap<OrgId, Milestones>,
    counted: Vec<(OrgId, MilestoneRooms)>,
}

/// One count the census compares: an organization's rooms of its stored days in a
/// range, or of its first rooms, up to the start of the given local day.
enum CensusCheck<'a> {
    Days(&'a Organization, StoredRooms),
    FirstRooms(&'a Organization, NaiveDate),
}

impl CensusCheck<'_> {
    fn organization(&self) -> &Organization {
        match self {
            CensusCheck::Days(organization, _) | CensusCheck::FirstRooms(organization, _) => {
                organization
            }
        }
    }

    fn span(&self) -> RoomSpan {
        let organization = self.organization();
        let (start, end) = match self {
            CensusCheck::Days(_, total) => (total.first_day, total.last_day + Duration::days(1)),
            CensusCheck::FirstRooms(_, end) => (first_instant_day(), *end),
        };
        RoomSpan {
            organization_id: organization.id.clone(),
            start: organization.day_start(start),
            end: organization.day_start(end),
            holds_every_room: false,
        }
    }
}

/// The days that bring an organization's milestones and onboarding baseline back
/// to the source's (`walked` from its first rooms), when restated with them: the
/// baseline's window as the source's first rooms place it now, or the first
/// eligible day; never after `through`, the latest day the datamart holds (a
/// restatement adds no day). Days older than retention are written too, and the
/// next retention deletes them again.
pub(crate) fn milestone_days(walked: &Milestones, through: Option<NaiveDate>) -> Vec<NaiveDate> {
    let Some(through) = through else {
        return Vec::new();
    };
    match walked.first_ai_day.map(baseline::window) {
        Some((first, last)) if first <= through => day_span(first, last.min(through)),
        _ => walked
            .first_eligible_day
            .filter(|day| *day <= through)
            .into_iter()
            .collect(),
    }
}

/// A day before any room a source can hold: the first rooms are counted from it.
fn first_instant_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Rooms read per page when looking for an organization's first eligible and
/// first AI-handled rooms.
const FIRST_ROOM_PAGE: i64 = 1000;

impl Aggregator<'_> {
    /// One run. Its log lines carry a span of their own (the scope, the one
    /// organization asked for, the shard), so a night's lines can be followed
    /// apart from the server's requests.
    #[tracing::instrument(
        name = "aggregation",
        skip_all,
        fields(
            scope = request.scope.name(),
            org_id = request.organization.as_ref().map(tracing::field::display),
            shard = request.shard.map(|shard| tracing::field::display(format!("{}/{}", shard.index, shard.count))),
        )
    )]
    pub async fn run(&self, request: &Request) -> Result<Summary, AggregateError> {
        let now = match request.scope {
            Scope::Nightly { now } => now,
            _ => Utc::now(),
        };
        // The source is read up to `read_until`; rows stamped later are left to the
        // next run (they may still be arriving on a replica).
        // Whole seconds: the mark is shown to people as "read up to".
        let read_until =
            now - Duration::from_std(self.source.read_lag()).unwrap_or_else(|_| Duration::zero());
        let read_until = read_until.with_nanosecond(0).unwrap_or(read_until);
        let identity = self.source.identity();
        let mut organizations = self.source.read_organizations().await?;
        // A live source's organizations relation may repeat an id (a view over a
        // join); each organization is planned, and its days written, once.
        organizations.sort_by(|a, b| a.id.cmp(&b.id));
        organizations.dedup_by(|a, b| a.id == b.id);
        let reshaped = self.copy_organizations(&organizations).await?;
        if let Some(wanted) = &request.organization {
            organizations.retain(|org| &org.id == wanted);
            if organizations.is_empty() {
                return Err(AggregateError::UnknownOrganization(wanted.clone()));
            }
        }
        if let Some(shard) = request.shard {
            organizations.retain(|org| shard.includes(&org.id));
        }

        let states = self.store.aggregation_states().await?;
        let mut summary = Summary::default();
        let mut future = plan::FutureDays::default();
        let mut plans = match request.scope {
            Scope::Days { from, to } => plan::given_days(organizations, from, to, now, &mut future),
            Scope::AllData => self.plan_everything(organizations, read_until).await?,
            Scope::Nightly { now } => {
                self.plan_nightly(organizations, &states, &reshaped, now, read_until)
                    .await?
            }
        };
        plan::keep_past_days(&mut plans, now, &mut future);
        summary.future_days_skipped = future.skipped;
        summary.stopped_at = future.stopped_at;
        let total_days: usize = plans.iter().map(|plan| plan.days.len()).sum();
        let bar = progress_bar(request.show_progress, total_days as u64);

        let in_run: Vec<Organization> = plans.iter().map(|p| p.organization.clone()).collect();
        self.execute_all(plans, &states, &bar, &mut summary).await?;
        if let Scope::Nightly { now } = request.scope {
            // What the run just wrote is what the census compares and restates from.
            let states = self.store.aggregation_states().await?;
            let census = self.census(&in_run, now, &states).await?;
            if !census.plans.is_empty() {
                let plans = census
                    .plans
                    .into_iter()
                    .map(|plan| OrgPlan {
                        // Walked from the source just now where the first rooms
                        // changed: they hold outside the restated days.
                        history: match census.first_rooms_changed.get(&plan.organization.id) {
                            Some(walked) => History::Known(*walked),
                            None => History::stored(states.get(&plan.organization.id), &identity),
                        },
                        ..plan
                    })
                    .collect();
                self.execute_all(plans, &states, &bar, &mut summary).await?;
            }
            // Only once the first rooms are restated: a run that fails before
            // leaves the count unrecorded, and the next census walks them again.
            self.store.record_milestone_rooms(&census.counted).await?;
        }
        bar.finish_and_clear();
        // The census may have run an organization a second time.
        summary.refreshed.sort_unstable();
        summary.refreshed.dedup();
        summary.organizations = summary.refreshed.len();
        tracing::debug!(source = %identity, "aggregation run finished");

        if let Scope::Nightly { now } = request.scope {
            // The night's days are written: retention that cannot run (its drop of
            // expired months waited too long on a reader) is left to the next night.
            match self
                .store
                .delete_days_before(retention_cutoff(now, self.settings))
                .await
            {
                Ok(deleted) => summary.expired_rows_deleted = deleted,
                Err(error) => tracing::warn!(
                    error = %error,
                    "retention could not run tonight; the next nightly run deletes the expired days"
                ),
            }
        }
        // After retention, so the statistics describe the rows that stay.
        if summary.days > 0 {
            self.store.refresh_statistics().await?;
        }
        Ok(summary)
    }

    /// Computes and writes the plans in batches: each batch's rooms, message counts
    /// and summaries are read with one statement each, and its days are written in
    /// one transaction, so a run over thousands of small organizations waits on a
    /// few statements per batch, not on a score of them per organization. A batch
    /// is bounded by the rooms it holds (`ROOMS_PER_BATCH`, counted first in one
    /// pass), so memory does not grow with the fleet; a large organization's days go
    /// in runs of `chunk_days`, as many batches as they need. Each batch is written
    /// while the next is read, up to `AggregationStore::writes_at_once` writes in
    /// flight, committed in order. The first failure stops the run; the batches
    /// before it are written and stay so, and an organization's marks and read mark
    /// move only in the transaction that writes its last days.
    pub(crate) async fn execute_all(
        &self,
        plans: Vec<OrgPlan>,
        states: &HashMap<OrgId, AggregationState>,
        bar: &ProgressBar,
        summary: &mut Summary,
    ) -> Result<(), AggregateError> {
        let mut progress: Vec<PlanProgress> = plans
            .iter()
            .map(|plan| PlanProgress::new(plan, states.get(&plan.organization.id)))
            .collect();
        let mut items = Vec::new();
        for (index, plan) in plans.iter().enumerate() {
            for days in chunks(&plan.days, self.settings.chunk_days.max(1) as usize) {
                items.push(WorkItem { plan: index, days });
            }
        }
        let spans: Vec<RoomSpan> = items
            .iter()
            .filter_map(|item| item.span(&plans[item.plan].organization))
            .collect();
        let counting = std::time::Instant::now();
        let mut weights = Vec::with_capacity(spans.len());
        for part in spans.chunks(SPANS_PER_BATCH) {
            weights.extend(self.source.count_rooms(part).await?);
        }
        let mut phases = Phases {
            counting: counting.elapsed(),
            ..Phases::default()
        };
        let mut batches = pack(&items, &weights);
        // Plans with nothing to compute still record their read and clear their
        // marks: they ride with the last batch (or make one of their own).
        let idle: Vec<usize> = (0..plans.len())
            .filter(|index| plans[*index].days.is_empty() && plans[*index].finished.is_some())
            .collect();
        let mut last_item_of = vec![None; plans.len()];
        for (at, item) in items.iter().enumerate() {
            last_item_of[item.plan] = Some(at);
        }

        if batches.is_empty() && !idle.is_empty() {
            batches.push(0..0);
        }
        // The writes in flight, oldest first: they go on while the next batch is
        // read and computed, and commit in order (`WriteTurn`).
        let writes_at_once = self.store.writes_at_once().max(1);
        let mut turns = WriteTurns::new();
        let mut writes = InFlight::new();
        let batch_count = batches.len();
        let computed_all: Result<(), AggregateError> = async {
            for (number, range) in batches.into_iter().enumerate() {
                let batch = &items[range.clone()];
                let runs = joined_runs(&items, range.clone());
                let inputs: Vec<RunOfDays<'_>> = runs
                    .iter()
                    .map(|run| RunOfDays::of(&plans[run.plan], &run.days))
                    .collect();
                let (computed, computing) = writes
                    .beside(timed(self.compute_batch(&inputs, true)))
                    .await;
                phases.computing += computing;
                if writes.release(&mut progress) {
                    // The failed write's error is the run's (below).
                    return Ok(());
                }
                let computed = computed?;

                // The plans whose last days this batch computed are finished here.
                let mut finishing: Vec<usize> = Vec::new();
                for (run, days) in runs.iter().zip(computed) {
                    summary.rooms += days.rooms;
                    summary.days += run.days.len();
                    if days.sentiment_pending {
                        summary.sentiment_pending_days += run.days.len();
                    }
                    bar.inc(run.days.len() as u64);
                    progress[run.plan].add(days);
                    if last_item_of[run.plan] == Some(run.last_item) {
                        finishing.push(run.plan);
                    }
                }
                if number + 1 == batch_count {
                    finishing.extend(idle.iter().copied());
                }
                // A finishing organization's milestones and onboarding baseline go in
                // the same transaction as its last days and its read mark: a run
                // stopped between them would leave a stale baseline no later run
                // looks at again. They may read the source: the writes go on beside.
                let mut baselines: HashMap<usize, BaselineWrite> = HashMap::new();
                for plan in &finishing {
                    let milestones = writes
                        .beside(self.milestones_of(&plans[*plan], &progress[*plan]))
                        .await?;
                    progress[*plan].milestones.milestones = milestones;
                    progress[*plan].milestones.from = Some(self.source.identity());
                    if !plans[*plan].days.is_empty() {
                        let change = writes
                            .beside(self.baseline_change(&plans[*plan], &progress[*plan]))
                            .await?;
                        baselines.insert(*plan, change);
                    }
                }
                let mut batch_writes: Vec<OrgWrite> = Vec::new();
                let mut touched: Vec<usize> = batch.iter().map(|item| item.plan).collect();
                touched.extend(finishing.iter().copied());
                touched.sort_unstable();
                touched.dedup();
                let finishing_here: HashSet<usize> = finishing.iter().copied().collect();
                for plan in touched {
                    let finished = if finishing_here.contains(&plan) {
                        plans[plan].finished.clone()
                    } else {
                        None
                    };
                    let (rows, outcomes) = progress[plan].take_unwritten();
                    batch_writes.push(OrgWrite {
                        organization_id: plans[plan].organization.id.clone(),
                        rows,
                        outcomes,
                        milestones: progress[plan].milestones.clone(),
                        finished,
                        baseline: baselines.remove(&plan).unwrap_or(BaselineWrite::Keep),
                    });
                }
                for plan in &finishing {
                    if !plans[*plan].days.is_empty() {
                        summary.organizations += 1;
                        summary.refreshed.push(plans[*plan].organization.id.clone());
                    }
                }
                if let Some(first) = batch.first() {
                    bar.set_message(plans[first.plan].organization.id.to_string());
                }
                // A free place among the writes in flight, then this batch's write.
                let waited = std::time::Instant::now();
                while writes.len() >= writes_at_once {
                    writes.wait_for_one().await;
                }
                phases.waiting_on_writes += waited.elapsed();
                if writes.release(&mut progress) {
                    return Ok(());
                }
                let turn = turns.next_turn();
                writes.push(async move {
                    let (result, took) = timed(self.write(batch_writes, turn)).await;
                    Written {
                        result,
                        took,
                        finished: finishing,
                    }
                });
            }
            Ok(())
        }
        .await;
        // Whatever stopped the run, the writes in flight end first (those before a
        // failure commit): a run's error is its first in batch order, so a failed
        // write's comes before a later batch's.
        let waited = std::time::Instant::now();
        let written = writes.finish().await;
        phases.waiting_on_writes += waited.elapsed();
        phases.writing = writes.writing;
        phases.log(batch_count);
        written.and(computed_all)
    }

    /// Writes one batch in one transaction, in its turn: days, rooms, and for the
    /// organizations it finishes their milestones, read mark and onboarding baseline.
    async fn write(&self, writes: Vec<OrgWrite>, turn: WriteTurn) -> Result<(), AggregateError> {
        crash_before_write();
        Ok(self.store.write_batch(writes, turn).await?)
    }

    /// The organization's milestones after its days are computed: read off those
    /// days when they cover its whole history, or when the stored ones still hold
    /// outside them; otherwise walked from the source's first rooms.
    async fn milestones_of(
        &self,
        plan: &OrgPlan,
        progress: &PlanProgress,
    ) -> Result<Milestones, AggregateError> {
        match milestones_after(&plan.history, &progress.rows) {
            Some(milestones) => Ok(milestones),
            None => self.source_milestones(&plan.organization).await,
        }
    }

    /// A room deleted from a live source leaves no timestamp. After a nightly run,
    /// the census compares the rooms the datamart counts with the source's: by
    /// organization, over the days of `plan::census_ranges` (the recent ones and one
    /// slice of the older ones in turn, so its cost does not grow with the history),
    /// and over the first rooms its milestones and onboarding baseline depend on,
    /// which retention may have deleted from the datamart long ago. Where a count
    /// differs, a count per day finds the days to restate, or the first rooms are
    /// walked again (METRICS.md §8.3; what even this misses, `impact verify` finds).
    async fn census(
        &self,
        organizations: &[Organization],
        now: DateTime<Utc>,
        states: &HashMap<OrgId, AggregationState>,
    ) -> Result<Census, AggregateError> {
        // Only the import writes the datamart's own tables, and it never deletes.
        if self.reads_own_tables {
            return Ok(Census::default());
        }
        let mut checks = Vec::new();
        for (first, last) in plan::census_ranges(now, self.settings) {
            let range = DateRange::unbounded(first, last).map_err(|e| {
                AggregateError::Store(StoreError::unreadable("the census' days")(e))
            })?;
            // By organization: a fleet has thousands, and each is looked up once.
            let mut stored: HashMap<OrgId, StoredRooms> = self
                .store
                .stored_room_totals(range)
                .await?
                .into_iter()
                .map(|total| (total.organization_id.clone(), total))
                .collect();
            for organization in organizations {
                if let Some(total) = stored.remove(&organization.id) {
                    checks.push(CensusCheck::Days(organization, total));
                }
            }
        }
        // Each organization's first rooms, one night in `census_rotation`, as the
        // older days.
        for organization in organizations {
            if !plan::first_rooms_tonight(&organization.id, now, self.settings) {
                continue;
            }
            let end = states.get(&organization.id).and_then(|state| {
                plan::first_rooms_end(&state.milestones.milestones, state.data_through)
            });
            if let Some(end) = end {
                checks.push(CensusCheck::FirstRooms(organization, end));
            }
        }
        let spans: Vec<RoomSpan> = checks.iter().map(CensusCheck::span).collect();
        let started = std::time::Instant::now();
        let mut counts = Vec::with_capacity(spans.len());
        for part in spans.chunks(SPANS_PER_BATCH) {
            counts.extend(self.source.count_rooms(part).await?);
        }
        // What the census costs a night, for the operator (docs/operations.md).
        tracing::info!(
            counts = spans.len(),
            rooms = counts.iter().sum::<i64>(),
            millis = started.elapsed().as_millis() as u64,
            "census: the source's rooms counted"
        );
        let mut census = Census::default();
        let mut found: BTreeMap<OrgId, (Organization, BTreeSet<NaiveDate>)> = BTreeMap::new();
        for ((check, span), count) in checks.iter().zip(&spans).zip(counts) {
            let days = match check {
                CensusCheck::Days(organization, total) => {
                    if count == total.rooms {
                        continue;
                    }
                    self.days_with_other_rooms(organization, total, span, count)
                        .await?
                }
                CensusCheck::FirstRooms(organization, end) => {
                    let counted = MilestoneRooms {
                        before: *end,
                        rooms: count,
                    };
                    let state = states.get(&organization.id);
                    let recorded = state.and_then(|state| state.milestone_rooms);
                    if recorded == Some(counted) {
                        continue;
                    }
                    // Counted before any restating: a room deleted while the first
                    // rooms are walked is seen by the next census.
                    census.counted.push((organization.id.clone(), counted));
                    // The first count (a new organization, or the first census
                    // after the upgrade) is the reference: what changed before it
                    // is `impact verify`'s to find.
                    if recorded.is_none() {
                        continue;
                    }
                    // Counted before a run restated some of those days, or before
                    // the milestones moved: the stored days may still hold the
                    // first rooms, unless retention deleted some of them.
                    let stored = self.stored_rooms_before(&organization.id, *end).await?;
                    if count == stored {
                        continue;
                    }
                    tracing::info!(
                        org_id = %organization.id,
                        counted = recorded.map(|recorded| recorded.rooms),
                        stored,
                        source = count,
                        before = %end,
                        "the source holds other first rooms than the milestones were computed from; walking them again"
                    );
                    let walked = self.source_milestones(organization).await?;
                    census
                        .first_rooms_changed
                        .insert(organization.id.clone(), walked);
                    let through = state.and_then(|state| state.data_through);
                    let days = milestone_days(&walked, through);
                    if days.is_empty() {
                        // No eligible room left in the source's first days: one
                        // stored day written again moves the stored milestones.
                        through.into_iter().collect()
                    } else {
                        days
                    }
                }
            };
            let organization = check.organization();
            found
                .entry(organization.id.clone())
                .or_insert_with(|| (organization.clone(), BTreeSet::new()))
                .1
                .extend(days);
        }
        census.plans = found
            .into_values()
            .filter(|(_, days)| !days.is_empty())
            .map(|(organization, days)| OrgPlan {
                organization,
                days: days.into_iter().collect(),
                finished: None,
                // Set from the states written by the run, before the plan runs.
                history: History::Unknown,
            })
            .collect();
        Ok(census)
    }

    /// The days to restate of an organization whose stored days of `total` count
    /// other rooms (`count`) than the source holds in `span`.
    async fn days_with_other_rooms(
        &self,
        organization: &Organization,
        total: &StoredRooms,
        span: &RoomSpan,
        count: i64,
    ) -> Result<Vec<NaiveDate>, AggregateError> {
        let range = DateRange::unbounded(total.first_day, total.last_day).map_err(|e| {
            AggregateError::Store(StoreError::unreadable("the stored days' span")(e))
        })?;
        let stored_days: HashMap<NaiveDate, i64> = self
            .store
            .daily_counters(&organization.id, range)
            .await?
            .into_iter()
            .map(|row| (row.day, row.eligible + row.test_chats + row.spam))
            .collect();
        let source_days: HashMap<NaiveDate, i64> = self
            .source
            .rooms_per_day(
                &organization.id,
                organization.timezone.name(),
                span.start,
                span.end,
            )
            .await?
            .into_iter()
            .collect();
        let differing: Vec<NaiveDate> = day_span(total.first_day, total.last_day)
            .into_iter()
            .filter(|day| {
                stored_days.get(day).copied().unwrap_or(0)
                    != source_days.get(day).copied().unwrap_or(0)
            })
            .collect();
        let days = self.rooms_behind(organization, &differing).await?;
        tracing::info!(
            org_id = %organization.id,
            stored = total.rooms,
            source = count,
            days = days.len(),
            "the source holds other rooms than the datamart (rows deleted or written without a new timestamp); restating those days"
        );
        Ok(days)
    }

    /// The rooms the datamart's stored days before `end` count.
    async fn stored_rooms_before(
        &self,
        org: &OrgId,
        end: NaiveDate,
    ) -> Result<i64, AggregateError> {
        let range =
            DateRange::unbounded(first_instant_day(), end - Duration::days(1)).map_err(|e| {
                AggregateError::Store(StoreError::unreadable("the first rooms' days")(e))
            })?;
        Ok(self
            .store
            .daily_counters(org, range)
            .await?
            .iter()
            .map(|row| row.eligible + row.test_chats + row.spam)
            .sum())
    }

    /// The days to restate when the rooms of `differing` days are not those stored:
    /// those days, the days of the contained rooms a vanished room had reopened,
    /// and those of the contained rooms a room that appeared may reopen (§8.2).
    async fn rooms_behind(
        &self,
        organization: &Organization,
        differing: &[NaiveDate],
    ) -> Result<Vec<NaiveDate>, AggregateError> {
        let org = &organization.id;
        let mut days: BTreeSet<NaiveDate> = differing.iter().copied().collect();
        let mut vanished = Vec::new();
        let mut visits = Vec::new();
        for chunk in chunks(differing, self.settings.chunk_days.max(1) as usize) {
            let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
                continue;
            };
            let range = DateRange::unbounded(*first, *last).map_err(|e| {
                AggregateError::Store(StoreError::unreadable("the stored days' span")(e))
            })?;
            let stored: HashSet<String> = self
                .store
                .room_outcomes(org, range)
                .await?
                .into_iter()
                .filter(|room| chunk.contains(&room.day))
                .map(|room| room.room_id)
                .collect();
            let rooms = self
                .source
                .rooms_created_between(
                    org,
                    organization.day_start(*first),
                    organization.day_start(*last + Duration::days(1)),
                )
                .await?;
            let present: HashSet<&str> = rooms.iter().map(|room| room.id.as_str()).collect();
            vanished.extend(
                stored
                    .iter()
                    .filter(|id| !present.contains(id.as_str()))
                    .cloned(),
            );
            visits.extend(
                rooms
                    .iter()
                    .filter(|room| !stored.contains(&room.id))
                    .map(|room| ContactVisit {
                        contact_id: room.contact_id.clone(),
                        at: room.created_at,
                    }),
            );
        }
        days.extend(self.store.days_naming_rooms(org, &vanished).await?);
        for room in self.source.rooms_closed_before(org, &visits).await? {
            let facts = room_facts(&room, 0, 0, None);
            if facts.is_eligible() && facts.is_contained() {
                days.insert(organization.local_date(room.created_at));
            }
        }
        Ok(days.into_iter().collect())
    }

    /// The organizations the datamart holds, by id.
    async fn stored_organizations(&self) -> Result<HashMap<OrgId, Organization>, AggregateError> {
        Ok(self
            .store
            .organizations()
            .await?
            .into_iter()
            .map(|org| (org.id.clone(), org))
            .collect())
    }

    /// A live source's organizations are copied into the datamart, so the report
    /// path never reads the source. Returns those whose days are now counted
    /// differently (time zone, business hours or holidays): all their days are
    /// restated. The datamart's own tables are their own copy, and the import marks
    /// such changes itself.
    async fn copy_organizations(
        &self,
        organizations: &[Organization],
    ) -> Result<HashSet<OrgId>, AggregateError> {
        let mut reshaped = HashSet::new();
        if self.reads_own_tables {
            return Ok(reshaped);
        }
        let stored = self.stored_organizations().await?;
        let mut changed = Vec::new();
        for organization in organizations {
            match stored.get(&organization.id) {
                Some(copy) if copy == organization => {}
                Some(copy) => {
                    if (copy.timezone, &copy.business_hours, &copy.holidays)
                        != (
                            organization.timezone,
                            &organization.business_hours,
                            &organization.holidays,
                        )
                    {
                        reshaped.insert(organization.id.clone());
                    }
                    changed.push(organization.clone());
                }
                None => changed.push(organization.clone()),
            }
        }
        if !changed.is_empty() {
            self.store.copy_organizations(&changed).await?;
        }
        Ok(reshaped)
    }

    /// Every day of every organization, from its first room to the newest room
    /// of all (`plan::everything`).
    async fn plan_everything(
        &self,
        organizations: Vec<Organization>,
        read_until: DateTime<Utc>,
    ) -> Result<Vec<OrgPlan>, AggregateError> {
        let marks = self.marks_by_organization().await?;
        let mut spans = Vec::new();
        for organization in &organizations {
            spans.push(self.local_span(organization).await?);
        }
        Ok(plan::everything(
            organizations,
            &spans,
            &marks,
            read_until,
            &self.source.identity(),
        ))
    }

    /// The nightly run (`plan::Nightly`): what changed in the source since each
    /// organization's last run is found here, and the span of its rooms read for
    /// an organization whose every day is computed again; the planner decides.
    async fn plan_nightly(
        &self,
        organizations: Vec<Organization>,
        states: &HashMap<OrgId, AggregationState>,
        reshaped: &HashSet<OrgId>,
        now: DateTime<Utc>,
        read_until: DateTime<Utc>,
    ) -> Result<Vec<OrgPlan>, AggregateError> {
        let identity = self.source.identity();
        let nightly = plan::Nightly {
            now,
            read_until,
            identity: &identity,
            settings: self.settings,
            states,
            reshaped,
        };
        let mut restatements = self.marks_by_organization().await?;
        let read_marks = nightly.read_marks(&organizations);
        self.find_changes(&organizations, &read_marks, read_until, &mut restatements)
            .await?;
        let mut plans = Vec::with_capacity(organizations.len());
        for organization in organizations {
            let restatement = restatements.remove(&organization.id).unwrap_or_default();
            let span = if nightly.every_day(&organization.id, &read_marks, &restatement) {
                Some(self.local_span(&organization).await?)
            } else {
                None
            };
            plans.push(nightly.plan(organization, restatement, span));
        }
        Ok(plans)
    }

    /// The import's marks, as org-local days per organization (all of them: a
    /// run for some organizations leaves the others' marks alone).
    async fn marks_by_organization(&self) -> Result<HashMap<OrgId, Restatement>, AggregateError> {
        let mut restatements: HashMap<OrgId, Restatement> = HashMap::new();
        let marks = self.store.restatement_marks().await?;
        if marks.is_empty() {
            // The usual night on a live source: no import has marked anything, and
            // the fleet's organizations need not be read for it.
            return Ok(restatements);
        }
        let organizations = self.stored_organizations().await?;
        for mark in marks {
            let restatement = restatements
                .entry(mark.organization_id.clone())
                .or_default();
            restatement.marks_through = Some(
                restatement
                    .marks_through
                    .map_or(mark.seq, |last| last.max(mark.seq)),
            );
            match (mark.at, organizations.get(&mark.organization_id)) {
                (Some(at), Some(organization)) => {
                    restatement.days.insert(organization.local_date(at));
                }
                _ => restatement.everything = true,
            }
        }
        Ok(restatements)
    }

    /// Changes a live source (or MongoDB) shows through its timestamps since each
    /// organization's mark, less the overlap, up to `read_until`: one pass over the
    /// whole fleet, then the days each change decides (§8.2).
    async fn find_changes(
        &self,
        organizations: &[Organization],
        marks_of: &HashMap<OrgId, Option<DateTime<Utc>>>,
        read_until: DateTime<Utc>,
        restatements: &mut HashMap<OrgId, Restatement>,
    ) -> Result<(), AggregateError> {
        // Organizations with no mark compute every day anyway.
        let Some(after) = marks_of.values().flatten().min().map(|m| *m - self.overlap) else {
            return Ok(());
        };
        if after >= read_until {
            return Ok(());
        }
        let by_id: HashMap<&OrgId, &Organization> =
            organizations.iter().map(|org| (&org.id, org)).collect();
        let mut changes: HashMap<OrgId, Vec<SourceChange>> = HashMap::new();
        for change in self
            .source
            .changes_between(after, read_until)
            .await?
            .unwrap_or_default()
        {
            if by_id.contains_key(&change.organization_id) {
                changes
                    .entry(change.organization_id.clone())
                    .or_default()
                    .push(change);
            }
        }
        let summarised = self
            .sentiment
            .changed_rooms(after, read_until)
            .await
            .unwrap_or_else(|error| {
                // The days stay as they are until a run reads the summaries; the
                // summaries' own failure marks days pending when they are computed.
                tracing::warn!(error = %error, "could not look for new summaries; they are looked for again next run");
                None
            })
            .unwrap_or_default();
        let mut summarised_by_org: HashMap<OrgId, Vec<String>> = HashMap::new();
        for (org, room) in summarised {
            if by_id.contains_key(&org) {
                summarised_by_org.entry(org).or_default().push(room);
            }
        }

        for (org, organization) in &by_id {
            let org_changes = changes.remove(*org).unwrap_or_default();
            let org_summaries = summarised_by_org.remove(*org).unwrap_or_default();
            if org_changes.is_empty() && org_summaries.is_empty() {
                continue;
            }
            let restatement = restatements.entry((*org).clone()).or_default();
            let mut visits = Vec::new();
            // The rooms that changed themselves, and those with a new summary: the
            // days their old values counted in are where the datamart has them.
            let mut named: Vec<String> = org_summaries;
            for change in &org_changes {
                restatement
                    .days
                    .insert(organization.local_date(change.created_at));
                if let Some(contact) = &change.contact_id {
                    visits.push(ContactVisit {
                        contact_id: contact.clone(),
                        at: change.created_at,
                    });
                    named.push(change.room_id.clone());
                }
            }
            for room in self.source.rooms_closed_before(org, &visits).await? {
                let facts = room_facts(&room, 0, 0, None);
                if facts.is_eligible() && facts.is_contained() {
                    restatement
                        .days
                        .insert(organization.local_date(room.created_at));
                }
            }
            named.sort_unstable();
            named.dedup();
            restatement
                .days
                .extend(self.store.days_naming_rooms(org, &named).await?);
        }
        Ok(())
    }

    /// The organization-local days of its first and last rooms.
    pub(crate) async fn local_span(
        &self,
        organization: &Organization,
    ) -> Result<Option<(NaiveDate, NaiveDate)>, AggregateError> {
        Ok(self
            .source
            .room_creation_span(&organization.id)
            .await?
            .map(|(first, last)| {
                (
                    organization.local_date(first),
                    organization.local_date(last),
                )
            }))
    }

    /// What keeps the stored onboarding baseline (docs/metrics.md §4.8) equal to what
    /// the source says: the 30 days from the first day with an AI-handled room, "still
    /// forming" (nothing stored) until the datamart reaches the 30th day. A stored
    /// baseline is recomputed only when its window moved or this run recomputed one
    /// of its days, so it outlives the retention of daily rows without ever depending
    /// on the order in which days were aggregated. The change is written with the
    /// organization's last days (`OrgWrite::baseline`).
    async fn baseline_change(
        &self,
        plan: &OrgPlan,
        progress: &PlanProgress,
    ) -> Result<BaselineWrite, AggregateError> {
        let organization = &plan.organization;
        let stored = progress.baseline;
        let window = organization
            .ai_addon
            .then_some(progress.milestones.milestones.first_ai_day)
            .flatten()
            .map(baseline::window);
        let complete =
            window.filter(|window| baseline::is_complete(*window, progress.data_through));
        let Some((first, last)) = complete else {
            return Ok(if stored.is_some() {
                BaselineWrite::Clear
            } else {
                BaselineWrite::Keep
            });
        };
        let window_rows: Vec<DailyCounters> = progress
            .rows
            .iter()
            .filter(|row| first <= row.day && row.day <= last)
            .cloned()
            .collect();
        if window_rows.is_empty() && stored.is_some_and(|b| b.first_day == first) {
            return Ok(BaselineWrite::Keep);
        }
        let whole_window = day_span(first, last);
        let rows = if window_rows.len() == whole_window.len() {
            window_rows
        } else {
            // Part of the window lies outside this run (a backfill, or days past the
            // retention): the source still has it.
            let mut rows = Vec::new();
            for chunk in chunks(&whole_window, self.settings.chunk_days.max(1) as usize) {
                rows.extend(self.compute_days(organization, &chunk, false).await?.rows);
            }
            rows
        };
        let baseline = baseline::onboarding_baseline(first, &rows);
        Ok(if stored == Some(baseline) {
            BaselineWrite::Keep
        } else {
            BaselineWrite::Set(baseline)
        })
    }

    /// The organization-local days of its first eligible room and of its first
    /// AI-handled room, walked from the source's first rooms: a backfill or late
    /// import moves them earlier, a re-import that makes the first room spam or a
    /// test chat moves them later (docs/metrics.md §3, §4.7, §4.8). Only where the
    /// run's days cannot tell (`History::Unknown`, or a stored milestone's day that
    /// lost its rooms).
    pub(crate) async fn source_milestones(
        &self,
        organization: &Organization,
    ) -> Result<Milestones, AggregateError> {
        let org = &organization.id;
        let mut milestones = Milestones::default();
        let mut after = None;
        loop {
            let page = self
                .source
                .rooms_in_creation_order(org, after, FIRST_ROOM_PAGE)
                .await?;
            let (Some(first), Some(last)) = (page.first(), page.last()) else {
                return Ok(milestones);
            };
            let eligible: Vec<&SourceRoom> = page
                .iter()
                .filter(|room| {
                    is_eligible(
                        &room.channel,
                        ClosedReason::parse(room.closed_reason.as_deref()).as_ref(),
                    )
                })
                .collect();
            if let Some(room) = eligible.first() {
                milestones
                    .first_eligible_day
                    .get_or_insert(organization.local_date(room.created_at));
                // The store's upper bound is exclusive; the page's last room is in it.
                let counts = tally_messages(
                    self.source
                        .message_counts(
                            org,
                            first.created_at,
                            last.created_at + Duration::microseconds(1),
                        )
                        .await?,
                );
                let first_ai_room = eligible.iter().find(|room| {
                    let (customer, ai) = counts.get(&room.id).copied().unwrap_or_default();
                    room_facts(room, customer, ai, None).is_ai_handled()
                });
                if let Some(room) = first_ai_room {
                    milestones.first_ai_day = Some(organization.local_date(room.created_at));
                    return Ok(milestones);
                }
            }
            after = Some((last.created_at, last.id.clone()));
        }
    }

    /// Computes one run of consecutive days of one organization from the source
    /// (`compute_batch` of one).
    pub(crate) async fn compute_days(
        &self,
        organization: &Organization,
        days: &[NaiveDate],
        read_sentiment: bool,
    ) -> Result<ComputedDays, AggregateError> {
        let run = RunOfDays {
            organization,
            days,
            holds_every_room: false,
        };
        Ok(self
            .compute_batch(&[run], read_sentiment)
            .await?
            .pop()
            .unwrap_or_default())
    }

    /// Computes runs of consecutive days (each of one organization) from the source,
    /// reading all their rooms, message counts and sentiment together. Without
    /// `read_sentiment` the sentiment sums stay empty (for figures that do not use
    /// them). A day's row depends only on the source, never on which other days are
    /// computed with it. A span's message counts and sentiment are looked up by
    /// its rooms' ids, never counted or walked: a span that holds every room may
    /// bring other rooms' (`RoomSpan::holds_every_room`).
    pub(crate) async fn compute_batch(
        &self,
        runs: &[RunOfDays<'_>],
        read_sentiment: bool,
    ) -> Result<Vec<ComputedDays>, AggregateError> {
        let spans: Vec<RoomSpan> = runs
            .iter()
            .map(|run| RoomSpan {
                holds_every_room: run.holds_every_room,
                ..run_span(run.organization, run.days)
            })
            .collect();
        if spans.is_empty() {
            return Ok(Vec::new());
        }
        // A sentiment source that reads by span (the source's own summaries) is read
        // beside the rooms; one that needs the room ids (MongoDB) after them. Read
        // beside, its time limit also covers any wait for a free reading connection.
        let by_span = read_sentiment && self.sentiment.reads_by_span();
        let span_requests: Vec<SentimentRequest<'_>> = spans
            .iter()
            .map(|span| SentimentRequest {
                organization: &span.organization_id,
                room_ids: &[],
                start: span.start,
                end: span.end,
                holds_every_room: span.holds_every_room,
            })
            .collect();
        let started = std::time::Instant::now();
        let (source_rooms, messages, read_beside) = tokio::join!(
            self.source.rooms_in_spans(&spans),
            self.source.message_counts_in_spans(&spans),
            async {
                if by_span {
                    Some(self.sentiment.sentiments(&span_requests).await)
                } else {
                    None
                }
            },
        );
        let reading = started.elapsed();
        let (source_rooms, messages) = (source_rooms?, messages?);
        let messages: Vec<HashMap<String, (i64, i64)>> =
            messages.into_iter().map(tally_messages).collect();
        let (sentiments, pending) = if read_sentiment {
            self.sentiment_of(&spans, &source_rooms, read_beside).await
        } else {
            (Vec::new(), false)
        };
        let no_sentiment = HashMap::new();

        let facts: Vec<Vec<RoomFacts>> = source_rooms
            .iter()
            .enumerate()
            .map(|(index, rooms)| {
                let sentiments = sentiments.get(index).unwrap_or(&no_sentiment);
                rooms
                    .iter()
                    .map(|room| {
                        let (customer_messages, ai_messages) =
                            messages[index].get(&room.id).copied().unwrap_or_default();
                        room_facts(
                            room,
                            customer_messages,
                            ai_messages,
                            sentiments.get(&room.id).and_then(|s| s.normalised()),
                        )
                    })
                    .collect()
            })
            .collect();

        let (follow_ups, following) = timed(self.follow_ups(&facts, &spans)).await;
        let follow_ups = follow_ups?;

        let mut computed = Vec::with_capacity(runs.len());
        for (index, run) in runs.iter().enumerate() {
            let (organization, days) = (run.organization, run.days);
            let reopens = ReopenIndex::new(
                source_rooms[index]
                    .iter()
                    .chain(follow_ups[index].iter())
                    .filter(|room| {
                        is_eligible(
                            &room.channel,
                            ClosedReason::parse(room.closed_reason.as_deref()).as_ref(),
                        )
                    })
                    .map(|room| (room.contact_id.clone(), room.id.clone(), room.created_at)),
            );
            let rooms = &facts[index];
            let outcomes = room_outcomes(organization, days, rooms, &reopens, pending);
            let rows = tally_days(days, &outcomes, pending);
            computed.push(ComputedDays {
                rows,
                outcomes,
                rooms: rooms.len() as u64,
                sentiment_pending: pending,
            });
        }
        tracing::debug!(
            runs = runs.len(),
            reading_millis = reading.as_millis() as u64,
            follow_ups_millis = following.as_millis() as u64,
            total_millis = started.elapsed().as_millis() as u64,
            "computed days"
        );
        Ok(computed)
    }

    /// The sentiment of each span's rooms, and whether it is pending (the source
    /// failed: the days are marked and retried next run). `read_beside` is what a
    /// source that reads by span already returned beside the rooms.
    async fn sentiment_of(
        &self,
        spans: &[RoomSpan],
        source_rooms: &[Vec<SourceRoom>],
        read_beside: Option<Result<Vec<HashMap<String, RawSentiment>>, SentimentError>>,
    ) -> (Vec<HashMap<String, RawSentiment>>, bool) {
        let found = match read_beside {
            Some(found) => found,
            None => {
                let room_ids: Vec<Vec<String>> = source_rooms
                    .iter()
                    .map(|rooms| rooms.iter().map(|room| room.id.clone()).collect())
                    .collect();
                let requests: Vec<SentimentRequest<'_>> = spans
                    .iter()
                    .zip(&room_ids)
                    .map(|(span, room_ids)| SentimentRequest {
                        organization: &span.organization_id,
                        room_ids,
                        start: span.start,
                        end: span.end,
                        holds_every_room: span.holds_every_room,
                    })
                    .collect();
                self.sentiment.sentiments(&requests).await
            }
        };
        match found {
            Ok(found) => (found, false),
            Err(error) => {
                tracing::warn!(
                    organizations = spans.len(),
                    first_org = %spans[0].organization_id,
                    source = self.sentiment.name(),
                    error = %error,
                    "sentiment unavailable; these days are marked pending and retried next run"
                );
                (Vec::new(), true)
            }
        }
    }

    /// The rooms each span's customers may have come back with. A customer may come
    /// back in the 48 hours after a contained room closes, wherever those hours lie:
    /// after these days (the usual case), or before them when a bad source row closes
    /// before it opens. Read exactly the rooms those windows need, for every span at
    /// once, so the answer never depends on how days are chunked or batched.
    async fn follow_ups(
        &self,
        facts: &[Vec<RoomFacts>],
        spans: &[RoomSpan],
    ) -> Result<Vec<Vec<SourceRoom>>, AggregateError> {
        let mut follow_up_spans = Vec::new();
        let mut follow_up_owner = Vec::new();
        for (index, (rooms, span)) in facts.iter().zip(spans).enumerate() {
            let closes = rooms
                .iter()
                .filter(|room| room.is_eligible() && room.is_contained())
                .filter_map(|room| room.closed_at);
            for (from, until) in follow_up_windows(closes, span.start, span.end) {
                follow_up_spans.push(RoomSpan {
                    organization_id: span.organization_id.clone(),
                    start: from,
                    end: until,
                    holds_every_room: false,
                });
                follow_up_owner.push(index);
            }
        }
        let mut follow_ups: Vec<Vec<SourceRoom>> = vec![Vec::new(); spans.len()];
        if !follow_up_spans.is_empty() {
            for (owner, rooms) in follow_up_owner
                .into_iter()
                .zip(self.source.rooms_in_spans(&follow_up_spans).await?)
            {
                follow_ups[owner].extend(rooms);
            }
        }
        Ok(follow_ups)
    }
}

/// A batch's write, ended: how it went, how long it took, and the plans whose last
/// days it held.
struct Written {
    result: Result<(), AggregateError>,
    took: std::time::Duration,
    finished: Vec<usize>,
}

/// A run's batch writes in flight, oldest first (`execute_all`). They make progress
/// only while polled, so whatever the run awaits meanwhile goes through `beside`.
struct InFlight<W: std::future::Future<Output = Written>> {
    writes: FuturesOrdered<W>,
    /// Plans whose last days are committed: what they were kept for is done.
    ended: Vec<usize>,
    /// The first write that failed; every write after it fails too (`WriteTurn`).
    failed: Option<AggregateError>,
    /// The writes' own times, summed (they overlap where two are in flight).
    writing: std::time::Duration,
}

impl<W: std::future::Future<Output = Written>> InFlight<W> {
    fn new() -> Self {
        InFlight {
            writes: FuturesOrdered::new(),
            ended: Vec::new(),
            failed: None,
            writing: std::time::Duration::ZERO,
        }
    }

    fn len(&self) -> usize {
        self.writes.len()
    }

    fn push(&mut self, write: W) {
        self.writes.push_back(write);
    }

    fn take(&mut self, written: Written) {
        self.writing += written.took;
        match written.result {
            Ok(()) => self.ended.extend(written.finished),
            Err(error) => {
                self.failed.get_or_insert(error);
            }
        }
    }

    /// Runs `work` while the writes in flight go on.
    async fn beside<T>(&mut self, work: impl std::future::Future<Output = T>) -> T {
        tokio::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => return done,
                Some(written) = self.writes.next() => self.take(written),
            }
        }
    }

    /// Waits for the oldest write to end.
    async fn wait_for_one(&mut self) {
        if let Some(written) = self.writes.next().await {
            self.take(written);
        }
    }

    /// Releases what the ended writes' plans were kept for; says whether a write
    /// failed (the run then stops, and `finish` returns the error).
    fn release(&mut self, progress: &mut [PlanProgress]) -> bool {
        for plan in self.ended.drain(..) {
            progress[plan].release();
        }
        self.failed.is_some()
    }

    /// Ends every write in flight: the first write error, if any.
    async fn finish(&mut self) -> Result<(), AggregateError> {
        while let Some(written) = self.writes.next().await {
            self.take(written);
        }
        self.failed.take().map_or(Ok(()), Err)
    }
}

/// Where a run's batches spent their time, logged once a run: a batch is read and
/// computed while the ones before it are written, so whichever is slower sets the
/// pace, and `waiting_on_writes` says how much of it the datamart's writes set.
/// `writing` sums the writes' own times (a write's wait for its turn included),
/// which overlap where two are in flight.
#[derive(Default)]
struct Phases {
    counting: std::time::Duration,
    computing: std::time::Duration,
    writing: std::time::Duration,
    waiting_on_writes: std::time::Duration,
}

impl Phases {
    fn log(&self, batches: usize) {
        let millis = |duration: std::time::Duration| duration.as_millis() as u64;
        tracing::info!(
            batches,
            counting_millis = millis(self.counting),
            reading_and_computing_millis = millis(self.computing),
            writing_millis = millis(self.writing),
            waiting_on_writes_millis = millis(self.waiting_on_writes),
            "batches computed and written"
        );
    }
}

/// Runs `future` and says how long it took.
async fn timed<F: std::future::Future>(future: F) -> (F::Output, std::time::Duration) {
    let started = std::time::Instant::now();
    let output = future.await;
    (output, started.elapsed())
}

/// Rooms a batch holds at most (as counted before it is read), unless one run of
/// days alone holds more: what a run keeps in memory grows with this, not with the
/// fleet (docs/performance.md measures it).
const ROOMS_PER_BATCH: i64 = 20_000;

/// The fault hook of the crash tests (tests/it/crashes.rs): with
/// `IMPACT_TEST_CRASH_BEFORE_WRITE=N` in its environment, the process aborts, as a
/// `kill -9` would stop it, just before its (N + 1)-th batch write begins. On
/// PostgreSQL the N-th may still be in flight then; what is committed is always
/// the first batches, as the writes commit in order. Unset (always, outside those
/// tests), it does nothing.
fn crash_before_write() {
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let Some(limit) = std::env::var("IMPACT_TEST_CRASH_BEFORE_WRITE")
        .ok()
        .and_then(|value| value.parse::<u64>().ok())
    else {
        return;
    };
    if WRITES.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= limit {
        std::process::abort();
    }
}

/// Runs of days one batch holds at most (also the spans of one count). Smaller
/// batches let the writes overlap more of the reads; larger ones read the source in
/// fewer statements: 250, 500, 1 000 and 5 000 were measured (docs/performance.md).
const SPANS_PER_BATCH: usize = 500;

/// A batch's items with the consecutive days of one plan joined (`joined_runs`).
struct Run {
    plan: usize,
    days: Vec<NaiveDate>,
    /// The index of the last item joined.
    last_item: usize,
}

/// The items of `range` as runs: an item that goes on the days of the item before
/// it (the same plan, the next day) joins its run. A run is read as one span, and
/// the rooms its customers may come back with are read once, after its last day,
/// rather than after each item's; the items are kept apart only to bound a batch.
fn joined_runs(items: &[WorkItem], range: std::ops::Range<usize>) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for at in range {
        let item = &items[at];
        match runs.last_mut() {
            Some(run)
                if run.plan == item.plan
                    && run
                        .days
                        .last()
                        .zip(item.days.first())
                        .is_some_and(|(last, first)| *last + Duration::days(1) == *first) =>
            {
                run.days.extend_from_slice(&item.days);
                run.last_item = at;
            }
            _ => runs.push(Run {
                plan: item.plan,
                days: item.days.clone(),
                last_item: at,
            }),
        }
    }
    runs
}

/// Consecutive days of one organization, computed together (`compute_batch`).
pub(crate) struct RunOfDays<'a> {
    pub(crate) organization: &'a Organization,
    pub(crate) days: &'a [NaiveDate],
    /// The days hold every room of the organization (`RoomSpan::holds_every_room`):
    /// all the days of a plan that reads its whole history (`History::Whole`).
    pub(crate) holds_every_room: bool,
}

impl<'a> RunOfDays<'a> {
    /// A run of some of `plan`'s days.
    fn of(plan: &'a OrgPlan, days: &'a [NaiveDate]) -> Self {
        RunOfDays {
            organization: &plan.organization,
            days,
            holds_every_room: plan.history == History::Whole && days == plan.days.as_slice(),
        }
    }
}

/// One run of consecutive days of one plan.
struct WorkItem {
    plan: usize,
    days: Vec<NaiveDate>,
}

impl WorkItem {
    fn span(&self, organization: &Organization) -> Option<RoomSpan> {
        (!self.days.is_empty()).then(|| run_span(organization, &self.days))
    }
}

/// The creation-time span of an organization's run of local days.
fn run_span(organization: &Organization, days: &[NaiveDate]) -> RoomSpan {
    let first = days.first().copied().unwrap_or_default();
    let last = days.last().copied().unwrap_or(first);
    RoomSpan {
        organization_id: organization.id.clone(),
        start: organization.day_start(first),
        end: organization.day_start(last + Duration::days(1)),
        holds_every_room: false,
    }
}

/// Splits the items, in order, into batches of at most `ROOMS_PER_BATCH` rooms (by
/// `weights`, one per item) and `SPANS_PER_BATCH` items; an item heavier than the
/// bound is a batch of its own.
fn pack(items: &[WorkItem], weights: &[i64]) -> Vec<std::ops::Range<usize>> {
    let mut batches = Vec::new();
    let mut start = 0;
    let mut rooms = 0;
    for (index, weight) in weights.iter().enumerate().take(items.len()) {
        if index > start && (rooms + weight > ROOMS_PER_BATCH || index - start >= SPANS_PER_BATCH) {
            batches.push(start..index);
            start = index;
            rooms = 0;
        }
        rooms += weight;
    }
    if start < items.len() {
        batches.push(start..items.len());
    }
    batches
}

/// Customer and AI message counts by room, to be looked up by room id (the counts
/// may hold rooms outside the span, `RoomSpan::holds_every_room`).
fn tally_messages(counts: Vec<MessageCount>) -> HashMap<String, (i64, i64)> {
    let mut messages: HashMap<String, (i64, i64)> = HashMap::new();
    for count in counts {
        let entry = messages.entry(count.room_id).or_default();
        match SenderType::parse(&count.sender_type) {
            SenderType::Customer => entry.0 += count.count,
            SenderType::Ai => entry.1 += count.count,
            _ => {}
        }
    }
    messages
}

/// The milestones after a run that computed `rows`, or `None` when the run cannot
/// tell (a stored milestone's day has lost its rooms, or nothing is known): the
/// first day with an eligible room, and with an AI-handled one.
fn milestones_after(history: &History, rows: &[DailyCounters]) -> Option<Milestones> {
    let first = |count: fn(&DailyCounters) -> i64| {
        rows.iter()
            .filter(|row| count(row) > 0)
            .map(|row| row.day)
            .min()
    };
    let eligible = |row: &DailyCounters| row.eligible;
    let ai_handled = |row: &DailyCounters| row.ai_handled;
    match history {
        History::Whole => Some(Milestones {
            first_eligible_day: first(eligible),
            first_ai_day: first(ai_handled),
        }),
        History::Unknown => None,
        History::Known(stored) => {
            let moved = |day: Option<NaiveDate>, count: fn(&DailyCounters) -> i64| match day {
                // The run recomputed the milestone's own day and found none there:
                // the next one may lie on any later day outside the run.
                Some(day) if rows.iter().any(|row| row.day == day && count(row) == 0) => None,
                Some(day) => Some(Some(first(count).map_or(day, |found| found.min(day)))),
                None => Some(first(count)),
            };
            Some(Milestones {
                first_eligible_day: moved(stored.first_eligible_day, eligible)?,
                first_ai_day: moved(stored.first_ai_day, ai_handled)?,
            })
        }
    }
}

/// What a run has computed of one plan so far, and what it knew before.
struct PlanProgress {
    /// Every daily row computed for the plan (for its milestones and baseline).
    rows: Vec<DailyCounters>,
    /// How many of `rows` are already in a write.
    written_rows: usize,
    /// Outcomes not yet handed to a write.
    outcomes: Vec<RoomOutcome>,
    /// The stored milestones until the plan's last days are computed, then the new.
    milestones: StoredMilestones,
    /// The latest day written for the organization, with this run's.
    data_through: Option<NaiveDate>,
    baseline: Option<Baseline>,
}

impl PlanProgress {
    fn new(plan: &OrgPlan, state: Option<&AggregationState>) -> Self {
        let stored = state.cloned().unwrap_or_default();
        Self {
            rows: Vec::new(),
            written_rows: 0,
            outcomes: Vec::new(),
            milestones: stored.milestones,
            data_through: stored.data_through.max(plan.days.last().copied()),
            baseline: stored.baseline,
        }
    }

    fn add(&mut self, computed: ComputedDays) {
        self.rows.extend(computed.rows);
        self.outcomes.extend(computed.outcomes);
    }

    /// Drops the rows once the plan's last days are written and its baseline is
    /// brought up to date, so a run keeps only the plans in flight.
    fn release(&mut self) {
        self.rows = Vec::new();
        self.outcomes = Vec::new();
        self.written_rows = 0;
    }

    /// The rows and outcomes computed since the last write.
    fn take_unwritten(&mut self) -> (Vec<DailyCounters>, Vec<RoomOutcome>) {
        let rows = self.rows[self.written_rows..].to_vec();
        self.written_rows = self.rows.len();
        (rows, std::mem::take(&mut self.outcomes))
    }
}

/// The counters of a run of days, as computed from the source.
#[derive(Debug, Default)]
pub(crate) struct ComputedDays {
    pub(crate) rows: Vec<DailyCounters>,
    /// The room behind each count of `rows`.
    pub(crate) outcomes: Vec<RoomOutcome>,
    pub(crate) rooms: u64,
    pub(crate) sentiment_pending: bool,
}

/// The creation-time windows `[from, until)` whose rooms could be a follow-up of a
/// room closed at one of `closes` (`closed_at < R2.created_at ≤ closed_at + 48 h`),
/// merged, without `[start, end)`, whose rooms are read anyway.
fn follow_up_windows(
    closes: impl Iterator<Item = DateTime<Utc>>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    // The store's upper bound is exclusive; the 48-hour bound is inclusive.
    let reach = Duration::hours(REOPEN_WINDOW_HOURS) + Duration::microseconds(1);
    let mut windows: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        closes.map(|closed| (closed, closed + reach)).collect();
    windows.sort_unstable();
    let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (from, until) in windows {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(until),
            _ => merged.push((from, until)),
        }
    }
    let mut outside = Vec::new();
    for (from, until) in merged {
        if from < start {
            outside.push((from, until.min(start)));
        }
        if until > end {
            outside.push((from.max(end), until));
        }
    }
    outside
}

fn room_facts(
    room: &SourceRoom,
    customer_messages: i64,
    ai_messages: i64,
    sentiment: Option<f64>,
) -> RoomFacts {
    RoomFacts {
        id: room.id.clone(),
        contact_id: room.contact_id.clone(),
        channel: room.channel.clone(),
        created_at: room.created_at,
        closed_at: room.closed_at,
        closed_reason: ClosedReason::parse(room.closed_reason.as_deref()),
        agent_attached: room
            .assign_channel_agent_id
            .as_deref()
            .is_some_and(|agent| !agent.trim().is_empty()),
        customer_messages,
        ai_messages,
        sentiment,
    }
}

/// Splits sorted days into runs of consecutive days, each at most `size` long.
pub(crate) fn chunks(days: &[NaiveDate], size: usize) -> Vec<Vec<NaiveDate>> {
    let mut chunks: Vec<Vec<NaiveDate>> = Vec::new();
    for day in days {
        match chunks.last_mut() {
            Some(chunk)
                if chunk.len() < size
                    && chunk
                        .last()
                        .is_some_and(|last| *last + Duration::days(1) == *day) =>
            {
                chunk.push(*day)
            }
            _ => chunks.push(vec![*day]),
        }
    }
    chunks
}

pub(crate) fn progress_bar(show: bool, length: u64) -> ProgressBar {
    if !show || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "aggregating {msg:>20} [{bar:30}] {pos}/{len} org-days eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn chunks_split_gaps_and_long_runs() {
        let days = vec![
            day("2026-10-01"),
            day("2026-10-02"),
            day("2026-10-03"),
            day("2026-10-05"),
        ];
        let chunks = chunks(&days, 2);
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0], vec![day("2026-10-01"), day("2026-10-02")]);
        assert_eq!(chunks[2], vec![day("2026-10-05")]);
    }

    fn row(text: &str, eligible: i64, ai_handled: i64) -> DailyCounters {
        let mut row = DailyCounters::empty(day(text));
        row.eligible = eligible;
        row.ai_handled = ai_handled;
        row
    }

    #[test]
    fn milestones_are_read_off_the_days_a_run_computed() {
        let rows = [
            row("2026-10-01", 0, 0),
            row("2026-10-02", 3, 0),
            row("2026-10-03", 2, 1),
        ];
        let found = Milestones {
            first_eligible_day: Some(day("2026-10-02")),
            first_ai_day: Some(day("2026-10-03")),
        };
        assert_eq!(milestones_after(&History::Whole, &rows), Some(found));
        assert_eq!(milestones_after(&History::Unknown, &rows), None);
        // Stored ones on later days outside the run: the run's days are earlier.
        let later = Milestones {
            first_eligible_day: Some(day("2026-10-09")),
            first_ai_day: Some(day("2026-10-09")),
        };
        assert_eq!(milestones_after(&History::Known(later), &rows), Some(found));
        // Stored ones on earlier days outside the run stay.
        let earlier = Milestones {
            first_eligible_day: Some(day("2026-09-01")),
            first_ai_day: None,
        };
        assert_eq!(
            milestones_after(&History::Known(earlier), &rows),
            Some(Milestones {
                first_eligible_day: Some(day("2026-09-01")),
                first_ai_day: Some(day("2026-10-03")),
            })
        );
        // The stored first day lost its rooms: only the source can say what follows.
        let emptied = Milestones {
            first_eligible_day: Some(day("2026-10-01")),
            first_ai_day: None,
        };
        assert_eq!(milestones_after(&History::Known(emptied), &rows), None);
        let ai_emptied = Milestones {
            first_eligible_day: Some(day("2026-09-01")),
            first_ai_day: Some(day("2026-10-02")),
        };
        assert_eq!(milestones_after(&History::Known(ai_emptied), &rows), None);
    }

    #[test]
    fn batches_hold_a_bounded_number_of_rooms() {
        let items: Vec<WorkItem> = (0..5)
            .map(|plan| WorkItem {
                plan,
                days: vec![day("2026-10-01")],
            })
            .collect();
        let weights = [15_000, 5_000, 1, ROOMS_PER_BATCH * 2, 0];
        assert_eq!(pack(&items, &weights), vec![0..2, 2..3, 3..4, 4..5]);
        let many: Vec<WorkItem> = (0..SPANS_PER_BATCH + 1)
            .map(|plan| WorkItem {
                plan,
                days: vec![day("2026-10-01")],
            })
            .collect();
        let weights = vec![0; many.len()];
        assert_eq!(
            pack(&many, &weights),
            vec![0..SPANS_PER_BATCH, SPANS_PER_BATCH..SPANS_PER_BATCH + 1]
        );
        assert!(pack(&[], &[]).is_empty());
    }

    #[test]
    fn a_batch_reads_each_plans_consecutive_days_as_one_run() {
        let item = |plan, days: &[&str]| WorkItem {
            plan,
            days: days.iter().map(|text| day(text)).collect(),
        };
        let items = vec![
            item(0, &["2026-10-01", "2026-10-02"]),
            item(0, &["2026-10-03", "2026-10-04"]),
            // A gap: the plan's days go on after a day it does not compute.
            item(0, &["2026-10-06"]),
            item(1, &["2026-10-07"]),
            item(1, &["2026-10-08"]),
            item(2, &["2026-10-09"]),
        ];
        let runs = joined_runs(&items, 0..items.len());
        let shape: Vec<(usize, usize, usize)> = runs
            .iter()
            .map(|run| (run.plan, run.days.len(), run.last_item))
            .collect();
        assert_eq!(shape, vec![(0, 4, 1), (0, 1, 2), (1, 2, 4), (2, 1, 5)]);
        assert_eq!(runs[0].days.first(), Some(&day("2026-10-01")));
        assert_eq!(runs[0].days.last(), Some(&day("2026-10-04")));
        // A batch that starts inside a plan's days joins only its own items.
        let runs = joined_runs(&items, 1..4);
        let shape: Vec<(usize, usize, usize)> = runs
            .iter()
            .map(|run| (run.plan, run.days.len(), run.last_item))
            .collect();
        assert_eq!(shape, vec![(0, 2, 1), (0, 1, 2), (1, 1, 3)]);
        assert!(joined_runs(&items, 0..0).is_empty());
    }

    /// Only a run of all the days of a plan that reads the whole history holds
    /// every room, and may read its organization's rows at once.
    #[test]
    fn a_run_holds_every_room_only_with_all_the_days_of_a_whole_history() {
        let organization = Organization {
            id: OrgId::parse("org_a").expect("an id"),
            name: "Toko A".into(),
            ai_addon: true,
            timezone: Organization::parse_timezone("Asia/Jakarta").expect("a zone"),
            business_hours: None,
            holidays: Default::default(),
        };
        let days = day_span(day("2026-11-01"), day("2026-11-30"));
        let plan = |history| OrgPlan {
            organization: organization.clone(),
            days: days.clone(),
            finished: None,
            history,
        };
        let whole = plan(History::Whole);
        assert!(RunOfDays::of(&whole, &days).holds_every_room);
        assert!(!RunOfDays::of(&whole, &days[..29]).holds_every_room);
        assert!(!RunOfDays::of(&whole, &days[1..]).holds_every_room);
        for history in [History::Unknown, History::Known(Milestones::default())] {
            assert!(!RunOfDays::of(&plan(history), &days).holds_every_room);
        }
    }

    #[test]
    fn shards_partition_organizations() {
        let shards: Vec<Shard> = (0..3)
            .map(|i| Shard::parse(&format!("{i}/3")).unwrap())
            .collect();
        for n in 0..50 {
            let org = OrgId::parse(&format!("org_{n}")).unwrap();
            assert_eq!(shards.iter().filter(|s| s.includes(&org)).count(), 1);
        }
        assert!(Shard::parse("3/3").is_err());
        assert!(Shard::parse("1/0").is_err());
        assert!(Shard::parse("one/two").is_err());
    }
}
