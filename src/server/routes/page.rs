//! The report page and the Reports area (server-rendered), their error views and
//! their assets.

use actix::Addr;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;

use crate::domain::{DateRange, Organization};
use crate::i18n::{self, web as words, Lang, Phrase};
use crate::metrics::report::Report;
use crate::server::actors::{GetAssumption, OrgActor};
use crate::server::auth::Caller;
use crate::server::errors::{resource, ApiError, LocalizedError};
use crate::server::lists;
use crate::server::paths::{CONVERSATIONS_PATH, REPORT_PATH};
use crate::server::reports::{choose_range, eligible_org, report_for, AppState, ReportQuery};
use crate::server::view::{
    html, message, presets, ConversationsPage, ListPage, MessagePage, ReportBody, ReportPage, Words,
};

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .service(resource("/reports", "GET").route(web::get().to(reports_area)))
        .service(resource(REPORT_PATH, "GET").route(web::get().to(report_page)))
        .service(resource("/reports/ai-agent-impact/body", "GET").route(web::get().to(report_body)))
        .service(resource(CONVERSATIONS_PATH, "GET").route(web::get().to(conversations_page)))
        .service(
            resource("/assets/report.css", "GET").route(web::get().to(|| async {
                asset(
                    "text/css; charset=utf-8",
                    include_str!("../../../assets/report.css"),
                )
            })),
        )
        .service(
            resource("/assets/report.js", "GET").route(web::get().to(|| async {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../../../assets/report.js"),
                )
            })),
        )
        .service(resource(FAVICON, "GET").route(web::get().to(favicon)))
        // Browsers ask for this one whether or not a page names its icon.
        .service(resource("/favicon.ico", "GET").route(web::get().to(favicon)));
}

/// The icon every page names (`<link rel="icon">`).
const FAVICON: &str = "/assets/favicon.svg";

