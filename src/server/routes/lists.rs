//! The conversations behind each figure and the downloads, on the API
//! (docs/openapi.json): a page of a list as JSON, a whole list as CSV or workbook,
//! and the daily series as CSV or workbook. Same eligibility and tenant rules as the
//! report: the organization comes only from the token, and a caller who may not see
//! the report gets 404.

use std::time::Instant;

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::{DateRange, Organization};
use crate::i18n::{api as words, Lang};
use crate::metrics::report::baseline_forming;
use crate::report::conversations::Conversation;
use crate::report::wire;
use crate::server::auth::Caller;
use crate::server::errors::{resource, ApiError, LocalizedError};
use crate::server::lists::{self, Chunks, Download};
use crate::server::reports::{choose_lang, choose_range, eligible_org, AppState, ReportQuery};

pub const CONVERSATIONS_API: &str = "/api/v1/reports/ai-agent-impact/conversations";
pub const CONVERSATIONS_CSV: &str = "/api/v1/reports/ai-agent-impact/conversations.csv";
pub const CONVERSATIONS_XLSX: &str = "/api/v1/reports/ai-agent-impact/conversations.xlsx";
pub const DAILY_CSV: &str = "/api/v1/reports/ai-agent-impact/daily.csv";
pub const DAILY_XLSX: &str = "/api/v1/reports/ai-agent-impact/daily.xlsx";

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(resource(CONVERSATIONS_API, "GET").route(web::get().to(conversations)))
        .service(resource(CONVERSATIONS_CSV, "GET").route(web::get().to(conversations_csv)))
        .service(resource(CONVERSATIONS_XLSX, "GET").route(web::get().to(conversations_xlsx)))
        .service(resource(DAILY_CSV, "GET").route(web::get().to(daily_csv)))
        .service(resource(DAILY_XLSX, "GET").route(web::get().to(daily_xlsx)));
}

type Reply = Result<HttpResponse, LocalizedError>;

/// The query of every list route; `from`/`to` are the report's range object.
#[derive(Deserialize)]
pub struct ListQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub lang: Option<String>,
    pub outcome: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
    range: Option<serde::de::IgnoredAny>,
}

/// What every list route needs first: the language, the caller's organization if
/// it may see the report, and the range.
struct Scope {
    lang: Lang,
    organization: Organization,
    range: DateRange,
}

async fn scope(
    caller: &Caller,
    query: &ListQuery,
    state: &AppState,
) -> Result<Scope, LocalizedError> {
    if query.range.is_some() {
        return Err(ApiError::bad_request(words::HALF_RANGE, &[]).in_lang(caller.locale));
    }
    let lang = choose_lang(query.lang.as_deref(), caller)?;
    let (_, organization) = eligible_org(state, caller)
        .await
        .map_err(|e| e.in_lang(lang))?;
    let report_query = ReportQuery {
        from: query.from.clone(),
        to: query.to.clone(),
        lang: None,
    };
    let range = choose_range(&report_query, &organization).map_err(|e| e.in_lang(lang))?;
    Ok(Scope {
        lang,
        organization,
        range,
    })
}

async fn conversations(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Reply {
    let Scope {
        lang,
        organization,
        range,
    } = scope(&caller, &query, &state).await?;
    let list = lists::parse_list(query.outcome.as_deref()).map_err(|e| e.in_lang(lang))?;
    let limit = lists::parse_limit(query.limit.as_deref()).map_err(|e| e.in_lang(lang))?;
    let page_query = lists::list_query(list, range, limit, query.cursor.as_deref())
        .map_err(|e| e.in_lang(lang))?;
    let lists::Page { rows, next_cursor } =
        lists::read_page(state.store.as_ref(), &caller.org, &page_query)
            .await
            .map_err(|e| e.in_lang(lang))?;
    let conversations = rows
        .iter()
        .map(|room| {
            wire::Conversation::new(
                Conversation::new(room, organization.timezone, &state.inbox),
                lang,
            )
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(wire::ConversationPage {
            outcome: list.name(),
            from: range.from(),
            to: range.to(),
            lang,
            conversations,
            next_cursor,
        }))
}

/// A download's headers: its type, its file name, and never cached.
fn download(content_type: &str, file_name: String) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(file_name)],
        });
    response
}

