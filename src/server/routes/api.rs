//! The report and cost-assumption API (`/api/v1`), for the host web admin.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::domain::{CostAssumption, CostField};
use crate::i18n::api as words;
use crate::report::wire;
use crate::server::actors::{GetAssumption, LoadError, SaveAssumption};
use crate::server::auth::Caller;
use crate::server::errors::{resource, ApiError, LocalText, LocalizedError};
use crate::server::observability::events;
use crate::server::paths::{REPORT_API, REPORT_PATH};
use crate::server::reports::{
    choose_lang, eligible_org, report_for, report_scope, ApiReportQuery, AppState, ReportScope,
};

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    config
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

/// A cost assumption read or write that failed: its cause to the log, and to the
/// caller the answer of docs/openapi.json (503 `report_unavailable` when the
/// datamart is down or hung).
fn failed(caller: &Caller, doing: &str, error: LoadError) -> ApiError {
    if !matches!(error, LoadError::NotFound) {
        tracing::error!(org_id = %caller.org, error = %error, "{doing} failed");
    }
    ApiError::from(error)
}

/// The report entries the caller may see, for the host's Reports area.
async fn list_reports(caller: Caller, state: web::Data<AppState>) -> Reply {
    let lang = caller.locale;
    let entries = match eligible_org(&state, &caller).await {
        Ok(_) => vec![wire::ReportEntry {
            id: "ai-agent-impact",
            title: crate::i18n::page::REPORT_TITLE.text(lang),
            description: crate::i18n::page::REPORT_DESCRIPTION.text(lang),
            path: REPORT_PATH,
            api: REPORT_API,
        }],
        Err(ApiError::NotFound) => Vec::new(),
        Err(error) => return Err(error.in_lang(lang)),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(wire::ReportEntries { reports: entries }))
}

async fn report(
    caller: Caller,
    query: web::Query<ApiReportQuery>,
    state: web::Data<AppState>,
) -> Reply {
    let ReportScope {
        lang, actor, range, ..
    } = report_scope(&state, &caller, &query).await?;
    let report = report_for(&state, &caller, &actor, range)
        .await
        .map_err(|e| e.in_lang(lang))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(wire::Report::new(&report, lang)))
}

async fn get_cost_assumption(caller: Caller, state: web::Data<AppState>) -> Reply {
    let lang = caller.locale;
    let (actor, _) = eligible_org(&state, &caller)
        .await
        .map_err(|e| e.in_lang(lang))?;
    let assumption = actor
        .send(GetAssumption)
        .await
        .map_err(LoadError::from)
        .and_then(|result| result)
        .map_err(|e| failed(&caller, "reading the cost assumption", e).in_lang(lang))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(wire::CostAssumption::new(
            assumption,
            caller.role.may_edit_assumption(),
        )))
}

/// Reads the two whole numbers of a cost assumption, naming every bad field.
pub(crate) fn parse_assumption(body: &[u8]) -> Result<CostAssumption, ApiError> {
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
    // The AI's price is optional: absent or null is no price.
    let price_field = CostField::AiPricePerMonth.name();
    let price = match object.get(price_field) {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => match whole_number(value) {
            Some(number) => Some(number),
            None => {
                problems.insert(price_field, LocalText::from(words::NOT_A_WHOLE_NUMBER, &[]));
                None
            }
        },
    };
    // The bounds live in `CostAssumption::with_ai_price` only; a field that could not
    // be read is stood in for by a valid value so the others are still checked.
    let checked = CostAssumption::with_ai_price(
        rate.unwrap_or(CostAssumption::MIN_AGENT_HOUR_RATE),
        minutes.unwrap_or(CostAssumption::MIN_MINUTES_PER_CONVERSATION),
        price,
    );
    match checked {
        Ok(assumption) if problems.is_empty() => return Ok(assumption),
        Ok(_) => {}
        Err(bad) => {
            for problem in bad {
                let (phrase, min, max) = match problem.field {
                    CostField::AgentHourRate => (
                        words::RATE_BOUNDS,
                        CostAssumption::MIN_AGENT_HOUR_RATE,
                        CostAssumption::MAX_AGENT_HOUR_RATE,
                    ),
                    CostField::MinutesPerConversation => (
                        words::MINUTES_BOUNDS,
                        CostAssumption::MIN_MINUTES_PER_CONVERSATION,
                        CostAssumption::MAX_MINUTES_PER_CONVERSATION,
                    ),
                    CostField::AiPricePerMonth => (
                        words::AI_PRICE_BOUNDS,
                        CostAssumption::MIN_AI_PRICE_PER_MONTH,
                        CostAssumption::MAX_AI_PRICE_PER_MONTH,
                    ),
                };
                let bounds = LocalText::each(phrase, |lang| {
                    vec![
                        ("min", crate::i18n::format_count(min, lang)),
                        ("max", crate::i18n::format_count(max, lang)),
                    ]
                });
                problems.insert(problem.field.name(), bounds);
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
    let query = web::Query::<ApiReportQuery>::from_query(request.query_string())
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
        .map_err(LoadError::from)
        .and_then(|result| result)
        .map_err(|e| failed(&caller, "saving the cost assumption", e).in_lang(lang))?;
    events::cost_assumption_updated(
        caller.org.as_str(),
        assumption.agent_hour_rate(),
        assumption.minutes_per_conversation(),
    );
    state.usage.record(crate::server::reports::usage_event(
        &caller,
        crate::usage::UsageKind::CostSaved,
    ));
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(wire::CostAssumption::new(
            Some(assumption),
            caller.role.may_edit_assumption(),
        )))
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
