//! What a run computes, decided without a database: which days of which
//! organization, and how each learns its milestones. The executor (`Aggregator`)
//! gathers the facts these functions take (the stored states, the source's
//! changes, the import's marks, the span of an organization's rooms), and then
//! computes and writes what they decide (METRICS.md §8.2–8.3).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};

use crate::domain::{OrgId, Organization};
use crate::settings::AggregationSettings;
use crate::store::{AggregationState, FinishedRead, Milestones};

/// What one run does for one organization.
pub(crate) struct OrgPlan {
    pub(crate) organization: Organization,
    pub(crate) days: Vec<NaiveDate>,
    /// Written with the organization's last days: how far the source was read and
    /// which marks were restated. `None` for a run of given days, which leaves the
    /// marks for the run that restates them.
    pub(crate) finished: Option<FinishedRead>,
    /// How the run learns the organization's milestones.
    pub(crate) history: History,
}

/// How a run learns an organization's milestones (`Milestones`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum History {
    /// The run's days hold every room the organization has: they tell.
    Whole,
    /// The stored milestones hold for every day outside the run's days.
    Known(Milestones),
    /// Neither: the source's first rooms are walked.
    Unknown,
}

impl History {
    /// The stored milestones, when they were computed from this same source.
    pub(crate) fn stored(state: Option<&AggregationState>, identity: &str) -> Self {
        match state {
            Some(state) if state.milestones.from.as_deref() == Some(identity) => {
                History::Known(state.milestones.milestones)
            }
            _ => History::Unknown,
        }
    }
}

/// What changed in the source since an organization's last run, as org-local days
/// to restate (METRICS.md §8.2).
#[derive(Debug, Default)]
pub(crate) struct Restatement {
    pub(crate) days: BTreeSet<NaiveDate>,
    /// Every day may have changed (new time zone, business hours or holidays).
    pub(crate) everything: bool,
    /// The organization's last mark this run restates.
    pub(crate) marks_through: Option<i64>,
}

/// The days a run was asked for after an organization's own today: never
/// written, since they have not happened, and counted for the summary.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct FutureDays {
    pub(crate) skipped: usize,
    /// The latest organization's today a run stopped at.
    pub(crate) stopped_at: Option<NaiveDate>,
}

impl FutureDays {
    fn add(&mut self, skipped: usize, today: NaiveDate) {
        if skipped > 0 {
            self.skipped += skipped;
            self.stopped_at = self.stopped_at.max(Some(today));
        }
    }
}

/// A run of the days `from` to `to` (`Scope::Days`). It leaves other changes' days
/// (and their marks) for later, yet its milestones follow the source now, as
/// docs/metrics.md §3 promises of any run. The days are cut at each organization's
/// today before they are listed, so a `--to` years ahead costs nothing.
pub(crate) fn given_days(
    organizations: Vec<Organization>,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
    future: &mut FutureDays,
) -> Vec<OrgPlan> {
    organizations
        .into_iter()
        .map(|organization| {
            let today = organization.local_date(now);
            if to > today {
                let skipped = (to - today.max(from - Duration::days(1))).num_days();
                future.add(usize::try_from(skipped).unwrap_or(0), today);
            }
            OrgPlan {
                history: History::Unknown,
                days: day_span(from, to.min(today)),
                organization,
                finished: None,
            }
        })
        .collect()
}

/// Every day of every organization (`Scope::AllData`): from its first room's day
/// (`spans`, in the order of `organizations`) to the newest room's day of any
/// organization, so a quiet organization's report is as fresh as everyone else's;
/// its whole history, and every mark restated on the way.
pub(crate) fn everything(
    organizations: Vec<Organization>,
    spans: &[Option<(NaiveDate, NaiveDate)>],
    marks: &HashMap<OrgId, Restatement>,
    read_until: DateTime<Utc>,
    identity: &str,
) -> Vec<OrgPlan> {
    let newest = spans.iter().flatten().map(|(_, last)| *last).max();
    organizations
        .into_iter()
        .zip(spans)
        .map(|(organization, span)| {
            let days = match (span, newest) {
                (Some((first, _)), Some(newest)) => day_span(*first, newest),
                _ => Vec::new(),
            };
            let marks_through = marks
                .get(&organization.id)
                .and_then(|restatement| restatement.marks_through);
            let finished = (!days.is_empty() || marks_through.is_some()).then(|| FinishedRead {
                read_until,
                read_from: identity.to_string(),
                marks_through,
            });
            OrgPlan {
                organization,
                days,
                finished,
                // From the first room's day to the newest: every room.
                history: History::Whole,
            }
        })
        .collect()
}

