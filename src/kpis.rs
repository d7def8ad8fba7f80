//! The launch's own numbers (`impact kpis`): the product brief's §12 success
//! metrics, its §11.1 review figures and its §13 stage gates, for one calendar
//! month (UTC), from the usage rows (`crate::usage`), the organizations and the
//! recorded forecasts. The rules are here and nowhere else; both backends hand over
//! the same rows (docs/operations.md, "The launch's own numbers", says each one).

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::domain::OrgId;
use crate::i18n::{self, kpis as words, Lang, Template};
use crate::usage::{UsageKind, UsageRow, UserHash};

/// A calendar month, from its first to its last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Month {
    /// The month of `day`.
    pub fn of(day: NaiveDate) -> Self {
        let first = crate::usage::month_start(day);
        let last = crate::domain::last_day_of_month(first);
        Self { first, last }
    }

    /// `YYYY-MM`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d")
            .ok()
            .filter(|_| text.trim().len() == 7)
            .map(Self::of)
    }

    pub fn previous(self) -> Self {
        Self::of(self.first - Duration::days(1))
    }

    pub fn name(self) -> String {
        self.first.format("%Y-%m").to_string()
    }
}

/// The stages of the brief's §13, each with the gates to pass to leave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Alpha,
    ClosedBeta,
    OpenBeta,
    Ga,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Alpha, Stage::ClosedBeta, Stage::OpenBeta, Stage::Ga];

    fn name(self, lang: Lang) -> &'static str {
        match self {
            Stage::Alpha => words::STAGE_ALPHA,
            Stage::ClosedBeta => words::STAGE_CLOSED_BETA,
            Stage::OpenBeta => words::STAGE_OPEN_BETA,
            Stage::Ga => words::STAGE_GA,
        }
        .text(lang)
    }
}

/// A forecast recorded when a page showed it, and what its month realised (`None`
/// until the month is in the data).
#[derive(Debug, Clone, PartialEq)]
pub struct ShownForecast {
    pub org: OrgId,
    pub month: NaiveDate,
    pub projected: f64,
    pub realised: Option<f64>,
}

/// What the month's numbers are made of.
pub struct KpiInputs<'a> {
    pub month: Month,
    /// Usage rows of this month and of the month before.
    pub usage: &'a [UsageRow],
    /// The organizations with the AI add-on.
    pub ai_enabled: &'a BTreeSet<OrgId>,
    /// Of those, the ones with the report on (the flags file): a beta's cohort.
    pub report_on: &'a BTreeSet<OrgId>,
    pub forecasts: &'a [ShownForecast],
    /// The last complete day (yesterday, UTC): a month still running is judged up
    /// to it, and the "sustained" windows end on it.
    pub through: NaiveDate,
}

/// A share with what it is made of and its target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub numerator: i64,
    pub denominator: i64,
    /// `None` when the denominator is 0.
    pub rate: Option<f64>,
    pub target: f64,
    /// Whether the rate reaches the target; `None` without a rate.
    pub met: Option<bool>,
}

impl Share {
    fn new(numerator: i64, denominator: i64, target: f64) -> Self {
        let rate = (denominator > 0).then(|| numerator as f64 / denominator as f64);
        Self {
            numerator,
            denominator,
            rate,
            target,
            met: rate.map(|rate| crate::metrics::threshold::at_least(rate, target)),
        }
    }
}

/// The projections shown for this month, and how far off the realised ones were.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastKpi {
    /// Projections of this month recorded when a page showed them (one per
    /// organization).
    pub projections: i64,
    pub realised: i64,
    /// The mean absolute error of the realised ones, in percentage points.
    pub mae_points: Option<f64>,
    pub target_points: f64,
    /// Below the target; `None` before a forecast of this month is realised.
    pub met: Option<bool>,
}

/// The §11.1 weekly review's figures, for the month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    /// Report loads: shown and failed.
    pub loads: i64,
    pub views: i64,
    pub failed_loads: i64,
    /// Of the views, those shown while a new organization's baseline formed (not a
    /// mature one's short range, METRICS.md §4.7), and their share.
    pub baseline_forming_views: i64,
    pub baseline_forming_share: Option<f64>,
    /// Views that drew next month's projection.
    pub forecasts_rendered: i64,
    /// Projections of this month whose month is now in the data.
    pub forecasts_realised: i64,
    pub lists_opened: i64,
    pub downloads: i64,
    pub cost_assumption_saves: i64,
    /// Loads slower than 3 s.
    pub slow_loads: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GateResult {
    Pass,
    Fail,
    NotEnoughData,
    /// The month recorded no usage at all: nothing was tried, so nothing failed.
    NoUsage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    AtLeast,
    AtMost,
    Below,
}

