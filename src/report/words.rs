//! The one place a report is put into sentences, in the caller's language: the
//! headline, the notes, each verdict's label, the forecast's read, the ledger and
//! the changes against the period before. The JSON API
//! (`wire`), the page (`server::view`) and the terminal (`cli::terminal`) all word a
//! report here, so the three never disagree. The phrases are named in `i18n`; their
//! words are in `locales/`.

use crate::i18n::{self, figures as names, report as phrases, Lang, Phrase};
use crate::metrics::forecast::{Outcome, MIN_MONTHS};
use crate::metrics::report::{Forecast, FormingReason, NotComparable, Report, TileStatus, Verdict};
use crate::metrics::uncertainty::{Interval, Level};

/// Net containment as written everywhere (METRICS.md §4.10): a whole percentage, or
/// the decimal that keeps a figure on a verdict threshold from reading two ways.
pub(crate) fn net_percent(report: &Report, rate: f64, lang: Lang) -> String {
    i18n::format_rate(rate, &report.policy.net_containment_thresholds(), lang)
}

/// The reopen rate as written everywhere (see `net_percent`).
pub(crate) fn reopen_percent(report: &Report, rate: f64, lang: Lang) -> String {
    i18n::format_rate(rate, &report.policy.reopen_rate_thresholds(), lang)
}

/// The after-hours share as written everywhere (see `net_percent`).
pub(crate) fn after_hours_percent(report: &Report, rate: f64, lang: Lang) -> String {
    i18n::format_rate(rate, &report.policy.after_hours_thresholds(), lang)
}

/// "Most likely between 36% and 44%.": where a rate most likely lies.
/// Over very many conversations both ends can round to one whole percentage; then
/// they are written with a decimal, so the range never reads "between 40% and 40%".
pub(crate) fn likely_between(interval: Interval, lang: Lang) -> String {
    let whole = |rate: f64| (rate * 100.0).round() as i64;
    let decimals = usize::from(whole(interval.low) == whole(interval.high));
    let percent = |rate: f64| i18n::format_percent_to(rate, decimals, lang);
    phrases::LIKELY_BETWEEN.fill(
        lang,
        &[
            ("low", percent(interval.low)),
            ("high", percent(interval.high)),
        ],
    )
}

/// The words a person reads for a verdict level.
pub fn label(verdict: Verdict, lang: Lang) -> &'static str {
    let phrase = match verdict {
        Verdict::Strong => phrases::NET_STRONG,
        Verdict::Healthy => phrases::NET_HEALTHY,
        Verdict::RoomToGrow => phrases::NET_ROOM_TO_GROW,
        Verdict::NeedsAttention => phrases::NET_NEEDS_ATTENTION,
        Verdict::Low => phrases::REOPEN_LOW,
        Verdict::Moderate => phrases::REOPEN_MODERATE,
        Verdict::High => phrases::REOPEN_HIGH,
        Verdict::Quick => phrases::TURNS_QUICK,
        Verdict::Typical => phrases::TURNS_TYPICAL,
        Verdict::Long => phrases::TURNS_LONG,
        Verdict::AlwaysOn => phrases::AFTER_HOURS_ALWAYS_ON,
        Verdict::OfficeHours => phrases::AFTER_HOURS_OFFICE,
        Verdict::MorePositive => phrases::MOOD_MORE_POSITIVE,
        Verdict::LessPositive => phrases::MOOD_LESS_POSITIVE,
        Verdict::AboutTheSame => phrases::MOOD_ABOUT_SAME,
    };
    phrase.text(lang)
}

