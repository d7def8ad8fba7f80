//! The nightly aggregation: reads source rooms, their message counts and sentiment,
//! applies the pure rules of `metrics::rooms`, and upserts whole org-days into the
//! datamart. Re-running it for the same days replaces those days, so it never
//! double-counts; a crash leaves each org-day either old or new, never half-written.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::IsTerminal;

use chrono::{DateTime, Duration, Months, NaiveDate, Timelike, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::domain::{ClosedReason, DateRange, OrgId, Organization, SenderType};
use crate::metrics::baseline;
use crate::metrics::rooms::{
    is_eligible, room_outcomes, tally_days, ReopenIndex, RoomFacts, RoomOutcome,
    REOPEN_WINDOW_HOURS,
};
use crate::metrics::DailyCounters;
use crate::sentiment::{SentimentRequest, SentimentSource};
use crate::settings::AggregationSettings;
use crate::source::{ContactVisit, RoomSpan, Source, SourceChange};
use crate::store::{FinishedRead, SourceRoom, Store, StoreError};

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

pub struct Aggregator<'a> {
    /// The datamart, where the results go (and, for the embedded default, the
    /// import's marks).
    pub store: &'a dyn Store,
    /// Where the conversations are read: the datamart's own tables or a live source.
    pub source: &'a dyn Source,
    pub sentiment: &'a dyn SentimentSource,
    pub settings: &'a AggregationSettings,
    /// How far before its last mark a run looks for changes (§8.3 `overlap_seconds`).
    pub overlap: Duration,
}

/// Rooms read per page when looking for an organization's first eligible and
/// first AI-handled rooms.
const FIRST_ROOM_PAGE: i64 = 1000;

/// Organizations computed and written at once; each may use two connections (the
/// next chunk read while the last is written), so four fill the default pool of 8.
const ORGANIZATIONS_AT_ONCE: usize = 4;

/// What one run does for one organization.
pub(crate) struct OrgPlan {
    pub(crate) organization: Organization,
    pub(crate) days: Vec<NaiveDate>,
    /// Written with the organization's last days: how far the source was read and
    /// which marks were restated. `None` for a run of given days, which leaves the
    /// marks for the run that restates them.
    pub(crate) finished: Option<FinishedRead>,
}

/// What changed in the source since an organization's last run, as org-local days
/// to restate (METRICS.md §8.2).
#[derive(Default)]
struct Restatement {
    days: BTreeSet<NaiveDate>,
    /// Every day may have changed (new time zone, business hours or holidays).
    everything: bool,
    /// The organization's last mark this run restates.
    marks_through: Option<i64>,
}

