//! The report as people read it, in one language: each tile's name, figure, words
//! and verdict, decided once. The page (`server::view`, through its template) and the
//! terminal (`cli::terminal`) both lay this model out and neither picks, formats or
//! names a figure of its own; the JSON API keeps `wire`, the serializable copy at the
//! boundary. The tiles' names are `i18n::figures`, one phrase per concept; the
//! sentences come from `words`.

use chrono::NaiveDate;

use crate::i18n::{self, figures as names, web as page_words, Lang};
use crate::metrics::forecast::Outcome;
use crate::metrics::report::{Figures, Report, ReportStatus, TileStatus, TrendPoint, Verdict};
use crate::metrics::rooms::ConversationList;
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
    /// The baseline is still forming: only the volume and how long until the rest.
    Forming {
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
    pub verdict: Option<VerdictView>,
    /// The same before leaving out the customers who came back (gross containment).
    pub gross: Option<Share>,
    /// The sentence that says the gross figure and the gap between the two.
    pub before_adjustment: String,
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
}

/// How the AI and the team shared the conversations (the bar).
pub(crate) struct JourneyView {
    /// AI alone, AI + team and handed to the team, in the bar's order.
    pub segments: Vec<Segment>,
    /// Whether there is a bar to draw: false when none of them happened.
    pub has_shares: bool,
    pub other_count: String,
    /// "3 other conversations have no clear outcome yet (…)."
    pub other_text: String,
}

pub(crate) struct Segment {
    pub css: &'static str,
    pub list: ConversationList,
    pub label: &'static str,
    /// Whole percentages that add up to exactly 100 across the bar.
    pub percent: i64,
    /// Where the segment starts and how wide it is, in percent of the bar.
    pub x: String,
    pub width: String,
    pub count: String,
}

pub(crate) struct QualityView {
    /// The reopen rate, `None` when nothing was solved alone.
    pub came_back: Option<String>,
    pub came_back_verdict: Option<VerdictView>,
    /// The mood verdict's words.
    pub mood: Option<String>,
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
    /// The forecast as (low, projected, high), when there is one to draw.
    pub projection: Option<(f64, f64, f64)>,
    /// The forecast's plain read, only when forecasting is on for the account.
    pub forecast_text: Option<String>,
}

pub(crate) struct TrendRow {
    pub period: String,
    pub net_rate: Option<f64>,
    pub percent: Option<String>,
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
                text: forming_text(report, lang),
            },
        };
        Presentation {
            headline: words::headline(report, lang),
            volume: VolumeTile {
                eligible: i18n::format_count(report.volume.eligible),
                ai_handled: i18n::format_count(report.volume.ai_handled),
                text: page_words::CONVERSATIONS_TEXT.fill(
                    lang,
                    &[("ai_handled", i18n::format_count(report.volume.ai_handled))],
                ),
            },
            ledger: LedgerView {
                text: words::ledger(report, lang),
                split: words::ledger_split(report, lang),
                see_test_chats: page_words::SEE_TEST_CHATS.fill(
                    lang,
                    &[("count", i18n::format_count(report.ledger.test_chats))],
                ),
                see_spam: page_words::SEE_SPAM
                    .fill(lang, &[("count", i18n::format_count(report.ledger.spam))]),
            },
            state,
        }
    }
}

impl Tiles {
    fn new(report: &Report, figures: &Figures, lang: Lang) -> Self {
        Tiles {
            changes: words::changes(report, lang).unwrap_or_default(),
            solved_alone: solved_alone(figures, lang),
            after_hours: after_hours(figures, lang),
            time_saved: time_saved(report, figures, lang),
            journey: journey(figures, lang),
            quality: quality(report, figures, lang),
            trend: trend(report, figures, lang),
            notes: words::notes(report, lang),
        }
    }
}

fn share(rate: Option<f64>, count: i64) -> Option<Share> {
    rate.map(|rate| Share {
        percent: i18n::format_percent(rate),
        count: i18n::format_count(count),
    })
}

