//! The report as people read it, in one language: each tile's name, figure, words
//! and verdict, decided once. The page (`server::view`, through its template) and the
//! terminal (`cli::terminal`) both lay this model out and neither picks, formats or
//! names a figure of its own; the JSON API keeps `wire`, the serializable copy at the
//! boundary. The tiles' names are `i18n::figures`, one phrase per concept; the
//! sentences come from `words`.

use crate::i18n::{self, figures as names, web as page_words, Lang, Phrase};
use crate::metrics::forecast::Outcome;
use crate::metrics::report::{
    Figures, FormingReason, Report, ReportStatus, TileStatus, TrendPoint, Verdict,
};
use crate::metrics::rooms::ConversationList;
use crate::metrics::uncertainty::Interval;
use crate::report::words::{self, ChangeReads};

/// The report, worded: what every reader of it sees, whatever lays it out.
pub(crate) struct Presentation {
    pub headline: String,
    pub volume: VolumeTile,
    pub ledger: LedgerView,
    pub state: PresentedState,
}

pub(crate) enum PresentedState {
    Ok(Box<Tiles>),
    /// The baseline is still forming: only the volume and how long until the rest
    /// (or, for a mature organization's short range, that a longer one shows it).
    Forming {
        title: String,
        text: String,
    },
}

/// The tiles of a report whose figures can be shown.
pub(crate) struct Tiles {
    /// Each headline figure's change against the period before, in words.
    pub changes: ChangeReads,
    pub solved_alone: SolvedAloneTile,
    pub after_hours: AfterHoursTile,
    pub time_saved: TimeSavedTile,
    /// `None` when the journey could not be read.
    pub journey: Option<JourneyView>,
    /// `None` when the quality figures could not be read.
    pub quality: Option<QualityView>,
    pub trend: TrendView,
    /// What a reader should keep in mind.
    pub notes: Vec<String>,
    /// Tiles of one figure each, after the quality tiles (`FigureTile`).
    pub more: Vec<FigureTile>,
}

/// A tile of one figure that the page and the terminal lay out alike from this
/// model alone: a new tile over one figure is written in this file (its figure,
/// its words, its list) with no line of the template or the terminal
/// (ARCHITECTURE.md, "Adding a tile"). They follow the quality tiles, whose row in
/// print has room for one more.
pub(crate) struct FigureTile {
    /// Names the tile for tests and scripts (`data-testid` on the page).
    pub key: &'static str,
    pub name: Phrase,
    /// The figure as shown; `None` when it is not available.
    pub figure: Option<String>,
    /// The conversations behind the figure, when it has a list (the page links
    /// the figure to it).
    pub list: Option<ConversationList>,
    /// Lines under the figure: its base, its change, what it means.
    pub lines: Vec<String>,
    pub verdict: Option<VerdictView>,
}

/// A verdict as a reader sees it: its level (for the colour) and its words.
pub(crate) struct VerdictView {
    pub level: &'static str,
    pub label: String,
}

impl VerdictView {
    fn of(verdict: Option<Verdict>, lang: Lang) -> Option<Self> {
        verdict.map(|v| VerdictView {
            level: v.level(),
            label: words::label(v, lang).to_string(),
        })
    }
}

/// A share of conversations with how many they are: "56%" and "1.234".
pub(crate) struct Share {
    pub percent: String,
    pub count: String,
}

/// The hero: conversations solved on their own (net containment).
pub(crate) struct SolvedAloneTile {
    /// `None` when no conversation was counted.
    pub net: Option<Share>,
    /// "689 of the 1.234 counted conversations".
    pub base: String,
    /// "Most likely between 52% and 58%.": how sure the figure is.
    pub range: Option<String>,
    pub verdict: Option<VerdictView>,
    /// Every conversation the AI closed alone, before leaving out the customers
    /// who came back (gross containment), and those who came back.
    pub closed_alone: Option<NamedShare>,
    pub came_back: Option<NamedShare>,
}

