//! The HTTP handlers: the report and cost-assumption API (`/api/v1`) and the
//! operations endpoints.

use std::sync::Arc;
use std::time::Instant;

use actix::Addr;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use serde::Deserialize;

use crate::domain::{CostAssumption, CostField, DateRange, DateRangeError, Organization};
use crate::i18n::{api as words, Lang};
use crate::metrics::report::{Report, ReportPolicy, ReportStatus};
use crate::server::actors::{
    ActorFor, GetAssumption, GetProfile, GetReport, LoadError, OrgActor, OrgRegistry,
    SaveAssumption,
};
use crate::server::auth::Caller;
use crate::server::errors::{resource, ApiError, LocalText, LocalizedError};
use crate::server::flags::{FlagHandle, FORECAST_FLAG, REPORT_FLAG};
use crate::server::observability::{events, Metrics};
use crate::store::Store;

/// What every handler shares.
pub struct AppState {
    pub registry: Addr<OrgRegistry>,
    pub flags: FlagHandle,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub policy: Arc<ReportPolicy>,
    pub cookie_secure: bool,
}

pub const REPORT_PATH: &str = "/reports/ai-agent-impact";
pub const REPORT_API: &str = "/api/v1/reports/ai-agent-impact";

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(resource("/healthz", "GET").route(web::get().to(healthz)))
        .service(resource("/readyz", "GET").route(web::get().to(readyz)))
        .service(resource("/metrics", "GET").route(web::get().to(metrics)))
        .service(resource("/api/v1/reports", "GET").route(web::get().to(list_reports)))
        .service(resource(REPORT_API, "GET").route(web::get().to(report)))
        .service(
            resource(
                "/api/v1/reports/ai-agent-impact/cost-assumption",
                "GET, PUT",
            )
            .route(web::get().to(get_cost_assumption))
            .route(web::put().to(put_cost_assumption)),
        );
}

type Reply = Result<HttpResponse, LocalizedError>;

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "not ready: the database does not answer");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({"status": "database_unavailable"}))
        }
        Err(_) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "database_timeout"})),
    }
}

