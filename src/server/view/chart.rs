//! The trend chart, drawn as SVG on the server (no script, no CDN).

use chrono::NaiveDate;

use crate::i18n::{self, Lang};
use crate::metrics::report::TrendPoint;

// The chart's size and its margins, in the SVG's own units.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// The trend as an SVG line chart, drawn here so the page needs no chart library.
/// Periods without conversations break the line instead of pretending to be 0 %;
/// the forecast, as (low, projected, high), is drawn right of the last point.
pub fn trend_svg(
    points: &[TrendPoint],
    baseline: Option<f64>,
    projection: Option<(f64, f64, f64)>,
    lang: Lang,
) -> String {
    // With a projection, the last slot on the right is next month's.
    let reserved = if projection.is_some() { 48.0 } else { 0.0 };
    let plot_width = WIDTH - LEFT - RIGHT - reserved;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let count = points.len().max(1) as f64;
    let x = |index: usize| {
        if count <= 1.0 {
            LEFT + plot_width / 2.0
        } else {
            LEFT + plot_width * index as f64 / (count - 1.0)
        }
    };
    let y = |rate: f64| TOP + plot_height * (1.0 - rate.clamp(0.0, 1.0));
    let mut svg = format!(
        r#"<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" aria-hidden="true" focusable="false">"#
    );
    for level in [0.0, 0.25, 0.5, 0.75, 1.0] {
        svg.push_str(&format!(
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y(level) + 4.0,
            i18n::format_percent(level),
            y = y(level)
        ));
    }
    if let Some(rate) = baseline {
        svg.push_str(&format!(
            r#"<line class="baseline" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/>"#,
            WIDTH - RIGHT,
            y = y(rate)
        ));
    }
    let mut runs: Vec<Vec<(f64, f64, bool)>> = vec![Vec::new()];
    for (index, point) in points.iter().enumerate() {
        match point.net_rate {
            Some(rate) => runs
                .last_mut()
                .map(|run| run.push((x(index), y(rate), point.provisional)))
                .unwrap_or(()),
            None => runs.push(Vec::new()),
        }
    }
    if let (Some((low, mid, high)), Some(last)) =
        (projection, runs.iter().rev().find_map(|run| run.last()))
    {
        let px = WIDTH - RIGHT - 12.0;
        svg.push_str(&format!(
            r#"<rect class="band" x="{:.1}" y="{:.1}" width="16" height="{:.1}" rx="3"/><polyline class="projection" points="{:.1},{:.1} {px:.1},{:.1}"/><circle class="projected" cx="{px:.1}" cy="{:.1}" r="4"/>"#,
            px - 8.0,
            y(high),
            (y(low) - y(high)).max(1.0),
            last.0,
            last.1,
            y(mid),
            y(mid)
        ));
    }
    for run in runs.iter().filter(|run| !run.is_empty()) {
        let path: Vec<String> = run
            .iter()
            .map(|(px, py, _)| format!("{px:.1},{py:.1}"))
            .collect();
        svg.push_str(&format!(
            r#"<polyline class="line" points="{}"/>"#,
            path.join(" ")
        ));
        // A point that can still change is hollow (METRICS.md §8.4).
        for (px, py, provisional) in run {
            let class = if *provisional {
                "dot provisional"
            } else {
                "dot"
            };
            svg.push_str(&format!(
                r#"<circle class="{class}" cx="{px:.1}" cy="{py:.1}" r="3"/>"#
            ));
        }
    }
    svg.push_str(&period_labels(points, lang));
    svg.push_str("</svg>");
    svg
}

/// The first and last day under the chart, and the key to hollow points when some
/// can still change.
fn period_labels(points: &[TrendPoint], lang: Lang) -> String {
    let mut svg = String::new();
    let label = |day: NaiveDate| {
        let text = i18n::format_date(day, lang);
        text.rsplit_once(' ')
            .map(|(d, _)| d.to_string())
            .unwrap_or(text)
    };
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        svg.push_str(&format!(
            r#"<text class="axis" x="{LEFT}" y="{}">{}</text><text class="axis" x="{}" y="{}" text-anchor="end">{}</text>"#,
            HEIGHT - 8.0,
            label(first.from),
            WIDTH - RIGHT,
            HEIGHT - 8.0,
            label(last.to)
        ));
    }
    if points
        .iter()
        .any(|point| point.provisional && point.net_rate.is_some())
    {
        svg.push_str(&format!(
            r#"<text class="axis provisional-key" x="{}" y="{}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            TOP + 10.0,
            crate::i18n::report::TREND_PROVISIONAL.text(lang)
        ));
    }
    svg
}