/// A share of all counted conversations under its name, as the bar and the ledger
/// say it: "Closed by the AI alone", "66%", "(812 of the 1.234 counted conversations)".
pub(crate) struct NamedShare {
    pub name: &'static str,
    pub percent: String,
    pub of_counted: String,
}

pub(crate) struct VolumeTile {
    pub eligible: String,
    pub ai_handled: String,
    /// "The AI took part in 120 of them."
    pub text: String,
}

pub(crate) struct AfterHoursTile {
    /// The count and its share, `None` when the business hours are not set.
    pub figure: Option<AfterHoursFigure>,
    /// The share in words, or how to see this figure at all.
    pub text: String,
    pub verdict: Option<VerdictView>,
}

pub(crate) struct AfterHoursFigure {
    pub count: String,
    pub share: Option<String>,
}

pub(crate) struct TimeSavedTile {
    /// The hours saved, "12,5"; `None` without a cost assumption.
    pub hours: Option<String>,
    /// "12,5 hours".
    pub hours_text: Option<String>,
    /// "Rp 1.250.000", when the assumption gives the hours a price.
    pub rupiah: Option<String>,
    /// "≈ Rp 1.250.000, by your own cost numbers".
    pub money_text: Option<String>,
    /// What the AI cost against what it saved, when its price is set.
    pub ai_return: Option<String>,
    /// The sum behind the hours and the money, in the organization's own numbers.
    pub money_sum: Option<String>,
}

/// How the AI and the team shared the conversations (the bar).
pub(crate) struct JourneyView {
    /// Solved on its own, came back, AI then the team, handed to the team and no clear
    /// outcome, in the bar's order.
    pub segments: Vec<Segment>,
    /// Whether there is a bar to draw: false when nothing was counted.
    pub has_shares: bool,
    /// What the bar is a share of: "Each part is a share of all 1.234 counted
    /// conversations."
    pub caption: String,
}

pub(crate) struct Segment {
    pub css: &'static str,
    pub list: ConversationList,
    pub label: &'static str,
    /// Whole percentages that add up to 100 across the bar (`whole_percents_pinned`),
    /// written as the rest of the page writes the same figure ("56%", "40,3%").
    pub percent: String,
    /// Where the segment starts and how wide it is, in percent of the bar.
    pub x: String,
    pub width: String,
    pub count: String,
}

pub(crate) struct QualityView {
    /// The reopen rate, `None` when nothing was solved alone.
    pub came_back: Option<String>,
    pub came_back_verdict: Option<VerdictView>,
    /// What the rate rests on: "1 of the 11 the AI closed alone".
    pub came_back_base: Option<String>,
    /// The mood verdict's words.
    pub mood: Option<String>,
    /// How many conversations with a mood each side of the comparison rests on.
    pub mood_counts: Option<String>,
    /// Why there is no verdict, when a side has too few conversations with a mood.
    pub mood_too_few: Option<String>,
    pub mood_note: Option<String>,
    pub turns: Option<String>,
    pub turns_verdict: Option<VerdictView>,
}

pub(crate) struct TrendView {
    pub points: Vec<TrendPoint>,
    /// Each point's period and figure as a reader says them.
    pub rows: Vec<TrendRow>,
    pub baseline_rate: Option<f64>,
    /// The baseline's line, described in words, or the note that it is forming.
    pub baseline_text: String,
    /// "Solved on its own from 1 Oct 2026 to 31 Oct 2026."
    pub label: String,
    /// The forecast, when there is one to draw.
    pub projection: Option<ProjectionView>,
    /// The forecast's plain read, only when forecasting is on for the account.
    pub forecast_text: Option<String>,
}

/// Next month's projected share and its band, and the point's title ("Dec 2026:
/// 56% (48% – 62%)").
pub(crate) struct ProjectionView {
    pub low: f64,
    pub net_rate: f64,
    pub high: f64,
    pub title: String,
}

pub(crate) struct TrendRow {
    pub period: String,
    pub net_rate: Option<f64>,
    pub percent: Option<String>,
    /// "Oct 2026: 40% (36% – 44%)": the point's figure and where it most likely lies.
    pub title: String,
}