/// One §13 gate the product can measure. `name` is the code's name (the JSON's);
/// people read it in words (`render_text`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gate {
    pub stage: Stage,
    pub name: &'static str,
    pub comparison: Comparison,
    pub threshold: f64,
    pub value: Option<f64>,
    pub result: GateResult,
    /// The days a "sustained" gate is judged over, first and last; `None` for a
    /// gate of the whole month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<(NaiveDate, NaiveDate)>,
}

/// What a gate measures, before it is judged.
struct Measure {
    name: &'static str,
    comparison: Comparison,
    threshold: f64,
    value: Option<f64>,
    window: Option<(NaiveDate, NaiveDate)>,
    /// Whether it is measured on the usage rows (every gate but the forecast's):
    /// a month without usage leaves it unjudged.
    from_usage: bool,
}

impl Gate {
    fn new(stage: Stage, measure: &Measure, usage_recorded: bool) -> Self {
        use crate::metrics::threshold::{at_least, at_most};
        let Measure {
            name,
            comparison,
            threshold,
            value,
            window,
            from_usage,
        } = *measure;
        let result = match value {
            _ if from_usage && !usage_recorded => GateResult::NoUsage,
            None => GateResult::NotEnoughData,
            Some(value) => {
                let passes = match comparison {
                    Comparison::AtLeast => at_least(value, threshold),
                    Comparison::AtMost => at_most(value, threshold),
                    Comparison::Below => !at_least(value, threshold),
                };
                if passes {
                    GateResult::Pass
                } else {
                    GateResult::Fail
                }
            }
        };
        Self {
            stage,
            name,
            comparison,
            threshold,
            value,
            result,
            window,
        }
    }
}

/// The month's numbers (the JSON of `impact kpis --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    pub month: String,
    /// The last day counted: the month's last, or the last complete day of a month
    /// still running (`running`).
    pub counted_through: NaiveDate,
    pub running: bool,
    /// Whether anyone used the report in the month (a view, a failed load, a list,
    /// a download or a save). Without usage no target is judged: `met` is `null`
    /// and the usage gates say `no_usage`, never a failure.
    pub usage_recorded: bool,
    pub adoption: Share,
    pub repeat_engagement: Share,
    pub reliability: Share,
    pub value_configured: Share,
    pub forecast: ForecastKpi,
    pub review: Review,
    pub gates: Vec<Gate>,
}

/// The brief's targets (§12) and gate thresholds (§13).
const ADOPTION_TARGET: f64 = 0.50;
const REPEAT_TARGET: f64 = 0.30;
const RELIABILITY_TARGET: f64 = 0.99;
const VALUE_TARGET: f64 = 0.40;
const FORECAST_TARGET_POINTS: f64 = 10.0;
const ALPHA_MAX_FAILURES: f64 = 0.05;
const ALPHA_MAX_SLOW: f64 = 0.05;
const BETA_ADMINS_VIEWING: f64 = 0.60;