fn stream(
    mut chunks: Chunks,
) -> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> {
    futures_util::stream::poll_fn(move |context| chunks.poll_recv(context))
}

async fn list_download(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
    workbook: bool,
) -> Reply {
    let started = Instant::now();
    let Scope {
        lang,
        organization,
        range,
    } = scope(&caller, &query, &state).await?;
    let list = lists::parse_list(query.outcome.as_deref()).map_err(|e| e.in_lang(lang))?;
    let query = lists::list_query(list, range, lists::DOWNLOAD_PAGE_ROWS, None)
        .map_err(|e| e.in_lang(lang))?;
    let first = lists::first_download_page(state.store.as_ref(), &caller.org, query)
        .await
        .map_err(|e| e.in_lang(lang))?;
    let details = Download {
        org: caller.org.clone(),
        organization,
        lang,
        links: state.inbox.clone(),
        started,
    };
    let store = std::sync::Arc::clone(&state.store);
    let name = format!("conversations-{}", list.name());
    Ok(if workbook {
        download(XLSX_TYPE, lists::file_name(&name, range, "xlsx"))
            .streaming(stream(lists::conversations_xlsx(store, details, first)))
    } else {
        download(
            "text/csv; charset=utf-8",
            lists::file_name(&name, range, "csv"),
        )
        .streaming(stream(lists::conversations_csv(store, details, first)))
    })
}

async fn conversations_csv(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Reply {
    list_download(caller, query, state, false).await
}

async fn conversations_xlsx(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Reply {
    list_download(caller, query, state, true).await
}

async fn daily_download(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
    workbook: bool,
) -> Reply {
    let started = Instant::now();
    let Scope {
        lang,
        organization,
        range,
    } = scope(&caller, &query, &state).await?;
    let days = tokio::time::timeout(
        lists::PAGE_READ_TIMEOUT,
        state.store.daily_counters(&caller.org, range),
    )
    .await
    .map_err(|_| "timed out".to_string())
    .and_then(|read| read.map_err(|error| error.to_string()))
    .map_err(|error| {
        tracing::error!(org_id = %caller.org, error = %error, "reading the daily series failed");
        ApiError::Unavailable.in_lang(lang)
    })?;
    // Volume only while the range forms its baseline, as the report (§4.7).
    let first_eligible_day = state
        .store
        .activity(&caller.org)
        .await
        .map_err(|error| {
            tracing::error!(org_id = %caller.org, error = %error, "reading the organization's activity failed");
            ApiError::Unavailable.in_lang(lang)
        })?
        .first_eligible_day;
    let eligible: i64 = days.iter().map(|row| row.eligible).sum();
    let forming = baseline_forming(first_eligible_day, range.to(), eligible, &state.policy);
    let details = Download {
        org: caller.org.clone(),
        organization,
        lang,
        links: state.inbox.clone(),
        started,
    };
    let internal = |error: String| ApiError::internal(error).in_lang(lang);
    Ok(if workbook {
        let bytes = lists::daily_xlsx(&details, &days, range, forming)
            .map_err(|e| internal(e.to_string()))?;
        download(XLSX_TYPE, lists::file_name("daily", range, "xlsx")).body(bytes)
    } else {
        let bytes = lists::daily_csv(&details, &days, range, forming)
            .map_err(|e| internal(e.to_string()))?;
        download(
            "text/csv; charset=utf-8",
            lists::file_name("daily", range, "csv"),
        )
        .body(bytes)
    })
}

async fn daily_csv(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Reply {
    daily_download(caller, query, state, false).await
}

async fn daily_xlsx(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Reply {
    daily_download(caller, query, state, true).await
}