/// "522 counted; 14 test chats and 31 spam left out", with each part's count.
pub(crate) struct LedgerView {
    pub text: String,
    pub split: Option<String>,
    pub see_test_chats: String,
    pub see_spam: String,
}

impl Presentation {
    pub(crate) fn new(report: &Report, lang: Lang) -> Self {
        let state = match (&report.status, &report.figures) {
            (ReportStatus::Ok, Some(figures)) => {
                PresentedState::Ok(Box::new(Tiles::new(report, figures, lang)))
            }
            _ => PresentedState::Forming {
                title: match report.baseline_forming.map(|b| b.reason) {
                    Some(FormingReason::FewConversations) => page_words::FORMING_FEW_TITLE,
                    _ => page_words::FORMING_TITLE,
                }
                .text(lang)
                .to_string(),
                text: forming_text(report, lang),
            },
        };
        Presentation {
            headline: words::headline(report, lang),
            volume: VolumeTile {
                eligible: i18n::format_count(report.volume.eligible, lang),
                ai_handled: i18n::format_count(report.volume.ai_handled, lang),
                text: page_words::CONVERSATIONS_TEXT.fill(
                    lang,
                    &[(
                        "ai_handled",
                        i18n::format_count(report.volume.ai_handled, lang),
                    )],
                ),
            },
            ledger: LedgerView {
                text: words::ledger(report, lang),
                split: words::ledger_split(report, lang),
                see_test_chats: page_words::SEE_TEST_CHATS.fill(
                    lang,
                    &[("count", i18n::format_count(report.ledger.test_chats, lang))],
                ),
                see_spam: page_words::SEE_SPAM.fill(
                    lang,
                    &[("count", i18n::format_count(report.ledger.spam, lang))],
                ),
            },
            state,
        }
    }
}

impl Tiles {
    fn new(report: &Report, figures: &Figures, lang: Lang) -> Self {
        Tiles {
            changes: words::changes(report, lang).unwrap_or_default(),
            solved_alone: solved_alone(report, figures, lang),
            after_hours: after_hours(report, figures, lang),
            time_saved: time_saved(report, figures, lang),
            journey: journey(report, figures, lang),
            quality: quality(report, figures, lang),
            trend: trend(report, figures, lang),
            notes: words::notes(report, lang),
            more: more_tiles(report, figures, lang),
        }
    }
}

/// The tiles of one figure (`FigureTile`), in the order they are shown.
fn more_tiles(_report: &Report, _figures: &Figures, _lang: Lang) -> Vec<FigureTile> {
    Vec::new()
}

fn solved_alone(report: &Report, figures: &Figures, lang: Lang) -> SolvedAloneTile {
    let containment = &figures.containment;
    let eligible = report.volume.eligible;
    let named = |name: Phrase, count: i64| {
        share_of(count, eligible).map(|share| NamedShare {
            name: name.text(lang),
            percent: i18n::format_percent(share, lang),
            of_counted: page_words::OF_COUNTED.fill(
                lang,
                &[
                    ("count", i18n::format_count(count, lang)),
                    ("counted", i18n::format_count(eligible, lang)),
                ],
            ),
        })
    };
    SolvedAloneTile {
        net: containment.net_rate.map(|rate| Share {
            percent: words::net_percent(report, rate, lang),
            count: i18n::format_count(containment.net, lang),
        }),
        range: containment
            .net_rate_interval
            .map(|interval| words::likely_between(interval, lang)),
        base: page_words::HERO_BASE.fill(
            lang,
            &[
                ("count", i18n::format_count(containment.net, lang)),
                ("counted", i18n::format_count(eligible, lang)),
            ],
        ),
        verdict: VerdictView::of(figures.verdicts.net_containment, lang),
        closed_alone: named(names::CLOSED_ALONE, containment.gross),
        came_back: named(names::CAME_BACK, containment.reopened),
    }
}