/// The nightly run: the last few complete days, days whose sentiment is pending,
/// and exactly the days a change since the last run can affect (METRICS.md
/// §8.2–8.3). An organization never read from this source before gets all of its
/// days.
pub(crate) struct Nightly<'a> {
    pub(crate) now: DateTime<Utc>,
    pub(crate) read_until: DateTime<Utc>,
    /// The source read (`Source::identity`).
    pub(crate) identity: &'a str,
    pub(crate) settings: &'a AggregationSettings,
    pub(crate) states: &'a HashMap<OrgId, AggregationState>,
    /// Organizations whose calendar (time zone, business hours, holidays) changed.
    pub(crate) reshaped: &'a HashSet<OrgId>,
}

/// How far the source was read for each organization, when it was this source.
pub(crate) type ReadMarks = HashMap<OrgId, Option<DateTime<Utc>>>;

impl Nightly<'_> {
    /// Each organization's read mark, when it was read from this same source (a
    /// mark of another source says nothing of this one).
    pub(crate) fn read_marks(&self, organizations: &[Organization]) -> ReadMarks {
        organizations
            .iter()
            .map(|organization| {
                let mark = self.states.get(&organization.id).and_then(|state| {
                    state
                        .read_until
                        .filter(|_| state.read_from.as_deref() == Some(self.identity))
                });
                (organization.id.clone(), mark)
            })
            .collect()
    }

    /// Whether every day of `org` is computed again (never read from this source,
    /// a new calendar, or a mark for every day): the executor then reads the span
    /// of its rooms for `plan`.
    pub(crate) fn every_day(
        &self,
        org: &OrgId,
        read_marks: &ReadMarks,
        restatement: &Restatement,
    ) -> bool {
        let never_read = read_marks.get(org).copied().flatten().is_none();
        never_read || restatement.everything || self.reshaped.contains(org)
    }

    /// The organization's plan. `span` is the first and last day of its rooms
    /// (`None` inside when it has none), read when `every_day` said so and `None`
    /// otherwise.
    pub(crate) fn plan(
        &self,
        organization: Organization,
        restatement: Restatement,
        span: Option<Option<(NaiveDate, NaiveDate)>>,
    ) -> OrgPlan {
        let cutoff = retention_cutoff(self.now, self.settings);
        let today = organization.local_date(self.now);
        let recent = i64::from(self.settings.nightly_days);
        let mut days: BTreeSet<NaiveDate> =
            day_span(today - Duration::days(recent), today - Duration::days(1))
                .into_iter()
                .collect();
        let state = self.states.get(&organization.id);
        if let Some(state) = state {
            days.extend(state.pending_sentiment_days.iter().copied());
        }
        let mut history = History::stored(state, self.identity);
        if let Some(span) = span {
            // As a full run would: from the first room to the newest. New local
            // days (a new time zone) or another source: what was stored says
            // nothing of these days.
            history = History::Unknown;
            match span {
                Some((first, last)) => {
                    days.extend(day_span(first, last));
                    if first >= cutoff {
                        history = History::Whole;
                    }
                }
                None => history = History::Whole,
            }
        }
        days.extend(restatement.days);
        // A change before the retained days may move a milestone: walk.
        if days.iter().any(|day| *day < cutoff) && history != History::Whole {
            history = History::Unknown;
        }
        OrgPlan {
            organization,
            days: days.into_iter().filter(|day| *day >= cutoff).collect(),
            finished: Some(FinishedRead {
                read_until: self.read_until,
                read_from: self.identity.to_string(),
                marks_through: restatement.marks_through,
            }),
            history,
        }
    }
}

