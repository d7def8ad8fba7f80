//! Pure report assembly: per-day counters in, the figures of docs/metrics.md §4–§6
//! out. No I/O happens here; everything the report needs is passed in. The report is
//! numbers and verdict levels only: `crate::report::words` puts it into sentences and
//! `crate::report::wire` into the JSON of docs/openapi.json.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::baseline::Baseline;
use super::rooms::REOPEN_WINDOW_HOURS;
use super::uncertainty::{self, Interval, Level, Moments, Proportion};
use super::{last_day_of_month, threshold, DailyCounters, TileGroup};
use crate::domain::{days_in_month, CostAssumption, DateRange, Organization};

/// The thresholds a report is judged by (docs/metrics.md §4.7 and §5), configurable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportPolicy {
    /// Below this many eligible conversations in the range the report is `baseline_forming`.
    pub min_conversations: i64,
    /// Below this many days of data the report is `baseline_forming`.
    pub min_days_of_data: i64,
    pub net_containment_strong: f64,
    pub net_containment_healthy: f64,
    pub net_containment_room_to_grow: f64,
    pub reopen_rate_low: f64,
    pub reopen_rate_moderate: f64,
    pub turns_quick: f64,
    pub turns_typical: f64,
    pub after_hours_always_on: f64,
    pub sentiment_delta_margin: f64,
    /// Below this share of conversations with a known mood, the mood carries a note.
    pub sentiment_reduced_coverage: f64,
    /// Below this many conversations with a known mood in either group, the mood
    /// has no verdict: too few to compare (METRICS.md §4.10).
    pub sentiment_min_rooms: i64,
}

impl ReportPolicy {
    /// The net-containment thresholds, where a written figure needs a decimal.
    pub fn net_containment_thresholds(&self) -> [f64; 3] {
        [
            self.net_containment_strong,
            self.net_containment_healthy,
            self.net_containment_room_to_grow,
        ]
    }

    pub fn reopen_rate_thresholds(&self) -> [f64; 2] {
        [self.reopen_rate_low, self.reopen_rate_moderate]
    }

    pub fn after_hours_thresholds(&self) -> [f64; 1] {
        [self.after_hours_always_on]
    }
}

impl Default for ReportPolicy {
    fn default() -> Self {
        Self {
            min_conversations: 100,
            min_days_of_data: 30,
            net_containment_strong: 0.60,
            net_containment_healthy: 0.40,
            net_containment_room_to_grow: 0.20,
            reopen_rate_low: 0.10,
            reopen_rate_moderate: 0.20,
            turns_quick: 4.0,
            turns_typical: 8.0,
            after_hours_always_on: 0.20,
            sentiment_delta_margin: 0.10,
            sentiment_reduced_coverage: 0.50,
            sentiment_min_rooms: 30,
        }
    }
}

/// Everything a report is made from. The caller reads it; this module only computes.
#[derive(Debug, Clone)]
pub(crate) struct ReportInputs<'a> {
    pub organization: &'a Organization,
    pub range: DateRange,
    /// The datamart rows of the range, in any order; days without a row count as zero.
    pub days: &'a [DailyCounters],
    /// The organization-local day of its first eligible room, if any.
    pub first_eligible_day: Option<NaiveDate>,
    /// The latest day the datamart holds for the organization.
    pub data_through: Option<NaiveDate>,
    /// How far the aggregation read the source for the organization (METRICS.md
    /// §8.3), `None` before a run recorded it.
    pub read_until: Option<DateTime<Utc>>,
    pub cost_assumption: Option<CostAssumption>,
    pub policy: &'a ReportPolicy,
    /// Tile groups whose data could not be read: their tiles say so, the rest render.
    pub failed_groups: &'a [TileGroup],
    /// The stored onboarding baseline, if its 30 days are complete.
    pub baseline: Option<Baseline>,
    /// Complete months of net containment (oldest first) when the forecast is
    /// switched on for the account; `None` when it is off: then no projection exists.
    pub forecast_history: Option<&'a [(NaiveDate, f64)]>,
    /// The datamart rows of `range.before()` (docs/metrics.md §4.9), or `None` when
    /// they could not be read: then no change is shown.
    pub days_before: Option<&'a [DailyCounters]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    Ok,
    BaselineForming,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileStatus {
    Ok,
    NotAvailable,
    AssumptionMissing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub org_id: String,
    pub org_name: String,
    pub timezone: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub status: ReportStatus,
    pub days_of_data: i64,
    /// How fresh the data is: the latest organization-local day aggregated.
    pub data_through: Option<NaiveDate>,
    /// The last day the figures that depend on the range's length count (the AI's
    /// cost, the period before): the earlier of `to` and `data_through`, `None`
    /// when the data ends before the range starts (§4.4).
    pub counted_through: Option<NaiveDate>,
    /// Up to when the source was read, in the organization's time (§8.4).
    pub data_until: Option<DateTime<FixedOffset>>,
    /// The first day of the range that can still change, because its customers'
    /// 48 hours to come back are not over (§8.4); `None` when the range ends before.
    pub provisional_from: Option<NaiveDate>,
    pub volume: Volume,
    /// Present only while the baseline is forming: what is still needed.
    pub baseline_forming: Option<BaselineForming>,
    /// All conversations of the range and where each went (docs/metrics.md §4.9).
    pub ledger: Ledger,
    /// Present only when the status is `ok`.
    pub figures: Option<Figures>,
    /// The thresholds the figures were judged by, so that every place that writes
    /// a rate can write it with the one decimal a threshold asks for (§4.10).
    pub policy: ReportPolicy,
}

