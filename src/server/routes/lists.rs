//! The conversations behind each figure and the downloads, on the API
//! (docs/openapi.json): a page of a list as JSON, a whole list as CSV or workbook,
//! and the daily series as CSV or workbook. Same eligibility and tenant rules as the
//! report: the organization comes only from the token, and a caller who may not see
//! the report gets 404.

use std::time::Instant;

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::Organization;
use crate::exports::{self, Chunks, Download, Export};
use crate::i18n::Lang;
use crate::metrics::report::baseline_forming;
use crate::report::conversations::Conversation;
use crate::report::wire;
use crate::server::auth::Caller;
use crate::server::errors::{resource, ApiError, LocalizedError};
use crate::server::lists::{self, DownloadRecord};
use crate::server::paths::{
    CONVERSATIONS_API, CONVERSATIONS_CSV, CONVERSATIONS_XLSX, DAILY_CSV, DAILY_XLSX,
};
use crate::server::reports::{report_scope, ApiReportQuery, AppState, ReportScope};
use crate::store::StoreError;

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
        .service(resource(CONVERSATIONS_API, "GET").route(web::get().to(conversations)))
        .service(
            resource(CONVERSATIONS_CSV, "GET").route(web::get().to(|caller, query, state| {
                list_download(caller, query, state, Export::ConversationsCsv)
            })),
        )
        .service(resource(CONVERSATIONS_XLSX, "GET").route(web::get().to(
            |caller, query, state| list_download(caller, query, state, Export::ConversationsXlsx),
        )))
        .service(
            resource(DAILY_CSV, "GET").route(
                web::get().to(|caller, query, state| {
                    daily_download(caller, query, state, Export::DailyCsv)
                }),
            ),
        )
        .service(
            resource(DAILY_XLSX, "GET").route(web::get().to(|caller, query, state| {
                daily_download(caller, query, state, Export::DailyXlsx)
            })),
        );
}

type Reply = Result<HttpResponse, LocalizedError>;

/// The query of every list route: the report's range and language, and the list.
#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(flatten)]
    report: ApiReportQuery,
    outcome: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

async fn conversations(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Reply {
    let ReportScope {
        lang,
        organization,
        range,
        ..
    } = report_scope(&state, &caller, &query.report).await?;
    let list = lists::parse_list(query.outcome.as_deref()).map_err(|e| e.in_lang(lang))?;
    let limit = lists::parse_limit(query.limit.as_deref()).map_err(|e| e.in_lang(lang))?;
    let page_query = lists::list_query(list, range, limit, query.cursor.as_deref())
        .map_err(|e| e.in_lang(lang))?;
    let lists::Page {
        rows,
        next_cursor,
        total,
        read_until,
    } = lists::read_page(&state, &caller, &page_query)
        .await
        .map_err(|e| e.in_lang(lang))?;
    let conversations = rows
        .iter()
        .map(|room| {
            wire::Conversation::new(
                Conversation::new(room, organization.timezone, &state.inbox, read_until),
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
            total,
        }))
}

/// A download's headers: its type, its file name, and never cached.
fn download(export: Export, file_name: String) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response
        .content_type(export.content_type())
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
    futures_util::stream::poll_fn(move |context| chunks.poll_next(context))
}

/// The download's details once the caller may have it (`slot`: its place among
/// the conversation downloads streamed at once).
fn details(
    caller: &Caller,
    organization: Organization,
    lang: Lang,
    state: &AppState,
    started: Instant,
    slot: Option<crate::server::limits::DownloadSlot>,
) -> Download {
    Download {
        outcome: Box::new(DownloadRecord {
            org: organization.id.clone(),
            metrics: std::sync::Arc::clone(&state.metrics),
            started,
            usage: (
                state.usage.clone(),
                crate::server::reports::usage_event(caller, crate::usage::UsageKind::Download),
            ),
            _slot: slot,
        }),
        organization,
        lang,
        links: state.inbox.clone(),
        read_until: None,
        send_timeout: state.downloads.send_timeout(),
    }
}

async fn list_download(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
    export: Export,
) -> Reply {
    let started = Instant::now();
    let ReportScope {
        lang,
        organization,
        range,
        ..
    } = report_scope(&state, &caller, &query.report).await?;
    let list = lists::parse_list(query.outcome.as_deref()).map_err(|e| e.in_lang(lang))?;
    // Taken before the first read, and held by the download until it ends.
    let slot = state
        .downloads
        .admit(&state.metrics)
        .map_err(|e| e.in_lang(lang))?;
    let first = lists::first_download_page(state.store.as_ref(), &caller.org, list, range)
        .await
        .map_err(|e| e.in_lang(lang))?;
    let mut details = details(&caller, organization, lang, &state, started, Some(slot));
    details.read_until = first.read_until;
    let store = std::sync::Arc::clone(&state.store);
    let pages = lists::pages(store, caller.org.clone(), first);
    let chunks = match export {
        Export::ConversationsXlsx => exports::conversations_xlsx(details, list, range, pages),
        _ => exports::conversations_csv(details, list, pages),
    };
    Ok(download(export, export.file_name(Some(list), range)).streaming(stream(chunks)))
}

async fn daily_download(
    caller: Caller,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
    export: Export,
) -> Reply {
    let started = Instant::now();
    let ReportScope {
        lang,
        organization,
        range,
        ..
    } = report_scope(&state, &caller, &query.report).await?;
    // The days, the organization's first eligible day and its cost assumption, read
    // together within the same time limit as a page of a list.
    let read = async {
        tokio::try_join!(
            state.store.daily_counters(&caller.org, range),
            state.store.activity(&caller.org),
            state.store.cost_assumption(&caller.org),
        )
    };
    let (days, activity, cost) = tokio::time::timeout(lists::PAGE_READ_TIMEOUT, read)
        .await
        .unwrap_or_else(|_| Err(StoreError::TimedOut("reading the daily series".into())))
        .map_err(|error| {
            tracing::error!(org_id = %caller.org, error = %error, "reading the daily series failed");
            ApiError::Unavailable.in_lang(lang)
        })?;
    // Volume only while the range forms its baseline, as the report (§4.7).
    let eligible: i64 = days.iter().map(|row| row.eligible).sum();
    let forming = baseline_forming(
        activity.first_eligible_day,
        range.to(),
        eligible,
        &state.policy,
    );
    let details = details(&caller, organization, lang, &state, started, None);
    let series = exports::DailySeries {
        days: &days,
        range,
        forming,
        cost,
        data_through: activity.data_through,
        net_thresholds: state.policy.net_containment_thresholds(),
    };
    let bytes = match export {
        Export::DailyXlsx => exports::daily_xlsx(&details, &series)
            .map_err(|e| ApiError::failed("writing the daily workbook", e).in_lang(lang))?,
        _ => exports::daily_csv(&details, &series)
            .map_err(|e| ApiError::failed("writing the daily CSV", e).in_lang(lang))?
            .to_vec(),
    };
    Ok(download(export, export.file_name(None, range)).body(bytes))
}