async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state
        .metrics
        .render()
        .map_err(|e| ApiError::internal(format!("rendering metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

/// The organization's actor and profile, if the caller may see its report:
/// flag on for the account, a viewing role, and the AI add-on. Anything else is
/// "not found", never "forbidden", so the report's existence is not revealed.
pub async fn eligible_org(
    state: &AppState,
    caller: &Caller,
) -> Result<(Addr<OrgActor>, Organization), ApiError> {
    if !caller.role.may_view_report() || !state.flags.current().is_enabled(REPORT_FLAG, &caller.org)
    {
        return Err(ApiError::NotFound);
    }
    let actor = state
        .registry
        .send(ActorFor(caller.org.clone()))
        .await
        .map_err(|e| ApiError::internal(format!("organization registry: {e}")))?;
    let profile = actor
        .send(GetProfile)
        .await
        .map_err(|e| ApiError::internal(format!("organization actor: {e}")))?
        .map_err(|error| match error {
            LoadError::NotFound => ApiError::NotFound,
            LoadError::Unavailable { .. } => ApiError::Unavailable,
            LoadError::Failed(cause) => ApiError::Internal(cause),
        })?;
    Ok((actor, profile))
}

/// The report entries the caller may see, for the host's Reports area.
async fn list_reports(caller: Caller, state: web::Data<AppState>) -> Reply {
    let lang = caller.locale;
    let entries = match eligible_org(&state, &caller).await {
        Ok(_) => vec![serde_json::json!({
            "id": "ai-agent-impact",
            "title": crate::i18n::page::REPORT_TITLE.text(lang),
            "description": crate::i18n::page::REPORT_DESCRIPTION.text(lang),
            "path": REPORT_PATH,
            "api": REPORT_API,
        })],
        Err(ApiError::NotFound) => Vec::new(),
        Err(error) => return Err(error.in_lang(lang)),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(serde_json::json!({ "reports": entries })))
}

/// The report's query on the page: `from`, `to`, `lang` (the page's own form adds
/// more, which are ignored).
#[derive(Deserialize)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub lang: Option<String>,
}

/// The same query on the API. docs/openapi.json describes `from` and `to` as one
/// object parameter named `range` (the way OpenAPI says "both or neither"), so a
/// `range=` of its own is a malformed range and refused; other unknown names are
/// ignored, as they always were.
#[derive(Deserialize)]
struct ApiQuery {
    from: Option<String>,
    to: Option<String>,
    lang: Option<String>,
    range: Option<serde::de::IgnoredAny>,
}

impl ApiQuery {
    fn into_report_query(self, caller: &Caller) -> Result<ReportQuery, LocalizedError> {
        if self.range.is_some() {
            return Err(ApiError::bad_request(words::HALF_RANGE, &[]).in_lang(caller.locale));
        }
        Ok(ReportQuery {
            from: self.from,
            to: self.to,
            lang: self.lang,
        })
    }
}

/// The language to answer in: `lang` if given (and valid), else the token's.
/// An empty `lang=` is refused like any other value that is not `en` or `id`.
pub fn choose_lang(requested: Option<&str>, caller: &Caller) -> Result<Lang, LocalizedError> {
    match requested {
        None => Ok(caller.locale),
        Some(text) => Lang::parse(text)
            .ok_or_else(|| ApiError::bad_request(words::BAD_LANG, &[]).in_lang(caller.locale)),
    }
}

/// The range asked for, or the last 30 complete days in the organization's time zone.
pub fn choose_range(
    query: &ReportQuery,
    organization: &Organization,
) -> Result<DateRange, ApiError> {
    let parse = |text: &str| {
        DateRange::parse_date(text).map_err(|_| {
            ApiError::bad_request(
                words::BAD_DATE,
                &[("value", text.chars().take(40).collect())],
            )
        })
    };
    let range = match (query.from.as_deref(), query.to.as_deref()) {
        (None, None) => {
            let to = organization.local_date(Utc::now()) - Duration::days(1);
            DateRange::new(to - Duration::days(29), to)
        }
        (Some(from), Some(to)) => DateRange::new(parse(from)?, parse(to)?),
        _ => return Err(ApiError::bad_request(words::HALF_RANGE, &[])),
    };
    range.map_err(|error| match error {
        DateRangeError::Reversed { .. } => ApiError::bad_request(words::REVERSED_RANGE, &[]),
        DateRangeError::TooLong { .. } => ApiError::bad_request(words::RANGE_TOO_LONG, &[]),
        DateRangeError::NotADate(text) => {
            ApiError::bad_request(words::BAD_DATE, &[("value", text)])
        }
    })
}

/// Loads the report of an eligible caller's organization (see `eligible_org`),
/// with the PRD's events and metrics.
pub async fn report_for(
    state: &AppState,
    caller: &Caller,
    actor: &Addr<OrgActor>,
    range: DateRange,
    lang: Lang,
) -> Result<Report, ApiError> {
    let started = Instant::now();
    let forecast_on = state.flags.current().is_enabled(FORECAST_FLAG, &caller.org);
    let result = actor
        .send(GetReport {
            range,
            lang,
            policy: Arc::clone(&state.policy),
            forecast: forecast_on,
        })
        .await
        .map_err(|e| LoadError::Failed(format!("organization actor: {e}")))
        .and_then(|result| result);
    let report = match result {
        Ok(report) => report,
        Err(LoadError::NotFound) => return Err(ApiError::NotFound),
        Err(error) => {
            let reason = match &error {
                LoadError::Unavailable { reason } => *reason,
                _ => "error",
            };
            if let LoadError::Failed(cause) = &error {
                tracing::error!(org_id = %caller.org, cause = %cause, "report failed");
            }
            state
                .metrics
                .load_failures
                .with_label_values(&[reason])
                .inc();
            events::report_load_failed(
                caller.org.as_str(),
                reason,
                started.elapsed().as_millis() as u64,
            );
            return Err(ApiError::Unavailable);
        }
    };
    let status = match report.status {
        ReportStatus::Ok => "ok",
        ReportStatus::BaselineForming => "baseline_forming",
    };
    state
        .metrics
        .report_views
        .with_label_values(&[status])
        .inc();
    let shown = report.figures.as_ref().and_then(|figures| {
        let forecast = figures.forecast.as_ref()?;
        let crate::metrics::forecast::Outcome::Ok(projection) = forecast.outcome else {
            return None;
        };
        Some((
            forecast.period_from?,
            forecast.period_to?,
            projection,
            figures.trend.baseline.net_rate,
        ))
    });
    let has_forecast = shown.is_some();
    if let Some((period_from, period_to, projection, baseline)) = shown {
        // Every rendered forecast is recorded, for the audit of PRD §10.5.
        let snapshot = crate::metrics::forecast::Snapshot {
            period_from,
            period_to,
            projected: projection.net_rate,
            low: projection.low,
            high: projection.high,
        };
        if let Err(error) = state
            .store
            .save_forecast_snapshot(&caller.org, &snapshot)
            .await
        {
            tracing::warn!(org_id = %caller.org, error = %error, "could not record a forecast");
        }
        events::forecast_rendered(caller.org.as_str(), projection.net_rate, baseline);
    }
    events::report_viewed(
        caller.org.as_str(),
        caller.role.as_str(),
        &format!("{}..{}", range.from(), range.to()),
        has_forecast,
    );
    if report.status == ReportStatus::BaselineForming {
        events::report_baseline_forming(
            caller.org.as_str(),
            report.days_of_data,
            report.volume.eligible,
        );
    }
    Ok(report)
}

async fn report(caller: Caller, query: web::Query<ApiQuery>, state: web::Data<AppState>) -> Reply {
    let query = query.into_inner().into_report_query(&caller)?;
    let lang = choose_lang(query.lang.as_deref(), &caller)?;
    let (actor, organization) = eligible_org(&state, &caller)
        .await
        .map_err(|e| e.in_lang(lang))?;
    let range = choose_range(&query, &organization).map_err(|e| e.in_lang(lang))?;
    let report = report_for(&state, &caller, &actor, range, lang)
        .await
        .map_err(|e| e.in_lang(lang))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(report))
}

fn assumption_body(assumption: Option<CostAssumption>, caller: &Caller) -> serde_json::Value {
    serde_json::json!({
        "status": if assumption.is_some() { "ok" } else { "assumption_missing" },
        "agent_hour_rate": assumption.map(|a| a.agent_hour_rate()),
        "minutes_per_conversation": assumption.map(|a| a.minutes_per_conversation()),
        "can_edit": caller.role.may_edit_assumption(),
    })
}

async fn get_cost_assumption(caller: Caller, state: web::Data<AppState>) -> Reply {
    let lang = caller.locale;
    let (actor, _) = eligible_org(&state, &caller)
        .await
        .map_err(|e| e.in_lang(lang))?;
    let assumption = actor
        .send(GetAssumption)
        .await
        .map_err(|e| ApiError::internal(format!("organization actor: {e}")).in_lang(lang))?
        .map_err(|e| ApiError::internal(format!("{e:?}")).in_lang(lang))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(assumption_body(assumption, &caller)))
}