/// All conversations = counted + test chats + spam; counted = closed by the AI alone
/// (solved alone + came back) + AI assisted + escalated + other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ledger {
    pub all: i64,
    /// The eligible conversations, which every figure is about.
    pub counted: i64,
    pub test_chats: i64,
    pub spam: i64,
    /// How the counted ones split; only in an `ok` report whose journey data was read.
    pub split: Option<LedgerSplit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerSplit {
    pub solved_alone: i64,
    pub came_back: i64,
    pub ai_assisted: i64,
    pub escalated: i64,
    pub other: i64,
}

/// The headline figures of the period of equal length just before the range
/// (docs/metrics.md §4.9), when it can be compared with the range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodBefore {
    pub range: DateRange,
    pub comparison: Result<Compared, NotComparable>,
}

/// The period before, its figures and whether each rate changed beyond chance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Compared {
    pub figures: HeadlineFigures,
    /// Net containment now against then (§4.10); `None` when either has no conversation.
    pub net_rate: Option<(Level, Interval)>,
    /// The reopen rate now against then; `None` when either closed none alone.
    pub reopen_rate: Option<(Level, Interval)>,
}

/// Why the period before is not compared with the range (§4.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotComparable {
    /// It starts before the organization's first counted conversation, on this day:
    /// a year against a few weeks of data is not a comparison.
    BeforeFirstConversation(NaiveDate),
    /// It lies in the organization's first days, still forming its baseline.
    StillForming,
    /// It holds too few conversations to judge by.
    TooFewConversations,
    /// The datamart no longer holds its first days (retention).
    OutsideRetention,
}

impl NotComparable {
    /// The stable name of the reason, for programs.
    pub fn name(self) -> &'static str {
        match self {
            NotComparable::BeforeFirstConversation(_) => "before_first_conversation",
            NotComparable::StillForming => "baseline_forming",
            NotComparable::TooFewConversations => "few_conversations",
            NotComparable::OutsideRetention => "outside_retention",
        }
    }
}

/// The four figures a headline change is given for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadlineFigures {
    pub eligible: i64,
    pub net: i64,
    /// Closed by the AI alone (gross): the reopen rate's base.
    pub contained: i64,
    pub net_rate: Option<f64>,
    pub reopened: i64,
    pub reopen_rate: Option<f64>,
    /// Team time saved, only with a cost assumption.
    pub hours: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Volume {
    pub eligible: i64,
    pub ai_handled: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaselineForming {
    pub min_days_of_data: i64,
    pub min_conversations: i64,
    pub reason: FormingReason,
}

/// Why a report shows only its volume (METRICS.md §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormingReason {
    /// Fewer days than the minimum since the first counted conversation.
    NewOrganization,
    /// A mature organization chose a range with fewer conversations than the minimum.
    FewConversations,
}

impl FormingReason {
    pub fn name(self) -> &'static str {
        match self {
            FormingReason::NewOrganization => "new_organization",
            FormingReason::FewConversations => "few_conversations",
        }
    }
}

