//! The report as readable terminal text (`impact report --format text`).

use std::fmt::Write;

use crate::i18n::{self, text_report as words, Lang, Phrase};
use crate::metrics::report::{Report, ReportStatus, TileStatus, Verdict};
use crate::report::words as report_words;

pub(crate) fn render(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    let line = |out: &mut String, text: String| {
        let _ = writeln!(out, "{text}");
    };
    line(
        &mut out,
        format!("{} — {}", words::TITLE.text(lang), report.org_name),
    );
    line(
        &mut out,
        format!(
            "{}: {} – {} ({})   {}: {}",
            words::PERIOD.text(lang),
            i18n::format_date(report.from, lang),
            i18n::format_date(report.to, lang),
            report.timezone,
            words::DATA_THROUGH.text(lang),
            report
                .data_through
                .map(|day| i18n::format_date(day, lang))
                .unwrap_or_else(|| words::NO_DATA_YET.text(lang).to_string())
        ),
    );
    line(&mut out, String::new());
    line(&mut out, wrap(&report_words::headline(report, lang), 78));
    line(&mut out, String::new());

    let volume = words::CONVERSATIONS_VALUE.fill(
        lang,
        &[
            ("eligible", i18n::format_count(report.volume.eligible)),
            ("ai_handled", i18n::format_count(report.volume.ai_handled)),
        ],
    );
    let Some(figures) = report
        .figures
        .as_ref()
        .filter(|_| report.status == ReportStatus::Ok)
    else {
        row(&mut out, lang, words::CONVERSATIONS, volume, None);
        return out;
    };

    heading(&mut out, words::WHAT_YOUR_AI_DID.text(lang));
    let containment = &figures.containment;
    if let Some(rate) = containment.net_rate {
        row(
            &mut out,
            lang,
            words::SOLVED_ON_ITS_OWN,
            format!(
                "{} ({})",
                i18n::format_percent(rate),
                i18n::format_count(containment.net)
            ),
            figures.verdicts.net_containment.as_ref(),
        );
        if let Some(gross_rate) = containment.gross_rate {
            line(
                &mut out,
                format!(
                    "    {}",
                    words::BEFORE_ADJUSTMENT.fill(
                        lang,
                        &[
                            ("rate", i18n::format_percent(gross_rate)),
                            ("count", i18n::format_count(containment.gross)),
                        ],
                    )
                ),
            );
        }
    }
    row(&mut out, lang, words::CONVERSATIONS, volume, None);
    let after_hours = match (figures.after_hours.status, figures.after_hours.count) {
        (TileStatus::Ok, Some(count)) => match figures.after_hours.share {
            Some(share) => format!(
                "{} ({})",
                i18n::format_count(count),
                i18n::format_percent(share)
            ),
            None => i18n::format_count(count),
        },
        _ => words::NOT_AVAILABLE.text(lang).to_string(),
    };
    row(
        &mut out,
        lang,
        words::AFTER_HOURS,
        after_hours,
        figures.verdicts.after_hours.as_ref(),
    );
    let saved = match (figures.work_absorbed.hours, figures.work_absorbed.rupiah) {
        (Some(hours), Some(rupiah)) => words::HOURS_VALUE.fill(
            lang,
            &[
                ("hours", i18n::format_decimal(hours, 1)),
                ("rupiah", i18n::format_rupiah(rupiah)),
            ],
        ),
        _ => i18n::report::NOTE_SET_ASSUMPTION.text(lang).to_string(),
    };
    row(&mut out, lang, words::TEAM_TIME_SAVED, saved, None);

    heading(&mut out, words::JOURNEY.text(lang));
    let not_available = || words::NOT_AVAILABLE.text(lang).to_string();
    match &figures.journey {
        Some(journey) => {
            let shares = figures.journey_shares;
            for (phrase, count, share) in [
                (words::AI_ONLY, journey.ai_only, shares.map(|s| s.ai_only)),
                (
                    words::AI_ASSISTED,
                    journey.ai_assisted,
                    shares.map(|s| s.ai_assisted),
                ),
                (
                    words::ESCALATED,
                    journey.escalated,
                    shares.map(|s| s.escalated),
                ),
            ] {
                let value = match share {
                    Some(share) => format!(
                        "{} ({})",
                        i18n::format_percent(share),
                        i18n::format_count(count)
                    ),
                    None => i18n::format_count(count),
                };
                row(&mut out, lang, phrase, value, None);
            }
            row(
                &mut out,
                lang,
                words::OTHER,
                i18n::format_count(journey.other),
                None,
            );
        }
        None => row(&mut out, lang, words::JOURNEY, not_available(), None),
    }

    heading(&mut out, words::GOOD_JOB.text(lang));
    let came_back = figures
        .quality
        .and_then(|q| q.reopen_rate)
        .map(i18n::format_percent)
        .unwrap_or_else(|| words::NOT_AVAILABLE.text(lang).to_string());
    row(
        &mut out,
        lang,
        words::CAME_BACK,
        came_back,
        figures.verdicts.reopen_rate.as_ref(),
    );
    let mood = match &figures.verdicts.sentiment {
        Some(verdict) => words::MOOD_VALUE.fill(
            lang,
            &[("verdict", report_words::label(*verdict, lang).to_string())],
        ),
        None => words::NOT_AVAILABLE.text(lang).to_string(),
    };
    row(&mut out, lang, words::MOOD, mood, None);
    let turns = figures
        .quality
        .and_then(|q| q.turns_avg)
        .map(|turns| words::MESSAGES_VALUE.fill(lang, &[("turns", i18n::format_decimal(turns, 1))]))
        .unwrap_or_else(|| words::NOT_AVAILABLE.text(lang).to_string());
    row(
        &mut out,
        lang,
        words::MESSAGES_TO_SOLVE,
        turns,
        figures.verdicts.turns.as_ref(),
    );

    heading(&mut out, words::TREND.text(lang));
    for point in &figures.trend.points {
        let label = if point.from == point.to {
            i18n::format_date(point.from, lang)
        } else {
            format!(
                "{} – {}",
                i18n::format_date(point.from, lang),
                i18n::format_date(point.to, lang)
            )
        };
        let value = match point.net_rate {
            Some(rate) => format!(
                "{:>4} {}",
                i18n::format_percent(rate),
                "█".repeat((rate * 30.0).round() as usize)
            ),
            None => "   –".to_string(),
        };
        line(&mut out, format!("  {label:<27} {value}"));
    }

    let notes = report_words::notes(report, lang);
    if !notes.is_empty() {
        heading(&mut out, words::NOTES.text(lang));
        for note in &notes {
            line(&mut out, wrap(&format!("• {note}"), 78));
        }
    }
    out
}

fn heading(out: &mut String, text: &str) {
    let _ = writeln!(out, "\n{text}\n{}", "─".repeat(text.chars().count()));
}

fn row(out: &mut String, lang: Lang, label: Phrase, value: String, verdict: Option<&Verdict>) {
    let verdict = verdict
        .map(|v| format!("  [{}]", report_words::label(*v, lang)))
        .unwrap_or_default();
    let _ = writeln!(out, "  {:<48} {value}{verdict}", label.text(lang));
}

/// Wraps text at word boundaries for an 80-column terminal.
fn wrap(text: &str, width: usize) -> String {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines.join("\n")
}