/// Reads the two whole numbers of a cost assumption, naming every bad field.
pub fn parse_assumption(body: &[u8]) -> Result<CostAssumption, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| ApiError::bad_request(words::BAD_BODY, &[]))?;
    let object = value
        .as_object()
        .ok_or_else(|| ApiError::bad_request(words::BAD_BODY, &[]))?;
    let mut problems = std::collections::BTreeMap::new();
    let mut whole = |field: CostField| -> Option<i64> {
        match object.get(field.name()) {
            None | Some(serde_json::Value::Null) => {
                problems.insert(field.name(), LocalText::from(words::MISSING_FIELD, &[]));
                None
            }
            // JSON has one kind of number: 480 and 480.0 are the same whole number
            // (JSON Schema's `integer` says so too).
            Some(value) => match whole_number(value) {
                Some(number) => Some(number),
                None => {
                    problems.insert(
                        field.name(),
                        LocalText::from(words::NOT_A_WHOLE_NUMBER, &[]),
                    );
                    None
                }
            },
        }
    };
    let rate = whole(CostField::AgentHourRate);
    let minutes = whole(CostField::MinutesPerConversation);
    // The bounds live in `CostAssumption::new` only; a field that could not be read
    // is stood in for by a valid value so the other field is still checked.
    let checked = CostAssumption::new(
        rate.unwrap_or(CostAssumption::MIN_AGENT_HOUR_RATE),
        minutes.unwrap_or(CostAssumption::MIN_MINUTES_PER_CONVERSATION),
    );
    match checked {
        Ok(assumption) if problems.is_empty() => return Ok(assumption),
        Ok(_) => {}
        Err(bad) => {
            for problem in bad {
                let phrase = match problem.field {
                    CostField::AgentHourRate => words::RATE_BOUNDS,
                    CostField::MinutesPerConversation => words::MINUTES_BOUNDS,
                };
                problems.insert(problem.field.name(), LocalText::from(phrase, &[]));
            }
        }
    }
    Err(ApiError::Validation(problems))
}

