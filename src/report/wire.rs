//! The API's JSON, exactly as docs/openapi.json describes it: the report (also for
//! `impact report --format json`), its conversation lists, the cost assumption and
//! the Reports area's entries. The metrics hand over numbers and verdict levels;
//! this boundary adds the caller's language and the sentences of `words`, and owns
//! every serialization rule (field names, order, what is left out when).

use chrono::NaiveDate;
use serde::Serialize;

use super::words;
use crate::i18n::Lang;
use crate::metrics::forecast::{Method, Outcome};
use crate::metrics::report::{
    self as metrics, BaselineStatus, ReportStatus, TileState, TileStatus, TrendPeriod,
};
use crate::metrics::uncertainty::{Interval, Level};

/// An interval as the API writes it: `[low, high]`.
fn pair(interval: Option<Interval>) -> Option<[f64; 2]> {
    interval.map(Interval::pair)
}

/// The report in the caller's language.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub org_id: &'a str,
    pub org_name: &'a str,
    pub timezone: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub lang: Lang,
    pub status: Status,
    pub days_of_data: i64,
    /// How fresh the data is: the latest organization-local day aggregated.
    pub data_through: Option<NaiveDate>,
    /// The last day that figures depending on the range's length count (the AI's
    /// cost, the period before): `to`, or `data_through` when the data ends sooner;
    /// `null` when the data ends before the range starts.
    pub counted_through: Option<NaiveDate>,
    /// Up to when the source was read (its high-water mark), RFC 3339 in the
    /// organization's time; `null` before an aggregation recorded it.
    pub data_until: Option<String>,
    /// The first day of the range whose figures can still change (a customer has
    /// 48 hours to come back); `null` when the whole range is settled.
    pub provisional_from: Option<NaiveDate>,
    pub volume: Volume,
    /// Present only while the baseline is forming: what is still needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_forming: Option<BaselineForming>,
    /// Why the baseline is forming (`new_organization` or `few_conversations`);
    /// present only then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_forming_reason: Option<&'static str>,
    /// All conversations of the range and where each went.
    pub ledger: Ledger,
    /// Present only when the status is `ok`.
    #[serde(flatten)]
    pub figures: Option<Figures>,
    pub headline: String,
    pub notes: Vec<String>,
}

