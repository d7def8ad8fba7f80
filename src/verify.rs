//! `impact verify` (METRICS.md §8.5): recomputes organization-days from the source
//! in memory, exactly as the aggregation would, and compares them with what the
//! datamart stores, counters and room outcomes alike. A day whose values differ has
//! drifted: some change reached the source without any trace a run could see (an
//! `UPDATE` that kept every timestamp, a restored backup, a row written by hand).
//! With `repair`, the drifted days are written again through the aggregation.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};

use crate::aggregate::{
    chunks, day_span, progress_bar, retention_cutoff, AggregateError, Aggregator, History, OrgPlan,
    Summary,
};
use crate::domain::{DateRange, OrgId};
use crate::metrics::rooms::RoomOutcome;
use crate::metrics::{CounterValue, DailyCounters, COLUMNS};
use crate::store::StoreError;

/// Which days to check.
#[derive(Debug, Clone)]
pub struct VerifyRequest {
    /// These organization-local days; `None`: every day within the retention period
    /// from each organization's first source room to its last complete day (and any
    /// later day the datamart holds), written or not.
    pub days: Option<(NaiveDate, NaiveDate)>,
    pub organization: Option<OrgId>,
    pub repair: bool,
    pub now: DateTime<Utc>,
    pub show_progress: bool,
}

/// One counter whose stored value is not the source's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CounterDrift {
    pub name: &'static str,
    pub stored: String,
    pub source: String,
}

/// A fact of an organization's whole history (`first_eligible_day`, `first_ai_day`,
/// `onboarding_baseline`) whose stored value is not the source's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FactDrift {
    pub organization_id: String,
    pub fact: &'static str,
    pub stored: String,
    pub source: String,
}

/// An organization-day whose stored values differ from the source's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DriftedDay {
    pub organization_id: String,
    pub day: NaiveDate,
    pub counters: Vec<CounterDrift>,
    /// Rooms of the source that the datamart does not hold for this day.
    pub rooms_missing: Vec<String>,
    /// Rooms the datamart holds for this day that the source no longer has there.
    pub rooms_extra: Vec<String>,
    /// Rooms held on both sides with another outcome.
    pub rooms_changed: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct VerifyOutcome {
    pub organizations: usize,
    pub days_checked: usize,
    /// Days whose sentiment could not be read now: their sentiment was not compared.
    pub sentiment_unchecked_days: usize,
    pub drifted: Vec<DriftedDay>,
    /// The organizations' milestones and onboarding baselines that differ from the
    /// source's (a run stopped before writing them, or a change no run saw).
    pub drifted_facts: Vec<FactDrift>,
    /// Whether the drifted days were written again.
    pub repaired: bool,
    /// The organizations whose days were written again, for cache invalidation.
    #[serde(skip)]
    pub refreshed: Vec<OrgId>,
}

/// The columns that hold sentiment: not compared for a day whose sentiment cannot
/// be read now.
const SENTIMENT_COLUMNS: [&str; 7] = [
    "contained_sentiment_sum",
    "contained_sentiment_rooms",
    "human_sentiment_sum",
    "human_sentiment_rooms",
    "sentiment_pending",
    "contained_sentiment_squares",
    "human_sentiment_squares",
];

