//! The trend chart, drawn as SVG on the server (no script, no CDN).
//!
//! The SVG has no viewBox: its shapes are placed in percentages of its own box, so
//! the chart stretches to any width while its text keeps its size in CSS pixels (a
//! scaled drawing would shrink the labels to about 5 px on a 360 px phone). The
//! percentage axis is a second, narrow SVG beside the plot and the first and last
//! day are HTML under it, so no label is ever scaled.

use crate::i18n::{self, Lang};
use crate::metrics::report::TrendPoint;
use crate::report::presentation::ProjectionView;

// The plot's margins inside its box, in percent, so the dots at 0 % and 100 % and at
// the first and last period are drawn whole.
const PAD_X: f64 = 2.0;
const PAD_Y: f64 = 7.0;
/// The room kept on the right for next month's projection, in percent.
const PROJECTION_SLOT: f64 = 8.0;

/// The trend as HTML: the percentage axis, the plot (the line broken where a
/// period had no conversations instead of pretending it was 0 %; behind it, lightly,
/// the range each point most likely lies in, wide where a point rests on few
/// conversations; the forecast, as its band, right of the last point) and the first
/// and last day. Every point names its period, figure and range for the mouse
/// (`titles`, one per point, as the presentation writes them).
pub(crate) fn trend_svg(
    points: &[TrendPoint],
    titles: &[String],
    baseline: Option<f64>,
    projection: Option<&ProjectionView>,
    lang: Lang,
) -> String {
    let reserved = if projection.is_some() {
        PROJECTION_SLOT
    } else {
        0.0
    };
    let plot_width = 100.0 - 2.0 * PAD_X - reserved;
    let count = points.len().max(1) as f64;
    let x = |index: usize| {
        if count <= 1.0 {
            PAD_X + plot_width / 2.0
        } else {
            PAD_X + plot_width * index as f64 / (count - 1.0)
        }
    };
    let y = |rate: f64| PAD_Y + (100.0 - 2.0 * PAD_Y) * (1.0 - rate.clamp(0.0, 1.0));
    let levels = [0.0, 0.25, 0.5, 0.75, 1.0];
    let mut html = String::from(
        r#"<div class="chart-plot"><svg class="y-axis" aria-hidden="true" focusable="false">"#,
    );
    for level in levels {
        html.push_str(&format!(
            r#"<text class="axis" x="100%" dx="-6" y="{:.2}%" dy="0.35em" text-anchor="end">{}</text>"#,
            y(level),
            i18n::format_percent(level, lang)
        ));
    }
    html.push_str(r#"</svg><svg class="trend" aria-hidden="true" focusable="false">"#);
    for level in levels {
        html.push_str(&horizontal("grid", y(level)));
    }
    if let Some(rate) = baseline {
        html.push_str(&horizontal("baseline", y(rate)));
    }
    // Each run of periods with conversations, as (x, y, provisional, title), and
    // the same run's range as (x, y of its high end, y of its low end).
    let mut runs: Vec<Vec<(f64, f64, bool, String)>> = vec![Vec::new()];
    let mut ranges: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new()];
    for (index, point) in points.iter().enumerate() {
        match point.net_rate {
            Some(rate) => {
                let title = titles.get(index).cloned().unwrap_or_default();
                if let Some(run) = runs.last_mut() {
                    run.push((x(index), y(rate), point.provisional, title));
                }
                if let (Some(range), Some(interval)) = (ranges.last_mut(), point.net_rate_interval)
                {
                    range.push((x(index), y(interval.high), y(interval.low)));
                }
            }
            None => {
                runs.push(Vec::new());
                ranges.push(Vec::new());
            }
        }
    }
    for range in ranges.iter().filter(|range| !range.is_empty()) {
        html.push_str(&range_band(range));
    }
    if let (Some(projection), Some(last)) =
        (projection, runs.iter().rev().find_map(|run| run.last()))
    {
        let (low, mid, high) = (projection.low, projection.net_rate, projection.high);
        let px = 100.0 - PAD_X - reserved / 2.0;
        html.push_str(&format!(
            r#"<rect class="band" x="{:.2}%" y="{:.2}%" width="{:.2}%" height="{:.2}%" rx="3"/><line class="projection" x1="{:.2}%" y1="{:.2}%" x2="{px:.2}%" y2="{:.2}%"/><circle class="projected" cx="{px:.2}%" cy="{:.2}%" r="4"><title>{}</title></circle>"#,
            px - 1.5,
            y(high),
            3.0,
            (y(low) - y(high)).max(0.5),
            last.0,
            last.1,
            y(mid),
            y(mid),
            projection.title
        ));
    }
    for run in runs.iter().filter(|run| !run.is_empty()) {
        for pair in run.windows(2) {
            html.push_str(&format!(
                r#"<line class="line" x1="{:.2}%" y1="{:.2}%" x2="{:.2}%" y2="{:.2}%"/>"#,
                pair[0].0, pair[0].1, pair[1].0, pair[1].1
            ));
        }
        // A point that can still change is hollow (METRICS.md §8.4).
        for (px, py, provisional, title) in run {
            let class = if *provisional {
                "dot provisional"
            } else {
                "dot"
            };
            html.push_str(&format!(
                r#"<circle class="{class}" cx="{px:.2}%" cy="{py:.2}%" r="4"><title>{title}</title></circle>"#
            ));
        }
    }
    html.push_str("</svg></div>");
    html.push_str(&period_labels(points, lang));
    html
}

