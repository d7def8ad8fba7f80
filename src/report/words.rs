//! The one place a report is put into sentences, in the caller's language: the
//! headline, the notes, each verdict's label and the forecast's read. The JSON API
//! (`wire`), the page (`server::view`) and the terminal (`cli::terminal`) all word a
//! report here, so the three never disagree. The phrases themselves live in `i18n`.

use crate::i18n::{self, report as phrases, Lang, Phrase};
use crate::metrics::forecast::{Outcome, MIN_MONTHS};
use crate::metrics::report::{Forecast, Report, TileStatus, Verdict};

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
pub fn headline(report: &Report, lang: Lang) -> String {
    let mut values = vec![
        ("from", i18n::format_date(report.from, lang)),
        ("to", i18n::format_date(report.to, lang)),
    ];
    let Some(figures) = &report.figures else {
        let (min_days, min_conversations) = report
            .baseline_forming
            .map(|b| (b.min_days_of_data, b.min_conversations))
            .unwrap_or_default();
        values.extend([
            ("ai_handled", i18n::format_count(report.volume.ai_handled)),
            ("eligible", i18n::format_count(report.volume.eligible)),
            ("min_days", i18n::format_count(min_days)),
            ("min_conversations", i18n::format_count(min_conversations)),
        ]);
        return phrases::HEADLINE_BASELINE_FORMING.fill(lang, &values);
    };
    let Some(net_rate) = figures.containment.net_rate else {
        return phrases::HEADLINE_NO_CONVERSATIONS.fill(lang, &values);
    };
    values.extend([
        ("net", i18n::format_count(figures.containment.net)),
        ("eligible", i18n::format_count(report.volume.eligible)),
        ("in_ten", i18n::in_ten(net_rate, lang)),
    ]);
    let mut text = phrases::HEADLINE_OK.fill(lang, &values);
    let work = &figures.work_absorbed;
    if let (Some(hours), Some(rupiah)) = (work.hours, work.rupiah) {
        text.push_str(&phrases::HEADLINE_SAVED.fill(
            lang,
            &[
                ("hours", i18n::format_decimal(hours, 1)),
                ("rupiah", i18n::format_rupiah(rupiah)),
            ],
        ));
    }
    text
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
    if let Some(note) = reduced_coverage_note(report, lang) {
        notes.push(note);
    }
    if figures.sentiment_pending && figures.quality.is_some() {
        notes.push(text(phrases::NOTE_SENTIMENT_PENDING));
    }
    notes
}

/// The note that the mood rests on few conversations, when it does.
pub fn reduced_coverage_note(report: &Report, lang: Lang) -> Option<String> {
    let figures = report.figures.as_ref()?;
    if !figures.verdicts.sentiment_reduced_coverage {
        return None;
    }
    let coverage = figures.quality?.sentiment.coverage?;
    Some(phrases::NOTE_REDUCED_COVERAGE.fill(lang, &[("coverage", i18n::format_percent(coverage))]))
}

/// The forecast in one plain sentence.
pub fn forecast_read(forecast: &Forecast, lang: Lang) -> String {
    match (forecast.outcome, forecast.period_from) {
        (Outcome::Ok(projection), Some(month)) => phrases::FORECAST_OK.fill(
            lang,
            &[
                ("month", i18n::format_month(month, lang)),
                ("in_ten", i18n::in_ten(projection.net_rate, lang)),
                ("low", i18n::format_percent(projection.low)),
                ("high", i18n::format_percent(projection.high)),
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