fn after_hours(report: &Report, figures: &Figures, lang: Lang) -> AfterHoursTile {
    let tile = &figures.after_hours;
    let (figure, text) = match (tile.status, tile.count) {
        (TileStatus::Ok, Some(count)) => {
            let share = tile
                .share
                .map(|share| words::after_hours_percent(report, share, lang));
            let text = share
                .as_ref()
                .map(|share| page_words::AFTER_HOURS_TEXT.fill(lang, &[("share", share.clone())]))
                .unwrap_or_default();
            let count = i18n::format_count(count, lang);
            (Some(AfterHoursFigure { count, share }), text)
        }
        _ => (None, page_words::NO_BUSINESS_HOURS.text(lang).to_string()),
    };
    AfterHoursTile {
        figure,
        text,
        verdict: VerdictView::of(figures.verdicts.after_hours, lang),
    }
}

fn time_saved(report: &Report, figures: &Figures, lang: Lang) -> TimeSavedTile {
    let hours = figures
        .work_absorbed
        .hours
        .map(|hours| i18n::format_decimal(hours, 1, lang));
    let rupiah = figures
        .work_absorbed
        .rupiah
        .map(|rupiah| i18n::format_rupiah(rupiah, lang));
    TimeSavedTile {
        hours_text: hours
            .as_ref()
            .map(|hours| page_words::HOURS.fill(lang, &[("hours", hours.clone())])),
        money_text: rupiah
            .as_ref()
            .map(|rupiah| page_words::OWN_ESTIMATE.fill(lang, &[("rupiah", rupiah.clone())])),
        hours,
        rupiah,
        ai_return: words::ai_return(report, lang),
        money_sum: words::money_sum(report, lang),
    }
}

/// The bar over all counted conversations (METRICS.md §4.5): solved on its own (the
/// hero's figure, exactly), came back (a lighter shade of the same colour), AI then
/// the team,
/// handed to the team, and no clear outcome (grey).
fn journey(report: &Report, figures: &Figures, lang: Lang) -> Option<JourneyView> {
    let journey = figures.journey?;
    let containment = &figures.containment;
    let parts = [
        (
            "solved-alone",
            ConversationList::SolvedAlone,
            names::SOLVED_ALONE,
            containment.net,
        ),
        (
            "came-back",
            ConversationList::CameBack,
            names::CAME_BACK,
            containment.reopened,
        ),
        (
            "ai-assisted",
            ConversationList::AiAssisted,
            names::AI_ASSISTED,
            journey.ai_assisted,
        ),
        (
            "escalated",
            ConversationList::Escalated,
            names::ESCALATED,
            journey.escalated,
        ),
        (
            "other",
            ConversationList::Other,
            names::OTHER,
            journey.other,
        ),
    ];
    let eligible = report.volume.eligible;
    let shares = parts.map(|part| share_of(part.3, eligible).unwrap_or(0.0));
    // The first two are said elsewhere on the page too (the hero and its "counting
    // those customers" line), so they keep their own rounding; the rest make up 100.
    let percents = whole_percents_pinned(&shares, 2);
    // The first is the hero's figure, written as the hero writes it.
    let hero = containment
        .net_rate
        .map(|rate| words::net_percent(report, rate, lang));
    let segments = parts
        .into_iter()
        .zip(shares.into_iter().zip(percents))
        .enumerate()
        .scan(
            0.0,
            |start, (index, ((css, list, name, count), (share, whole)))| {
                let share = share * 100.0;
                let x = *start;
                *start += share;
                Some(Segment {
                    css,
                    list,
                    label: name.text(lang),
                    percent: match (index, &hero) {
                        (0, Some(hero)) => hero.clone(),
                        _ => format!("{whole}%"),
                    },
                    x: format!("{x:.3}"),
                    width: format!("{share:.3}"),
                    count: i18n::format_count(count, lang),
                })
            },
        )
        .collect();
    Some(JourneyView {
        segments,
        has_shares: eligible > 0,
        caption: page_words::BAR_CAPTION
            .fill(lang, &[("counted", i18n::format_count(eligible, lang))]),
    })
}