pub fn compute(inputs: &KpiInputs<'_>, stages: &[Stage]) -> Kpis {
    let month = inputs.month;
    let previous = month.previous();
    let within = |row: &&UsageRow, span: Month| row.day >= span.first && row.day <= span.last;
    // A month still running is counted up to its last complete day, as the text
    // says: today's rows are partial.
    let this: Vec<&UsageRow> = inputs
        .usage
        .iter()
        .filter(|r| within(r, month) && r.day <= inputs.through)
        .collect();
    let before: Vec<&UsageRow> = inputs
        .usage
        .iter()
        .filter(|r| within(r, previous))
        .collect();
    let sum = |rows: &[&UsageRow], kind: UsageKind, field: fn(&UsageRow) -> i64| -> i64 {
        rows.iter()
            .filter(|r| r.kind == kind)
            .map(|r| field(r))
            .sum()
    };
    let views = sum(&this, UsageKind::View, |r| r.events);
    let failed = sum(&this, UsageKind::Failed, |r| r.events);
    let loads = views + failed;
    let slow = sum(&this, UsageKind::View, |r| r.slow) + sum(&this, UsageKind::Failed, |r| r.slow);
    let forming = sum(&this, UsageKind::View, |r| r.forming);
    let with_forecast = sum(&this, UsageKind::View, |r| r.with_forecast);

    let enabled = inputs.ai_enabled;
    let orgs_where = |test: fn(&UsageRow) -> bool| -> i64 {
        this.iter()
            .filter(|r| r.kind == UsageKind::View && test(r) && enabled.contains(&r.org))
            .map(|r| &r.org)
            .collect::<BTreeSet<_>>()
            .len() as i64
    };
    let viewers = |rows: &[&UsageRow]| -> BTreeSet<(OrgId, UserHash)> {
        rows.iter()
            .filter(|r| r.kind == UsageKind::View && enabled.contains(&r.org))
            .map(|r| (r.org.clone(), r.user.clone()))
            .collect()
    };
    let (earlier, now) = (viewers(&before), viewers(&this));
    let returning = earlier.intersection(&now).count() as i64;

    let rendered: Vec<&ShownForecast> = inputs
        .forecasts
        .iter()
        .filter(|f| f.month >= month.first && f.month <= month.last)
        .collect();
    let errors: Vec<f64> = rendered
        .iter()
        .filter_map(|f| {
            f.realised
                .map(|realised| (f.projected - realised).abs() * 100.0)
        })
        .collect();
    let mae_points = (!errors.is_empty()).then(|| errors.iter().sum::<f64>() / errors.len() as f64);

    let adoption = Share::new(orgs_where(|_| true), enabled.len() as i64, ADOPTION_TARGET);
    let cohort = inputs.report_on;
    let cohort_viewing = this
        .iter()
        .filter(|r| r.kind == UsageKind::View && cohort.contains(&r.org))
        .map(|r| &r.org)
        .collect::<BTreeSet<_>>()
        .len() as i64;
    let admins_viewing = Share::new(cohort_viewing, cohort.len() as i64, BETA_ADMINS_VIEWING);
    let reliability = reliability_of(views, failed);
    let usage_recorded = this.iter().any(|row| row.events > 0);
    // An empty month judges no target: nothing was tried, so nothing was missed.
    let judged = |share: Share| Share {
        met: share.met.filter(|_| usage_recorded),
        ..share
    };
    let window_end = inputs.through.min(month.last);
    let measured = Measured {
        usage: inputs.usage,
        window_end,
        usage_recorded,
        admins_viewing: admins_viewing.rate,
        reliability: reliability.rate,
        mae_points,
        loads,
        failed,
        slow,
    };
    Kpis {
        month: month.name(),
        counted_through: window_end,
        running: month.last > inputs.through,
        usage_recorded,
        repeat_engagement: judged(Share::new(returning, earlier.len() as i64, REPEAT_TARGET)),
        value_configured: judged(Share::new(
            orgs_where(|r| r.with_value > 0),
            enabled.len() as i64,
            VALUE_TARGET,
        )),
        forecast: ForecastKpi {
            projections: rendered.len() as i64,
            realised: errors.len() as i64,
            mae_points,
            target_points: FORECAST_TARGET_POINTS,
            met: mae_points
                .map(|mae| !crate::metrics::threshold::at_least(mae, FORECAST_TARGET_POINTS)),
        },
        review: Review {
            loads,
            views,
            failed_loads: failed,
            baseline_forming_views: forming,
            baseline_forming_share: (views > 0).then(|| forming as f64 / views as f64),
            forecasts_rendered: with_forecast,
            forecasts_realised: errors.len() as i64,
            lists_opened: sum(&this, UsageKind::List, |r| r.events),
            downloads: sum(&this, UsageKind::Download, |r| r.events),
            cost_assumption_saves: sum(&this, UsageKind::CostSaved, |r| r.events),
            slow_loads: slow,
        },
        gates: measured.gates(stages),
        adoption: judged(adoption),
        reliability: judged(reliability),
    }
}

/// The brief's report reliability, 1 − failed ÷ viewed (§12), as a share: the
/// views not matched by a failure over the views.
fn reliability_of(views: i64, failed: i64) -> Share {
    Share::new((views - failed).max(0), views, RELIABILITY_TARGET)
}

/// What the gates are judged on.
struct Measured<'a> {
    /// The usage rows of this month and the one before: a "sustained" window
    /// early in a month reaches back into the last.
    usage: &'a [UsageRow],
    /// The last day of the "sustained" windows: the month's, or yesterday.
    window_end: NaiveDate,
    usage_recorded: bool,
    /// Of the organizations with the report on, the share where it was seen.
    admins_viewing: Option<f64>,
    reliability: Option<f64>,
    mae_points: Option<f64>,
    loads: i64,
    failed: i64,
    slow: i64,
}