fn solved_alone(figures: &Figures, lang: Lang) -> SolvedAloneTile {
    let containment = &figures.containment;
    let percent = |rate: Option<f64>| rate.map(i18n::format_percent).unwrap_or_default();
    SolvedAloneTile {
        net: share(containment.net_rate, containment.net),
        verdict: VerdictView::of(figures.verdicts.net_containment, lang),
        gross: share(containment.gross_rate, containment.gross),
        before_adjustment: page_words::BEFORE_ADJUSTMENT_TEXT.fill(
            lang,
            &[
                ("rate", percent(containment.gross_rate)),
                ("count", i18n::format_count(containment.gross)),
                ("gap", percent(containment.reopen_gap)),
            ],
        ),
    }
}

fn after_hours(figures: &Figures, lang: Lang) -> AfterHoursTile {
    let tile = &figures.after_hours;
    let (figure, text) = match (tile.status, tile.count) {
        (TileStatus::Ok, Some(count)) => {
            let share = tile.share.map(i18n::format_percent);
            let text = share
                .as_ref()
                .map(|share| page_words::AFTER_HOURS_TEXT.fill(lang, &[("share", share.clone())]))
                .unwrap_or_default();
            let count = i18n::format_count(count);
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
        .map(|hours| i18n::format_decimal(hours, 1));
    let rupiah = figures.work_absorbed.rupiah.map(i18n::format_rupiah);
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
    }
}

fn journey(figures: &Figures, lang: Lang) -> Option<JourneyView> {
    let journey = figures.journey?;
    let shares = figures.journey_shares;
    let parts = [
        (
            "ai-only",
            ConversationList::AiOnly,
            names::AI_ONLY,
            shares.map(|s| s.ai_only),
            journey.ai_only,
        ),
        (
            "ai-assisted",
            ConversationList::AiAssisted,
            names::AI_ASSISTED,
            shares.map(|s| s.ai_assisted),
            journey.ai_assisted,
        ),
        (
            "escalated",
            ConversationList::Escalated,
            names::ESCALATED,
            shares.map(|s| s.escalated),
            journey.escalated,
        ),
    ];
    let percents = whole_percents(&parts.map(|part| part.3.unwrap_or(0.0)));
    let segments = parts
        .into_iter()
        .zip(percents)
        .scan(0.0, |start, ((css, list, name, share, count), whole)| {
            let share = share.unwrap_or(0.0) * 100.0;
            let x = *start;
            *start += share;
            Some(Segment {
                css,
                list,
                label: name.text(lang),
                percent: whole,
                x: format!("{x:.3}"),
                width: format!("{share:.3}"),
                count: i18n::format_count(count),
            })
        })
        .collect();
    Some(JourneyView {
        segments,
        has_shares: shares.is_some(),
        other_count: i18n::format_count(journey.other),
        other_text: page_words::OTHER.fill(lang, journey.other, &[]),
    })
}

/// Whole percentages that add up to exactly 100 (largest remainder), so the bar's
/// labels never read 99 % or 101 %.
pub(crate) fn whole_percents(shares: &[f64]) -> Vec<i64> {
    let scaled: Vec<f64> = shares.iter().map(|s| s * 100.0).collect();
    let mut result: Vec<i64> = scaled.iter().map(|s| s.floor() as i64).collect();
    let total: f64 = scaled.iter().sum();
    let target = total.round() as i64;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| {
        let ra = scaled[*a] - scaled[*a].floor();
        let rb = scaled[*b] - scaled[*b].floor();
        rb.total_cmp(&ra)
    });
    let mut missing = target - result.iter().sum::<i64>();
    for index in order {
        if missing <= 0 {
            break;
        }
        result[index] += 1;
        missing -= 1;
    }
    result
}