impl Aggregator<'_> {
    pub async fn verify(&self, request: &VerifyRequest) -> Result<VerifyOutcome, AggregateError> {
        let mut organizations = self.source.read_organizations().await?;
        if let Some(wanted) = &request.organization {
            organizations.retain(|org| &org.id == wanted);
            if organizations.is_empty() {
                return Err(AggregateError::UnknownOrganization(wanted.clone()));
            }
        }
        let cutoff = retention_cutoff(request.now, self.settings);
        let mut plans = Vec::new();
        for organization in organizations {
            let activity = self.store.activity(&organization.id).await?;
            let data_through = activity.data_through;
            // A day the source has rooms for and the datamart never wrote is drift
            // too: a run that stopped early must not read as all clear. The last
            // complete day is yesterday, or the day before the organization's read
            // mark when that is earlier (between midnight and the nightly run,
            // yesterday has not been read yet: not drift).
            let today = organization.local_date(request.now);
            let last_complete = activity
                .read_until
                .map(|read| organization.local_date(read))
                .map_or(today, |read_day| read_day.min(today))
                - chrono::Duration::days(1);
            // Days a run wrote up to today are checked too; never days after it (an
            // older version could write those), which would be millions to walk.
            let data_through = data_through.map(|through| through.min(today));
            let days = match request.days {
                Some((from, to)) => day_span(from.max(cutoff), to.min(today)),
                None => match (self.local_span(&organization).await?, data_through) {
                    (Some((first, _)), through) => day_span(
                        first.max(cutoff),
                        through.map_or(last_complete, |through| through.max(last_complete)),
                    ),
                    // Rows for rooms the source no longer has.
                    (None, Some(through)) => day_span(cutoff, through),
                    (None, None) => Vec::new(),
                },
            };
            plans.push((organization, days));
        }
        let total: usize = plans.iter().map(|(_, days)| days.len()).sum();
        let bar = progress_bar(request.show_progress, total as u64);

        let mut outcome = VerifyOutcome::default();
        let mut repairs = Vec::new();
        // What earlier runs stored for the fleet, read once.
        let states = self.store.aggregation_states().await?;
        for (organization, days) in plans {
            outcome.organizations += 1;
            let mut drifted_days = Vec::new();
            for chunk in chunks(&days, self.settings.chunk_days.max(1) as usize) {
                let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else {
                    continue;
                };
                let range = DateRange::unbounded(*first, *last).map_err(|e| {
                    AggregateError::Store(StoreError::unreadable("the stored days' span")(e))
                })?;
                let computed = self.compute_days(&organization, &chunk, true).await?;
                let stored_rows = self.store.daily_counters(&organization.id, range).await?;
                let stored_rooms = self.store.room_outcomes(&organization.id, range).await?;
                if computed.sentiment_pending {
                    outcome.sentiment_unchecked_days += chunk.len();
                }
                for drift in compare(
                    &organization.id,
                    &chunk,
                    &computed.rows,
                    &computed.outcomes,
                    &stored_rows,
                    &stored_rooms,
                    !computed.sentiment_pending,
                ) {
                    drifted_days.push(drift.day);
                    outcome.drifted.push(drift);
                }
                outcome.days_checked += chunk.len();
                bar.inc(chunk.len() as u64);
            }
            let facts = self
                .compare_facts(&organization, states.get(&organization.id))
                .await?;
            if !facts.is_empty() {
                // Writing the baseline's days again (older than retention too, which
                // the next nightly run deletes again) brings the milestones (walked
                // from the source) and the baseline (computed from those days) back.
                let through = states
                    .get(&organization.id)
                    .and_then(|state| state.data_through);
                let walked = self.source_milestones(&organization).await?;
                let milestone_days = crate::aggregate::milestone_days(&walked, through);
                let mut repair: std::collections::BTreeSet<NaiveDate> =
                    drifted_days.iter().copied().collect();
                if milestone_days.is_empty() {
                    repair.extend(days.first().copied());
                }
                repair.extend(milestone_days);
                drifted_days = repair.into_iter().collect();
            }
            outcome.drifted_facts.extend(facts);
            if !drifted_days.is_empty() {
                repairs.push(OrgPlan {
                    organization,
                    days: drifted_days,
                    finished: None,
                    // A drift no timestamp showed may have moved a milestone too.
                    history: History::Unknown,
                });
            }
        }
        bar.finish_and_clear();

        if request.repair && !repairs.is_empty() {
            let mut summary = Summary::default();
            let hidden = progress_bar(false, 0);
            let states = self.store.aggregation_states().await?;
            self.execute_all(repairs, &states, &hidden, &mut summary)
                .await?;
            self.store.refresh_statistics().await?;
            outcome.repaired = true;
            outcome.refreshed = summary.refreshed;
        }
        Ok(outcome)
    }
}

impl Aggregator<'_> {
    /// The organization's stored milestones and onboarding baseline against what
    /// the source says now (docs/metrics.md §4.7, §4.8).
    async fn compare_facts(
        &self,
        organization: &crate::domain::Organization,
        stored: Option<&crate::store::AggregationState>,
    ) -> Result<Vec<FactDrift>, AggregateError> {
        let org = &organization.id;
        let stored = stored.cloned().unwrap_or_default();
        let source = self.source_milestones(organization).await?;
        let source_baseline = match source
            .first_ai_day
            .filter(|_| organization.ai_addon)
            .map(crate::metrics::baseline::window)
            .filter(|window| crate::metrics::baseline::is_complete(*window, stored.data_through))
        {
            Some((first, last)) => {
                let mut rows = Vec::new();
                for chunk in chunks(
                    &day_span(first, last),
                    self.settings.chunk_days.max(1) as usize,
                ) {
                    rows.extend(self.compute_days(organization, &chunk, false).await?.rows);
                }
                Some(crate::metrics::baseline::onboarding_baseline(first, &rows))
            }
            None => None,
        };
        let stored_milestones = stored.milestones.milestones;
        let day = |day: Option<NaiveDate>| day.map_or("none".to_string(), |day| day.to_string());
        let baseline = |baseline: Option<crate::metrics::baseline::Baseline>| {
            baseline.map_or("forming".to_string(), |b| {
                format!(
                    "{} to {}: {} of {}",
                    b.first_day, b.last_day, b.net, b.eligible
                )
            })
        };
        let facts = [
            (
                "first_eligible_day",
                day(stored_milestones.first_eligible_day),
                day(source.first_eligible_day),
            ),
            (
                "first_ai_day",
                day(stored_milestones.first_ai_day),
                day(source.first_ai_day),
            ),
            (
                "onboarding_baseline",
                baseline(stored.baseline),
                baseline(source_baseline),
            ),
        ];
        Ok(facts
            .into_iter()
            .filter(|(_, stored, source)| stored != source)
            .map(|(fact, stored, source)| FactDrift {
                organization_id: org.to_string(),
                fact,
                stored,
                source,
            })
            .collect())
    }
}