impl Measured<'_> {
    /// The `days` days up to the window's end, first and last.
    fn window(&self, days: i64) -> (NaiveDate, NaiveDate) {
        (self.window_end - Duration::days(days - 1), self.window_end)
    }

    /// Reliability over the `days` days up to the window's end ("sustained").
    fn reliability_over(&self, days: i64) -> Option<f64> {
        let (from, _) = self.window(days);
        let count = |kind: UsageKind| -> i64 {
            self.usage
                .iter()
                .filter(|r| r.kind == kind && r.day >= from && r.day <= self.window_end)
                .map(|r| r.events)
                .sum()
        };
        reliability_of(count(UsageKind::View), count(UsageKind::Failed)).rate
    }

    /// The measurable gates of each stage asked for (the brief's others, such as
    /// "no P0/P1 bug open", are for people: docs/operations.md lists them).
    fn gates(&self, stages: &[Stage]) -> Vec<Gate> {
        let views = self.loads - self.failed;
        let failures = (views > 0).then(|| self.failed as f64 / views as f64);
        let slow = (self.loads > 0).then(|| self.slow as f64 / self.loads as f64);
        let tracking = (self.loads > 0).then_some(1.0);
        let month = |name, comparison, threshold, value| Measure {
            name,
            comparison,
            threshold,
            value,
            window: None,
            from_usage: true,
        };
        let sustained = |name, days| Measure {
            window: Some(self.window(days)),
            ..month(
                name,
                Comparison::AtLeast,
                RELIABILITY_TARGET,
                self.reliability_over(days),
            )
        };
        let mut gates = Vec::new();
        for stage in stages {
            let measured: Vec<Measure> = match stage {
                Stage::Alpha => vec![
                    month(
                        "load_failures",
                        Comparison::AtMost,
                        ALPHA_MAX_FAILURES,
                        failures,
                    ),
                    month("loads_over_3s", Comparison::AtMost, ALPHA_MAX_SLOW, slow),
                ],
                Stage::ClosedBeta => vec![
                    month(
                        "admins_viewing",
                        Comparison::AtLeast,
                        BETA_ADMINS_VIEWING,
                        self.admins_viewing,
                    ),
                    month(
                        "reliability",
                        Comparison::AtLeast,
                        RELIABILITY_TARGET,
                        self.reliability,
                    ),
                    Measure {
                        from_usage: false,
                        ..month(
                            "forecast_mae_points",
                            Comparison::Below,
                            FORECAST_TARGET_POINTS,
                            self.mae_points,
                        )
                    },
                ],
                Stage::OpenBeta => vec![sustained("reliability_last_7_days", 7)],
                Stage::Ga => vec![
                    sustained("reliability_last_14_days", 14),
                    month("adoption_tracking_live", Comparison::AtLeast, 1.0, tracking),
                ],
            };
            for measure in &measured {
                gates.push(Gate::new(*stage, measure, self.usage_recorded));
            }
        }
        gates
    }
}

