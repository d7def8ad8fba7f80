//! The report as readable terminal text (`impact report --format text`). It lays
//! out `report::presentation`, the same model the page renders, so the two name,
//! format and judge every figure alike.

use std::fmt::Write;

use crate::i18n::{self, figures as names, text_report as words, Lang, Phrase};
use crate::metrics::report::Report;
use crate::report::presentation::{Presentation, PresentedState, Tiles, VerdictView};

pub(crate) fn render(report: &Report, lang: Lang) -> String {
    lay_out(report, &Presentation::new(report, lang), lang)
}

/// The terminal's text of `presented`, the model of `report`.
pub(crate) fn lay_out(report: &Report, presented: &Presentation, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", words::TITLE.text(lang), report.org_name);
    let _ = writeln!(
        out,
        "{}: {} – {} ({})   {}: {}",
        words::PERIOD.text(lang),
        i18n::format_date(report.from, lang),
        i18n::format_date(report.to, lang),
        i18n::zone_name(&report.timezone),
        words::DATA_THROUGH.text(lang),
        report
            .data_through
            .map(|day| i18n::format_date(day, lang))
            .unwrap_or_else(|| words::NO_DATA_YET.text(lang).to_string())
    );
    let _ = writeln!(out, "\n{}\n", wrap(&presented.headline, 78));
    let volume = words::CONVERSATIONS_VALUE.fill(
        lang,
        &[
            ("eligible", presented.volume.eligible.clone()),
            ("ai_handled", presented.volume.ai_handled.clone()),
        ],
    );
    let tiles = match &presented.state {
        PresentedState::Ok(tiles) => tiles,
        PresentedState::Forming { .. } => {
            row(&mut out, lang, names::CONVERSATIONS, volume, None);
            return out;
        }
    };
    what_your_ai_did(&mut out, tiles, volume, lang);
    journey(&mut out, tiles, lang);
    good_job(&mut out, tiles, lang);
    heading(&mut out, names::TREND.text(lang));
    for point in &tiles.trend.rows {
        let value = match (&point.percent, point.net_rate) {
            (Some(percent), Some(rate)) => format!(
                "{percent:>6} {}",
                "█".repeat((rate * 30.0).round() as usize)
            ),
            _ => "     –".to_string(),
        };
        let _ = writeln!(out, "  {:<27} {value}", point.period);
    }
    if !tiles.notes.is_empty() {
        heading(&mut out, words::NOTES.text(lang));
        for note in &tiles.notes {
            let _ = writeln!(out, "{}", wrap(&format!("• {note}"), 78));
        }
    }
    out
}

fn what_your_ai_did(out: &mut String, tiles: &Tiles, volume: String, lang: Lang) {
    heading(out, names::WHAT_YOUR_AI_DID.text(lang));
    let solved = &tiles.solved_alone;
    if let Some(net) = &solved.net {
        let value = format!("{} ({})", net.percent, net.count);
        row(
            out,
            lang,
            names::SOLVED_ALONE,
            value,
            solved.verdict.as_ref(),
        );
        let _ = writeln!(out, "    {}", solved.base);
        if let Some(range) = &solved.range {
            let _ = writeln!(out, "    {range}");
        }
        for named in [&solved.closed_alone, &solved.came_back]
            .into_iter()
            .flatten()
        {
            let line = format!("{}: {} {}", named.name, named.percent, named.of_counted);
            let _ = writeln!(out, "{}", indent(&wrap(&line, 74), "    "));
        }
    }
    row(out, lang, names::CONVERSATIONS, volume, None);
    let after_hours = &tiles.after_hours;
    let value = match &after_hours.figure {
        // The share says its base: "29% of the conversations the AI handled".
        Some(figure) if figure.share.is_some() => {
            format!("{} ({})", figure.count, after_hours.text)
        }
        Some(figure) => figure.count.clone(),
        None => not_available(lang),
    };
    row(
        out,
        lang,
        names::AFTER_HOURS,
        value,
        after_hours.verdict.as_ref(),
    );
    let saved = &tiles.time_saved;
    let value = match (&saved.hours, &saved.rupiah) {
        (Some(hours), Some(rupiah)) => words::HOURS_VALUE.fill(
            lang,
            &[("hours", hours.clone()), ("rupiah", rupiah.clone())],
        ),
        _ => i18n::report::NOTE_SET_ASSUMPTION.text(lang).to_string(),
    };
    row(out, lang, names::TIME_SAVED, value, None);
    if let Some(text) = &saved.money_sum {
        let _ = writeln!(out, "{}", indent(&wrap(text, 74), "    "));
    }
    if let Some(text) = &saved.ai_return {
        let _ = writeln!(out, "{}", indent(&wrap(text, 74), "    "));
    }
}

/// Every line of `text` after `prefix`.
fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn journey(out: &mut String, tiles: &Tiles, lang: Lang) {
    heading(out, names::TOGETHER.text(lang));
    let Some(journey) = &tiles.journey else {
        row(out, lang, names::TOGETHER, not_available(lang), None);
        return;
    };
    if journey.has_shares {
        let _ = writeln!(out, "{}", indent(&wrap(&journey.caption, 76), "  "));
    }
    for segment in &journey.segments {
        let value = if journey.has_shares {
            format!("{} ({})", segment.percent, segment.count)
        } else {
            segment.count.clone()
        };
        let _ = writeln!(out, "  {:<48} {value}", segment.label);
    }
}

