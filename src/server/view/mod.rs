//! The views of the page (`/reports/ai-agent-impact`) and the Reports area
//! (`/reports`), rendered on the server with askama: the view model of the report's
//! body here, the trend chart in `chart`, the range presets in `presets`. The page's
//! figures come from the same `Report` as the JSON API; the views only word them.

mod chart;
mod list;
mod presets;

use chart::projection;
pub use chart::trend_svg;
pub use list::{ConversationsPage, ListPage};
pub use presets::{presets, Preset};

use askama::Template;
use chrono::NaiveDate;

use crate::i18n::{self, web as words, Lang, Phrase};
use crate::metrics::report::{Report, ReportStatus, TileStatus, Verdict};
use crate::metrics::rooms::ConversationList;
use crate::report::words::{self as report_words, ChangeReads};

pub(crate) struct VerdictView {
    pub level: &'static str,
    pub label: String,
}

fn verdict(v: Option<Verdict>, lang: Lang) -> Option<VerdictView> {
    v.map(|v| VerdictView {
        level: v.level(),
        label: report_words::label(v, lang).to_string(),
    })
}

pub(crate) struct Segment {
    pub css: &'static str,
    /// The list of this segment's conversations: its name and its page.
    pub list: &'static str,
    pub href: String,
    pub label: String,
    pub percent: i64,
    /// Where the segment starts and how wide it is, in percent of the bar.
    pub x: String,
    pub width: String,
    pub count: String,
}

pub(crate) struct QualityView {
    pub came_back: String,
    pub came_back_verdict: Option<VerdictView>,
    pub mood: Option<String>,
    pub mood_note: Option<String>,
    pub turns: String,
    pub turns_verdict: Option<VerdictView>,
}

pub(crate) struct OkView {
    pub headline: String,
    pub links: Links,
    pub ledger: LedgerView,
    /// Each headline figure's change against the period before, in words.
    pub changes: ChangeReads,
    pub hero_percent: String,
    pub hero_verdict: Option<VerdictView>,
    pub before_text: String,
    pub volume: String,
    pub volume_text: String,
    pub after_hours: Option<String>,
    pub after_hours_text: String,
    pub after_hours_verdict: Option<VerdictView>,
    pub saved_hours: Option<String>,
    pub saved_money: Option<String>,
    pub journey: Option<Vec<Segment>>,
    pub journey_empty: bool,
    pub other_text: String,
    pub quality: Option<QualityView>,
    pub trend_svg: String,
    pub trend_label: String,
    /// The baseline's line, described in words, or the note that it is forming.
    pub baseline_text: String,
    pub baseline_ready: bool,
    /// The forecast's plain read, only when forecasting is on for the account.
    pub forecast_text: Option<String>,
    pub forecast_drawn: bool,
}

pub(crate) struct FormingView {
    pub headline: String,
    pub links: Links,
    pub ledger: LedgerView,
    pub volume: String,
    pub volume_text: String,
    pub text: String,
}

/// Where each figure's conversations are listed, and the downloads, for this range
/// and language.
pub(crate) struct Links {
    pub solved_alone: String,
    pub came_back: String,
    pub after_hours: String,
    pub other: String,
    pub test_chat: String,
    pub spam: String,
    pub daily_csv: String,
    pub daily_xlsx: String,
}

impl Links {
    fn new(report: &Report, lang: Lang) -> Self {
        let list = |list: ConversationList| list_url(report.from, report.to, lang, list);
        let daily = |path: &str| {
            format!(
                "{path}?from={}&to={}&lang={}",
                report.from,
                report.to,
                lang.code()
            )
        };
        Links {
            solved_alone: list(ConversationList::SolvedAlone),
            came_back: list(ConversationList::CameBack),
            after_hours: list(ConversationList::AfterHours),
            other: list(ConversationList::Other),
            test_chat: list(ConversationList::TestChat),
            spam: list(ConversationList::Spam),
            daily_csv: daily(crate::server::routes::lists::DAILY_CSV),
            daily_xlsx: daily(crate::server::routes::lists::DAILY_XLSX),
        }
    }
}