/// The one sentence at the top of the report.
pub(crate) fn headline(report: &Report, lang: Lang) -> String {
    let mut values = vec![
        ("from", i18n::format_date(report.from, lang)),
        ("to", i18n::format_date(report.to, lang)),
    ];
    let Some(figures) = &report.figures else {
        let (min_days, min_conversations, reason) = report
            .baseline_forming
            .map(|b| (b.min_days_of_data, b.min_conversations, b.reason))
            .unwrap_or((0, 0, FormingReason::NewOrganization));
        values.extend([
            (
                "ai_handled",
                i18n::format_count(report.volume.ai_handled, lang),
            ),
            ("eligible", i18n::format_count(report.volume.eligible, lang)),
            ("min_days", i18n::format_count(min_days, lang)),
            (
                "min_conversations",
                i18n::format_count(min_conversations, lang),
            ),
        ]);
        // A mature organization is never told it is new: it only chose a short range.
        let phrase = match reason {
            FormingReason::NewOrganization => phrases::HEADLINE_BASELINE_FORMING,
            FormingReason::FewConversations => phrases::HEADLINE_FEW_CONVERSATIONS,
        };
        return phrase.fill(lang, &values);
    };
    let Some(net_rate) = figures.containment.net_rate else {
        return phrases::HEADLINE_NO_CONVERSATIONS.fill(lang, &values);
    };
    values.extend([
        ("net", i18n::format_count(figures.containment.net, lang)),
        ("eligible", i18n::format_count(report.volume.eligible, lang)),
        ("in_ten", i18n::in_ten(net_rate, lang)),
    ]);
    let mut text = phrases::HEADLINE_OK.fill(lang, &values);
    let baseline = &figures.trend.baseline;
    // Against the first 30 days only when the range lies apart from them, and a
    // change only when chance cannot explain it (METRICS.md §4.10).
    if let (Some(rate), Some((level, _))) = (baseline.net_rate, baseline.comparison) {
        let phrase = match level {
            Level::Up => phrases::SINCE_BASELINE_UP,
            Level::Down => phrases::SINCE_BASELINE_DOWN,
            Level::AboutTheSame => phrases::SINCE_BASELINE_ABOUT_SAME,
        };
        text.push_str(&phrase.fill(lang, &[("baseline", net_percent(report, rate, lang))]));
    }
    if let Some(money) = money_values(report, lang) {
        text.push_str(&phrases::HEADLINE_SAVED.fill(lang, &money));
    }
    if let Some(ai_return) = ai_return(report, lang) {
        text.push(' ');
        text.push_str(&ai_return);
    }
    text
}

/// The hours and rupiah saved and the two numbers they come from, written for a
/// phrase's blanks (`hours`, `rupiah`, `rate`, `minutes`, `net`, `total_minutes`:
/// the exact minutes, so the sum can be redone to the rupiah); `None` without a
/// cost assumption. The inputs stand beside the money wherever it is shown, so the
/// owner can redo the sum with the printed page alone (docs/metrics.md §4.4).
fn money_values(report: &Report, lang: Lang) -> Option<Vec<(&'static str, String)>> {
    let figures = report.figures.as_ref()?;
    let work = &figures.work_absorbed;
    let (hours, rupiah) = (work.hours?, work.rupiah?);
    let assumption = work.assumption?;
    let (rate, minutes) = (
        assumption.agent_hour_rate(),
        assumption.minutes_per_conversation(),
    );
    Some(vec![
        ("hours", i18n::format_decimal(hours, 1, lang)),
        ("rupiah", i18n::format_rupiah(rupiah, lang)),
        ("rate", i18n::format_rupiah(rate, lang)),
        ("minutes", i18n::format_count(minutes, lang)),
        ("net", i18n::format_count(figures.containment.net, lang)),
        (
            "total_minutes",
            i18n::format_count(figures.containment.net.saturating_mul(minutes), lang),
        ),
    ])
}

/// "Worked out from your own numbers: 2,052 conversations solved on their own × 6
/// min = 12,312 min, or 205.2 hours; × Rp 45,000 an hour ≈ Rp 9,234,000." `None`
/// without a cost assumption.
pub(crate) fn money_sum(report: &Report, lang: Lang) -> Option<String> {
    money_values(report, lang).map(|money| phrases::MONEY_SUM.fill(lang, &money))
}

/// What the AI cost in the range against what the time it saved is worth, by the
/// organization's own numbers; `None` without the AI's price (docs/metrics.md §4.4).
pub(crate) fn ai_return(report: &Report, lang: Lang) -> Option<String> {
    let work = &report.figures.as_ref()?.work_absorbed;
    let (price, ai_cost) = (work.assumption?.ai_price_per_month()?, work.ai_cost?);
    let net_rupiah = work.net_rupiah?;
    let mut values = vec![
        ("price", i18n::format_rupiah(price, lang)),
        ("ai_cost", i18n::format_rupiah(ai_cost, lang)),
    ];
    Some(match work.value_ratio.filter(|_| net_rupiah >= 0) {
        Some(ratio) => {
            values.push(("times", i18n::format_decimal(ratio, 1, lang)));
            phrases::RETURN_GAIN.fill(lang, &values)
        }
        None => {
            values.push((
                "loss",
                i18n::format_rupiah(net_rupiah.saturating_abs(), lang),
            ));
            phrases::RETURN_LOSS.fill(lang, &values)
        }
    })
}

/// What a reader should keep in mind; none while the baseline is forming.
pub fn notes(report: &Report, lang: Lang) -> Vec<String> {
    let Some(figures) = &report.figures else {
        return Vec::new();
    };
    let text = |phrase: Phrase| phrase.text(lang).to_string();
    let mut notes = vec![text(phrases::NOTE_CAME_BACK)];
    notes.push(if figures.work_absorbed.status == TileStatus::Ok {
        text(phrases::NOTE_OWN_ESTIMATE)
    } else {
        text(phrases::NOTE_SET_ASSUMPTION)
    });
    if figures.after_hours.status == TileStatus::NotAvailable {
        notes.push(text(phrases::NOTE_NO_BUSINESS_HOURS));
    }
    if let Some(note) = counted_through_note(report, lang) {
        notes.push(note);
    }
    if let Some(note) = reduced_coverage_note(report, lang) {
        notes.push(note);
    }
    if figures.sentiment_pending && figures.quality.is_some() {
        notes.push(text(phrases::NOTE_SENTIMENT_PENDING));
    }
    notes
}