/// The month's numbers as a person reads them, in `lang`: every figure in words,
/// an empty month as "no usage recorded" (never a failure), a running month with
/// the days it counts, and each gate by what it measures.
pub fn render_text(kpis: &Kpis, lang: Lang) -> String {
    let percent = |rate: Option<f64>| {
        rate.map(|rate| i18n::format_percent_to(rate, 1, lang))
            .unwrap_or_else(|| words::NO_DATA.text(lang).to_string())
    };
    let met = |met: Option<bool>| match met {
        Some(true) => words::MET.text(lang),
        Some(false) => words::NOT_MET.text(lang),
        None if !kpis.usage_recorded => words::NO_USAGE_SHORT.text(lang),
        None => words::NO_DATA.text(lang),
    };
    let share_line = |template: Template, share: &Share| {
        template.fill(
            lang,
            &[
                ("numerator", i18n::format_count(share.numerator, lang)),
                ("denominator", i18n::format_count(share.denominator, lang)),
                ("rate", percent(share.rate)),
                ("target", percent(Some(share.target))),
                ("met", met(share.met).to_string()),
            ],
        )
    };
    let month_name = Month::parse(&kpis.month).map_or_else(
        || kpis.month.clone(),
        |month| i18n::format_month(month.first, lang),
    );
    let mut out = words::TITLE.fill(lang, &[("month", month_name)]);
    out.push_str("\n\n");
    if let (true, Some(month)) = (kpis.running, Month::parse(&kpis.month)) {
        out.push_str(&words::RUNNING.fill(
            lang,
            &[
                ("from", i18n::format_date(month.first, lang)),
                ("through", i18n::format_date(kpis.counted_through, lang)),
                ("end", i18n::format_date(month.last, lang)),
            ],
        ));
        out.push_str("\n\n");
    }
    if !kpis.usage_recorded {
        out.push_str(words::NO_USAGE.text(lang));
        out.push_str("\n\n");
    }
    for (template, share) in [
        (words::ADOPTION, &kpis.adoption),
        (words::REPEAT, &kpis.repeat_engagement),
    ] {
        out.push_str(&format!("- {}\n", share_line(template, share)));
    }
    let reliability = &kpis.reliability;
    out.push_str(&format!(
        "- {}\n",
        words::RELIABILITY.fill(
            lang,
            &[
                ("failed", i18n::format_count(kpis.review.failed_loads, lang)),
                ("views", i18n::format_count(kpis.review.views, lang)),
                ("rate", percent(reliability.rate)),
                ("target", percent(Some(reliability.target))),
                ("met", met(reliability.met).to_string()),
            ],
        )
    ));
    out.push_str(&format!(
        "- {}\n",
        share_line(words::VALUE, &kpis.value_configured)
    ));
    let forecast = &kpis.forecast;
    let forecast_met = match forecast.met {
        Some(true) => words::MET,
        Some(false) => words::NOT_MET,
        None => words::NO_DATA,
    };
    out.push_str(&format!(
        "- {}\n\n",
        words::FORECAST.fill(
            lang,
            &[
                ("rendered", i18n::format_count(forecast.projections, lang)),
                ("realised", i18n::format_count(forecast.realised, lang)),
                (
                    "mae",
                    forecast.mae_points.map_or_else(
                        || words::NO_DATA.text(lang).to_string(),
                        |mae| {
                            words::MAE.fill(lang, &[("mae", i18n::format_decimal(mae, 1, lang))])
                        }
                    )
                ),
                (
                    "target",
                    i18n::format_decimal(forecast.target_points, 0, lang)
                ),
                ("met", forecast_met.text(lang).to_string()),
            ],
        )
    ));
    let review = &kpis.review;
    out.push_str(
        &words::REVIEW.fill(
            lang,
            &[
                ("loads", i18n::format_count(review.loads, lang)),
                ("failed", i18n::format_count(review.failed_loads, lang)),
                (
                    "forming",
                    review
                        .baseline_forming_share
                        .map_or_else(|| "–".to_string(), |share| percent(Some(share))),
                ),
                (
                    "rendered",
                    i18n::format_count(review.forecasts_rendered, lang),
                ),
                ("lists", i18n::format_count(review.lists_opened, lang)),
                ("downloads", i18n::format_count(review.downloads, lang)),
                (
                    "saves",
                    i18n::format_count(review.cost_assumption_saves, lang),
                ),
            ],
        ),
    );
    out.push('\n');
    let mut stage = None;
    for gate in &kpis.gates {
        if stage != Some(gate.stage) {
            stage = Some(gate.stage);
            out.push('\n');
            out.push_str(&words::GATES.fill(lang, &[("stage", gate.stage.name(lang).to_string())]));
            out.push('\n');
        }
        out.push_str(&format!("- {}\n", gate_line(gate, lang)));
    }
    out
}