impl<'a> Report<'a> {
    pub fn new(report: &'a metrics::Report, lang: Lang) -> Self {
        Report {
            org_id: &report.org_id,
            org_name: &report.org_name,
            timezone: &report.timezone,
            from: report.from,
            to: report.to,
            lang,
            status: report.status.into(),
            days_of_data: report.days_of_data,
            data_through: report.data_through,
            counted_through: report.counted_through,
            data_until: report.data_until.map(|at| at.to_rfc3339()),
            provisional_from: report.provisional_from,
            volume: Volume {
                eligible: report.volume.eligible,
                ai_handled: report.volume.ai_handled,
            },
            baseline_forming: report.baseline_forming.map(|b| BaselineForming {
                min_days_of_data: b.min_days_of_data,
                min_conversations: b.min_conversations,
            }),
            baseline_forming_reason: report.baseline_forming.map(|b| b.reason.name()),
            ledger: Ledger::new(report, lang),
            figures: report
                .figures
                .as_ref()
                .map(|f| Figures::new(report, f, lang)),
            headline: words::headline(report, lang),
            notes: words::notes(report, lang),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    BaselineForming,
}

impl From<ReportStatus> for Status {
    fn from(status: ReportStatus) -> Self {
        match status {
            ReportStatus::Ok => Status::Ok,
            ReportStatus::BaselineForming => Status::BaselineForming,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Volume {
    pub eligible: i64,
    pub ai_handled: i64,
}

#[derive(Debug, Serialize)]
pub struct BaselineForming {
    pub min_days_of_data: i64,
    pub min_conversations: i64,
}

/// The figures of an `ok` report. The objects named in docs/metrics.md §6 hold exactly
/// those names; verdicts and bar shares sit beside them.
#[derive(Debug, Serialize)]
pub struct Figures {
    pub containment: Containment,
    pub after_hours: AfterHours,
    pub work_absorbed: WorkAbsorbed,
    /// The organization's own numbers hours and rupiah come from, so a reader can
    /// redo the sum (docs/metrics.md §4.4); `null` without a cost assumption.
    pub cost_numbers: Option<CostNumbers>,
    /// `null` when the journey data could not be read (see `tiles`).
    pub journey: Option<Journey>,
    pub journey_shares: Option<JourneyShares>,
    /// `null` when the quality data could not be read (see `tiles`).
    pub quality: Option<Quality>,
    pub verdicts: Verdicts,
    /// Whether each tile group could be read.
    pub tiles: Tiles,
    pub trend: Trend,
    /// The next month's projection; `null` unless forecasting is on for the account.
    pub forecast: Option<Forecast>,
    /// The headline figures of the period of equal length just before the range,
    /// in every `ok` report (both callers read it with the range's core rows).
    pub period_before: Option<PeriodBefore>,
}

impl Figures {
    fn new(report: &metrics::Report, figures: &metrics::Figures, lang: Lang) -> Self {
        let verdict = |v: Option<metrics::Verdict>| v.map(|v| Verdict::new(v, lang));
        let v = &figures.verdicts;
        Figures {
            containment: Containment {
                gross: figures.containment.gross,
                net: figures.containment.net,
                reopened: figures.containment.reopened,
                gross_rate: figures.containment.gross_rate,
                net_rate: figures.containment.net_rate,
                net_rate_interval: pair(figures.containment.net_rate_interval),
                reopen_gap: figures.containment.reopen_gap,
            },
            after_hours: AfterHours {
                status: figures.after_hours.status.into(),
                count: figures.after_hours.count,
                share: figures.after_hours.share,
                share_interval: pair(figures.after_hours.share_interval),
            },
            work_absorbed: WorkAbsorbed {
                status: figures.work_absorbed.status.into(),
                hours: figures.work_absorbed.hours,
                rupiah: figures.work_absorbed.rupiah,
                ai_cost: figures.work_absorbed.ai_cost,
                net_rupiah: figures.work_absorbed.net_rupiah,
                value_ratio: figures.work_absorbed.value_ratio,
            },
            cost_numbers: figures.work_absorbed.assumption.map(|a| CostNumbers {
                agent_hour_rate: a.agent_hour_rate(),
                minutes_per_conversation: a.minutes_per_conversation(),
                ai_price_per_month: a.ai_price_per_month(),
            }),
            journey: figures.journey.map(|j| Journey {
                ai_only: j.ai_only,
                ai_assisted: j.ai_assisted,
                escalated: j.escalated,
                other: j.other,
            }),
            journey_shares: figures.journey_shares.map(|s| JourneyShares {
                ai_only: s.ai_only,
                ai_assisted: s.ai_assisted,
                escalated: s.escalated,
            }),
            quality: figures.quality.map(|q| Quality {
                reopen_rate: q.reopen_rate,
                reopen_rate_interval: pair(q.reopen_rate_interval),
                sentiment: Sentiment {
                    status: q.sentiment.status.into(),
                    contained_avg: q.sentiment.contained_avg,
                    escalated_avg: q.sentiment.escalated_avg,
                    delta: q.sentiment.delta,
                    delta_interval: pair(q.sentiment.delta_interval),
                    coverage: q.sentiment.coverage,
                    rooms_with_mood: (q.sentiment.status == TileStatus::Ok).then_some(
                        RoomsWithMood {
                            contained: q.sentiment.contained_rooms,
                            escalated: q.sentiment.escalated_rooms,
                        },
                    ),
                },
                turns_avg: q.turns_avg,
            }),
            verdicts: Verdicts {
                net_containment: verdict(v.net_containment),
                reopen_rate: verdict(v.reopen_rate),
                turns: verdict(v.turns),
                after_hours: verdict(v.after_hours),
                sentiment: verdict(v.sentiment),
                sentiment_reduced_coverage: v.sentiment_reduced_coverage,
                sentiment_too_few: v.sentiment_too_few,
            },
            tiles: Tiles {
                core: figures.tiles.core.into(),
                journey: figures.tiles.journey.into(),
                quality: figures.tiles.quality.into(),
                trend: figures.tiles.trend.into(),
            },
            trend: Trend {
                period: figures.trend.period.into(),
                points: figures
                    .trend
                    .points
                    .iter()
                    .map(|p| TrendPoint {
                        from: p.from,
                        to: p.to,
                        eligible: p.eligible,
                        net: p.net,
                        net_rate: p.net_rate,
                        net_rate_interval: pair(p.net_rate_interval),
                        provisional: p.provisional,
                    })
                    .collect(),
                baseline: TrendBaseline::new(&figures.trend.baseline),
            },
            forecast: figures.forecast.as_ref().map(|f| Forecast::new(f, lang)),
            period_before: figures
                .period_before
                .map(|before| PeriodBefore::new(report, figures, before, lang)),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Ledger {
    pub all: i64,
    pub counted: i64,
    pub test_chats: i64,
    pub spam: i64,
    /// How the counted conversations split (`ok` reports whose journey was read):
    /// solved_alone + came_back + ai_assisted + escalated + other = counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solved_alone: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub came_back: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_assisted: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalated: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<i64>,
    pub read: String,
}

impl Ledger {
    fn new(report: &metrics::Report, lang: Lang) -> Self {
        let ledger = &report.ledger;
        let split = ledger.split;
        Ledger {
            all: ledger.all,
            counted: ledger.counted,
            test_chats: ledger.test_chats,
            spam: ledger.spam,
            solved_alone: split.map(|s| s.solved_alone),
            came_back: split.map(|s| s.came_back),
            ai_assisted: split.map(|s| s.ai_assisted),
            escalated: split.map(|s| s.escalated),
            other: split.map(|s| s.other),
            read: match words::ledger_split(report, lang) {
                Some(split) => format!("{} {split}", words::ledger(report, lang)),
                None => words::ledger(report, lang),
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PeriodBefore {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `ok`, or `not_comparable` (then no figure and no change, and `reason` says why).
    pub status: &'static str,
    /// `before_first_conversation`, `few_conversations` or `outside_retention`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// The organization's first counted day, when the period starts before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_day: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopened: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopen_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    /// Each headline figure now minus then (rates in fractions, not points).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// Whether each rate moved beyond chance: `up`, `down` or `about_the_same`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub levels: Option<RateLevels>,
    /// The 95 % interval of each rate's change (Newcombe), `[low, high]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervals: Option<RateIntervals>,
    /// The changes in words, one per figure, or why there is none.
    pub reads: Reads,
}

#[derive(Debug, Serialize)]
pub struct Change {
    pub eligible: i64,
    pub net_rate: Option<f64>,
    pub reopen_rate: Option<f64>,
    pub hours: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct RateLevels {
    pub net_rate: Option<Level>,
    pub reopen_rate: Option<Level>,
}

#[derive(Debug, Serialize)]
pub struct RateIntervals {
    pub net_rate: Option<[f64; 2]>,
    pub reopen_rate: Option<[f64; 2]>,
}

#[derive(Debug, Serialize)]
pub struct Reads {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub none: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_rate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopen_rate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
}

impl PeriodBefore {
    fn new(
        report: &metrics::Report,
        figures: &metrics::Figures,
        before: metrics::PeriodBefore,
        lang: Lang,
    ) -> Self {
        let compared = before.comparison.ok();
        let then = compared.map(|c| c.figures);
        let minus = |now: Option<f64>, then: Option<f64>| now.zip(then).map(|(a, b)| a - b);
        let reads = words::changes(report, lang).unwrap_or_default();
        let not_comparable = before.comparison.err();
        PeriodBefore {
            from: before.range.from(),
            to: before.range.to(),
            status: if compared.is_some() {
                "ok"
            } else {
                "not_comparable"
            },
            reason: not_comparable.map(metrics::NotComparable::name),
            first_day: match not_comparable {
                Some(metrics::NotComparable::BeforeFirstConversation(day)) => Some(day),
                _ => None,
            },
            eligible: then.map(|t| t.eligible),
            net: then.map(|t| t.net),
            net_rate: then.and_then(|t| t.net_rate),
            reopened: then.map(|t| t.reopened),
            reopen_rate: then.and_then(|t| t.reopen_rate),
            hours: then.and_then(|t| t.hours),
            change: then.map(|t| Change {
                eligible: report.volume.eligible - t.eligible,
                net_rate: minus(figures.containment.net_rate, t.net_rate),
                reopen_rate: minus(figures.quality.and_then(|q| q.reopen_rate), t.reopen_rate),
                hours: minus(figures.work_absorbed.hours, t.hours),
            }),
            levels: compared.map(|c| RateLevels {
                net_rate: c.net_rate.map(|(level, _)| level),
                reopen_rate: c.reopen_rate.map(|(level, _)| level),
            }),
            intervals: compared.map(|c| RateIntervals {
                net_rate: pair(c.net_rate.map(|(_, interval)| interval)),
                reopen_rate: pair(c.reopen_rate.map(|(_, interval)| interval)),
            }),
            reads: Reads {
                none: reads.none,
                net_rate: reads.net_rate,
                eligible: reads.eligible,
                reopen_rate: reads.reopen_rate,
                hours: reads.hours,
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Containment {
    pub gross: i64,
    pub net: i64,
    pub reopened: i64,
    pub gross_rate: Option<f64>,
    pub net_rate: Option<f64>,
    /// Where the net rate most likely lies: its 95 % Wilson interval, `[low, high]`.
    pub net_rate_interval: Option<[f64; 2]>,
    pub reopen_gap: Option<f64>,
}

/// How a tile with conditions stands.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TileCondition {
    Ok,
    NotAvailable,
    AssumptionMissing,
}

impl From<TileStatus> for TileCondition {
    fn from(status: TileStatus) -> Self {
        match status {
            TileStatus::Ok => TileCondition::Ok,
            TileStatus::NotAvailable => TileCondition::NotAvailable,
            TileStatus::AssumptionMissing => TileCondition::AssumptionMissing,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AfterHours {
    pub status: TileCondition,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_interval: Option<[f64; 2]>,
}

#[derive(Debug, Serialize)]
pub struct WorkAbsorbed {
    pub status: TileCondition,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rupiah: Option<i64>,
    /// The AI's cost over the range's days with data, `rupiah` − that, and `rupiah`
    /// ÷ that: only when the organization gave the AI's monthly price
    /// (docs/metrics.md §4.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_cost: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_rupiah: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_ratio: Option<f64>,
}

/// The cost assumption a report's money was worked out with.
#[derive(Debug, Serialize)]
pub struct CostNumbers {
    pub agent_hour_rate: i64,
    pub minutes_per_conversation: i64,
    /// `null` when the organization gave no price for the AI.
    pub ai_price_per_month: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Journey {
    pub ai_only: i64,
    pub ai_assisted: i64,
    pub escalated: i64,
    pub other: i64,
}

/// The bar's three segments, each a share of the three classes together.
#[derive(Debug, Serialize)]
pub struct JourneyShares {
    pub ai_only: f64,
    pub ai_assisted: f64,
    pub escalated: f64,
}

#[derive(Debug, Serialize)]
pub struct Quality {
    pub reopen_rate: Option<f64>,
    pub reopen_rate_interval: Option<[f64; 2]>,
    pub sentiment: Sentiment,
    pub turns_avg: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Sentiment {
    pub status: TileCondition,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contained_avg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalated_avg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    /// The delta's 95 % interval (difference of means), `[low, high]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_interval: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
    /// How many conversations each average rests on, when there is a figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rooms_with_mood: Option<RoomsWithMood>,
}

/// Conversations with a mood in each group: solved alone, and with the team.
#[derive(Debug, Serialize)]
pub struct RoomsWithMood {
    pub contained: i64,
    pub escalated: i64,
}

/// A plain-language judgement: a stable `level` for programs, a `label` for people.
#[derive(Debug, Serialize)]
pub struct Verdict {
    pub level: &'static str,
    pub label: &'static str,
}

impl Verdict {
    fn new(verdict: metrics::Verdict, lang: Lang) -> Self {
        Verdict {
            level: verdict.level(),
            label: words::label(verdict, lang),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Verdicts {
    pub net_containment: Option<Verdict>,
    pub reopen_rate: Option<Verdict>,
    pub turns: Option<Verdict>,
    pub after_hours: Option<Verdict>,
    pub sentiment: Option<Verdict>,
    /// True when the mood figure rests on fewer conversations than the policy wants.
    pub sentiment_reduced_coverage: bool,
    /// True when a group has too few conversations with a mood to compare (no verdict).
    pub sentiment_too_few: bool,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TileRead {
    Ok,
    Unavailable,
}

impl From<TileState> for TileRead {
    fn from(state: TileState) -> Self {
        match state {
            TileState::Ok => TileRead::Ok,
            TileState::Unavailable => TileRead::Unavailable,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Tiles {
    pub core: TileRead,
    pub journey: TileRead,
    pub quality: TileRead,
    pub trend: TileRead,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    Week,
    Month,
}

impl From<TrendPeriod> for Period {
    fn from(period: TrendPeriod) -> Self {
        match period {
            TrendPeriod::Day => Period::Day,
            TrendPeriod::Week => Period::Week,
            TrendPeriod::Month => Period::Month,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Trend {
    pub period: Period,
    pub points: Vec<TrendPoint>,
    /// What the trend is compared with: the first 30 days of AI activity.
    pub baseline: TrendBaseline,
}

#[derive(Debug, Serialize)]
pub struct TrendPoint {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub eligible: i64,
    pub net: i64,
    pub net_rate: Option<f64>,
    /// Where the point's rate most likely lies, `[low, high]`: wide over few conversations.
    pub net_rate_interval: Option<[f64; 2]>,
    /// The period reaches a day that can still change (`provisional_from`).
    pub provisional: bool,
}

#[derive(Debug, Serialize)]
pub struct TrendBaseline {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_rate: Option<f64>,
    /// The range's net containment against these 30 days: `up`, `down` or
    /// `about_the_same`; absent when the range overlaps them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The 95 % interval of that difference (Newcombe), `[low, high]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<[f64; 2]>,
}

impl TrendBaseline {
    fn new(baseline: &metrics::TrendBaseline) -> Self {
        TrendBaseline {
            status: match baseline.status {
                BaselineStatus::Ready => "ready",
                BaselineStatus::Forming => "forming",
            },
            from: baseline.from,
            to: baseline.to,
            eligible: baseline.eligible,
            net: baseline.net,
            net_rate: baseline.net_rate,
            level: baseline.comparison.map(|(level, _)| level),
            interval: pair(baseline.comparison.map(|(_, interval)| interval)),
        }
    }
}

/// The projection of next month's net containment (docs/metrics.md §4.8, docs/forecast.md).
#[derive(Debug, Serialize)]
pub struct Forecast {
    #[serde(flatten)]
    pub outcome: ForecastOutcome,
    /// The month projected, when there is a projection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_to: Option<NaiveDate>,
    pub method: &'static str,
    /// One plain sentence for the page.
    pub read: String,
}

impl Forecast {
    fn new(forecast: &metrics::Forecast, lang: Lang) -> Self {
        Forecast {
            outcome: forecast.outcome.into(),
            period_from: forecast.period_from,
            period_to: forecast.period_to,
            method: match forecast.method {
                Method::LastValue => "last_value",
                Method::MeanOfLastThree => "mean_of_last_three",
                Method::Smoothing => "smoothing",
                Method::DampedTrend => "damped_trend",
            },
            read: words::forecast_read(forecast, lang),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ForecastOutcome {
    Ok {
        net_rate: f64,
        /// A band of ± 1.96 × the backtest's root mean square error, within [0, 1].
        low: f64,
        high: f64,
        backtest_mae: f64,
    },
    NotEnoughHistory {
        months: usize,
    },
    Withheld {
        backtest_mae: f64,
    },
}

impl From<Outcome> for ForecastOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Ok(p) => ForecastOutcome::Ok {
                net_rate: p.net_rate,
                low: p.low,
                high: p.high,
                backtest_mae: p.backtest_mae,
            },
            Outcome::NotEnoughHistory { months } => ForecastOutcome::NotEnoughHistory { months },
            Outcome::Withheld { backtest_mae } => ForecastOutcome::Withheld { backtest_mae },
        }
    }
}

/// The organization's cost assumption, as `GET` and `PUT
/// /api/v1/reports/ai-agent-impact/cost-assumption` answer.
#[derive(Debug, Serialize)]
pub struct CostAssumption {
    /// `ok`, or `assumption_missing` before one is saved.
    pub status: &'static str,
    pub agent_hour_rate: Option<i64>,
    pub minutes_per_conversation: Option<i64>,
    /// What the organization pays for the AI each month; `null` when not given.
    pub ai_price_per_month: Option<i64>,
    /// Whether the caller's role may change it.
    pub can_edit: bool,
}

impl CostAssumption {
    pub fn new(assumption: Option<crate::domain::CostAssumption>, can_edit: bool) -> Self {
        CostAssumption {
            status: if assumption.is_some() {
                "ok"
            } else {
                "assumption_missing"
            },
            agent_hour_rate: assumption.map(|a| a.agent_hour_rate()),
            minutes_per_conversation: assumption.map(|a| a.minutes_per_conversation()),
            ai_price_per_month: assumption.and_then(|a| a.ai_price_per_month()),
            can_edit,
        }
    }
}

/// The reports a caller may open, for the host's Reports area (`GET /api/v1/reports`).
#[derive(Debug, Serialize)]
pub struct ReportEntries {
    pub reports: Vec<ReportEntry>,
}

#[derive(Debug, Serialize)]
pub struct ReportEntry {
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The page.
    pub path: &'static str,
    /// The report's JSON.
    pub api: &'static str,
}

/// One conversation of a list, as the API sends it.
#[derive(Debug, Serialize)]
pub struct Conversation {
    pub room_id: String,
    pub day: NaiveDate,
    /// RFC 3339 in the organization's time zone.
    pub created_at: String,
    pub closed_at: Option<String>,
    pub channel: String,
    /// The finest list the conversation is in: `solved_alone`, `came_back`,
    /// `ai_assisted`, `escalated`, `other`, `test_chat` or `spam`.
    pub outcome: &'static str,
    pub outcome_label: &'static str,
    /// The customer's next conversation within 48 hours of this one closing.
    pub came_back: Option<CameBack>,
    /// Started outside business hours; `null` when none are configured.
    pub after_hours: Option<bool>,
    pub customer_messages: i64,
    pub ai_messages: i64,
    /// Normalised mood in [−1, 1], when the conversation has one.
    pub sentiment: Option<f64>,
    /// The conversation in the host's inbox, when a link template is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox_url: Option<String>,
    /// Solved alone, but the customer's 48 hours to come back were not over when
    /// the source was last read: it can still change.
    pub provisional: bool,
}

#[derive(Debug, Serialize)]
pub struct CameBack {
    pub room_id: String,
    pub created_at: String,
    pub hours_later: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox_url: Option<String>,
}

impl Conversation {
    pub fn new(conversation: super::conversations::Conversation, lang: Lang) -> Self {
        let time = |t: chrono::DateTime<chrono_tz::Tz>| t.to_rfc3339();
        Conversation {
            outcome: conversation.outcome.name(),
            outcome_label: crate::i18n::lists::title(conversation.outcome, lang),
            room_id: conversation.room_id,
            day: conversation.day,
            created_at: time(conversation.created_at),
            closed_at: conversation.closed_at.map(time),
            channel: conversation.channel,
            came_back: conversation.came_back.map(|back| CameBack {
                room_id: back.room_id,
                created_at: time(back.created_at),
                hours_later: back.hours_later,
                inbox_url: back.inbox_url,
            }),
            after_hours: conversation.after_hours,
            customer_messages: conversation.customer_messages,
            ai_messages: conversation.ai_messages,
            sentiment: conversation.sentiment,
            inbox_url: conversation.inbox_url,
            provisional: conversation.provisional,
        }
    }
}

/// A page of a list.
#[derive(Debug, Serialize)]
pub(crate) struct ConversationPage {
    pub outcome: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub lang: Lang,
    pub conversations: Vec<Conversation>,
    /// Pass it back as `cursor=` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// How many conversations the whole list holds: the figure it stands behind.
    pub total: i64,
}