/// The light band of where a run of points most likely lies: a shape through the
/// high ends and back through the low ends, drawn in a nested SVG whose units are
/// the plot's percentages (a shape cannot take percentages itself); a lone point
/// gets a short bar. Its edges are not stroked, so stretching it distorts nothing.
fn range_band(range: &[(f64, f64, f64)]) -> String {
    let corners: Vec<String> = if let [(x, high, low)] = range {
        [
            (x - 0.8, *high),
            (x + 0.8, *high),
            (x + 0.8, *low),
            (x - 0.8, *low),
        ]
        .iter()
        .map(|(x, y)| format!("{x:.2},{y:.2}"))
        .collect()
    } else {
        range
            .iter()
            .map(|(x, high, _)| format!("{x:.2},{high:.2}"))
            .chain(
                range
                    .iter()
                    .rev()
                    .map(|(x, _, low)| format!("{x:.2},{low:.2}")),
            )
            .collect()
    };
    format!(
        r#"<svg class="likely-band" viewBox="0 0 100 100" preserveAspectRatio="none" width="100%" height="100%" overflow="visible"><polygon class="range-band" points="{}"/></svg>"#,
        corners.join(" ")
    )
}

/// A line across the plot at `y` percent.
fn horizontal(class: &str, y: f64) -> String {
    format!(r#"<line class="{class}" x1="0" x2="100%" y1="{y:.2}%" y2="{y:.2}%"/>"#)
}

/// The first and last day under the chart, the key to the band, and the key to
/// hollow points when some can still change.
fn period_labels(points: &[TrendPoint], lang: Lang) -> String {
    let mut html = String::new();
    let label = |day| {
        let text = i18n::format_date(day, lang);
        text.rsplit_once(' ')
            .map(|(d, _)| d.to_string())
            .unwrap_or(text)
    };
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        html.push_str(&format!(
            r#"<div class="x-axis" aria-hidden="true"><span>{}</span><span>{}</span></div>"#,
            label(first.from),
            label(last.to)
        ));
    }
    if points.iter().any(|point| point.net_rate_interval.is_some()) {
        html.push_str(&format!(
            r#"<p class="axis band-key">{}</p>"#,
            crate::i18n::report::TREND_BAND.text(lang)
        ));
    }
    if points
        .iter()
        .any(|point| point.provisional && point.net_rate.is_some())
    {
        html.push_str(&format!(
            r#"<p class="axis provisional-key">{}</p>"#,
            crate::i18n::report::TREND_PROVISIONAL.text(lang)
        ));
    }
    html
}