/// The page of a figure's conversations for a range and language.
pub(crate) fn list_url(
    from: NaiveDate,
    to: NaiveDate,
    lang: Lang,
    list: ConversationList,
) -> String {
    format!(
        "{CONVERSATIONS_PATH}?outcome={}&from={from}&to={to}&lang={}",
        list.name(),
        lang.code()
    )
}

/// Where the conversation lists are shown on the page.
pub(crate) const CONVERSATIONS_PATH: &str = "/reports/ai-agent-impact/conversations";

/// "522 counted; 14 test chats and 31 spam left out", with each part's count.
pub(crate) struct LedgerView {
    pub text: String,
    pub split: Option<String>,
    pub see_test_chats: String,
    pub see_spam: String,
}

impl LedgerView {
    fn new(report: &Report, lang: Lang) -> Self {
        LedgerView {
            text: report_words::ledger(report, lang),
            split: report_words::ledger_split(report, lang),
            see_test_chats: words::SEE_TEST_CHATS.fill(
                lang,
                &[("count", i18n::format_count(report.ledger.test_chats))],
            ),
            see_spam: words::SEE_SPAM
                .fill(lang, &[("count", i18n::format_count(report.ledger.spam))]),
        }
    }
}

pub(crate) enum BodyState {
    Ok(Box<OkView>),
    Forming(Box<FormingView>),
    Error,
}

/// The report's body: the part that changes with the range, also served alone to
/// the page's script.
#[derive(Template)]
#[template(path = "report_body.html")]
pub(crate) struct ReportBody {
    pub state: BodyState,
    pub w: Words,
    pub can_edit: bool,
    pub freshness: String,
}

/// The page's words in the chosen language, looked up once.
pub struct Words {
    pub lang: Lang,
}

impl Words {
    pub fn t(&self, phrase: Phrase) -> &'static str {
        phrase.text(self.lang)
    }
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

fn percent(rate: f64) -> String {
    i18n::format_percent(rate)
}

pub(crate) fn freshness(report: &Report, lang: Lang) -> String {
    let mut text = match report.data_through {
        Some(day) => words::FRESHNESS.fill(
            lang,
            &[
                ("day", i18n::format_date(day, lang)),
                ("timezone", report.timezone.clone()),
            ],
        ),
        None => words::NO_DATA_YET.text(lang).to_string(),
    };
    if let Some(note) = crate::report::words::provisional_note(report, lang) {
        text.push(' ');
        text.push_str(&note);
    }
    text
}