async fn favicon() -> HttpResponse {
    asset("image/svg+xml", include_str!("../../../assets/favicon.svg"))
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

/// The language for a page: `lang` if valid, else the token's, else English.
fn page_lang(query_lang: Option<&str>, caller: Option<&Caller>) -> Lang {
    query_lang
        .and_then(Lang::parse)
        .or(caller.map(|c| c.locale))
        .unwrap_or(Lang::En)
}

/// The CSRF cookie's value for a page's sign-out form, when the caller signed in
/// by cookie (a bearer token has nothing to sign out of).
fn sign_out_csrf(request: &HttpRequest, caller: &Caller) -> Option<String> {
    caller
        .from_cookie
        .then(|| request.cookie(crate::server::auth::CSRF_COOKIE))
        .flatten()
        .map(|cookie| cookie.value().to_string())
}

/// "There is no report for you here", with the way to the caller's reports and
/// out. An owner or admin of an organization without the AI add-on is told why:
/// it is their own organization's plan, so nothing leaks (anyone else, and any
/// other reason, learns nothing more, and every case stays 404).
async fn no_report(
    state: &AppState,
    caller: &Caller,
    request: &HttpRequest,
    lang: Lang,
) -> HttpResponse {
    let without_addon = caller.role.may_edit_assumption()
        && matches!(
            state.store.organization(&caller.org).await,
            Ok(Some(organization)) if !organization.ai_addon
        );
    let text = if without_addon {
        words::NEEDS_ADDON
    } else {
        words::NOTHING_HERE
    };
    let page = MessagePage {
        w: Words { lang },
        title: words::PAGE_TITLE.text(lang).to_string(),
        message: text.text(lang).to_string(),
        links: vec![(
            format!("/reports?lang={}", lang.code()),
            words::YOUR_REPORTS.text(lang).to_string(),
            words::YOUR_REPORTS_TEXT.text(lang).to_string(),
        )],
        sign_out_csrf: sign_out_csrf(request, caller),
    };
    html(StatusCode::NOT_FOUND, page.render())
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
    request: HttpRequest,
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
        sign_out_csrf: sign_out_csrf(&request, &caller),
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

/// The caller's organization and the range a page shows, or the page that says why
/// not: 404 for a caller without the report, the error state when it cannot be read.
/// A link with a range that is not valid shows the default range instead.
async fn org_and_range(
    state: &AppState,
    caller: &Caller,
    request: &HttpRequest,
    query: &ReportQuery,
    lang: Lang,
) -> Result<(Addr<OrgActor>, Organization, DateRange), HttpResponse> {
    let (actor, organization) = match eligible_org(state, caller).await {
        Ok(found) => found,
        Err(ApiError::NotFound) => return Err(no_report(state, caller, request, lang).await),
        Err(_) => {
            return Err(html(
                StatusCode::SERVICE_UNAVAILABLE,
                ReportBody::error(lang).render(),
            ))
        }
    };
    let default = ReportQuery {
        from: None,
        to: None,
        lang: None,
    };
    match choose_range(query, &organization).or_else(|_| choose_range(&default, &organization)) {
        Ok(range) => Ok((actor, organization, range)),
        Err(_) => Err(html(
            StatusCode::BAD_REQUEST,
            ReportBody::error(lang).render(),
        )),
    }
}

async fn load(
    state: &AppState,
    caller: &Caller,
    request: &HttpRequest,
    query: &ReportQuery,
    lang: Lang,
) -> Result<Loaded, HttpResponse> {
    let (actor, organization, range) = org_and_range(state, caller, request, query, lang).await?;
    let report = report_for(state, caller, &actor, range).await;
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
    request: HttpRequest,
) -> HttpResponse {
    let (caller, lang) = match signed_in(caller, &query, words::PAGE_TITLE) {
        Ok(signed_in) => signed_in,
        Err(page) => return *page,
    };
    let can_edit = caller.role.may_edit_assumption();
    let loaded = match load(&state, &caller, &request, &query, lang).await {
        Ok(loaded) => loaded,
        Err(response) => return response,
    };
    let (status, body) = match &loaded.report {
        Ok(report) => (
            StatusCode::OK,
            ReportBody::from_report(report, lang, can_edit, state.business_hours_url.as_deref())
                .render(),
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
    // The dialog starts from the saved numbers, each as its owner typed it.
    let saved = match can_edit {
        true => match loaded.actor.send(GetAssumption).await {
            Ok(Ok(assumption)) => assumption,
            _ => None,
        },
        false => None,
    };
    let rate = saved
        .map(|a| a.agent_hour_rate().to_string())
        .unwrap_or_default();
    let minutes = saved
        .map(|a| a.minutes_per_conversation().to_string())
        .unwrap_or_default();
    let ai_price = saved
        .and_then(|a| a.ai_price_per_month())
        .map(|price| price.to_string())
        .unwrap_or_default();
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
        other_lang: lang.other().code(),
        can_edit,
        rate,
        minutes,
        ai_price,
        body,
        error_body,
        sign_out_csrf: sign_out_csrf(&request, &caller),
    };
    html(status, page.render())
}

/// The body alone, for the page's script (range changes, Retry, after a save).
async fn report_body(
    caller: Result<Caller, LocalizedError>,
    query: web::Query<ReportQuery>,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> HttpResponse {
    let Ok(caller) = caller else {
        return HttpResponse::Unauthorized().finish();
    };
    let lang = page_lang(query.lang.as_deref(), Some(&caller));
    match load(&state, &caller, &request, &query, lang).await {
        Ok(Loaded {
            report: Ok(report), ..
        }) => html(
            StatusCode::OK,
            ReportBody::from_report(
                &report,
                lang,
                caller.role.may_edit_assumption(),
                state.business_hours_url.as_deref(),
            )
            .render(),
        ),
        Ok(_) => html(
            StatusCode::SERVICE_UNAVAILABLE,
            ReportBody::error(lang).render(),
        ),
        Err(response) => response,
    }
}

/// The query of the conversation list page.
#[derive(serde::Deserialize)]
struct ListPageQuery {
    #[serde(flatten)]
    report: ReportQuery,
    outcome: Option<String>,
    cursor: Option<String>,
}

/// One figure's conversations, a page at a time: what a click on a figure opens.
async fn conversations_page(
    caller: Result<Caller, LocalizedError>,
    query: web::Query<ListPageQuery>,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> HttpResponse {
    let report_query = &query.report;
    let (caller, lang) = match signed_in(caller, report_query, words::PAGE_TITLE) {
        Ok(signed_in) => signed_in,
        Err(page) => return *page,
    };
    let (_, organization, range) =
        match org_and_range(&state, &caller, &request, report_query, lang).await {
            Ok(found) => found,
            Err(page) => return page,
        };
    let Ok(list) = lists::parse_list(query.outcome.as_deref()) else {
        return message(
            StatusCode::NOT_FOUND,
            lang,
            words::PAGE_TITLE,
            words::LIST_NOT_FOUND,
        );
    };
    // A cursor that is not this list's starts from the newest.
    let page_query = lists::list_query(
        list,
        range,
        lists::DEFAULT_PAGE_ROWS,
        query.cursor.as_deref(),
    )
    .or_else(|_| lists::list_query(list, range, lists::DEFAULT_PAGE_ROWS, None));
    let Ok(page_query) = page_query else {
        return html(StatusCode::BAD_REQUEST, ReportBody::error(lang).render());
    };
    let lists::Page {
        rows,
        next_cursor,
        total,
        read_until,
    } = match lists::read_page(&state, &caller, &page_query).await {
        Ok(read) => read,
        Err(_) => {
            return html(
                StatusCode::SERVICE_UNAVAILABLE,
                ReportBody::error(lang).render(),
            )
        }
    };
    let this_cursor = page_query.after.as_ref().and(query.cursor.as_deref());
    html(
        StatusCode::OK,
        ConversationsPage::new(ListPage {
            organization: &organization,
            list,
            range,
            lang,
            rows: &rows,
            links: &state.inbox,
            read_until,
            cursor: this_cursor,
            next_cursor,
            total,
        })
        .render(),
    )
}