/// `count` as a share of `base`, `None` when there is nothing to share.
fn share_of(count: i64, base: i64) -> Option<f64> {
    (base > 0).then(|| count as f64 / base as f64)
}

/// Whole percentages for the bar's labels: the first `pinned` keep their own
/// rounding, the one the rest of the page writes them in (`i18n::format_percent`),
/// and the others make up the difference to 100 by largest remainder. They add up
/// to exactly 100 unless the pinned ones alone round past it (50,5 % and 49,5 % are
/// written 51 % and 50 % wherever they appear), which only a bar with nothing else
/// in it can meet: then the others are 0 and the labels read 101 %.
pub(crate) fn whole_percents_pinned(shares: &[f64], pinned: usize) -> Vec<i64> {
    let pinned = pinned.min(shares.len());
    let mut result: Vec<i64> = shares[..pinned]
        .iter()
        .map(|share| (share * 100.0).round() as i64)
        .collect();
    let rest = &shares[pinned..];
    let target = if rest.iter().all(|share| *share == 0.0) {
        0
    } else {
        (100 - result.iter().sum::<i64>()).max(0)
    };
    result.extend(largest_remainder(rest, target));
    result
}

/// Whole percentages of `shares` that add up to `target`.
fn largest_remainder(shares: &[f64], target: i64) -> Vec<i64> {
    let scaled: Vec<f64> = shares.iter().map(|s| s * 100.0).collect();
    let mut result: Vec<i64> = scaled.iter().map(|s| s.floor() as i64).collect();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| {
        let ra = scaled[*a] - scaled[*a].floor();
        let rb = scaled[*b] - scaled[*b].floor();
        rb.total_cmp(&ra)
    });
    // Too few: the largest remainders gain one each. Too many (only when a share was
    // rounded up by a caller): the smallest remainders give one back.
    let mut missing = target - result.iter().sum::<i64>();
    if missing < 0 {
        order.reverse();
    }
    for index in order.iter().cycle().take(shares.len() * 2) {
        if missing == 0 {
            break;
        }
        if missing > 0 {
            result[*index] += 1;
            missing -= 1;
        } else if result[*index] > 0 {
            result[*index] -= 1;
            missing += 1;
        }
    }
    result
}

fn quality(report: &Report, figures: &Figures, lang: Lang) -> Option<QualityView> {
    let quality = figures.quality?;
    let sentiment = quality.sentiment;
    Some(QualityView {
        came_back: quality
            .reopen_rate
            .map(|rate| words::reopen_percent(report, rate, lang)),
        came_back_verdict: VerdictView::of(figures.verdicts.reopen_rate, lang),
        came_back_base: quality.reopen_rate.map(|_| {
            page_words::CAME_BACK_BASE.fill(
                lang,
                &[
                    (
                        "count",
                        i18n::format_count(figures.containment.reopened, lang),
                    ),
                    (
                        "closed",
                        i18n::format_count(figures.containment.gross, lang),
                    ),
                ],
            )
        }),
        mood: figures
            .verdicts
            .sentiment
            .map(|v| words::label(v, lang).to_string()),
        // Beside a verdict; without one, the too-few sentence says the counts.
        mood_counts: figures.verdicts.sentiment.is_some().then(|| {
            page_words::MOOD_COUNTS.fill(
                lang,
                &[
                    (
                        "contained",
                        i18n::format_count(sentiment.contained_rooms, lang),
                    ),
                    ("human", i18n::format_count(sentiment.escalated_rooms, lang)),
                ],
            )
        }),
        mood_too_few: words::mood_too_few(report, lang),
        mood_note: words::reduced_coverage_note(report, lang),
        turns: quality.turns_avg.map(|t| i18n::format_decimal(t, 1, lang)),
        turns_verdict: VerdictView::of(figures.verdicts.turns, lang),
    })
}

