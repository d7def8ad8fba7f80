//! The report page (`/reports/ai-agent-impact`) and the Reports area (`/reports`),
//! rendered on the server with askama. The page's figures come from the same
//! `Report` as the JSON API; this module only turns them into plain words.

use askama::Template;
use chrono::{Datelike, Duration, NaiveDate, Utc};

use crate::i18n::{self, web as words, Lang, Phrase};
use crate::metrics::report::{Report, ReportStatus, TileStatus, TrendPoint, Verdict};

pub struct VerdictView {
    pub level: &'static str,
    pub label: String,
}

fn verdict(v: &Option<Verdict>) -> Option<VerdictView> {
    v.as_ref().map(|v| VerdictView {
        level: v.level,
        label: v.label.clone(),
    })
}

pub struct Segment {
    pub css: &'static str,
    pub label: String,
    pub percent: i64,
    /// Where the segment starts and how wide it is, in percent of the bar.
    pub x: String,
    pub width: String,
    pub count: String,
}

pub struct QualityView {
    pub came_back: String,
    pub came_back_verdict: Option<VerdictView>,
    pub mood: Option<String>,
    pub mood_note: Option<String>,
    pub turns: String,
    pub turns_verdict: Option<VerdictView>,
}

pub struct OkView {
    pub headline: String,
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

pub struct FormingView {
    pub headline: String,
    pub volume: String,
    pub volume_text: String,
    pub text: String,
}

pub enum BodyState {
    Ok(Box<OkView>),
    Forming(FormingView),
    Error,
}

/// The report's body: the part that changes with the range, also served alone to
/// the page's script.
#[derive(Template)]
#[template(path = "report_body.html")]
pub struct ReportBody {
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
pub fn whole_percents(shares: &[f64]) -> Vec<i64> {
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

pub fn freshness(report: &Report, lang: Lang) -> String {
    match report.data_through {
        Some(day) => words::FRESHNESS.fill(
            lang,
            &[
                ("day", i18n::format_date(day, lang)),
                ("timezone", report.timezone.clone()),
            ],
        ),
        None => words::NO_DATA_YET.text(lang).to_string(),
    }
}

impl ReportBody {
    pub fn from_report(report: &Report, can_edit: bool) -> Self {
        let lang = report.lang;
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
                            ("ai-only", words::AI_ONLY, shares.ai_only, journey.ai_only),
                            (
                                "ai-assisted",
                                words::AI_ASSISTED,
                                shares.ai_assisted,
                                journey.ai_assisted,
                            ),
                            (
                                "escalated",
                                words::ESCALATED,
                                shares.escalated,
                                journey.escalated,
                            ),
                        ]
                        .into_iter()
                        .zip(percents)
                        .scan(0.0, |start, ((css, phrase, share, count), whole)| {
                            let x = *start;
                            *start += share * 100.0;
                            Some(Segment {
                                css,
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
                    came_back_verdict: verdict(&figures.verdicts.reopen_rate),
                    mood: figures.verdicts.sentiment.as_ref().map(|v| v.label.clone()),
                    mood_note: figures
                        .verdicts
                        .sentiment_reduced_coverage
                        .then_some(quality.sentiment.coverage)
                        .flatten()
                        .map(|coverage| {
                            i18n::report::NOTE_REDUCED_COVERAGE
                                .fill(lang, &[("coverage", percent(coverage))])
                        }),
                    turns: quality
                        .turns_avg
                        .map(|t| i18n::format_decimal(t, 1))
                        .unwrap_or_else(|| words::NOT_AVAILABLE.text(lang).to_string()),
                    turns_verdict: verdict(&figures.verdicts.turns),
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
                    headline: report.headline.clone(),
                    hero_percent: containment.net_rate.map(percent).unwrap_or_default(),
                    hero_verdict: verdict(&figures.verdicts.net_containment),
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
                    after_hours_verdict: verdict(&figures.verdicts.after_hours),
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
                    forecast_text: figures.forecast.as_ref().map(|f| f.read.clone()),
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
            _ => BodyState::Forming(FormingView {
                headline: report.headline.clone(),
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
            }),
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
fn projection(figures: &crate::metrics::report::Figures) -> Option<(f64, f64, f64)> {
    match figures.forecast.as_ref()?.outcome {
        crate::metrics::forecast::Outcome::Ok(p) => Some((p.low, p.net_rate, p.high)),
        _ => None,
    }
}

pub fn trend_svg(
    points: &[TrendPoint],
    baseline: Option<f64>,
    projection: Option<(f64, f64, f64)>,
    lang: Lang,
) -> String {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 200.0;
    const LEFT: f64 = 44.0;
    const RIGHT: f64 = 12.0;
    const TOP: f64 = 12.0;
    const BOTTOM: f64 = 28.0;
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
            percent(level),
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
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (index, point) in points.iter().enumerate() {
        match point.net_rate {
            Some(rate) => runs
                .last_mut()
                .map(|run| run.push((x(index), y(rate))))
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
            .map(|(px, py)| format!("{px:.1},{py:.1}"))
            .collect();
        svg.push_str(&format!(
            r#"<polyline class="line" points="{}"/>"#,
            path.join(" ")
        ));
        for (px, py) in run {
            svg.push_str(&format!(
                r#"<circle class="dot" cx="{px:.1}" cy="{py:.1}" r="3"/>"#
            ));
        }
    }
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
    svg.push_str("</svg>");
    svg
}

/// A preset of the range selector.
pub struct Preset {
    pub id: &'static str,
    pub label: &'static str,
    pub from: String,
    pub to: String,
    pub selected: bool,
}

/// The presets, computed for the organization's "today".
pub fn presets(today: NaiveDate, lang: Lang, chosen: (NaiveDate, NaiveDate)) -> Vec<Preset> {
    let yesterday = today - Duration::days(1);
    let first_of_month = today.with_day(1).unwrap_or(today);
    let last_month_end = first_of_month - Duration::days(1);
    let last_month_start = last_month_end.with_day(1).unwrap_or(last_month_end);
    let make = |id, phrase: Phrase, from: NaiveDate, to: NaiveDate| Preset {
        id,
        label: phrase.text(lang),
        from: from.to_string(),
        to: to.to_string(),
        selected: (from, to) == chosen,
    };
    vec![
        make(
            "last_7",
            words::LAST_7,
            yesterday - Duration::days(6),
            yesterday,
        ),
        make(
            "last_30",
            words::LAST_30,
            yesterday - Duration::days(29),
            yesterday,
        ),
        make(
            "last_90",
            words::LAST_90,
            yesterday - Duration::days(89),
            yesterday,
        ),
        make(
            "this_month",
            words::THIS_MONTH,
            first_of_month,
            today.max(first_of_month),
        ),
        make(
            "last_month",
            words::LAST_MONTH,
            last_month_start,
            last_month_end,
        ),
    ]
}

/// The whole page.
#[derive(Template)]
#[template(path = "report_page.html")]
pub struct ReportPage {
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

impl ReportPage {
    pub fn today(timezone: &str) -> NaiveDate {
        timezone
            .parse::<chrono_tz::Tz>()
            .map(|tz| Utc::now().with_timezone(&tz).date_naive())
            .unwrap_or_else(|_| Utc::now().date_naive())
    }
}

/// A short page for "sign in again", "nothing here" and the Reports area.
#[derive(Template)]
#[template(path = "message_page.html")]
pub struct MessagePage {
    pub w: Words,
    pub title: String,
    pub message: String,
    pub links: Vec<(String, String, String)>,
}

// ---------------------------------------------------------------- handlers

use actix::Addr;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use crate::domain::{DateRange, Organization};
use crate::server::actors::{GetAssumption, OrgActor};
use crate::server::api::{
    choose_range, eligible_org, report_for, AppState, ReportQuery, REPORT_PATH,
};
use crate::server::auth::Caller;
use crate::server::errors::{resource, ApiError, LocalizedError};

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(resource("/reports", "GET").route(web::get().to(reports_area)))
        .service(resource(REPORT_PATH, "GET").route(web::get().to(report_page)))
        .service(resource("/reports/ai-agent-impact/body", "GET").route(web::get().to(report_body)))
        .service(
            resource("/assets/report.css", "GET").route(web::get().to(|| async {
                asset(
                    "text/css; charset=utf-8",
                    include_str!("../../assets/report.css"),
                )
            })),
        )
        .service(
            resource("/assets/report.js", "GET").route(web::get().to(|| async {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../../assets/report.js"),
                )
            })),
        );
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

pub fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> HttpResponse {
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

/// The language for a page: `lang` if valid, else the token's, else English.
fn page_lang(query_lang: Option<&str>, caller: Option<&Caller>) -> Lang {
    query_lang
        .and_then(Lang::parse)
        .or(caller.map(|c| c.locale))
        .unwrap_or(Lang::En)
}

fn message(status: StatusCode, lang: Lang, title: Phrase, text: Phrase) -> HttpResponse {
    let page = MessagePage {
        w: Words { lang },
        title: title.text(lang).to_string(),
        message: text.text(lang).to_string(),
        links: Vec::new(),
    };
    html(status, page.render())
}

/// The page's error view for an answer of the HTTP layer (an unknown address, a
/// wrong method, a request it could not read).
pub fn error_view(status: StatusCode, lang: Lang) -> HttpResponse {
    let (title, text) = if status == StatusCode::NOT_FOUND {
        (words::PAGE_NOT_FOUND_TITLE, words::PAGE_NOT_FOUND)
    } else {
        (words::REQUEST_PROBLEM_TITLE, words::REQUEST_PROBLEM)
    };
    message(status, lang, title, text)
}

/// The caller and the page's language, or the "please sign in again" page.
fn signed_in(
    caller: Result<Caller, LocalizedError>,
    query: &ReportQuery,
    title: Phrase,
) -> Result<(Caller, Lang), Box<HttpResponse>> {
    match caller {
        Ok(caller) => {
            let lang = page_lang(query.lang.as_deref(), Some(&caller));
            Ok((caller, lang))
        }
        Err(_) => {
            let lang = page_lang(query.lang.as_deref(), None);
            Err(Box::new(message(
                StatusCode::UNAUTHORIZED,
                lang,
                title,
                words::SIGN_IN_AGAIN,
            )))
        }
    }
}

/// The Reports area: the entries this person may open.
async fn reports_area(
    caller: Result<Caller, LocalizedError>,
    query: web::Query<ReportQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (caller, lang) = match signed_in(caller, &query, words::REPORTS) {
        Ok(signed_in) => signed_in,
        Err(page) => return *page,
    };
    let links = match eligible_org(&state, &caller).await {
        Ok(_) => vec![(
            format!("{REPORT_PATH}?lang={}", lang.code()),
            i18n::page::REPORT_TITLE.text(lang).to_string(),
            i18n::page::REPORT_DESCRIPTION.text(lang).to_string(),
        )],
        Err(_) => Vec::new(),
    };
    let page = MessagePage {
        w: Words { lang },
        title: words::REPORTS.text(lang).to_string(),
        message: if links.is_empty() {
            words::NO_REPORTS.text(lang).to_string()
        } else {
            String::new()
        },
        links,
    };
    html(StatusCode::OK, page.render())
}

/// What the page and its body both need: the organization, the range, and the
/// report (or why it could not be read). A caller without a report gets a page
/// that says so, never a figure.
struct Loaded {
    organization: Organization,
    actor: Addr<OrgActor>,
    range: DateRange,
    report: Result<Report, ApiError>,
}

async fn load(
    state: &AppState,
    caller: &Caller,
    query: &ReportQuery,
    lang: Lang,
) -> Result<Loaded, HttpResponse> {
    let (actor, organization) = match eligible_org(state, caller).await {
        Ok(found) => found,
        Err(ApiError::NotFound) => {
            return Err(message(
                StatusCode::NOT_FOUND,
                lang,
                words::PAGE_TITLE,
                words::NOTHING_HERE,
            ))
        }
        Err(_) => {
            return Err(html(
                StatusCode::SERVICE_UNAVAILABLE,
                ReportBody::error(lang).render(),
            ))
        }
    };
    // A link with a range that is not valid shows the default range instead.
    let default = ReportQuery {
        from: None,
        to: None,
        lang: None,
    };
    let range = match choose_range(query, &organization)
        .or_else(|_| choose_range(&default, &organization))
    {
        Ok(range) => range,
        Err(_) => {
            return Err(html(
                StatusCode::BAD_REQUEST,
                ReportBody::error(lang).render(),
            ))
        }
    };
    let report = report_for(state, caller, &actor, range, lang).await;
    Ok(Loaded {
        organization,
        actor,
        range,
        report,
    })
}

async fn report_page(
    caller: Result<Caller, LocalizedError>,
    query: web::Query<ReportQuery>,
    state: web::Data<AppState>,
    request: actix_web::HttpRequest,
) -> HttpResponse {
    let (caller, lang) = match signed_in(caller, &query, words::PAGE_TITLE) {
        Ok(signed_in) => signed_in,
        Err(page) => return *page,
    };
    let can_edit = caller.role.may_edit_assumption();
    let loaded = match load(&state, &caller, &query, lang).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let (status, body) = match &loaded.report {
        Ok(report) => (
            StatusCode::OK,
            ReportBody::from_report(report, can_edit).render(),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            ReportBody::error(lang).render(),
        ),
    };
    let (body, error_body) = match (body, ReportBody::error(lang).render()) {
        (Ok(body), Ok(error_body)) => (body, error_body),
        (Err(error), _) | (_, Err(error)) => {
            return html(StatusCode::INTERNAL_SERVER_ERROR, Err(error))
        }
    };
    let (rate, minutes) = match can_edit {
        true => match loaded.actor.send(GetAssumption).await {
            Ok(Ok(Some(a))) => (
                a.agent_hour_rate().to_string(),
                a.minutes_per_conversation().to_string(),
            ),
            _ => (String::new(), String::new()),
        },
        false => (String::new(), String::new()),
    };
    let today = loaded.organization.local_date(Utc::now());
    let chosen = (loaded.range.from(), loaded.range.to());
    let presets = presets(today, lang, chosen);
    let page = ReportPage {
        w: Words { lang },
        org_name: loaded.organization.name.clone(),
        custom_selected: !presets.iter().any(|p| p.selected),
        presets,
        from: chosen.0.to_string(),
        to: chosen.1.to_string(),
        max_date: today.to_string(),
        other_lang: match lang {
            Lang::En => "id",
            Lang::Id => "en",
        },
        can_edit,
        rate,
        minutes,
        body,
        error_body,
        sign_out_csrf: caller
            .from_cookie
            .then(|| request.cookie(crate::server::auth::CSRF_COOKIE))
            .flatten()
            .map(|cookie| cookie.value().to_string()),
    };
    html(status, page.render())
}

/// The body alone, for the page's script (range changes, Retry, after a save).
async fn report_body(
    caller: Result<Caller, LocalizedError>,
    query: web::Query<ReportQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Ok(caller) = caller else {
        return HttpResponse::Unauthorized().finish();
    };
    let lang = page_lang(query.lang.as_deref(), Some(&caller));
    match load(&state, &caller, &query, lang).await {
        Ok(Loaded {
            report: Ok(report), ..
        }) => html(
            StatusCode::OK,
            ReportBody::from_report(&report, caller.role.may_edit_assumption()).render(),
        ),
        Ok(_) => html(
            StatusCode::SERVICE_UNAVAILABLE,
            ReportBody::error(lang).render(),
        ),
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_chart_breaks_the_line_where_there_is_no_data() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
        let point = |d: u32, rate: Option<f64>| TrendPoint {
            from: day(d),
            to: day(d),
            eligible: 1,
            net: 0,
            net_rate: rate,
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