/// Drops every planned day after its organization's own today (it has not
/// happened), counting them in `future`.
pub(crate) fn keep_past_days(plans: &mut [OrgPlan], now: DateTime<Utc>, future: &mut FutureDays) {
    for plan in plans {
        let today = plan.organization.local_date(now);
        let asked = plan.days.len();
        plan.days.retain(|day| *day <= today);
        future.add(asked - plan.days.len(), today);
    }
}

/// The first day the datamart keeps as of `now`: older daily rows are deleted, and
/// older days are never restated. Retention counts whole months: the first day of
/// the month `retention_months` before `now`'s, so a month's days expire together
/// and PostgreSQL drops the month's partitions whole (docs/operations.md, "Monthly
/// partitions"); the datamart keeps 13 months and the days of the current one.
pub(crate) fn retention_cutoff(now: DateTime<Utc>, settings: &AggregationSettings) -> NaiveDate {
    now.date_naive()
        .checked_sub_months(Months::new(settings.retention_months))
        .and_then(|day| day.with_day(1))
        .unwrap_or(NaiveDate::MIN)
}

/// The census compares the recent days every night: those a report shows by
/// default (the last month) and the month it is compared with.
pub(crate) const CENSUS_RECENT_DAYS: i64 = 62;

/// The older retained days are compared in slices of this many days, one slice a
/// night.
pub(crate) const CENSUS_SLICE_DAYS: i64 = 31;

/// The ranges of days (inclusive) the nightly census compares with the source as of
/// `now`: every night the last `CENSUS_RECENT_DAYS`, and one slice of the older
/// retained days in turn. A night thus counts the rooms of at most
/// `CENSUS_RECENT_DAYS + CENSUS_SLICE_DAYS` days whatever the length of the history,
/// and every older retained day is compared at least once in `census_rotation`
/// nights (docs/operations.md, the census). A day's slice is fixed by its date, so
/// the days of a slice stay together as the nights pass.
pub(crate) fn census_ranges(
    now: DateTime<Utc>,
    settings: &AggregationSettings,
) -> Vec<(NaiveDate, NaiveDate)> {
    let today = now.date_naive();
    let cutoff = retention_cutoff(now, settings);
    let recent_from = cutoff.max(today - Duration::days(CENSUS_RECENT_DAYS - 1));
    let mut ranges = vec![(recent_from, today)];
    let rotation = census_rotation(settings);
    let tonight = i64::from(today.num_days_from_ce()).rem_euclid(rotation);
    let older: Vec<NaiveDate> = cutoff
        .iter_days()
        .take_while(|day| *day < recent_from)
        .filter(|day| {
            (i64::from(day.num_days_from_ce()) / CENSUS_SLICE_DAYS).rem_euclid(rotation) == tonight
        })
        .collect();
    if let (Some(first), Some(last)) = (older.first(), older.last()) {
        ranges.push((*first, *last));
    }
    ranges
}

/// In how many nights the census compares every older retained day: the slices
/// an older span of the longest retention (its months and the current one, of 31
/// days) can touch, and one more.
pub(crate) fn census_rotation(settings: &AggregationSettings) -> i64 {
    let older = ((i64::from(settings.retention_months) + 1) * 31 - CENSUS_RECENT_DAYS).max(0);
    older / CENSUS_SLICE_DAYS + 2
}

/// The first local day the organization's milestones and onboarding baseline do not
/// depend on: the day after its first eligible day and its first AI-handled day,
/// or after the baseline's window once the datamart holds the whole window
/// (`data_through`; until then no baseline is stored). Never later than the day
/// after `data_through`. `None` before it has an eligible room.
pub(crate) fn first_rooms_end(
    milestones: &Milestones,
    data_through: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let first_eligible = milestones.first_eligible_day?;
    let mut last = milestones
        .first_ai_day
        .map_or(first_eligible, |day| day.max(first_eligible));
    if let Some(window) = milestones
        .first_ai_day
        .map(crate::metrics::baseline::window)
    {
        if crate::metrics::baseline::is_complete(window, data_through) {
            last = last.max(window.1);
        }
    }
    last.succ_opt()
}