/// The figures of an `ok` report. The objects named in docs/metrics.md §6 hold exactly
/// those names; verdicts and bar shares sit beside them.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub containment: Containment,
    pub after_hours: AfterHours,
    pub work_absorbed: WorkAbsorbed,
    /// `null` when the journey data could not be read (see `tiles`).
    pub journey: Option<Journey>,
    pub journey_shares: Option<JourneyShares>,
    /// `null` when the quality data could not be read (see `tiles`).
    pub quality: Option<Quality>,
    pub verdicts: Verdicts,
    /// Whether each tile group could be read.
    pub tiles: Tiles,
    pub trend: Trend,
    /// The next month's projection; `None` unless forecasting is on for the account.
    pub forecast: Option<Forecast>,
    /// Some days of the range still wait for their mood from the sentiment source.
    pub sentiment_pending: bool,
    /// The same figures for the period before; `None` when it could not be read.
    pub period_before: Option<PeriodBefore>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Containment {
    pub gross: i64,
    pub net: i64,
    pub reopened: i64,
    pub gross_rate: Option<f64>,
    pub net_rate: Option<f64>,
    /// Where the net rate most likely lies (95 % Wilson, §4.10).
    pub net_rate_interval: Option<Interval>,
    pub reopen_gap: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AfterHours {
    pub status: TileStatus,
    pub count: Option<i64>,
    pub share: Option<f64>,
    pub share_interval: Option<Interval>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkAbsorbed {
    pub status: TileStatus,
    pub hours: Option<f64>,
    pub rupiah: Option<i64>,
    /// The organization's own numbers hours, rupiah and the AI's cost come from
    /// (its rate, its minutes and the AI's monthly price), shown beside them so the
    /// owner can redo the sums (§4.4); `None` without a cost assumption.
    pub assumption: Option<CostAssumption>,
    /// What the AI cost over the range's days with data, by the organization's own
    /// monthly price (§4.4); `None` without a price.
    pub ai_cost: Option<i64>,
    /// `rupiah` − `ai_cost`: what the AI saved beyond its cost; negative is a loss.
    pub net_rupiah: Option<i64>,
    /// `rupiah` ÷ `ai_cost`: how many times its cost the AI saved.
    pub value_ratio: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileState {
    Ok,
    Unavailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiles {
    pub core: TileState,
    pub journey: TileState,
    pub quality: TileState,
    pub trend: TileState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Journey {
    pub ai_only: i64,
    pub ai_assisted: i64,
    pub escalated: i64,
    pub other: i64,
}

/// The bar's three segments, each a share of the three classes together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JourneyShares {
    pub ai_only: f64,
    pub ai_assisted: f64,
    pub escalated: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    pub reopen_rate: Option<f64>,
    pub reopen_rate_interval: Option<Interval>,
    pub sentiment: Sentiment,
    pub turns_avg: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sentiment {
    pub status: TileStatus,
    pub contained_avg: Option<f64>,
    pub escalated_avg: Option<f64>,
    pub delta: Option<f64>,
    /// The delta's 95 % interval (difference of means, §4.10), when both groups
    /// have at least two conversations with a mood.
    pub delta_interval: Option<Interval>,
    pub coverage: Option<f64>,
    /// Conversations with a mood in each group: solved alone, and with the team.
    pub contained_rooms: i64,
    pub escalated_rooms: i64,
}

/// A judgement of docs/metrics.md §5. Every level name is unique across the five
/// verdicts, so the level alone says which label a person reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Strong,
    Healthy,
    RoomToGrow,
    NeedsAttention,
    Low,
    Moderate,
    High,
    Quick,
    Typical,
    Long,
    AlwaysOn,
    OfficeHours,
    MorePositive,
    LessPositive,
    AboutTheSame,
}

impl Verdict {
    /// The stable name programs (the API, the page's styles) read.
    pub fn level(self) -> &'static str {
        match self {
            Verdict::Strong => "strong",
            Verdict::Healthy => "healthy",
            Verdict::RoomToGrow => "room_to_grow",
            Verdict::NeedsAttention => "needs_attention",
            Verdict::Low => "low",
            Verdict::Moderate => "moderate",
            Verdict::High => "high",
            Verdict::Quick => "quick",
            Verdict::Typical => "typical",
            Verdict::Long => "long",
            Verdict::AlwaysOn => "always_on",
            Verdict::OfficeHours => "office_hours",
            Verdict::MorePositive => "more_positive",
            Verdict::LessPositive => "less_positive",
            Verdict::AboutTheSame => "about_the_same",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdicts {
    pub net_containment: Option<Verdict>,
    pub reopen_rate: Option<Verdict>,
    pub turns: Option<Verdict>,
    pub after_hours: Option<Verdict>,
    pub sentiment: Option<Verdict>,
    /// True when the mood figure rests on fewer conversations than the policy wants.
    pub sentiment_reduced_coverage: bool,
    /// True when a group has too few conversations with a mood to compare the two
    /// (then there is no mood verdict).
    pub sentiment_too_few: bool,
}

/// The projection of next month's net containment (docs/metrics.md §4.8, docs/forecast.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub outcome: crate::metrics::forecast::Outcome,
    /// The month projected, when there is a projection.
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub method: crate::metrics::forecast::Method,
}

/// Whether the range reaches the latest complete day of data (the day before the
/// source was last read, or the last day with data if that is earlier): only then
/// is the month after a forecast. A past range shows its history and no projection.
fn reaches_latest_day(inputs: &ReportInputs<'_>) -> bool {
    let Some(through) = inputs.data_through else {
        return false;
    };
    let latest = inputs
        .read_until
        .map(|at| inputs.organization.local_date(at) - Duration::days(1))
        .map_or(through, |complete| through.min(complete));
    inputs.range.to() >= latest
}

fn forecast(history: &[(NaiveDate, f64)]) -> Forecast {
    use crate::metrics::forecast::{project_next, Method, Outcome};
    let rates: Vec<f64> = history.iter().map(|(_, rate)| *rate).collect();
    let outcome = project_next(&rates);
    let next_month = history
        .last()
        .and_then(|(start, _)| start.checked_add_months(chrono::Months::new(1)));
    let (period_from, period_to) = match (outcome, next_month) {
        (Outcome::Ok(_), Some(from)) => (Some(from), Some(last_day_of_month(from))),
        _ => (None, None),
    };
    Forecast {
        outcome,
        period_from,
        period_to,
        method: Method::CHOSEN,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendPeriod {
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub period: TrendPeriod,
    pub points: Vec<TrendPoint>,
    /// What the trend is compared with: the first 30 days of AI activity.
    pub baseline: TrendBaseline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineStatus {
    Ready,
    /// The first 30 days of AI activity are not all in the data yet.
    Forming,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendBaseline {
    pub status: BaselineStatus,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub eligible: Option<i64>,
    pub net: Option<i64>,
    pub net_rate: Option<f64>,
    /// The range's net containment against the first 30 days (§4.10): `None` when
    /// the range overlaps them, or either has no conversation.
    pub comparison: Option<(Level, Interval)>,
}

impl TrendBaseline {
    /// The stored baseline, compared with the range's `net` of `eligible`.
    fn from_stored(baseline: Option<Baseline>, range: DateRange, now: Proportion) -> Self {
        match baseline {
            Some(b) => {
                let overlaps = range.from() <= b.last_day && range.to() >= b.first_day;
                TrendBaseline {
                    status: BaselineStatus::Ready,
                    from: Some(b.first_day),
                    to: Some(b.last_day),
                    eligible: Some(b.eligible),
                    net: Some(b.net),
                    net_rate: b.net_rate(),
                    comparison: (!overlaps)
                        .then(|| uncertainty::change_level(now, Proportion::new(b.net, b.eligible)))
                        .flatten(),
                }
            }
            None => TrendBaseline {
                status: BaselineStatus::Forming,
                from: None,
                to: None,
                eligible: None,
                net: None,
                net_rate: None,
                comparison: None,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub eligible: i64,
    pub net: i64,
    pub net_rate: Option<f64>,
    /// Where the point's rate most likely lies: wide over few conversations.
    pub net_rate_interval: Option<Interval>,
    /// The period reaches a provisional day: its figure can still change.
    pub provisional: bool,
}

/// Sums of the counters over a set of days.
#[derive(Debug, Clone, Default, PartialEq)]
struct Totals {
    /// The days' counters added up (`DailyCounters::add`).
    counts: DailyCounters,
    /// Journey-class rooms on days whose sentiment could be read.
    journey_rooms_with_sentiment_source: i64,
    journey_rooms_pending: i64,
}

impl Totals {
    /// Adds days in date order, so float sums come out the same on every backend.
    fn of<'a>(days: impl IntoIterator<Item = &'a DailyCounters>) -> Self {
        let mut sorted: Vec<&DailyCounters> = days.into_iter().collect();
        sorted.sort_by_key(|row| row.day);
        let mut totals = Totals::default();
        for row in sorted {
            totals.counts.add(row);
            if row.sentiment_pending {
                totals.journey_rooms_pending += row.journey_rooms();
            } else {
                totals.journey_rooms_with_sentiment_source += row.journey_rooms();
            }
        }
        totals
    }

    fn net(&self) -> i64 {
        self.counts.net()
    }

    fn journey_rooms(&self) -> i64 {
        self.counts.journey_rooms()
    }

    fn headline_figures(&self, cost: Option<CostAssumption>) -> HeadlineFigures {
        HeadlineFigures {
            eligible: self.counts.eligible,
            net: self.net(),
            contained: self.counts.contained,
            net_rate: ratio(self.net(), self.counts.eligible),
            reopened: self.counts.reopened,
            reopen_rate: ratio(self.counts.reopened, self.counts.contained),
            hours: work_absorbed(self.net(), cost, None).hours,
        }
    }
}

fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

fn mean(sum: f64, count: i64) -> Option<f64> {
    (count > 0).then(|| sum / count as f64)
}

/// Whether a range ending on `to` with `eligible` conversations is still forming its
/// baseline (§4.7): then only volume is shown, in the report and in its downloads.
pub fn baseline_forming(
    first_eligible_day: Option<NaiveDate>,
    to: NaiveDate,
    eligible: i64,
    policy: &ReportPolicy,
) -> bool {
    forming_reason(first_eligible_day, to, eligible, policy).is_some()
}

/// Why a range is still forming its baseline (§4.7), or `None` when it is not: a
/// young organization is new whatever the range holds; a mature one only chose a
/// range with too few conversations.
pub fn forming_reason(
    first_eligible_day: Option<NaiveDate>,
    to: NaiveDate,
    eligible: i64,
    policy: &ReportPolicy,
) -> Option<FormingReason> {
    if days_of_data(first_eligible_day, to) < policy.min_days_of_data {
        Some(FormingReason::NewOrganization)
    } else if eligible < policy.min_conversations {
        Some(FormingReason::FewConversations)
    } else {
        None
    }
}

/// Org-local days from the first eligible room to the range's end, inclusive (§4.7).
/// The first day of `range` whose figures can still change (§8.4): the local date of
/// 48 hours before the source was read, or `None` when the range ends earlier.
pub(crate) fn provisional_from(
    read_until: Option<DateTime<Utc>>,
    organization: &Organization,
    range: DateRange,
) -> Option<NaiveDate> {
    let first = organization.local_date(read_until? - Duration::hours(REOPEN_WINDOW_HOURS));
    (range.to() >= first).then_some(first.max(range.from()))
}

pub fn days_of_data(first_eligible_day: Option<NaiveDate>, to: NaiveDate) -> i64 {
    first_eligible_day
        .map(|first| ((to - first).num_days() + 1).max(0))
        .unwrap_or(0)
}

pub(crate) fn assemble(inputs: &ReportInputs<'_>) -> Report {
    let range = inputs.range;
    let in_range: Vec<&DailyCounters> = inputs
        .days
        .iter()
        .filter(|row| range.contains(row.day))
        .collect();
    let totals = Totals::of(in_range.iter().copied());
    let days_of_data = days_of_data(inputs.first_eligible_day, range.to());
    let policy = inputs.policy;
    let volume = Volume {
        eligible: totals.counts.eligible,
        ai_handled: totals.counts.ai_handled,
    };
    let forming = forming_reason(
        inputs.first_eligible_day,
        range.to(),
        totals.counts.eligible,
        policy,
    );
    let mut report = Report {
        org_id: inputs.organization.id.to_string(),
        org_name: inputs.organization.name.clone(),
        timezone: inputs.organization.timezone.name().to_string(),
        from: range.from(),
        to: range.to(),
        status: ReportStatus::BaselineForming,
        days_of_data,
        data_through: inputs.data_through,
        counted_through: counted_days(inputs).map(|counted| counted.to()),
        data_until: inputs.read_until.map(|at| {
            at.with_timezone(&inputs.organization.timezone)
                .fixed_offset()
        }),
        provisional_from: provisional_from(inputs.read_until, inputs.organization, range),
        volume,
        baseline_forming: None,
        ledger: Ledger {
            all: totals.counts.eligible + totals.counts.test_chats + totals.counts.spam,
            counted: totals.counts.eligible,
            test_chats: totals.counts.test_chats,
            spam: totals.counts.spam,
            split: None,
        },
        figures: None,
        policy: policy.clone(),
    };
    if let Some(reason) = forming {
        report.baseline_forming = Some(BaselineForming {
            min_days_of_data: policy.min_days_of_data,
            min_conversations: policy.min_conversations,
            reason,
        });
    } else {
        report.status = ReportStatus::Ok;
        let figures = figures(inputs, &totals, &in_range);
        report.ledger.split = figures.journey.map(|journey| LedgerSplit {
            solved_alone: totals.net(),
            came_back: totals.counts.reopened,
            ai_assisted: journey.ai_assisted,
            escalated: journey.escalated,
            other: journey.other,
        });
        report.figures = Some(figures);
    }
    report
}

fn figures(inputs: &ReportInputs<'_>, totals: &Totals, in_range: &[&DailyCounters]) -> Figures {
    let policy = inputs.policy;
    let net = totals.net();
    let gross_rate = ratio(totals.counts.contained, totals.counts.eligible);
    let net_rate = ratio(net, totals.counts.eligible);
    let containment = Containment {
        gross: totals.counts.contained,
        net,
        reopened: totals.counts.reopened,
        gross_rate,
        net_rate,
        net_rate_interval: uncertainty::wilson(net, totals.counts.eligible),
        reopen_gap: gross_rate.zip(net_rate).map(|(gross, net)| gross - net),
    };

    let after_hours = if inputs.organization.business_hours.is_some() {
        AfterHours {
            status: TileStatus::Ok,
            count: Some(totals.counts.after_hours),
            share: ratio(totals.counts.after_hours, totals.counts.ai_handled),
            share_interval: uncertainty::wilson(
                totals.counts.after_hours,
                totals.counts.ai_handled,
            ),
        }
    } else {
        AfterHours {
            status: TileStatus::NotAvailable,
            count: None,
            share: None,
            share_interval: None,
        }
    };

    let work_absorbed = work_absorbed(net, inputs.cost_assumption, counted_days(inputs));

    let available = |group: TileGroup| !inputs.failed_groups.contains(&group);
    let state = |group: TileGroup| {
        if available(group) {
            TileState::Ok
        } else {
            TileState::Unavailable
        }
    };
    let journey = available(TileGroup::Journey).then_some(Journey {
        ai_only: totals.counts.contained,
        ai_assisted: totals.counts.ai_assisted,
        escalated: totals.counts.escalated,
        other: totals.counts.other,
    });
    let journey_total = totals.journey_rooms();
    let journey_shares = journey
        .filter(|_| journey_total > 0)
        .map(|_| JourneyShares {
            ai_only: totals.counts.contained as f64 / journey_total as f64,
            ai_assisted: totals.counts.ai_assisted as f64 / journey_total as f64,
            escalated: totals.counts.escalated as f64 / journey_total as f64,
        });

    let quality = available(TileGroup::Quality).then(|| Quality {
        reopen_rate: ratio(totals.counts.reopened, totals.counts.contained),
        reopen_rate_interval: uncertainty::wilson(totals.counts.reopened, totals.counts.contained),
        sentiment: sentiment(totals),
        turns_avg: mean(
            totals.counts.contained_customer_messages as f64,
            totals.counts.contained,
        ),
    });
    let verdicts = verdicts(policy, &containment, quality.as_ref(), &after_hours);

    Figures {
        containment,
        after_hours,
        work_absorbed,
        journey,
        journey_shares,
        quality,
        verdicts,
        tiles: Tiles {
            core: TileState::Ok,
            journey: state(TileGroup::Journey),
            quality: state(TileGroup::Quality),
            trend: TileState::Ok,
        },
        trend: trend(
            inputs.range,
            in_range,
            TrendBaseline::from_stored(
                inputs.baseline,
                inputs.range,
                Proportion::new(net, totals.counts.eligible),
            ),
            provisional_from(inputs.read_until, inputs.organization, inputs.range),
        ),
        forecast: inputs
            .forecast_history
            .filter(|_| reaches_latest_day(inputs))
            .map(forecast),
        sentiment_pending: totals.journey_rooms_pending > 0,
        period_before: period_before(inputs, totals),
    }
}

/// The verdict of each figure that has one (METRICS.md §5).
fn verdicts(
    policy: &ReportPolicy,
    containment: &Containment,
    quality: Option<&Quality>,
    after_hours: &AfterHours,
) -> Verdicts {
    let sentiment = quality.map(|q| q.sentiment);
    Verdicts {
        net_containment: containment.net_rate.map(|rate| net_verdict(policy, rate)),
        reopen_rate: quality.and_then(|q| q.reopen_rate).map(|rate| {
            if threshold::at_most(rate, policy.reopen_rate_low) {
                Verdict::Low
            } else if threshold::at_most(rate, policy.reopen_rate_moderate) {
                Verdict::Moderate
            } else {
                Verdict::High
            }
        }),
        turns: quality.and_then(|q| q.turns_avg).map(|turns| {
            if threshold::at_most(turns, policy.turns_quick) {
                Verdict::Quick
            } else if threshold::at_most(turns, policy.turns_typical) {
                Verdict::Typical
            } else {
                Verdict::Long
            }
        }),
        after_hours: after_hours.share.map(|share| {
            if threshold::at_least(share, policy.after_hours_always_on) {
                Verdict::AlwaysOn
            } else {
                Verdict::OfficeHours
            }
        }),
        sentiment: sentiment
            .filter(|s| !too_few_moods(policy, s))
            .and_then(|s| s.delta.zip(s.delta_interval))
            .map(|(delta, interval)| mood_verdict(policy, delta, interval)),
        sentiment_reduced_coverage: sentiment
            .and_then(|s| s.coverage)
            .is_some_and(|coverage| threshold::below(coverage, policy.sentiment_reduced_coverage)),
        sentiment_too_few: sentiment
            .is_some_and(|s| s.status == TileStatus::Ok && too_few_moods(policy, &s)),
    }
}

/// Whether either group has too few conversations with a mood to compare (§4.10).
fn too_few_moods(policy: &ReportPolicy, sentiment: &Sentiment) -> bool {
    sentiment.contained_rooms.min(sentiment.escalated_rooms) < policy.sentiment_min_rooms
}

/// The mood verdict (§4.10): a side only when the delta is beyond the margin and
/// its interval leaves out 0, so chance alone is not called a difference in mood.
fn mood_verdict(policy: &ReportPolicy, delta: f64, interval: Interval) -> Verdict {
    if threshold::above(delta, policy.sentiment_delta_margin) && interval.low > 0.0 {
        Verdict::MorePositive
    } else if threshold::below(delta, -policy.sentiment_delta_margin) && interval.high < 0.0 {
        Verdict::LessPositive
    } else {
        Verdict::AboutTheSame
    }
}

/// The range's days with data (METRICS.md §4.4): every figure that depends on the
/// range's length counts these, so a range past the data charges nothing for days
/// without it. `None` when the data ends before the range starts.
fn counted_days(inputs: &ReportInputs<'_>) -> Option<DateRange> {
    inputs.range.with_data_through(inputs.data_through)
}

/// The period before the range (METRICS.md §4.9), when its days were read: compared
/// only when it lies wholly on or after the organization's first counted day, holds
/// enough conversations, and is still whole in the datamart.
fn period_before(inputs: &ReportInputs<'_>, now: &Totals) -> Option<PeriodBefore> {
    let policy = inputs.policy;
    inputs.days_before.map(|days| {
        // As long as the days with data, so a range past the data compares like
        // with like.
        let range = counted_days(inputs).unwrap_or(inputs.range).before();
        let rows: Vec<&DailyCounters> = days.iter().filter(|row| range.contains(row.day)).collect();
        let earliest = rows.iter().map(|row| row.day).min();
        let before = Totals::of(rows);
        let comparison = match inputs.first_eligible_day {
            Some(first) if first > range.from() => {
                Err(NotComparable::BeforeFirstConversation(first))
            }
            // Its first day is on or after the first counted one, so it has data
            // from that day on: a datamart that starts later lost it to retention.
            _ if earliest.is_none_or(|earliest| earliest > range.from()) => {
                Err(NotComparable::OutsideRetention)
            }
            _ => match forming_reason(
                inputs.first_eligible_day,
                range.to(),
                before.counts.eligible,
                policy,
            ) {
                Some(FormingReason::NewOrganization) => Err(NotComparable::StillForming),
                Some(FormingReason::FewConversations) => Err(NotComparable::TooFewConversations),
                None => Ok(Compared {
                    figures: before.headline_figures(inputs.cost_assumption),
                    net_rate: uncertainty::change_level(
                        Proportion::new(now.net(), now.counts.eligible),
                        Proportion::new(before.net(), before.counts.eligible),
                    ),
                    reopen_rate: uncertainty::change_level(
                        Proportion::new(now.counts.reopened, now.counts.contained),
                        Proportion::new(before.counts.reopened, before.counts.contained),
                    ),
                }),
            },
        };
        PeriodBefore { range, comparison }
    })
}

/// The work the AI absorbed in `net` conversations, in hours and in the
/// organization's own rupiah, and its return on the AI's price over `counted`, the
/// range's days with data, when a price is set (METRICS.md §4.4). Money is computed
/// exactly in integers, halves rounded up.
pub(crate) fn work_absorbed(
    net: i64,
    cost: Option<CostAssumption>,
    counted: Option<DateRange>,
) -> WorkAbsorbed {
    let Some(assumption) = cost else {
        return WorkAbsorbed {
            status: TileStatus::AssumptionMissing,
            hours: None,
            rupiah: None,
            assumption: None,
            ai_cost: None,
            net_rupiah: None,
            value_ratio: None,
        };
    };
    let minutes = i128::from(net) * i128::from(assumption.minutes_per_conversation());
    let rupiah = whole_rupiah(minutes * i128::from(assumption.agent_hour_rate()), 60);
    let ai_cost = assumption
        .ai_price_per_month()
        .map(|price| ai_cost(price, counted));
    WorkAbsorbed {
        status: TileStatus::Ok,
        hours: Some(minutes as f64 / 60.0),
        rupiah: Some(rupiah),
        assumption: Some(assumption),
        ai_cost,
        net_rupiah: ai_cost.map(|cost| rupiah.saturating_sub(cost)),
        // No days with data cost nothing, and nothing has no return to speak of.
        value_ratio: ai_cost
            .filter(|cost| *cost > 0)
            .map(|cost| rupiah as f64 / cost as f64),
    }
}

/// What the AI cost over `counted` at `price_per_month` (METRICS.md §4.4): each
/// calendar month it touches costs the price × its days counted ÷ its days, summed
/// as one exact fraction and rounded once. A whole month is exactly the price; no
/// days (the data starts after the range) cost nothing.
fn ai_cost(price_per_month: i64, counted: Option<DateRange>) -> i64 {
    // Every month has 28 to 31 days; their least common multiple is a denominator
    // that holds each month's fraction exactly.
    const COMMON: i128 = 4 * 3 * 5 * 7 * 29 * 31;
    let Some(counted) = counted else {
        return 0;
    };
    let numerator: i128 = counted
        .calendar_months()
        .map(|month| {
            let in_month = i128::from(days_in_month(month.from()));
            i128::from(price_per_month) * i128::from(month.days()) * (COMMON / in_month)
        })
        .sum();
    whole_rupiah(numerator, COMMON)
}

/// `numerator ÷ denominator` in whole rupiah, halves rounded up (both positive).
fn whole_rupiah(numerator: i128, denominator: i128) -> i64 {
    let rounded = (2 * numerator + denominator).div_euclid(2 * denominator);
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// The net-containment verdict (docs/metrics.md §5), also used for trend points.
pub(crate) fn net_verdict(policy: &ReportPolicy, rate: f64) -> Verdict {
    if threshold::at_least(rate, policy.net_containment_strong) {
        Verdict::Strong
    } else if threshold::at_least(rate, policy.net_containment_healthy) {
        Verdict::Healthy
    } else if threshold::at_least(rate, policy.net_containment_room_to_grow) {
        Verdict::RoomToGrow
    } else {
        Verdict::NeedsAttention
    }
}

/// Mood of contained rooms against rooms a human touched (docs/metrics.md §4.6).
fn sentiment(totals: &Totals) -> Sentiment {
    let not_available = Sentiment {
        status: TileStatus::NotAvailable,
        contained_avg: None,
        escalated_avg: None,
        delta: None,
        delta_interval: None,
        coverage: None,
        contained_rooms: totals.counts.contained_sentiment_rooms,
        escalated_rooms: totals.counts.human_sentiment_rooms,
    };
    // Every day of the range had its sentiment source unavailable.
    if totals.journey_rooms_with_sentiment_source == 0 && totals.journey_rooms_pending > 0 {
        return not_available;
    }
    let rooms_with_sentiment =
        totals.counts.contained_sentiment_rooms + totals.counts.human_sentiment_rooms;
    if rooms_with_sentiment == 0 {
        return not_available;
    }
    let counts = &totals.counts;
    let contained = Moments {
        count: counts.contained_sentiment_rooms,
        sum: counts.contained_sentiment_sum,
        sum_of_squares: counts.contained_sentiment_squares,
    };
    let human = Moments {
        count: counts.human_sentiment_rooms,
        sum: counts.human_sentiment_sum,
        sum_of_squares: counts.human_sentiment_squares,
    };
    let contained_avg = mean(contained.sum, contained.count);
    let escalated_avg = mean(human.sum, human.count);
    Sentiment {
        status: TileStatus::Ok,
        contained_avg,
        escalated_avg,
        delta: contained_avg.zip(escalated_avg).map(|(a, b)| a - b),
        delta_interval: uncertainty::mean_difference(contained, human),
        coverage: ratio(rooms_with_sentiment, totals.journey_rooms()),
        contained_rooms: contained.count,
        escalated_rooms: human.count,
    }
}

/// Net containment per period: days up to 31 days, ISO weeks (Monday first,
/// clipped to the range) up to 26 weeks, calendar months beyond (docs/metrics.md §4.8).
fn trend(
    range: DateRange,
    in_range: &[&DailyCounters],
    baseline: TrendBaseline,
    provisional_from: Option<NaiveDate>,
) -> Trend {
    let week_start =
        |day: NaiveDate| day - Duration::days(day.weekday().num_days_from_monday().into());
    let weeks_touched = (week_start(range.to()) - week_start(range.from())).num_days() / 7 + 1;
    let period = if range.days() <= 31 {
        TrendPeriod::Day
    } else if weeks_touched <= 26 {
        TrendPeriod::Week
    } else {
        TrendPeriod::Month
    };
    let mut points = Vec::new();
    let mut start = range.from();
    while start <= range.to() {
        let natural_end = match period {
            TrendPeriod::Day => start,
            TrendPeriod::Week => week_start(start) + Duration::days(6),
            TrendPeriod::Month => last_day_of_month(start),
        };
        let end = natural_end.min(range.to());
        let totals = Totals::of(
            in_range
                .iter()
                .copied()
                .filter(|row| start <= row.day && row.day <= end),
        );
        points.push(TrendPoint {
            from: start,
            to: end,
            eligible: totals.counts.eligible,
            net: totals.net(),
            net_rate: ratio(totals.net(), totals.counts.eligible),
            net_rate_interval: uncertainty::wilson(totals.net(), totals.counts.eligible),
            provisional: provisional_from.is_some_and(|first| end >= first),
        });
        start = end + Duration::days(1);
    }
    Trend {
        period,
        points,
        baseline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    proptest::proptest! {
        /// Whole months cost whole prices, and a range cut in two costs what its
        /// parts cost, give or take the one rupiah each rounding may move.
        #[test]
        fn the_ais_cost_adds_up_over_months_and_parts(
            start in 0u32..120,
            months in 1u32..13,
            cut in 0i64..366,
            price in 1_000i64..1_000_000_000,
        ) {
            let first = day("2020-01-01").checked_add_months(chrono::Months::new(start)).unwrap();
            let last = first.checked_add_months(chrono::Months::new(months)).unwrap().pred_opt().unwrap();
            let whole = DateRange::unbounded(first, last).unwrap();
            proptest::prop_assert_eq!(ai_cost(price, Some(whole)), price * i64::from(months));
            let split = first + Duration::days(cut % whole.days());
            let parts = ai_cost(price, DateRange::unbounded(first, split).ok())
                + ai_cost(price, DateRange::unbounded(split + Duration::days(1), last).ok());
            proptest::prop_assert!((parts - price * i64::from(months)).abs() <= 1);
        }
    }
}