impl ReportBody {
    pub fn from_report(report: &Report, lang: Lang, can_edit: bool) -> Self {
        let volume = i18n::format_count(report.volume.eligible);
        let volume_text = words::CONVERSATIONS_TEXT.fill(
            lang,
            &[("ai_handled", i18n::format_count(report.volume.ai_handled))],
        );
        let state = match (&report.status, &report.figures) {
            (ReportStatus::Ok, Some(figures)) => {
                let containment = &figures.containment;
                let journey_total = figures
                    .journey
                    .map(|j| j.ai_only + j.ai_assisted + j.escalated)
                    .unwrap_or(0);
                let journey = figures.journey.and_then(|journey| {
                    let shares = figures.journey_shares?;
                    let percents =
                        whole_percents(&[shares.ai_only, shares.ai_assisted, shares.escalated]);
                    Some(
                        [
                            (
                                "ai-only",
                                ConversationList::AiOnly,
                                words::AI_ONLY,
                                shares.ai_only,
                                journey.ai_only,
                            ),
                            (
                                "ai-assisted",
                                ConversationList::AiAssisted,
                                words::AI_ASSISTED,
                                shares.ai_assisted,
                                journey.ai_assisted,
                            ),
                            (
                                "escalated",
                                ConversationList::Escalated,
                                words::ESCALATED,
                                shares.escalated,
                                journey.escalated,
                            ),
                        ]
                        .into_iter()
                        .zip(percents)
                        .scan(0.0, |start, ((css, list, phrase, share, count), whole)| {
                            let x = *start;
                            *start += share * 100.0;
                            Some(Segment {
                                css,
                                list: list.name(),
                                href: list_url(report.from, report.to, lang, list),
                                label: phrase.text(lang).to_string(),
                                percent: whole,
                                x: format!("{x:.3}"),
                                width: format!("{:.3}", share * 100.0),
                                count: i18n::format_count(count),
                            })
                        })
                        .collect(),
                    )
                });
                let quality = figures.quality.map(|quality| QualityView {
                    came_back: quality
                        .reopen_rate
                        .map(percent)
                        .unwrap_or_else(|| words::NOT_AVAILABLE.text(lang).to_string()),
                    came_back_verdict: verdict(figures.verdicts.reopen_rate, lang),
                    mood: figures
                        .verdicts
                        .sentiment
                        .map(|v| report_words::label(v, lang).to_string()),
                    mood_note: report_words::reduced_coverage_note(report, lang),
                    turns: quality
                        .turns_avg
                        .map(|t| i18n::format_decimal(t, 1))
                        .unwrap_or_else(|| words::NOT_AVAILABLE.text(lang).to_string()),
                    turns_verdict: verdict(figures.verdicts.turns, lang),
                });
                let (after_hours, after_hours_text) =
                    match (figures.after_hours.status, figures.after_hours.count) {
                        (TileStatus::Ok, Some(count)) => (
                            Some(i18n::format_count(count)),
                            figures
                                .after_hours
                                .share
                                .map(|share| {
                                    words::AFTER_HOURS_TEXT.fill(lang, &[("share", percent(share))])
                                })
                                .unwrap_or_default(),
                        ),
                        _ => (None, words::NO_BUSINESS_HOURS.text(lang).to_string()),
                    };
                BodyState::Ok(Box::new(OkView {
                    headline: report_words::headline(report, lang),
                    links: Links::new(report, lang),
                    ledger: LedgerView::new(report, lang),
                    changes: report_words::changes(report, lang).unwrap_or_default(),
                    hero_percent: containment.net_rate.map(percent).unwrap_or_default(),
                    hero_verdict: verdict(figures.verdicts.net_containment, lang),
                    before_text: words::BEFORE_ADJUSTMENT_TEXT.fill(
                        lang,
                        &[
                            (
                                "rate",
                                containment.gross_rate.map(percent).unwrap_or_default(),
                            ),
                            ("count", i18n::format_count(containment.gross)),
                            (
                                "gap",
                                containment.reopen_gap.map(percent).unwrap_or_default(),
                            ),
                        ],
                    ),
                    volume: volume.clone(),
                    volume_text: volume_text.clone(),
                    after_hours,
                    after_hours_text,
                    after_hours_verdict: verdict(figures.verdicts.after_hours, lang),
                    saved_hours: figures
                        .work_absorbed
                        .hours
                        .map(|h| words::HOURS.fill(lang, &[("hours", i18n::format_decimal(h, 1))])),
                    saved_money: figures.work_absorbed.rupiah.map(|r| {
                        words::OWN_ESTIMATE.fill(lang, &[("rupiah", i18n::format_rupiah(r))])
                    }),
                    journey_empty: figures.journey.is_some() && journey_total == 0,
                    journey,
                    other_text: words::OTHER.fill(
                        lang,
                        &[(
                            "count",
                            i18n::format_count(figures.journey.map(|j| j.other).unwrap_or(0)),
                        )],
                    ),
                    quality,
                    trend_svg: trend_svg(
                        &figures.trend.points,
                        figures.trend.baseline.net_rate,
                        projection(figures),
                        lang,
                    ),
                    forecast_text: figures
                        .forecast
                        .as_ref()
                        .map(|f| report_words::forecast_read(f, lang)),
                    forecast_drawn: projection(figures).is_some(),
                    baseline_ready: figures.trend.baseline.net_rate.is_some(),
                    baseline_text: match (
                        figures.trend.baseline.from,
                        figures.trend.baseline.to,
                        figures.trend.baseline.net_rate,
                    ) {
                        (Some(from), Some(to), Some(rate)) => words::BASELINE_LINE.fill(
                            lang,
                            &[
                                ("from", i18n::format_date(from, lang)),
                                ("to", i18n::format_date(to, lang)),
                                ("rate", percent(rate)),
                            ],
                        ),
                        _ => words::BASELINE_FORMING.text(lang).to_string(),
                    },
                    trend_label: words::TREND_LABEL.fill(
                        lang,
                        &[
                            ("from", i18n::format_date(report.from, lang)),
                            ("to", i18n::format_date(report.to, lang)),
                        ],
                    ),
                }))
            }
            _ => BodyState::Forming(Box::new(FormingView {
                headline: report_words::headline(report, lang),
                links: Links::new(report, lang),
                ledger: LedgerView::new(report, lang),
                volume,
                volume_text,
                text: words::FORMING_TEXT.fill(
                    lang,
                    &[
                        (
                            "min_days",
                            report
                                .baseline_forming
                                .map(|b| b.min_days_of_data)
                                .unwrap_or(30)
                                .to_string(),
                        ),
                        (
                            "min_conversations",
                            i18n::format_count(
                                report
                                    .baseline_forming
                                    .map(|b| b.min_conversations)
                                    .unwrap_or(100),
                            ),
                        ),
                        ("days", i18n::format_count(report.days_of_data)),
                    ],
                ),
            })),
        };
        Self {
            state,
            w: Words { lang },
            can_edit,
            freshness: freshness(report, lang),
        }
    }