/// Where a range past the data stops counting the figures that depend on its length
/// (METRICS.md §4.4); `None` when the data covers the range.
pub(crate) fn counted_through_note(report: &Report, lang: Lang) -> Option<String> {
    // Only figures that are shown can be cut: none while the baseline forms.
    report.figures.as_ref()?;
    let last = report.counted_through.filter(|last| *last < report.to)?;
    Some(phrases::NOTE_COUNTED_THROUGH.fill(lang, &[("day", i18n::format_date(last, lang))]))
}

/// Up to when the source was read, and from which day the figures may still change
/// (METRICS.md §8.4), when some of the range can.
pub(crate) fn provisional_note(report: &Report, lang: Lang) -> Option<String> {
    let first = report.provisional_from?;
    let until = report.data_until?;
    Some(phrases::NOTE_PROVISIONAL.fill(
        lang,
        &[
            ("day", i18n::format_date(first, lang)),
            ("read_day", i18n::format_date(until.date_naive(), lang)),
            ("read_time", until.format("%H:%M").to_string()),
        ],
    ))
}

/// The note that the mood rests on few conversations, when it does.
pub(crate) fn reduced_coverage_note(report: &Report, lang: Lang) -> Option<String> {
    let figures = report.figures.as_ref()?;
    if !figures.verdicts.sentiment_reduced_coverage {
        return None;
    }
    let coverage = figures.quality?.sentiment.coverage?;
    Some(
        phrases::NOTE_REDUCED_COVERAGE
            .fill(lang, &[("coverage", i18n::format_percent(coverage, lang))]),
    )
}

/// Why the mood has no verdict, when a group has too few conversations with one.
pub(crate) fn mood_too_few(report: &Report, lang: Lang) -> Option<String> {
    let figures = report.figures.as_ref()?;
    if !figures.verdicts.sentiment_too_few {
        return None;
    }
    let sentiment = figures.quality?.sentiment;
    Some(phrases::MOOD_TOO_FEW.fill(
        lang,
        &[
            (
                "contained",
                i18n::format_count(sentiment.contained_rooms, lang),
            ),
            ("human", i18n::format_count(sentiment.escalated_rooms, lang)),
            (
                "min",
                i18n::format_count(report.policy.sentiment_min_rooms, lang),
            ),
        ],
    ))
}

/// The forecast in one plain sentence.
pub(crate) fn forecast_read(forecast: &Forecast, lang: Lang) -> String {
    match (forecast.outcome, forecast.period_from) {
        (Outcome::Ok(projection), Some(month)) => phrases::FORECAST_OK.fill(
            lang,
            &[
                ("month", i18n::format_month(month, lang)),
                ("in_ten", i18n::in_ten(projection.net_rate, lang)),
                ("low", i18n::format_percent(projection.low, lang)),
                ("high", i18n::format_percent(projection.high, lang)),
            ],
        ),
        (Outcome::Withheld { .. }, _) => phrases::FORECAST_WITHHELD.text(lang).to_string(),
        (outcome, _) => {
            let months = match outcome {
                Outcome::NotEnoughHistory { months } => months,
                _ => 0,
            };
            phrases::FORECAST_NOT_ENOUGH_HISTORY.fill(
                lang,
                &[
                    ("min", MIN_MONTHS.to_string()),
                    ("months", months.to_string()),
                ],
            )
        }
    }
}

/// "522 conversations counted; 14 test chats and 31 spam left out."
pub fn ledger(report: &Report, lang: Lang) -> String {
    let ledger = &report.ledger;
    phrases::LEDGER.fill(
        lang,
        &[
            ("all", i18n::format_count(ledger.all, lang)),
            ("counted", i18n::format_count(ledger.counted, lang)),
            ("test_chats", i18n::format_count(ledger.test_chats, lang)),
            ("spam", i18n::format_count(ledger.spam, lang)),
        ],
    )
}

