//! The views of the page (`/reports/ai-agent-impact`) and the Reports area
//! (`/reports`), rendered on the server with askama: the report's body here (the
//! report's `presentation` with the page's links), the trend chart in `chart`, the
//! range presets in `presets`. The page's figures come from the same `Report` as the
//! JSON API, worded by `report::presentation`; the views only lay them out.

mod chart;
mod list;
mod presets;

pub(crate) use chart::trend_svg;
pub use list::{ConversationsPage, ListPage};
pub use presets::{presets, Preset};

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use askama::Template;
use chrono::NaiveDate;

use crate::i18n::{self, web as words, Lang, Phrase};
use crate::metrics::report::Report;
use crate::metrics::rooms::ConversationList;
use crate::report::presentation::{Presentation, PresentedState};
use crate::server::paths::CONVERSATIONS_PATH;

/// Where each figure's conversations are listed, and the downloads, for this range
/// and language.
pub(crate) struct Links {
    from: NaiveDate,
    to: NaiveDate,
    lang: Lang,
    pub solved_alone: String,
    pub came_back: String,
    pub closed_alone: String,
    pub after_hours: String,
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
            from: report.from,
            to: report.to,
            lang,
            solved_alone: list(ConversationList::SolvedAlone),
            came_back: list(ConversationList::CameBack),
            closed_alone: list(ConversationList::AiOnly),
            after_hours: list(ConversationList::AfterHours),
            test_chat: list(ConversationList::TestChat),
            spam: list(ConversationList::Spam),
            daily_csv: daily(crate::server::paths::DAILY_CSV),
            daily_xlsx: daily(crate::server::paths::DAILY_XLSX),
        }
    }

    /// The page of any list's conversations, for the bar's segments.
    pub(crate) fn list(&self, list: &ConversationList) -> String {
        list_url(self.from, self.to, self.lang, *list)
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

pub(crate) enum BodyState {
    Shown(Box<Shown>),
    Error,
}

/// A report the page can show: its presentation and where its lists are.
pub(crate) struct Shown {
    pub report: Presentation,
    pub links: Links,
    /// The trend chart, when the report has its figures.
    pub trend_svg: String,
}

/// A rendered page as the server answers it: never cached, no referrer to other
/// sites, and a content security policy that allows only the page's own files.
pub(crate) fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> HttpResponse {
    match rendered {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            // Same-origin requests name their origin (the sign-out form's Origin
            // check needs it); no other site ever learns where the reader was.
            .insert_header((header::REFERRER_POLICY, "same-origin"))
            .insert_header((
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'; \
                 base-uri 'none'; form-action 'self'",
            ))
            .body(body),
        Err(error) => {
            tracing::error!(error = %error, "a page could not be rendered");
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// A short page that says one thing, in the page's shape.
pub(crate) fn message(status: StatusCode, lang: Lang, title: Phrase, text: Phrase) -> HttpResponse {
    let page = MessagePage {
        w: Words { lang },
        title: title.text(lang).to_string(),
        message: text.text(lang).to_string(),
        links: Vec::new(),
        sign_out_csrf: None,
    };
    html(status, page.render())
}

/// The page's error view for an answer of the HTTP layer (an unknown address, a
/// wrong method, a request it could not read).
pub(crate) fn error_view(status: StatusCode, lang: Lang) -> HttpResponse {
    let (title, text) = if status == StatusCode::NOT_FOUND {
        (words::PAGE_NOT_FOUND_TITLE, words::PAGE_NOT_FOUND)
    } else {
        (words::REQUEST_PROBLEM_TITLE, words::REQUEST_PROBLEM)
    };
    message(status, lang, title, text)
}

/// The report's body: the part that changes with the range, also served alone to
/// the page's script.
#[derive(Template)]
#[template(path = "report_body.html")]
pub(crate) struct ReportBody {
    pub state: BodyState,
    pub w: Words,
    pub can_edit: bool,
    /// The range in words, printed where the range form is not.
    pub period: String,
    pub freshness: String,
    /// Where "set your business hours" links, when the host has such a page.
    pub business_hours_url: Option<String>,
}

/// The page's words in the chosen language, looked up once.
pub struct Words {
    pub lang: Lang,
}

impl Words {
    /// A phrase's words (the template hands a model's phrase over by reference).
    pub fn t(&self, phrase: impl std::borrow::Borrow<Phrase>) -> &'static str {
        phrase.borrow().text(self.lang)
    }
}

pub(crate) fn freshness(report: &Report, lang: Lang) -> String {
    let mut text = match report.data_through {
        Some(day) => words::FRESHNESS.fill(
            lang,
            &[
                ("day", i18n::format_date(day, lang)),
                ("timezone", i18n::zone_name(&report.timezone)),
            ],
        ),
        None => words::NO_DATA_YET.text(lang).to_string(),
    };
    let notes = [
        crate::report::words::provisional_note(report, lang),
        crate::report::words::counted_through_note(report, lang),
    ];
    for note in notes.into_iter().flatten() {
        text.push(' ');
        text.push_str(&note);
    }
    text
}

impl ReportBody {
    pub fn from_report(
        report: &Report,
        lang: Lang,
        can_edit: bool,
        business_hours_url: Option<&str>,
    ) -> Self {
        let presented = Presentation::new(report, lang);
        let trend_svg = match &presented.state {
            PresentedState::Ok(tiles) => {
                let trend = &tiles.trend;
                let titles: Vec<String> = trend.rows.iter().map(|row| row.title.clone()).collect();
                trend_svg(
                    &trend.points,
                    &titles,
                    trend.baseline_rate,
                    trend.projection.as_ref(),
                    lang,
                )
            }
            PresentedState::Forming { .. } => String::new(),
        };
        Self {
            state: BodyState::Shown(Box::new(Shown {
                report: presented,
                links: Links::new(report, lang),
                trend_svg,
            })),
            w: Words { lang },
            can_edit,
            period: words::PRINT_PERIOD.fill(
                lang,
                &[
                    ("from", i18n::format_date(report.from, lang)),
                    ("to", i18n::format_date(report.to, lang)),
                    ("timezone", i18n::zone_name(&report.timezone)),
                ],
            ),
            freshness: freshness(report, lang),
            business_hours_url: business_hours_url.map(String::from),
        }
    }

    pub fn error(lang: Lang) -> Self {
        Self {
            state: BodyState::Error,
            w: Words { lang },
            can_edit: false,
            period: String::new(),
            freshness: String::new(),
            business_hours_url: None,
        }
    }
}

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
    /// The AI's monthly price as saved, or empty.
    pub ai_price: String,
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
    /// The CSRF cookie's value for the sign-out form, when signed in by cookie.
    pub sign_out_csrf: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::report::TrendPoint;

    #[test]
    fn points_that_can_still_change_are_hollow_and_say_so_in_both_languages() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let point = |d: u32, provisional: bool| TrendPoint {
            from: day(d),
            to: day(d),
            eligible: 4,
            net: 2,
            net_rate: Some(0.5),
            net_rate_interval: None,
            provisional,
        };
        let points = [point(1, false), point(2, true), point(3, true)];
        for (lang, words) in [
            (Lang::En, "hollow points can still change"),
            (Lang::Id, "titik berongga masih bisa berubah"),
        ] {
            let svg = trend_svg(&points, &[], None, None, lang);
            assert_eq!(svg.matches(r#"class="dot provisional""#).count(), 2);
            assert_eq!(svg.matches(r#"class="dot""#).count(), 1);
            assert!(svg.contains(words), "{svg}");
        }
        let settled = trend_svg(&[point(1, false)], &[], None, None, Lang::En);
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
            net_rate_interval: None,
            provisional: false,
        };
        let svg = trend_svg(
            &[
                point(1, Some(0.5)),
                point(2, None),
                point(3, Some(1.0)),
                point(4, Some(0.0)),
            ],
            &[
                "1 Okt 2026: 50%".to_string(),
                String::new(),
                "3 Okt 2026: 100%".to_string(),
                "4 Okt 2026: 0%".to_string(),
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
            &[],
            None,
            Some(&crate::report::presentation::ProjectionView {
                low: 0.4,
                net_rate: 0.5,
                high: 0.6,
                title: "Nov 2026: 50% (40% – 60%)".into(),
            }),
            Lang::En,
        );
        assert_eq!(projected.matches(r#"class="projection""#).count(), 1);
        assert_eq!(svg.matches(r#"class="baseline""#).count(), 1);
        // Only the 3rd and 4th are joined: no line crosses the day without data.
        assert_eq!(svg.matches(r#"class="line""#).count(), 1);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("<title>3 Okt 2026: 100%</title>"), "{svg}");
        assert!(svg.contains(">1 Okt<") && svg.contains(">4 Okt<"));
    }
}