fn trend(report: &Report, figures: &Figures, lang: Lang) -> TrendView {
    let trend = &figures.trend;
    let baseline = &trend.baseline;
    TrendView {
        rows: trend
            .points
            .iter()
            .map(|point| {
                let period = i18n::format_period(point.from, point.to, lang);
                let percent = point
                    .net_rate
                    .map(|rate| words::net_percent(report, rate, lang));
                let title = match (&percent, point.net_rate_interval) {
                    (Some(percent), Some(range)) => point_title(&period, percent, range, lang),
                    (Some(percent), None) => format!("{period}: {percent}"),
                    (None, _) => period.clone(),
                };
                TrendRow {
                    period,
                    net_rate: point.net_rate,
                    percent,
                    title,
                }
            })
            .collect(),
        points: trend.points.clone(),
        baseline_rate: baseline.net_rate,
        baseline_text: match (baseline.from, baseline.to, baseline.net_rate) {
            (Some(from), Some(to), Some(rate)) => page_words::BASELINE_LINE.fill(
                lang,
                &[
                    ("from", i18n::format_date(from, lang)),
                    ("to", i18n::format_date(to, lang)),
                    ("rate", words::net_percent(report, rate, lang)),
                ],
            ),
            _ => page_words::BASELINE_FORMING.text(lang).to_string(),
        },
        label: page_words::TREND_LABEL.fill(
            lang,
            &[
                ("from", i18n::format_date(report.from, lang)),
                ("to", i18n::format_date(report.to, lang)),
            ],
        ),
        projection: figures.forecast.as_ref().and_then(|f| match f.outcome {
            Outcome::Ok(p) => Some(ProjectionView {
                low: p.low,
                net_rate: p.net_rate,
                high: p.high,
                title: point_title(
                    &f.period_from
                        .map(|month| i18n::format_month(month, lang))
                        .unwrap_or_default(),
                    &words::net_percent(report, p.net_rate, lang),
                    Interval {
                        low: p.low,
                        high: p.high,
                    },
                    lang,
                ),
            }),
            _ => None,
        }),
        forecast_text: figures
            .forecast
            .as_ref()
            .map(|f| words::forecast_read(f, lang)),
    }
}

/// A chart point's title: "Oct 2026: 40% (most likely between 36% and 44%)", in the
/// one vocabulary ranges are said in.
fn point_title(period: &str, percent: &str, range: Interval, lang: Lang) -> String {
    page_words::POINT_TITLE.fill(
        lang,
        &[
            ("period", period.to_string()),
            ("rate", percent.to_string()),
            ("low", i18n::format_percent(range.low, lang)),
            ("high", i18n::format_percent(range.high, lang)),
        ],
    )
}