fn good_job(out: &mut String, tiles: &Tiles, lang: Lang) {
    heading(out, names::GOOD_JOB.text(lang));
    let quality = tiles.quality.as_ref();
    let came_back = quality.and_then(|q| match (&q.came_back, &q.came_back_base) {
        (Some(rate), Some(base)) => Some(format!("{rate} ({base})")),
        (rate, _) => rate.clone(),
    });
    row(
        out,
        lang,
        names::REOPEN_RATE,
        came_back.unwrap_or_else(|| not_available(lang)),
        quality.and_then(|q| q.came_back_verdict.as_ref()),
    );
    let mood = match quality.and_then(|q| q.mood.clone()) {
        Some(verdict) => words::MOOD_VALUE.fill(lang, &[("verdict", verdict)]),
        None => not_available(lang),
    };
    row(out, lang, names::MOOD, mood, None);
    for line in quality
        .into_iter()
        .flat_map(|q| [&q.mood_too_few, &q.mood_counts])
        .flatten()
    {
        let _ = writeln!(out, "{}", indent(&wrap(line, 74), "    "));
    }
    let turns = match quality.and_then(|q| q.turns.clone()) {
        Some(turns) => words::MESSAGES_VALUE.fill(lang, &[("turns", turns)]),
        None => not_available(lang),
    };
    row(
        out,
        lang,
        names::MESSAGES_TO_SOLVE,
        turns,
        quality.and_then(|q| q.turns_verdict.as_ref()),
    );
    for tile in &tiles.more {
        let value = tile.figure.clone().unwrap_or_else(|| not_available(lang));
        row(out, lang, tile.name, value, tile.verdict.as_ref());
        for line in &tile.lines {
            let _ = writeln!(out, "{}", indent(&wrap(line, 74), "    "));
        }
    }
}

fn not_available(lang: Lang) -> String {
    names::NOT_AVAILABLE.text(lang).to_string()
}

fn heading(out: &mut String, text: &str) {
    let _ = writeln!(out, "\n{text}\n{}", "─".repeat(text.chars().count()));
}

fn row(out: &mut String, lang: Lang, label: Phrase, value: String, verdict: Option<&VerdictView>) {
    let verdict = verdict
        .map(|v| format!("  [{}]", v.label))
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

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;
    use crate::metrics::rooms::ConversationList;
    use crate::report::presentation::{FigureTile, Presentation, PresentedState, VerdictView};
    use crate::server::view::{BodyState, ReportBody};

    /// The page and the terminal lay out a `FigureTile` from the model alone, so a
    /// new tile of one figure needs no line of either.
    #[test]
    fn a_tile_of_one_figure_is_laid_out_by_the_page_and_the_terminal() {
        // Its organization is months old, with enough conversations: formed.
        let report = crate::report::presentation::tests::october("2026-01-01", 500);
        let tile = || FigureTile {
            key: "handed-over",
            name: crate::i18n::figures::ESCALATED,
            figure: Some("1.234".into()),
            list: Some(ConversationList::Escalated),
            lines: vec!["Satu baris di bawahnya.".into()],
            verdict: Some(VerdictView {
                level: "watch",
                label: "Perlu dipantau".into(),
            }),
        };
        let add = |state: &mut PresentedState| match state {
            PresentedState::Ok(tiles) => tiles.more.push(tile()),
            PresentedState::Forming { .. } => panic!("the report has its figures"),
        };
        let name = crate::i18n::figures::ESCALATED.text(Lang::Id);

        let mut body = ReportBody::from_report(&report, Lang::Id, false, None);
        let BodyState::Shown(shown) = &mut body.state else {
            panic!("the report is shown")
        };
        add(&mut shown.report.state);
        let page = askama::Template::render(&body).expect("the page renders");
        let start = page
            .find("data-testid=\"handed-over\"")
            .expect("the tile is on the page");
        let end = page[start..].find("</article>").expect("the tile's end");
        let article = &page[start..start + end];
        assert!(article.contains(&format!("<h3>{name}</h3>")), "{article}");
        assert!(
            article.contains("data-list=\"escalated\"") && article.contains(">1.234</a>"),
            "the figure links to its list: {article}"
        );
        assert!(article.contains("Satu baris di bawahnya."), "{article}");
        assert!(article.contains("verdict-watch") && article.contains("Perlu dipantau"));

        let mut presented = Presentation::new(&report, Lang::Id);
        add(&mut presented.state);
        let text = super::lay_out(&report, &presented, Lang::Id);
        // The journey names the same figure; the tile's row is the one with its figure.
        let line = text
            .lines()
            .find(|line| line.trim_start().starts_with(name) && line.contains("1.234"))
            .expect("the tile is in the terminal's text");
        assert!(line.contains("[Perlu dipantau]"), "{line}");
        assert!(text.contains("    Satu baris di bawahnya."), "{text}");
    }
}