/// A JSON number with no fraction, as an `i64`.
fn whole_number(value: &serde_json::Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|number| number.fract() == 0.0 && number.abs() < 9.0e15)
            .map(|number| number as i64)
    })
}

async fn put_cost_assumption(
    caller: Caller,
    body: web::Bytes,
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Reply {
    let query = web::Query::<ApiQuery>::from_query(request.query_string())
        .map_err(|_| ApiError::bad_request(words::BAD_REQUEST, &[]).in_lang(caller.locale))?;
    let lang = choose_lang(query.lang.as_deref(), &caller)?;
    let (actor, _) = eligible_org(&state, &caller)
        .await
        .map_err(|e| e.in_lang(lang))?;
    if !caller.role.may_edit_assumption() {
        return Err(ApiError::ForbiddenAssumption.in_lang(lang));
    }
    let assumption = parse_assumption(&body).map_err(|e| e.in_lang(lang))?;
    actor
        .send(SaveAssumption(assumption))
        .await
        .map_err(|e| ApiError::internal(format!("organization actor: {e}")).in_lang(lang))?
        .map_err(|e| ApiError::internal(format!("{e:?}")).in_lang(lang))?;
    events::cost_assumption_updated(
        caller.org.as_str(),
        assumption.agent_hour_rate(),
        assumption.minutes_per_conversation(),
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(assumption_body(Some(assumption), &caller)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumption_bodies_name_every_bad_field() {
        let ok = parse_assumption(br#"{"agent_hour_rate": 40000, "minutes_per_conversation": 6}"#)
            .unwrap();
        assert_eq!(
            (ok.agent_hour_rate(), ok.minutes_per_conversation()),
            (40_000, 6)
        );
        let Err(ApiError::Validation(fields)) =
            parse_assumption(br#"{"agent_hour_rate": -5, "minutes_per_conversation": "six"}"#)
        else {
            panic!("expected a validation error")
        };
        assert_eq!(
            fields.keys().copied().collect::<Vec<_>>(),
            ["agent_hour_rate", "minutes_per_conversation"]
        );
        let Err(ApiError::Validation(fields)) = parse_assumption(br#"{"agent_hour_rate": 1.5}"#)
        else {
            panic!("expected a validation error")
        };
        assert_eq!(fields.len(), 2);
        assert!(matches!(
            parse_assumption(b"not json"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse_assumption(b"[1, 2]"),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn a_whole_number_may_be_written_with_a_fraction_of_zero() {
        let written =
            parse_assumption(br#"{"agent_hour_rate": 1041.0, "minutes_per_conversation": 4.8e2}"#)
                .unwrap();
        assert_eq!(
            (
                written.agent_hour_rate(),
                written.minutes_per_conversation()
            ),
            (1_041, 480)
        );
    }
}