/// How long until the report's figures appear, while the baseline forms; for a
/// mature organization's short range, that a longer one shows them.
fn forming_text(report: &Report, lang: Lang) -> String {
    let forming = report.baseline_forming;
    let min_days = forming.map(|b| b.min_days_of_data).unwrap_or(30);
    let min_conversations = forming.map(|b| b.min_conversations).unwrap_or(100);
    if forming.is_some_and(|b| b.reason == FormingReason::FewConversations) {
        return page_words::FORMING_FEW_TEXT.fill(
            lang,
            &[
                ("eligible", i18n::format_count(report.volume.eligible, lang)),
                (
                    "min_conversations",
                    i18n::format_count(min_conversations, lang),
                ),
            ],
        );
    }
    let mut text = page_words::FORMING_TEXT.fill(
        lang,
        &[
            ("min_days", min_days.to_string()),
            (
                "min_conversations",
                i18n::format_count(min_conversations, lang),
            ),
            (
                "days",
                i18n::units::DAYS.fill(lang, report.days_of_data, &[]),
            ),
        ],
    );
    // When the full report shows: the days still missing give a date; too few
    // conversations make it depend on how many come in, which no one can promise.
    let days_missing = (min_days - report.days_of_data).max(0);
    let eligible = report.volume.eligible;
    if eligible < min_conversations {
        text.push_str(&page_words::FORMING_DEPENDS_ON_VOLUME.fill(
            lang,
            &[
                ("eligible", i18n::format_count(eligible, lang)),
                (
                    "min_conversations",
                    i18n::format_count(min_conversations, lang),
                ),
            ],
        ));
    } else if days_missing > 0 {
        let ready = report.to + chrono::Duration::days(days_missing);
        text.push_str(
            &page_words::FORMING_READY_ON.fill(lang, &[("day", i18n::format_date(ready, lang))]),
        );
    }
    text
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{DateRange, OrgId, Organization};
    use crate::metrics::report::{assemble, ReportInputs, ReportPolicy};
    use crate::metrics::DailyCounters;
    use chrono::NaiveDate;

    /// A report of October 2026 whose organization's first conversation was on
    /// `first` and which has `eligible` conversations.
    pub(crate) fn october(first: &str, eligible: i64) -> Report {
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default();
        let organization = Organization {
            id: OrgId::parse("org_a").expect("id"),
            name: "Toko A".into(),
            ai_addon: true,
            timezone: Organization::parse_timezone("Asia/Jakarta").expect("zone"),
            business_hours: None,
            holidays: Default::default(),
        };
        let mut row = DailyCounters::empty(day("2026-10-20"));
        row.eligible = eligible;
        let policy = ReportPolicy::default();
        assemble(&ReportInputs {
            organization: &organization,
            range: DateRange::new(day("2026-10-01"), day("2026-10-31")).expect("range"),
            days: &[row],
            first_eligible_day: Some(day(first)),
            data_through: Some(day("2026-10-31")),
            read_until: None,
            cost_assumption: None,
            policy: &policy,
            failed_groups: &[],
            baseline: None,
            forecast_history: None,
            days_before: None,
        })
    }

    #[test]
    fn a_forming_report_says_when_it_will_be_ready_or_what_that_depends_on() {
        let text = |report: &Report, lang| match Presentation::new(report, lang).state {
            PresentedState::Forming { text, .. } => text,
            PresentedState::Ok(_) => String::new(),
        };
        // 22 days of data (10 to 31 October) and enough conversations: 8 days to go.
        let report = october("2026-10-10", 500);
        assert_eq!(report.days_of_data, 22);
        assert!(
            text(&report, Lang::En).ends_with("Your full report will be ready from 8 Nov 2026.")
        );
        assert!(text(&report, Lang::Id).ends_with("Laporan lengkap Anda siap mulai 8 Nov 2026."));
        // Too few conversations: no date anyone could promise.
        let few = text(&october("2026-10-10", 40), Lang::En);
        assert!(
            few.contains("depends on how many conversations come in: 40 of the 100 needed"),
            "{few}"
        );
        assert!(!few.contains("ready from"), "{few}");
    }

    #[test]
    fn bar_percentages_add_up_to_100_and_keep_the_pinned_ones_as_written_elsewhere() {
        let third = 1.0 / 3.0;
        assert_eq!(
            whole_percents_pinned(&[third, third, third], 0),
            vec![34, 33, 33]
        );
        assert_eq!(whole_percents_pinned(&[1.0, 0.0, 0.0], 1), vec![100, 0, 0]);
        // 62,5 % and 12,5 % are written 63 % and 13 % by the hero and its note, so
        // the 25 % left gives one back.
        let percents = whole_percents_pinned(&[0.625, 0.125, 0.25, 0.0, 0.0], 2);
        assert_eq!(percents, vec![63, 13, 24, 0, 0]);
        // 56,25 % and 6,25 % are written 56 % and 6 %: the 37,5 % left make 38.
        let percents = whole_percents_pinned(&[0.5625, 0.0625, 0.1875, 0.1875, 0.0], 2);
        assert_eq!(percents, vec![56, 6, 19, 19, 0]);
        // Nothing besides the pinned: nothing to make up.
        assert_eq!(
            whole_percents_pinned(&[0.995, 0.005, 0.0], 2),
            vec![100, 1, 0]
        );
    }
}