impl Aggregator<'_> {
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

        let plans = match request.scope {
            Scope::Days { from, to } => organizations
                .into_iter()
                .map(|organization| OrgPlan {
                    organization,
                    days: day_span(from, to),
                    finished: None,
                })
                .collect(),
            Scope::AllData => self.plan_everything(organizations, read_until).await?,
            Scope::Nightly { now } => {
                self.plan_nightly(organizations, &reshaped, now, read_until)
                    .await?
            }
        };
        let total_days: usize = plans.iter().map(|plan| plan.days.len()).sum();
        let bar = progress_bar(request.show_progress, total_days as u64);

        let mut summary = Summary::default();
        let in_run: Vec<Organization> = plans.iter().map(|p| p.organization.clone()).collect();
        self.execute_all(plans, &bar, &mut summary).await?;
        if let Scope::Nightly { now } = request.scope {
            let census = self
                .census(&in_run, retention_cutoff(now, self.settings))
                .await?;
            self.execute_all(census, &bar, &mut summary).await?;
        }
        bar.finish_and_clear();
        // The census may have run an organization a second time.
        summary.refreshed.sort_unstable();
        summary.refreshed.dedup();
        summary.organizations = summary.refreshed.len();
        tracing::debug!(source = %identity, "aggregation run finished");

        if let Scope::Nightly { now } = request.scope {
            summary.expired_rows_deleted = self
                .store
                .delete_days_before(retention_cutoff(now, self.settings))
                .await?;
        }
        // After retention, so the statistics describe the rows that stay.
        if summary.days > 0 {
            self.store.refresh_statistics().await?;
        }
        Ok(summary)
    }

    /// Computes and writes the plans, a few organizations at a time: each one's work
    /// is its own (its reads, its transactions, its marks and baseline), and with
    /// thousands of small organizations a run waits on round trips, not on work.
    /// The first failure stops the run; the organizations already written stay so.
    async fn execute_all(
        &self,
        plans: Vec<OrgPlan>,
        bar: &ProgressBar,
        summary: &mut Summary,
    ) -> Result<(), AggregateError> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        let parts: Vec<Summary> = stream::iter(plans)
            .map(|plan| async move {
                let mut part = Summary::default();
                self.execute(plan, bar, &mut part).await.map(|()| part)
            })
            .buffer_unordered(ORGANIZATIONS_AT_ONCE)
            .try_collect()
            .await?;
        for part in parts {
            summary.rooms += part.rooms;
            summary.days += part.days;
            summary.sentiment_pending_days += part.sentiment_pending_days;
            summary.organizations += part.organizations;
            summary.refreshed.extend(part.refreshed);
        }
        Ok(())
    }

    /// Computes and writes one organization's planned days.
    pub(crate) async fn execute(
        &self,
        plan: OrgPlan,
        bar: &ProgressBar,
        summary: &mut Summary,
    ) -> Result<(), AggregateError> {
        let OrgPlan {
            organization,
            days,
            finished,
        } = plan;
        if days.is_empty() {
            // Nothing to compute, but restated marks are still cleared and the
            // mark moved, so the next run looks only at newer changes.
            if let Some(finished) = finished {
                let milestones = self.source_milestones(&organization).await?;
                self.store
                    .write_days(
                        &organization.id,
                        &[],
                        Vec::new(),
                        milestones.first_eligible_day,
                        Some(&finished),
                    )
                    .await?;
            }
            return Ok(());
        }
        bar.set_message(organization.id.to_string());
        let milestones = self.source_milestones(&organization).await?;
        let baseline_window = milestones.first_ai_day.map(baseline::window);
        let mut window_rows = Vec::new();
        // Each chunk is written while the next one is read and computed: the
        // reads touch only the source tables and the writes only the datamart,
        // so on two connections the two overlap instead of adding up. Each
        // chunk's write stays one transaction, exactly as when run in turn.
        let mut unwritten: Option<ComputedDays> = None;
        for chunk in chunks(&days, self.settings.chunk_days.max(1) as usize) {
            let (computed, written) = tokio::join!(
                self.compute_days(&organization, &chunk, true),
                self.write_computed(&organization, unwritten.take(), &milestones, None),
            );
            written?;
            let computed = computed?;
            if let Some((first, last)) = baseline_window {
                window_rows.extend(
                    computed
                        .rows
                        .iter()
                        .filter(|row| first <= row.day && row.day <= last)
                        .cloned(),
                );
            }
            summary.rooms += computed.rooms;
            summary.days += chunk.len();
            if computed.sentiment_pending {
                summary.sentiment_pending_days += chunk.len();
            }
            unwritten = Some(computed);
            bar.inc(chunk.len() as u64);
        }
        // The last chunk's transaction also records how far the source was read
        // and clears the restated marks: a crash before it leaves both as they
        // were, and the next run does the work again.
        self.write_computed(
            &organization,
            unwritten.take(),
            &milestones,
            finished.as_ref(),
        )
        .await?;
        self.refresh_baseline(&organization, baseline_window, window_rows)
            .await?;
        summary.organizations += 1;
        summary.refreshed.push(organization.id.clone());
        Ok(())
    }

    /// A room deleted from a live source leaves no timestamp. After a nightly run
    /// every organization's stored days should hold exactly the source's rooms of
    /// those days: one count over the whole fleet finds the organizations where they
    /// do not, and a count per day finds the days to restate (METRICS.md §8.3; what
    /// even this misses, `impact verify` finds).
    async fn census(
        &self,
        organizations: &[Organization],
        cutoff: NaiveDate,
    ) -> Result<Vec<OrgPlan>, AggregateError> {
        let stored = self.store.stored_room_totals(cutoff).await?;
        let mut checked = Vec::new();
        let mut spans = Vec::new();
        for organization in organizations {
            if let Some(total) = stored.iter().find(|t| t.organization_id == organization.id) {
                spans.push(RoomSpan {
                    organization_id: organization.id.clone(),
                    start: organization.day_start(total.first_day),
                    end: organization.day_start(total.last_day + Duration::days(1)),
                });
                checked.push((organization, total));
            }
        }
        let Some(counts) = self.source.count_rooms(&spans).await? else {
            return Ok(Vec::new());
        };
        let mut plans = Vec::new();
        for (((organization, total), span), count) in checked.into_iter().zip(&spans).zip(counts) {
            if count == total.rooms {
                continue;
            }
            let range = DateRange::unbounded(total.first_day, total.last_day)
                .map_err(|e| AggregateError::Store(StoreError::Invalid(e.to_string())))?;
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
            plans.push(OrgPlan {
                organization: organization.clone(),
                days,
                finished: None,
            });
        }
        Ok(plans)
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
            let range = DateRange::unbounded(*first, *last)
                .map_err(|e| AggregateError::Store(StoreError::Invalid(e.to_string())))?;
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
        if self.source.identity() == self.store.own_source().identity() {
            return Ok(reshaped);
        }
        let stored: HashMap<OrgId, Organization> = self
            .store
            .organizations()
            .await?
            .into_iter()
            .map(|org| (org.id.clone(), org))
            .collect();
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

    /// Every day of every organization, from its first room to the newest local day
    /// of data of any organization (so a quiet organization's report is as fresh as
    /// everyone else's); every mark is restated on the way.
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
        let newest = spans.iter().flatten().map(|(_, last)| *last).max();
        Ok(organizations
            .into_iter()
            .zip(spans)
            .map(|(organization, span)| {
                let days = match (span, newest) {
                    (Some((first, _)), Some(newest)) => day_span(first, newest),
                    _ => Vec::new(),
                };
                let marks_through = marks.get(&organization.id).and_then(|r| r.marks_through);
                let finished =
                    (!days.is_empty() || marks_through.is_some()).then(|| FinishedRead {
                        read_until,
                        read_from: self.source.identity(),
                        marks_through,
                    });
                OrgPlan {
                    organization,
                    days,
                    finished,
                }
            })
            .collect())
    }

    /// The nightly run: the last few complete days, days whose sentiment is
    /// pending, and exactly the days a change since the last run can affect
    /// (METRICS.md §8.2–8.3). An organization never read from this source before
    /// gets all of its days.
    async fn plan_nightly(
        &self,
        organizations: Vec<Organization>,
        reshaped: &HashSet<OrgId>,
        now: DateTime<Utc>,
        read_until: DateTime<Utc>,
    ) -> Result<Vec<OrgPlan>, AggregateError> {
        let identity = self.source.identity();
        let mut restatements = self.marks_by_organization().await?;
        let mut marks_of = HashMap::new();
        for organization in &organizations {
            let activity = self.store.activity(&organization.id).await?;
            let mark = activity
                .read_until
                .filter(|_| activity.read_from.as_deref() == Some(identity.as_str()));
            marks_of.insert(organization.id.clone(), mark);
        }
        self.find_changes(&organizations, &marks_of, read_until, &mut restatements)
            .await?;

        let cutoff = retention_cutoff(now, self.settings);
        let mut plans = Vec::new();
        for organization in organizations {
            let org = &organization.id;
            let restatement = restatements.remove(org).unwrap_or_default();
            let today = organization.local_date(now);
            let recent = i64::from(self.settings.nightly_days);
            let mut days: BTreeSet<NaiveDate> =
                day_span(today - Duration::days(recent), today - Duration::days(1))
                    .into_iter()
                    .collect();
            days.extend(self.store.pending_sentiment_days(org).await?);
            // As a full run would: from the first room to the newest.
            let never_read = marks_of.get(org).copied().flatten().is_none();
            if never_read || restatement.everything || reshaped.contains(org) {
                if let Some((first, last)) = self.local_span(&organization).await? {
                    days.extend(day_span(first, last));
                }
            }
            days.extend(restatement.days);
            let days: Vec<NaiveDate> = days.into_iter().filter(|day| *day >= cutoff).collect();
            plans.push(OrgPlan {
                organization,
                days,
                finished: Some(FinishedRead {
                    read_until,
                    read_from: identity.clone(),
                    marks_through: restatement.marks_through,
                }),
            });
        }
        Ok(plans)
    }

    /// The import's marks, as org-local days per organization (all of them: a
    /// run for some organizations leaves the others' marks alone).
    async fn marks_by_organization(&self) -> Result<HashMap<OrgId, Restatement>, AggregateError> {
        let organizations: HashMap<OrgId, Organization> = self
            .store
            .organizations()
            .await?
            .into_iter()
            .map(|org| (org.id.clone(), org))
            .collect();
        let mut restatements: HashMap<OrgId, Restatement> = HashMap::new();
        for mark in self.store.restatement_marks().await? {
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
    async fn local_span(
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

    /// Writes one computed chunk's daily rows and room outcomes (nothing for `None`).
    async fn write_computed(
        &self,
        organization: &Organization,
        computed: Option<ComputedDays>,
        milestones: &SourceMilestones,
        finished: Option<&FinishedRead>,
    ) -> Result<(), AggregateError> {
        let Some(computed) = computed else {
            return Ok(());
        };
        self.store
            .write_days(
                &organization.id,
                &computed.rows,
                computed.outcomes,
                milestones.first_eligible_day,
                finished,
            )
            .await?;
        Ok(())
    }

    /// Keeps the stored onboarding baseline (docs/metrics.md §4.8) equal to what the
    /// source says: the 30 days from the first day with an AI-handled room, "still
    /// forming" (nothing stored) until the datamart reaches the 30th day. A stored
    /// baseline is recomputed only when its window moved or this run recomputed one
    /// of its days, so it outlives the retention of daily rows without ever depending
    /// on the order in which days were aggregated. `window_rows` are the rows of the
    /// window this run computed.
    async fn refresh_baseline(
        &self,
        organization: &Organization,
        window: Option<(NaiveDate, NaiveDate)>,
        window_rows: Vec<DailyCounters>,
    ) -> Result<(), AggregateError> {
        let org = &organization.id;
        let stored = self.store.onboarding_baseline(org).await?;
        let data_through = self.store.activity(org).await?.data_through;
        let complete = window.filter(|window| baseline::is_complete(*window, data_through));
        let Some((first, last)) = complete else {
            if stored.is_some() {
                self.store.set_onboarding_baseline(org, None).await?;
            }
            return Ok(());
        };
        if window_rows.is_empty() && stored.is_some_and(|b| b.first_day == first) {
            return Ok(());
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
        if stored != Some(baseline) {
            self.store
                .set_onboarding_baseline(org, Some(&baseline))
                .await?;
        }
        Ok(())
    }

    /// The organization-local days of its first eligible room and of its first
    /// AI-handled room, read from the source at every run: a backfill or late import
    /// moves them earlier, a re-import that makes the first room spam or a test chat
    /// moves them later (docs/metrics.md §3, §4.7, §4.8).
    async fn source_milestones(
        &self,
        organization: &Organization,
    ) -> Result<SourceMilestones, AggregateError> {
        let org = &organization.id;
        let mut milestones = SourceMilestones::default();
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
                // Without the add-on there is no report and so no baseline: the walk
                // stops at the first eligible room. (The run after the add-on is
                // switched on finds the first AI day.)
                if !organization.ai_addon {
                    return Ok(milestones);
                }
                // The store's upper bound is exclusive; the page's last room is in it.
                let counts = self
                    .message_counts(
                        org,
                        first.created_at,
                        last.created_at + Duration::microseconds(1),
                    )
                    .await?;
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

    /// Customer and AI message counts by room, for rooms with `start ≤ created_at < end`.
    async fn message_counts(
        &self,
        org: &OrgId,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<HashMap<String, (i64, i64)>, AggregateError> {
        let mut messages: HashMap<String, (i64, i64)> = HashMap::new();
        for count in self.source.message_counts(org, start, end).await? {
            let entry = messages.entry(count.room_id).or_default();
            match SenderType::parse(&count.sender_type) {
                SenderType::Customer => entry.0 += count.count,
                SenderType::Ai => entry.1 += count.count,
                _ => {}
            }
        }
        Ok(messages)
    }

    /// Computes one run of consecutive days from the source. Without `read_sentiment`
    /// the sentiment sums stay empty (for figures that do not use them). A day's row
    /// depends only on the source, never on which other days are computed with it.
    pub(crate) async fn compute_days(
        &self,
        organization: &Organization,
        days: &[NaiveDate],
        read_sentiment: bool,
    ) -> Result<ComputedDays, AggregateError> {
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return Ok(ComputedDays::default());
        };
        let org = &organization.id;
        let start = organization.day_start(*first);
        let end = organization.day_start(*last + Duration::days(1));

        let source_rooms = self.source.rooms_created_between(org, start, end).await?;
        let messages = self.message_counts(org, start, end).await?;
        let (sentiments, pending) = if read_sentiment {
            let room_ids: Vec<String> = source_rooms.iter().map(|room| room.id.clone()).collect();
            let request = SentimentRequest {
                organization: org,
                room_ids: &room_ids,
                start,
                end,
            };
            match self.sentiment.sentiments(request).await {
                Ok(found) => (found, false),
                Err(error) => {
                    tracing::warn!(
                        org_id = %org,
                        from = %first,
                        to = %last,
                        source = self.sentiment.name(),
                        error = %error,
                        "sentiment unavailable; these days are marked pending and retried next run"
                    );
                    (HashMap::new(), true)
                }
            }
        } else {
            (HashMap::new(), false)
        };

        let rooms: Vec<RoomFacts> = source_rooms
            .iter()
            .map(|room| {
                let (customer_messages, ai_messages) =
                    messages.get(&room.id).copied().unwrap_or_default();
                room_facts(
                    room,
                    customer_messages,
                    ai_messages,
                    sentiments.get(&room.id).and_then(|s| s.normalised()),
                )
            })
            .collect();

        // A customer may come back in the 48 hours after a contained room closes,
        // wherever those hours lie: after these days (the usual case), or before
        // them when a bad source row closes before it opens. Read exactly the rooms
        // those windows need, so the answer never depends on how days are chunked.
        let closes = rooms
            .iter()
            .filter(|room| room.is_eligible() && room.is_contained())
            .filter_map(|room| room.closed_at);
        let mut follow_ups = Vec::new();
        for (from, until) in follow_up_windows(closes, start, end) {
            follow_ups.extend(self.source.rooms_created_between(org, from, until).await?);
        }
        let reopens = ReopenIndex::new(
            source_rooms
                .iter()
                .chain(follow_ups.iter())
                .filter(|room| {
                    is_eligible(
                        &room.channel,
                        ClosedReason::parse(room.closed_reason.as_deref()).as_ref(),
                    )
                })
                .map(|room| (room.contact_id.clone(), room.id.clone(), room.created_at)),
        );

        let outcomes = room_outcomes(organization, days, &rooms, &reopens, pending);
        let rows = tally_days(days, &outcomes, pending);
        tracing::debug!(org_id = %org, from = %first, to = %last, rooms = rooms.len(), "computed days");
        Ok(ComputedDays {
            rows,
            outcomes,
            rooms: rooms.len() as u64,
            sentiment_pending: pending,
        })
    }
}

/// What the aggregation needs from an organization's whole source history.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct SourceMilestones {
    first_eligible_day: Option<NaiveDate>,
    /// The onboarding baseline starts on this day.
    first_ai_day: Option<NaiveDate>,
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

/// The first day the datamart keeps as of `now`: older daily rows are deleted, and
/// older days are never restated.
pub(crate) fn retention_cutoff(now: DateTime<Utc>, settings: &AggregationSettings) -> NaiveDate {
    now.date_naive()
        .checked_sub_months(Months::new(settings.retention_months))
        .unwrap_or(NaiveDate::MIN)
}

pub(crate) fn day_span(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days().take_while(|day| *day <= to).collect()
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