/// One gate in words: "Failed loads, of the reports shown: 12.5% (needed: at most
/// 5.0%) — fail".
fn gate_line(gate: &Gate, lang: Lang) -> String {
    let shown = |value: f64| {
        if gate.name == "forecast_mae_points" {
            words::MAE.fill(lang, &[("mae", i18n::format_decimal(value, 1, lang))])
        } else {
            i18n::format_percent_to(value, 1, lang)
        }
    };
    let label = match (gate.name, gate.window) {
        (_, Some((from, to))) => words::GATE_RELIABILITY_DAYS.fill(
            lang,
            &[
                ("days", i18n::format_count((to - from).num_days() + 1, lang)),
                ("from", i18n::format_date(from, lang)),
                ("to", i18n::format_date(to, lang)),
            ],
        ),
        ("load_failures", _) => words::GATE_LOAD_FAILURES.text(lang).to_string(),
        ("loads_over_3s", _) => words::GATE_LOADS_OVER_3S.text(lang).to_string(),
        ("admins_viewing", _) => words::GATE_ADMINS_VIEWING.text(lang).to_string(),
        ("forecast_mae_points", _) => words::GATE_FORECAST_ERROR.text(lang).to_string(),
        ("adoption_tracking_live", _) => words::GATE_TRACKING_LIVE.text(lang).to_string(),
        ("reliability", _) => words::GATE_RELIABILITY.text(lang).to_string(),
        (other, _) => other.to_string(),
    };
    let needed = match gate.comparison {
        Comparison::AtLeast => words::AT_LEAST,
        Comparison::AtMost => words::AT_MOST,
        Comparison::Below => words::BELOW,
    }
    .fill(lang, &[("threshold", shown(gate.threshold))]);
    let result = match gate.result {
        GateResult::Pass => words::PASS,
        GateResult::Fail => words::FAIL,
        GateResult::NotEnoughData => words::NO_DATA,
        GateResult::NoUsage => words::NO_USAGE_SHORT,
    };
    words::GATE_LINE.fill(
        lang,
        &[
            ("label", label),
            ("value", gate.value.map_or_else(|| "–".into(), shown)),
            ("needed", needed),
            ("result", result.text(lang).to_string()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn org(id: &str) -> OrgId {
        OrgId::parse(id).expect("id")
    }

    fn user(n: u8) -> UserHash {
        UserHash::parse(&format!("{n:032x}")).expect("hash")
    }

    /// `events` of `kind` by user `who` of `at` on `day` of November 2026 (or
    /// October, for a day above 31: day − 31).
    fn row(at: &str, who: u8, kind: UsageKind, day: u32, events: i64) -> UsageRow {
        let date = if day > 31 {
            NaiveDate::from_ymd_opt(2026, 10, day - 31)
        } else {
            NaiveDate::from_ymd_opt(2026, 11, day)
        }
        .expect("day");
        UsageRow {
            org: org(at),
            day: date,
            user: user(who),
            kind,
            role: "admin".into(),
            events,
            forming: 0,
            with_value: 0,
            with_forecast: 0,
            slow: 0,
            latency_ms_sum: 0,
            latency_ms_max: 0,
            reason: None,
        }
    }

    fn november(usage: &[UsageRow], stages: &[Stage]) -> Kpis {
        let enabled: BTreeSet<OrgId> =
            [org("org_a"), org("org_b"), org("org_c"), org("org_d")].into();
        compute(
            &KpiInputs {
                month: Month::parse("2026-11").expect("month"),
                usage,
                ai_enabled: &enabled,
                report_on: &enabled,
                forecasts: &[],
                through: NaiveDate::from_ymd_opt(2026, 12, 4).expect("day"),
            },
            stages,
        )
    }

    #[test]
    fn the_metrics_count_organizations_people_and_loads_of_the_month() {
        let mut usage = vec![
            // October: users 1, 2 (org_a) and 3 (org_b) saw the report.
            row("org_a", 1, UsageKind::View, 31 + 3, 2),
            row("org_a", 2, UsageKind::View, 31 + 20, 1),
            row("org_b", 3, UsageKind::View, 31 + 31, 1),
            // November: 1 and 3 came back, 4 is new at an organization without the
            // add-on (not in the adoption's count), org_b failed once.
            row("org_a", 1, UsageKind::View, 2, 3),
            row("org_b", 3, UsageKind::View, 30, 2),
            row("org_x", 4, UsageKind::View, 9, 1),
            row("org_b", 3, UsageKind::Failed, 10, 1),
            row("org_a", 1, UsageKind::List, 2, 4),
            row("org_a", 1, UsageKind::Download, 2, 2),
            row("org_a", 1, UsageKind::CostSaved, 2, 1),
        ];
        usage[3].with_value = 1;
        usage[4].forming = 2;
        let kpis = november(&usage, &Stage::ALL);
        assert_eq!((kpis.adoption.numerator, kpis.adoption.denominator), (2, 4));
        assert_eq!(kpis.adoption.met, Some(true), "2 of 4 is the 50 % target");
        assert_eq!(
            (
                kpis.repeat_engagement.numerator,
                kpis.repeat_engagement.denominator
            ),
            (2, 3)
        );
        // 1 − failed ÷ viewed: 1 failure for 6 views.
        assert_eq!(
            (kpis.reliability.numerator, kpis.reliability.denominator),
            (5, 6)
        );
        assert_eq!(kpis.reliability.met, Some(false));
        assert_eq!(
            (
                kpis.value_configured.numerator,
                kpis.value_configured.denominator
            ),
            (1, 4)
        );
        assert_eq!(kpis.review.baseline_forming_views, 2);
        assert_eq!(kpis.review.baseline_forming_share, Some(2.0 / 6.0));
        assert_eq!(
            (
                kpis.review.lists_opened,
                kpis.review.downloads,
                kpis.review.cost_assumption_saves
            ),
            (4, 2, 1)
        );
        assert_eq!(kpis.gates.len(), 8, "every stage's measurable gates");
    }

    #[test]
    fn gates_pass_on_their_threshold_and_fail_past_it() {
        let result = |usage: &[UsageRow], stage: Stage, name: &str| {
            november(usage, &[stage])
                .gates
                .into_iter()
                .find(|gate| gate.name == name)
                .map(|gate| gate.result)
        };
        // 1 failure for 20 views is exactly 5 %: the alpha gate passes; 2 fail it.
        let mut usage = vec![
            row("org_a", 1, UsageKind::View, 5, 20),
            row("org_a", 1, UsageKind::Failed, 5, 1),
        ];
        assert_eq!(
            result(&usage, Stage::Alpha, "load_failures"),
            Some(GateResult::Pass)
        );
        usage[1].events = 2;
        assert_eq!(
            result(&usage, Stage::Alpha, "load_failures"),
            Some(GateResult::Fail)
        );
        // 1 failure for 100 views is exactly 99 %; 2 are under.
        let mut usage = vec![
            row("org_a", 1, UsageKind::View, 28, 100),
            row("org_a", 1, UsageKind::Failed, 28, 1),
        ];
        assert_eq!(
            result(&usage, Stage::ClosedBeta, "reliability"),
            Some(GateResult::Pass)
        );
        assert_eq!(
            result(&usage, Stage::OpenBeta, "reliability_last_7_days"),
            Some(GateResult::Pass)
        );
        usage[1].events = 2;
        assert_eq!(
            result(&usage, Stage::ClosedBeta, "reliability"),
            Some(GateResult::Fail)
        );
        // Failures before the month's last 7 days do not count against "sustained".
        usage[1].day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("day");
        assert_eq!(
            result(&usage, Stage::OpenBeta, "reliability_last_7_days"),
            Some(GateResult::Pass)
        );
        // In a month still running, the window ends on the last complete day.
        let running = |usage: &[UsageRow]| {
            let enabled: BTreeSet<OrgId> = [org("org_a")].into();
            compute(
                &KpiInputs {
                    month: Month::parse("2026-11").expect("month"),
                    usage,
                    ai_enabled: &enabled,
                    report_on: &enabled,
                    forecasts: &[],
                    through: NaiveDate::from_ymd_opt(2026, 11, 10).expect("day"),
                },
                &[Stage::OpenBeta],
            )
            .gates[0]
                .result
        };
        let early = vec![
            row("org_a", 1, UsageKind::View, 4, 100),
            row("org_a", 1, UsageKind::Failed, 4, 5),
        ];
        assert_eq!(
            running(&early),
            GateResult::Fail,
            "4 Nov is within 4–10 Nov"
        );
        // No usage at all: neither a pass nor a failure.
        assert_eq!(
            result(&[], Stage::Alpha, "load_failures"),
            Some(GateResult::NoUsage)
        );
        assert_eq!(
            result(&[], Stage::Ga, "adoption_tracking_live"),
            Some(GateResult::NoUsage)
        );
        // Lists opened but no report loaded: usage, but not enough to judge loads.
        let lists_only = [row("org_a", 1, UsageKind::List, 5, 3)];
        assert_eq!(
            result(&lists_only, Stage::Alpha, "load_failures"),
            Some(GateResult::NotEnoughData)
        );
        // 3 of 4 organizations (75 %) pass the closed beta's 60 %; 2 (50 %) do not.
        let three: Vec<UsageRow> = ["org_a", "org_b", "org_c"]
            .iter()
            .map(|at| row(at, 1, UsageKind::View, 3, 1))
            .collect();
        assert_eq!(
            result(&three, Stage::ClosedBeta, "admins_viewing"),
            Some(GateResult::Pass)
        );
        assert_eq!(
            result(&three[..2], Stage::ClosedBeta, "admins_viewing"),
            Some(GateResult::Fail)
        );
    }

    #[test]
    fn the_forecast_error_is_over_this_months_realised_projections() {
        let enabled = BTreeSet::new();
        let november_first = NaiveDate::from_ymd_opt(2026, 11, 1).expect("day");
        let shown = |projected, realised| ShownForecast {
            org: org("org_a"),
            month: november_first,
            projected,
            realised,
        };
        let forecasts = [
            shown(0.50, Some(0.56)),
            shown(0.40, Some(0.30)),
            shown(0.60, None),
            ShownForecast {
                month: NaiveDate::from_ymd_opt(2026, 10, 1).expect("day"),
                ..shown(0.9, Some(0.1))
            },
        ];
        let kpis = compute(
            &KpiInputs {
                month: Month::parse("2026-11").expect("month"),
                usage: &[],
                ai_enabled: &enabled,
                report_on: &enabled,
                forecasts: &forecasts,
                through: NaiveDate::from_ymd_opt(2026, 12, 4).expect("day"),
            },
            &[Stage::ClosedBeta],
        );
        assert_eq!((kpis.forecast.projections, kpis.forecast.realised), (3, 2));
        let mae = kpis.forecast.mae_points.expect("an error");
        assert!((mae - 8.0).abs() < 1e-9, "6 and 10 points: {mae}");
        assert_eq!(kpis.forecast.met, Some(true));
    }

    #[test]
    fn an_empty_month_says_no_usage_and_never_failure_in_both_languages() {
        let kpis = november(&[], &Stage::ALL);
        assert!(!kpis.usage_recorded);
        assert_eq!(
            kpis.adoption.met, None,
            "0 of 4 is not a missed target here"
        );
        let english = render_text(&kpis, Lang::En);
        assert!(
            english.contains("No usage recorded in this month"),
            "{english}"
        );
        assert!(english.contains("Launch numbers for Nov 2026"), "{english}");
        for wrong in ["not met", "— fail", "admins_viewing", "load_failures", "≥"] {
            assert!(!english.contains(wrong), "{wrong} in {english}");
        }
        assert!(
            english.contains(
                "Organizations in the beta that opened the report: 0.0% (needed: at least 60.0%) — no usage recorded"
            ),
            "{english}"
        );
        let indonesian = render_text(&kpis, Lang::Id);
        assert!(
            indonesian.contains("Belum ada penggunaan yang tercatat"),
            "{indonesian}"
        );
        for wrong in ["belum tercapai", "— gagal", "admins_viewing"] {
            assert!(!indonesian.contains(wrong), "{wrong} in {indonesian}");
        }
    }

    #[test]
    fn a_running_month_says_which_days_it_counts_and_its_windows_end() {
        let enabled: BTreeSet<OrgId> = [org("org_a")].into();
        let usage = [row("org_a", 1, UsageKind::View, 3, 1_264)];
        let kpis = compute(
            &KpiInputs {
                month: Month::parse("2026-11").expect("month"),
                usage: &usage,
                ai_enabled: &enabled,
                report_on: &enabled,
                forecasts: &[],
                through: NaiveDate::from_ymd_opt(2026, 11, 5).expect("day"),
            },
            &[Stage::OpenBeta],
        );
        assert!(kpis.running && kpis.usage_recorded);
        // Today's partial rows (6 Nov, after the last complete day) are not counted.
        let with_today = [usage[0].clone(), row("org_a", 1, UsageKind::View, 6, 50)];
        let counted = compute(
            &KpiInputs {
                month: Month::parse("2026-11").expect("month"),
                usage: &with_today,
                ai_enabled: &enabled,
                report_on: &enabled,
                forecasts: &[],
                through: NaiveDate::from_ymd_opt(2026, 11, 5).expect("day"),
            },
            &[Stage::OpenBeta],
        );
        assert_eq!(counted.review.views, 1_264, "to 5 Nov only");
        let english = render_text(&kpis, Lang::En);
        assert!(
            english.contains("these numbers count 1 Nov 2026 to 5 Nov 2026, the last complete day; it ends on 30 Nov 2026"),
            "{english}"
        );
        assert!(
            english.contains("Reliability over the 7 days from 30 Oct 2026 to 5 Nov 2026: 100.0%"),
            "{english}"
        );
        assert!(english.contains("1,264 report loads"), "{english}");
        let indonesian = render_text(&kpis, Lang::Id);
        assert!(
            indonesian.contains("1.264 pemuatan laporan"),
            "{indonesian}"
        );
        assert!(
            indonesian.contains("Keandalan selama 7 hari dari 30 Okt 2026 sampai 5 Nov 2026"),
            "{indonesian}"
        );
    }

    #[test]
    fn months_parse_and_step_back_across_a_year() {
        let march = Month::parse("2026-03").expect("a month");
        assert_eq!(
            march.last,
            NaiveDate::from_ymd_opt(2026, 3, 31).expect("day")
        );
        let january = Month::parse("2026-01").expect("a month");
        assert_eq!(january.previous().name(), "2025-12");
        assert_eq!(Month::parse("2026-02").expect("month").last.day(), 28);
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("2026-1"), None);
        assert_eq!(Month::parse("march"), None);
    }
}