    pub fn error(lang: Lang) -> Self {
        Self {
            state: BodyState::Error,
            w: Words { lang },
            can_edit: false,
            freshness: String::new(),
        }
    }
}

/// The trend as an SVG line chart, drawn here so the page needs no chart library.
/// Periods without conversations break the line instead of pretending to be 0 %.
/// The forecast as (low, projected, high), when there is one to draw.
/// The whole page.
#[derive(Template)]
#[template(path = "report_page.html")]
pub(crate) struct ReportPage {
    pub w: Words,
    pub org_name: String,
    pub presets: Vec<Preset>,
    pub custom_selected: bool,
    pub from: String,
    pub to: String,
    pub max_date: String,
    pub other_lang: &'static str,
    pub can_edit: bool,
    pub rate: String,
    pub minutes: String,
    pub body: String,
    pub error_body: String,
    /// The CSRF cookie's value for the sign-out form, when signed in by cookie.
    pub sign_out_csrf: Option<String>,
}

/// A short page for "sign in again", "nothing here" and the Reports area.
#[derive(Template)]
#[template(path = "message_page.html")]
pub(crate) struct MessagePage {
    pub w: Words,
    pub title: String,
    pub message: String,
    pub links: Vec<(String, String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::report::TrendPoint;

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

    #[test]
    fn points_that_can_still_change_are_hollow_and_say_so_in_both_languages() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let point = |d: u32, provisional: bool| TrendPoint {
            from: day(d),
            to: day(d),
            eligible: 4,
            net: 2,
            net_rate: Some(0.5),
            provisional,
        };
        let points = [point(1, false), point(2, true), point(3, true)];
        for (lang, words) in [
            (Lang::En, "hollow points can still change"),
            (Lang::Id, "titik berongga masih bisa berubah"),
        ] {
            let svg = trend_svg(&points, None, None, lang);
            assert_eq!(svg.matches(r#"class="dot provisional""#).count(), 2);
            assert_eq!(svg.matches(r#"class="dot""#).count(), 1);
            assert!(svg.contains(words), "{svg}");
        }
        let settled = trend_svg(&[point(1, false)], None, None, Lang::En);
        assert!(
            !settled.contains("provisional"),
            "no mark without provisional days"
        );
    }

    #[test]
    fn the_chart_breaks_the_line_where_there_is_no_data() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
        let point = |d: u32, rate: Option<f64>| TrendPoint {
            from: day(d),
            to: day(d),
            eligible: 1,
            net: 0,
            net_rate: rate,
            provisional: false,
        };
        let svg = trend_svg(
            &[
                point(1, Some(0.5)),
                point(2, None),
                point(3, Some(1.0)),
                point(4, Some(0.0)),
            ],
            Some(0.25),
            None,
            Lang::Id,
        );
        assert!(
            !svg.contains("projection"),
            "no projection unless there is one"
        );
        let projected = trend_svg(
            &[point(1, Some(0.5))],
            None,
            Some((0.4, 0.5, 0.6)),
            Lang::En,
        );
        assert_eq!(projected.matches(r#"class="projection""#).count(), 1);
        assert_eq!(svg.matches(r#"class="baseline""#).count(), 1);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains(">1 Okt<") && svg.contains(">4 Okt<"));
    }
}