/// The drifted days among `days`: stored counters and room outcomes against those
/// computed from the source. A day the datamart never wrote counts as empty.
fn compare(
    org: &OrgId,
    days: &[NaiveDate],
    computed_rows: &[DailyCounters],
    computed_rooms: &[RoomOutcome],
    stored_rows: &[DailyCounters],
    stored_rooms: &[RoomOutcome],
    with_sentiment: bool,
) -> Vec<DriftedDay> {
    let by_day = |rows: &[DailyCounters]| -> HashMap<NaiveDate, DailyCounters> {
        rows.iter().map(|row| (row.day, row.clone())).collect()
    };
    let rooms_by_day = |rooms: &[RoomOutcome]| {
        let mut map: BTreeMap<NaiveDate, BTreeMap<String, RoomOutcome>> = BTreeMap::new();
        for room in rooms {
            let mut room = room.clone();
            if !with_sentiment {
                room.sentiment = None;
            }
            map.entry(room.day)
                .or_default()
                .insert(room.room_id.clone(), room);
        }
        map
    };
    let (computed, stored) = (by_day(computed_rows), by_day(stored_rows));
    let (computed_rooms, stored_rooms) = (rooms_by_day(computed_rooms), rooms_by_day(stored_rooms));
    let empty_rooms = BTreeMap::new();
    let mut drifted = Vec::new();
    for day in days {
        let source_row = computed
            .get(day)
            .cloned()
            .unwrap_or_else(|| DailyCounters::empty(*day));
        let stored_row = stored
            .get(day)
            .cloned()
            .unwrap_or_else(|| DailyCounters::empty(*day));
        let counters: Vec<CounterDrift> = COLUMNS
            .iter()
            .filter(|column| with_sentiment || !SENTIMENT_COLUMNS.contains(&column.name))
            .filter_map(|column| {
                let (a, b) = ((column.get)(&stored_row), (column.get)(&source_row));
                (!same(a, b)).then(|| CounterDrift {
                    name: column.name,
                    stored: show(a),
                    source: show(b),
                })
            })
            .collect();
        let source_rooms = computed_rooms.get(day).unwrap_or(&empty_rooms);
        let held_rooms = stored_rooms.get(day).unwrap_or(&empty_rooms);
        let mut day_drift = DriftedDay {
            organization_id: org.to_string(),
            day: *day,
            counters,
            rooms_missing: Vec::new(),
            rooms_extra: Vec::new(),
            rooms_changed: Vec::new(),
        };
        for (id, room) in source_rooms {
            match held_rooms.get(id) {
                None => day_drift.rooms_missing.push(id.clone()),
                Some(held) if !same_room(held, room) => day_drift.rooms_changed.push(id.clone()),
                Some(_) => {}
            }
        }
        day_drift.rooms_extra = held_rooms
            .keys()
            .filter(|id| !source_rooms.contains_key(*id))
            .cloned()
            .collect();
        if !(day_drift.counters.is_empty()
            && day_drift.rooms_missing.is_empty()
            && day_drift.rooms_extra.is_empty()
            && day_drift.rooms_changed.is_empty())
        {
            drifted.push(day_drift);
        }
    }
    drifted
}

/// Sums are compared with a tolerance: both sides add the same numbers in the same
/// order, but a backend may keep the last bit differently.
fn same(a: CounterValue, b: CounterValue) -> bool {
    match (a, b) {
        (CounterValue::Sum(a), CounterValue::Sum(b)) => (a - b).abs() <= 1e-9,
        (a, b) => a == b,
    }
}

fn same_room(a: &RoomOutcome, b: &RoomOutcome) -> bool {
    let sentiment = match (a.sentiment, b.sentiment) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9,
        (x, y) => x == y,
    };
    sentiment
        && RoomOutcome {
            sentiment: None,
            ..a.clone()
        } == RoomOutcome {
            sentiment: None,
            ..b.clone()
        }
}

fn show(value: CounterValue) -> String {
    match value {
        CounterValue::Count(count) => count.to_string(),
        CounterValue::Sum(sum) => format!("{sum}"),
        CounterValue::Flag(flag) => flag.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_day_differs_by_its_counters_or_its_rooms_and_a_missing_row_is_empty() {
        let org = OrgId::parse("org_x").unwrap();
        let days = [day("2026-10-01"), day("2026-10-02"), day("2026-10-03")];
        let mut source = DailyCounters::empty(days[0]);
        source.eligible = 2;
        let stored = DailyCounters::empty(days[0]);
        // Day 2 is empty on both sides, stored or not; day 3 is stored empty.
        let drifted = compare(
            &org,
            &days,
            &[source, DailyCounters::empty(days[1])],
            &[],
            &[stored, DailyCounters::empty(days[2])],
            &[],
            true,
        );
        assert_eq!(drifted.len(), 1);
        assert_eq!(drifted[0].day, days[0]);
        assert_eq!(
            drifted[0].counters,
            vec![CounterDrift {
                name: "eligible",
                stored: "0".into(),
                source: "2".into()
            }]
        );
    }
}
