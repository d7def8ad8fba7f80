//! The nightly aggregation: reads source rooms, their message counts and sentiment,
//! applies the pure rules of `metrics::rooms`, and upserts whole org-days into the
//! datamart. Re-running it for the same days replaces those days, so it never
//! double-counts; a crash leaves each org-day either old or new, never half-written.

use std::collections::HashMap;
use std::io::IsTerminal;

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::domain::{ClosedReason, OrgId, Organization, SenderType};
use crate::metrics::baseline::onboarding_baseline;
use crate::metrics::rooms::{is_eligible, tally_days, ReopenIndex, RoomFacts, REOPEN_WINDOW_HOURS};
use crate::sentiment::{SentimentRequest, SentimentSource};
use crate::settings::AggregationSettings;
use crate::store::{SourceRoom, Store, StoreError};

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
    pub store: &'a dyn Store,
    pub sentiment: &'a dyn SentimentSource,
    pub settings: &'a AggregationSettings,
}

/// Rooms read per page when looking for an organization's first eligible room.
const FIRST_ROOM_PAGE: i64 = 500;

impl Aggregator<'_> {
    pub async fn run(&self, request: &Request) -> Result<Summary, AggregateError> {
        let mut organizations = self.store.organizations().await?;
        if let Some(wanted) = &request.organization {
            organizations.retain(|org| &org.id == wanted);
            if organizations.is_empty() {
                return Err(AggregateError::UnknownOrganization(wanted.clone()));
            }
        }
        if let Some(shard) = request.shard {
            organizations.retain(|org| shard.includes(&org.id));
        }

        // With no days given, every organization is computed up to the newest local
        // day of data of any organization, so a quiet organization's report is as
        // fresh as everyone else's.
        let mut spans = Vec::new();
        for organization in &organizations {
            spans.push(match request.scope {
                Scope::AllData => {
                    self.store
                        .room_creation_span(&organization.id)
                        .await?
                        .map(|(first, last)| {
                            (
                                organization.local_date(first),
                                organization.local_date(last),
                            )
                        })
                }
                _ => None,
            });
        }
        let newest = spans.iter().flatten().map(|(_, last)| *last).max();
        let mut plans = Vec::new();
        for (organization, span) in organizations.into_iter().zip(spans) {
            let days = match (&request.scope, span, newest) {
                (Scope::AllData, Some((first, _)), Some(newest)) => day_span(first, newest),
                (Scope::AllData, _, _) => Vec::new(),
                (scope, _, _) => self.days_to_compute(&organization, scope).await?,
            };
            plans.push((organization, days));
        }
        let total_days: usize = plans.iter().map(|(_, days)| days.len()).sum();
        let bar = progress_bar(request.show_progress, total_days as u64);

        let mut summary = Summary::default();
        for (organization, days) in plans {
            if days.is_empty() {
                continue;
            }
            bar.set_message(organization.id.to_string());
            let first_eligible_day = self.first_eligible_day(&organization).await?;
            for chunk in chunks(&days, self.settings.chunk_days.max(1) as usize) {
                let (rooms, pending) = self
                    .aggregate_chunk(&organization, &chunk, first_eligible_day)
                    .await?;
                summary.rooms += rooms;
                summary.days += chunk.len();
                if pending {
                    summary.sentiment_pending_days += chunk.len();
                }
                bar.inc(chunk.len() as u64);
            }
            self.store_baseline_once(&organization).await?;
            summary.organizations += 1;
            summary.refreshed.push(organization.id.clone());
        }
        bar.finish_and_clear();

        if let Scope::Nightly { now } = request.scope {
            let cutoff = now
                .date_naive()
                .checked_sub_months(Months::new(self.settings.retention_months))
                .unwrap_or(NaiveDate::MIN);
            summary.expired_rows_deleted = self.store.delete_days_before(cutoff).await?;
        }
        Ok(summary)
    }

    async fn days_to_compute(
        &self,
        organization: &Organization,
        scope: &Scope,
    ) -> Result<Vec<NaiveDate>, AggregateError> {
        let days = match scope {
            Scope::Days { from, to } => day_span(*from, *to),
            // Planned in `run`, which knows the newest room of all organizations.
            Scope::AllData => Vec::new(),
            Scope::Nightly { now } => {
                let today = organization.local_date(*now);
                let recent = i64::from(self.settings.nightly_days);
                let mut days = day_span(today - Duration::days(recent), today - Duration::days(1));
                days.extend(self.store.pending_sentiment_days(&organization.id).await?);
                days.sort_unstable();
                days.dedup();
                days
            }
        };
        Ok(days)
    }

    /// Stores the onboarding baseline the first time its 30 days are all aggregated;
    /// it is never recomputed, so it outlives the retention of daily rows.
    async fn store_baseline_once(&self, organization: &Organization) -> Result<(), AggregateError> {
        let org = &organization.id;
        if self.store.onboarding_baseline(org).await?.is_some() {
            return Ok(());
        }
        let activity = self.store.activity(org).await?;
        let (Some(first), Some(through)) = (activity.first_eligible_day, activity.data_through)
        else {
            return Ok(());
        };
        let Ok(range) = crate::domain::DateRange::unbounded(first, through) else {
            return Ok(());
        };
        let days = self.store.daily_counters(org, range).await?;
        if let Some(baseline) = onboarding_baseline(&days, Some(through)) {
            self.store.save_onboarding_baseline(org, &baseline).await?;
        }
        Ok(())
    }

    /// The organization-local day of its first eligible room in the source.
    async fn first_eligible_day(
        &self,
        organization: &Organization,
    ) -> Result<Option<NaiveDate>, AggregateError> {
        let mut after = None;
        loop {
            let page = self
                .store
                .rooms_in_creation_order(&organization.id, after, FIRST_ROOM_PAGE)
                .await?;
            let Some(last) = page.last() else {
                return Ok(None);
            };
            after = Some((last.created_at, last.id.clone()));
            if let Some(room) = page.iter().find(|room| {
                is_eligible(
                    &room.channel,
                    ClosedReason::parse(room.closed_reason.as_deref()).as_ref(),
                )
            }) {
                return Ok(Some(organization.local_date(room.created_at)));
            }
        }
    }

    /// Computes and writes one run of consecutive days; returns the rooms read and
    /// whether sentiment was pending.
    async fn aggregate_chunk(
        &self,
        organization: &Organization,
        days: &[NaiveDate],
        first_eligible_day: Option<NaiveDate>,
    ) -> Result<(u64, bool), AggregateError> {
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return Ok((0, false));
        };
        let org = &organization.id;
        let start = organization.day_start(*first);
        let end = organization.day_start(*last + Duration::days(1));

        let source_rooms = self.store.rooms_created_between(org, start, end).await?;
        let mut messages: HashMap<String, (i64, i64)> = HashMap::new();
        for count in self.store.message_counts(org, start, end).await? {
            let entry = messages.entry(count.room_id).or_default();
            match SenderType::parse(&count.sender_type) {
                SenderType::Customer => entry.0 += count.count,
                SenderType::Ai => entry.1 += count.count,
                _ => {}
            }
        }
        let room_ids: Vec<String> = source_rooms.iter().map(|room| room.id.clone()).collect();
        let request = SentimentRequest {
            organization: org,
            room_ids: &room_ids,
            start,
            end,
        };
        let (sentiments, pending) = match self.sentiment.sentiments(request).await {
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

        // A customer may come back after the last day of the run: read the rooms
        // that start up to 48 hours after the latest close of a contained room.
        let latest_close = rooms
            .iter()
            .filter(|room| room.is_eligible() && room.is_contained())
            .filter_map(|room| room.closed_at)
            .max();
        let mut follow_ups = Vec::new();
        if let Some(latest_close) = latest_close {
            let horizon = latest_close + Duration::hours(REOPEN_WINDOW_HOURS);
            if horizon >= end {
                // The store's upper bound is exclusive; the 48-hour bound is inclusive.
                let exclusive = horizon + Duration::microseconds(1);
                follow_ups = self
                    .store
                    .rooms_created_between(org, end, exclusive)
                    .await?;
            }
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
                .map(|room| (room.contact_id.clone(), room.created_at)),
        );

        let rows = tally_days(organization, days, &rooms, &reopens, pending);
        self.store
            .write_days(org, &rows, first_eligible_day)
            .await?;
        tracing::debug!(org_id = %org, from = %first, to = %last, rooms = rooms.len(), "aggregated days");
        Ok((rooms.len() as u64, pending))
    }
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

fn day_span(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days().take_while(|day| *day <= to).collect()
}

/// Splits sorted days into runs of consecutive days, each at most `size` long.
fn chunks(days: &[NaiveDate], size: usize) -> Vec<Vec<NaiveDate>> {
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

fn progress_bar(show: bool, length: u64) -> ProgressBar {
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