/// How the counted conversations split, when the report has the split.
pub(crate) fn ledger_split(report: &Report, lang: Lang) -> Option<String> {
    let split = report.ledger.split?;
    // The parts are named as the bar and the lists name them.
    let parts = [
        (names::SOLVED_ALONE, split.solved_alone),
        (names::CAME_BACK, split.came_back),
        (names::AI_ASSISTED, split.ai_assisted),
        (names::ESCALATED, split.escalated),
        (names::OTHER, split.other),
    ]
    .map(|(name, count)| format!("{} {}", name.text(lang), i18n::format_count(count, lang)))
    .join("; ");
    Some(phrases::LEDGER_SPLIT.fill(
        lang,
        &[
            ("counted", i18n::format_count(report.ledger.counted, lang)),
            ("parts", parts),
        ],
    ))
}

/// Each headline figure's change against the period before, in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeReads {
    /// Said instead of the changes when the period before was still forming.
    pub none: Option<String>,
    pub net_rate: Option<String>,
    pub eligible: Option<String>,
    pub reopen_rate: Option<String>,
    pub hours: Option<String>,
}

/// The changes against the period before; `None` when it could not be read.
pub fn changes(report: &Report, lang: Lang) -> Option<ChangeReads> {
    let figures = report.figures.as_ref()?;
    let before = figures.period_before?;
    let days = (
        "days",
        i18n::units::DAYS.fill(lang, before.range.days(), &[]),
    );
    let compared = match before.comparison {
        Ok(compared) => compared,
        Err(why) => {
            let none = match why {
                NotComparable::BeforeFirstConversation(first) => phrases::CHANGE_BEFORE_FIRST
                    .fill(lang, &[days, ("day", i18n::format_date(first, lang))]),
                NotComparable::OutsideRetention => phrases::CHANGE_INCOMPLETE.fill(lang, &[days]),
                NotComparable::StillForming => phrases::CHANGE_STILL_FORMING.fill(lang, &[days]),
                NotComparable::TooFewConversations => phrases::CHANGE_NONE.fill(lang, &[days]),
            };
            return Some(ChangeReads {
                none: Some(none),
                ..ChangeReads::default()
            });
        }
    };
    let then = compared.figures;
    // A rate's change is worded as a change only when chance cannot explain it
    // (METRICS.md §4.10). Its points are between the whole percentages the reader
    // sees, so "48% … up 6 points" always agrees with the two percentages shown.
    let points = |now: Option<f64>, then: Option<f64>, level: Option<(Level, Interval)>| {
        let (now, then, (level, _)) = (now?, then?, level?);
        let whole = |rate: f64| (rate * 100.0).round() as i64;
        let change = whole(now) - whole(then);
        let points = i18n::units::POINTS.fill(lang, change.abs(), &[]);
        let values = [("points", points), days.clone()];
        let only_days = std::slice::from_ref(&days);
        Some(match (level, change.signum()) {
            (Level::Up, 1) => phrases::CHANGE_POINTS_UP.fill(lang, &values),
            (Level::Up, _) => phrases::CHANGE_SLIGHTLY_UP.fill(lang, only_days),
            (Level::Down, -1) => phrases::CHANGE_POINTS_DOWN.fill(lang, &values),
            (Level::Down, _) => phrases::CHANGE_SLIGHTLY_DOWN.fill(lang, only_days),
            (Level::AboutTheSame, 0) => phrases::CHANGE_ABOUT_SAME.fill(lang, only_days),
            (Level::AboutTheSame, _) => phrases::CHANGE_ABOUT_SAME_MOVE.fill(lang, &values),
        })
    };
    let count_change = report.volume.eligible - then.eligible;
    let count_values = [
        ("count", i18n::format_count(count_change.abs(), lang)),
        days.clone(),
    ];
    let eligible = match count_change.signum() {
        1 => phrases::CHANGE_MORE.fill(lang, &count_values),
        -1 => phrases::CHANGE_FEWER.fill(lang, &count_values),
        _ => phrases::CHANGE_SAME.fill(lang, std::slice::from_ref(&days)),
    };
    let hours = figures
        .work_absorbed
        .hours
        .zip(then.hours)
        .map(|(now, then)| {
            // Compared at the one decimal the page shows.
            let change = ((now - then) * 10.0).round() / 10.0;
            let values = [
                ("hours", i18n::format_decimal(change.abs(), 1, lang)),
                days.clone(),
            ];
            if change > 0.0 {
                phrases::CHANGE_HOURS_MORE.fill(lang, &values)
            } else if change < 0.0 {
                phrases::CHANGE_HOURS_FEWER.fill(lang, &values)
            } else {
                phrases::CHANGE_SAME.fill(lang, std::slice::from_ref(&days))
            }
        });
    Some(ChangeReads {
        none: None,
        net_rate: points(
            figures.containment.net_rate,
            then.net_rate,
            compared.net_rate,
        ),
        eligible: Some(eligible),
        reopen_rate: points(
            figures.quality.and_then(|q| q.reopen_rate),
            then.reopen_rate,
            compared.reopen_rate,
        ),
        hours,
    })
}