/// Whether tonight's census counts the organization's first rooms: one night in
/// `census_rotation` for each organization, spread over the nights by its id, so
/// a night counts the first rooms of a part of the fleet.
pub(crate) fn first_rooms_tonight(
    organization: &OrgId,
    now: DateTime<Utc>,
    settings: &AggregationSettings,
) -> bool {
    // FNV-1a: the same night for the same id on every machine and version, which
    // the standard library's hasher does not promise.
    let hash = organization
        .as_str()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    let rotation = census_rotation(settings);
    let night = i64::from(now.date_naive().num_days_from_ce());
    i64::try_from(hash % rotation.unsigned_abs()).unwrap_or(0) == night.rem_euclid(rotation)
}

pub(crate) fn day_span(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days().take_while(|day| *day <= to).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a day")
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("an instant")
            .with_timezone(&Utc)
    }

    fn organization(id: &str) -> Organization {
        Organization {
            id: OrgId::parse(id).expect("an id"),
            name: format!("Toko {id}"),
            ai_addon: true,
            // UTC+7: a night run at 18:00 UTC is already the next local day.
            timezone: Organization::parse_timezone("Asia/Jakarta").expect("a zone"),
            business_hours: None,
            holidays: Default::default(),
        }
    }

    const SETTINGS: AggregationSettings = AggregationSettings {
        nightly_days: 3,
        retention_months: 13,
        chunk_days: 31,
    };
    const SOURCE: &str = "postgres://replica/chatbot";

    /// An organization read from this source up to a mark, its milestones known.
    fn read_before(through: &str) -> AggregationState {
        AggregationState {
            read_until: Some(at(through)),
            read_from: Some(SOURCE.to_string()),
            milestones: crate::store::StoredMilestones {
                milestones: Milestones {
                    first_eligible_day: Some(day("2026-01-10")),
                    first_ai_day: Some(day("2026-02-01")),
                },
                from: Some(SOURCE.to_string()),
            },
            ..AggregationState::default()
        }
    }

    fn nightly<'a>(
        now: DateTime<Utc>,
        states: &'a HashMap<OrgId, AggregationState>,
        reshaped: &'a HashSet<OrgId>,
    ) -> Nightly<'a> {
        Nightly {
            now,
            read_until: now - Duration::minutes(5),
            identity: SOURCE,
            settings: &SETTINGS,
            states,
            reshaped,
        }
    }

    #[test]
    fn a_quiet_night_recomputes_the_last_complete_local_days_and_pending_sentiment() {
        let org = organization("org_a");
        let mut state = read_before("2026-11-30T17:00:00Z");
        state.pending_sentiment_days = vec![day("2026-11-20")];
        let states = HashMap::from([(org.id.clone(), state)]);
        let reshaped = HashSet::new();
        // 18:00 UTC on 30 November is 01:00 on 1 December in Jakarta.
        let night = nightly(at("2026-11-30T18:00:00Z"), &states, &reshaped);
        let marks = night.read_marks(std::slice::from_ref(&org));
        let restatement = Restatement::default();
        assert!(!night.every_day(&org.id, &marks, &restatement));
        let plan = night.plan(org, restatement, None);
        assert_eq!(
            plan.days,
            ["2026-11-20", "2026-11-28", "2026-11-29", "2026-11-30"].map(day)
        );
        assert!(matches!(plan.history, History::Known(_)));
        let finished = plan.finished.expect("a nightly run moves the read mark");
        assert_eq!(finished.read_until, at("2026-11-30T17:55:00Z"));
        assert_eq!(finished.read_from, SOURCE);
    }

    #[test]
    fn an_organization_never_read_from_this_source_gets_every_day_and_its_whole_history() {
        let org = organization("org_a");
        let mut state = read_before("2026-11-30T17:00:00Z");
        state.read_from = Some("sqlite:///old.sqlite".to_string());
        let states = HashMap::from([(org.id.clone(), state)]);
        let reshaped = HashSet::new();
        let night = nightly(at("2026-12-01T18:00:00Z"), &states, &reshaped);
        let marks = night.read_marks(std::slice::from_ref(&org));
        assert_eq!(marks[&org.id], None, "another source's mark is no mark");
        let restatement = Restatement::default();
        assert!(night.every_day(&org.id, &marks, &restatement));
        let plan = night.plan(
            org,
            restatement,
            Some(Some((day("2026-11-25"), day("2026-12-01")))),
        );
        assert_eq!(plan.days, day_span(day("2026-11-25"), day("2026-12-01")));
        assert_eq!(plan.history, History::Whole);
    }

    #[test]
    fn a_change_before_the_retained_days_is_dropped_and_the_milestones_are_walked() {
        let org = organization("org_a");
        let states = HashMap::from([(org.id.clone(), read_before("2026-11-30T17:00:00Z"))]);
        let reshaped = HashSet::new();
        let night = nightly(at("2026-12-01T18:00:00Z"), &states, &reshaped);
        let cutoff = retention_cutoff(night.now, &SETTINGS);
        assert_eq!(cutoff, day("2025-11-01"));
        let restatement = Restatement {
            days: [day("2025-10-15"), day("2026-06-01")].into_iter().collect(),
            everything: false,
            marks_through: Some(41),
        };
        let plan = night.plan(org, restatement, None);
        assert!(
            plan.days.iter().all(|day| *day >= cutoff),
            "{:?}",
            plan.days
        );
        assert!(plan.days.contains(&day("2026-06-01")));
        assert_eq!(plan.history, History::Unknown);
        assert_eq!(plan.finished.and_then(|f| f.marks_through), Some(41));
    }

    #[test]
    fn a_new_calendar_recomputes_every_day_even_when_read_before() {
        let org = organization("org_a");
        let states = HashMap::from([(org.id.clone(), read_before("2026-11-30T17:00:00Z"))]);
        let reshaped = HashSet::from([org.id.clone()]);
        let night = nightly(at("2026-12-01T18:00:00Z"), &states, &reshaped);
        let marks = night.read_marks(std::slice::from_ref(&org));
        assert!(night.every_day(&org.id, &marks, &Restatement::default()));
        // Rooms from before the retained days: the history cannot be whole.
        let plan = night.plan(
            org,
            Restatement::default(),
            Some(Some((day("2025-01-01"), day("2026-12-01")))),
        );
        assert_eq!(plan.days.first(), Some(&day("2025-11-01")));
        assert_eq!(plan.history, History::Unknown);
    }

    #[test]
    fn everything_runs_each_organization_to_the_newest_day_of_all() {
        let (a, b, c) = (
            organization("org_a"),
            organization("org_b"),
            organization("org_c"),
        );
        let spans = [
            Some((day("2026-11-01"), day("2026-11-03"))),
            Some((day("2026-11-02"), day("2026-11-05"))),
            None,
        ];
        let marks = HashMap::from([(
            c.id.clone(),
            Restatement {
                marks_through: Some(7),
                ..Restatement::default()
            },
        )]);
        let read_until = at("2026-11-06T00:00:00Z");
        let plans = everything(vec![a, b, c], &spans, &marks, read_until, SOURCE);
        assert_eq!(
            plans[0].days,
            day_span(day("2026-11-01"), day("2026-11-05"))
        );
        assert_eq!(
            plans[1].days,
            day_span(day("2026-11-02"), day("2026-11-05"))
        );
        assert!(plans.iter().all(|plan| plan.history == History::Whole));
        // No rooms, but a mark to clear: the run still finishes it.
        assert!(plans[2].days.is_empty());
        assert_eq!(
            plans[2].finished.as_ref().and_then(|f| f.marks_through),
            Some(7)
        );
    }

    #[test]
    fn the_census_compares_a_bounded_part_each_night_and_every_retained_day_in_turn() {
        let rotation = census_rotation(&SETTINGS);
        let first_night = at("2026-01-01T18:00:00Z");
        let nights: Vec<Vec<(NaiveDate, NaiveDate)>> = (0..800)
            .map(|n| census_ranges(first_night + Duration::days(n), &SETTINGS))
            .collect();
        for (n, ranges) in nights.iter().enumerate() {
            let today = (first_night + Duration::days(n as i64)).date_naive();
            let compared: i64 = ranges
                .iter()
                .map(|(first, last)| (*last - *first).num_days() + 1)
                .sum();
            assert!(
                compared <= CENSUS_RECENT_DAYS + CENSUS_SLICE_DAYS,
                "night {n}: {compared} days"
            );
            assert_eq!(
                ranges[0],
                (today - Duration::days(CENSUS_RECENT_DAYS - 1), today)
            );
            assert!(ranges.iter().all(|(first, _)| *first
                >= retention_cutoff(first_night + Duration::days(n as i64), &SETTINGS)));
        }
        // Every day, while it is retained, is compared within every `rotation`
        // consecutive nights.
        for (n, window) in nights.windows(rotation as usize).enumerate() {
            let night = first_night + Duration::days(n as i64);
            let last_night = night + Duration::days(rotation - 1);
            // The days retained through the whole window.
            for day in retention_cutoff(last_night, &SETTINGS)
                .iter_days()
                .take_while(|day| *day <= night.date_naive())
            {
                assert!(
                    window
                        .iter()
                        .flatten()
                        .any(|(first, last)| *first <= day && day <= *last),
                    "{day} was not compared in the {rotation} nights from {night}"
                );
            }
        }
        assert!(rotation <= 14, "a retained day waits {rotation} nights");
        assert_eq!(
            rotation, 14,
            "docs/operations.md, the census, says 14 nights"
        );
        assert_eq!(
            retention_cutoff(at("2026-12-06T18:00:00Z"), &SETTINGS),
            day("2025-11-01"),
            "13 whole months before December"
        );
    }

    #[test]
    fn the_first_rooms_end_after_the_baseline_window_once_it_is_held() {
        let through = Some(day("2026-06-30"));
        let none = Milestones::default();
        assert_eq!(first_rooms_end(&none, through), None);
        let eligible_only = Milestones {
            first_eligible_day: Some(day("2026-03-01")),
            first_ai_day: None,
        };
        assert_eq!(
            first_rooms_end(&eligible_only, through),
            Some(day("2026-03-02"))
        );
        let with_ai = Milestones {
            first_eligible_day: Some(day("2026-03-01")),
            first_ai_day: Some(day("2026-03-05")),
        };
        // The 30 days from 5 March end on 3 April.
        assert_eq!(first_rooms_end(&with_ai, through), Some(day("2026-04-04")));
        // While the window is not all in the datamart, its rooms are still coming.
        assert_eq!(
            first_rooms_end(&with_ai, Some(day("2026-04-02"))),
            Some(day("2026-03-06"))
        );
    }

    #[test]
    fn each_organizations_first_rooms_are_counted_one_night_in_the_rotation() {
        let rotation = census_rotation(&SETTINGS);
        let first_night = at("2026-01-01T18:00:00Z");
        let mut nights_of_each = Vec::new();
        for n in 0..200 {
            let id = OrgId::parse(&format!("org_{n}")).expect("an id");
            let nights: Vec<i64> = (0..rotation)
                .filter(|k| first_rooms_tonight(&id, first_night + Duration::days(*k), &SETTINGS))
                .collect();
            assert_eq!(nights.len(), 1, "{id}: {nights:?}");
            nights_of_each.push(nights[0]);
        }
        // Spread over the nights, not all on one.
        let distinct: BTreeSet<i64> = nights_of_each.into_iter().collect();
        assert!(distinct.len() as i64 >= rotation - 1, "{distinct:?}");
    }

    #[test]
    fn days_after_an_organizations_today_are_counted_and_never_planned() {
        let now = at("2026-12-01T18:00:00Z");
        let mut future = FutureDays::default();
        // Jakarta's today is 2 December.
        let mut plans = given_days(
            vec![organization("org_a")],
            day("2026-11-30"),
            day("2030-01-01"),
            now,
            &mut future,
        );
        assert_eq!(
            plans[0].days,
            day_span(day("2026-11-30"), day("2026-12-02"))
        );
        assert_eq!(plans[0].finished, None);
        assert_eq!(future.stopped_at, Some(day("2026-12-02")));
        assert_eq!(
            future.skipped,
            (day("2030-01-01") - day("2026-12-02")).num_days() as usize
        );
        plans[0].days.push(day("2026-12-03"));
        keep_past_days(&mut plans, now, &mut future);
        assert_eq!(plans[0].days.last(), Some(&day("2026-12-02")));
        assert_eq!(
            future.skipped,
            (day("2030-01-01") - day("2026-12-02")).num_days() as usize + 1
        );
    }
}