fn quality(report: &Report, figures: &Figures, lang: Lang) -> Option<QualityView> {
    let quality = figures.quality?;
    Some(QualityView {
        came_back: quality.reopen_rate.map(i18n::format_percent),
        came_back_verdict: VerdictView::of(figures.verdicts.reopen_rate, lang),
        mood: figures
            .verdicts
            .sentiment
            .map(|v| words::label(v, lang).to_string()),
        mood_note: words::reduced_coverage_note(report, lang),
        turns: quality.turns_avg.map(|t| i18n::format_decimal(t, 1)),
        turns_verdict: VerdictView::of(figures.verdicts.turns, lang),
    })
}

fn trend(report: &Report, figures: &Figures, lang: Lang) -> TrendView {
    let trend = &figures.trend;
    let period = |from: NaiveDate, to: NaiveDate| {
        if from == to {
            i18n::format_date(from, lang)
        } else {
            format!(
                "{} – {}",
                i18n::format_date(from, lang),
                i18n::format_date(to, lang)
            )
        }
    };
    let baseline = &trend.baseline;
    TrendView {
        rows: trend
            .points
            .iter()
            .map(|point| TrendRow {
                period: period(point.from, point.to),
                net_rate: point.net_rate,
                percent: point.net_rate.map(i18n::format_percent),
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
                    ("rate", i18n::format_percent(rate)),
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
            Outcome::Ok(p) => Some((p.low, p.net_rate, p.high)),
            _ => None,
        }),
        forecast_text: figures
            .forecast
            .as_ref()
            .map(|f| words::forecast_read(f, lang)),
    }
}

/// How long until the report's figures appear, while the baseline forms.
fn forming_text(report: &Report, lang: Lang) -> String {
    let forming = report.baseline_forming;
    let min_days = forming.map(|b| b.min_days_of_data).unwrap_or(30);
    let min_conversations = forming.map(|b| b.min_conversations).unwrap_or(100);
    let mut text = page_words::FORMING_TEXT.fill(
        lang,
        &[
            ("min_days", min_days.to_string()),
            ("min_conversations", i18n::format_count(min_conversations)),
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
                ("eligible", i18n::format_count(eligible)),
                ("min_conversations", i18n::format_count(min_conversations)),
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
mod tests {
    use super::*;
    use crate::domain::{DateRange, OrgId, Organization};
    use crate::metrics::report::{assemble, ReportInputs, ReportPolicy};
    use crate::metrics::DailyCounters;

    /// A report of October 2026 whose organization's first conversation was on
    /// `first` and which has `eligible` conversations.
    fn forming(first: &str, eligible: i64) -> Report {
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
            PresentedState::Forming { text } => text,
            PresentedState::Ok(_) => String::new(),
        };
        // 22 days of data (10 to 31 October) and enough conversations: 8 days to go.
        let report = forming("2026-10-10", 500);
        assert_eq!(report.days_of_data, 22);
        assert!(
            text(&report, Lang::En).ends_with("Your full report will be ready from 8 Nov 2026.")
        );
        assert!(text(&report, Lang::Id).ends_with("Laporan lengkap Anda siap mulai 8 Nov 2026."));
        // Too few conversations: no date anyone could promise.
        let few = text(&forming("2026-10-10", 40), Lang::En);
        assert!(
            few.contains("depends on how many conversations come in: 40 of the 100 needed"),
            "{few}"
        );
        assert!(!few.contains("ready from"), "{few}");
    }

    #[test]
    fn bar_percentages_always_add_up_to_100() {
        assert_eq!(
            whole_percents(&[11.0 / 17.0, 2.0 / 17.0, 4.0 / 17.0]),
            vec![65, 12, 23]
        );
        assert_eq!(
            whole_percents(&[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0])
                .iter()
                .sum::<i64>(),
            100
        );
        assert_eq!(whole_percents(&[1.0, 0.0, 0.0]), vec![100, 0, 0]);
    }
}
