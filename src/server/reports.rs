//! The reports service: what the API and the page share between reading a request
//! and writing a response. Who may see a report (eligibility), which range and
//! language a request asks for, and fetching a report through the organization's
//! actor, with the product's events and metrics. No HTTP here beyond the shared state.

use std::sync::Arc;
use std::time::Instant;

use actix::Addr;
use chrono::{Duration, Utc};
use serde::Deserialize;

use crate::domain::{DateRange, DateRangeError, Organization};
use crate::i18n::{api as words, Lang};
use crate::metrics::report::{FormingReason, Report, ReportPolicy, ReportStatus};
use crate::server::actors::{ActorFor, GetProfile, GetReport, LoadError, OrgActor, OrgRegistry};
use crate::server::auth::Caller;
use crate::server::errors::{ApiError, LocalizedError};
use crate::server::flags::{FlagHandle, FORECAST_FLAG, REPORT_FLAG};
use crate::server::observability::{events, Metrics};
use crate::store::Store;
use crate::usage::{UsageEvent, UsageKind};

/// What every handler shares.
pub(crate) struct AppState {
    pub registry: Addr<OrgRegistry>,
    pub flags: FlagHandle,
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub policy: Arc<ReportPolicy>,
    pub cookie_secure: bool,
    /// Links from a conversation list to the host's inbox.
    pub inbox: crate::report::conversations::InboxLinks,
    /// Where the host admin sets business hours (`server.business_hours_url`).
    pub business_hours_url: Option<String>,
    /// How many conversation downloads stream at once, and their send timeout.
    pub downloads: Arc<crate::server::limits::DownloadLimit>,
    /// Where what people do with the report is recorded (`crate::usage`).
    pub usage: crate::server::usage_recorder::Recorder,
}

/// The organization's actor and profile, if the caller may see its report:
/// flag on for the account, a viewing role, and the AI add-on. Anything else is
/// "not found", never "forbidden", so the report's existence is not revealed.
pub(crate) async fn eligible_org(
    state: &AppState,
    caller: &Caller,
) -> Result<(Addr<OrgActor>, Organization), ApiError> {
    if !caller.role.may_view_report() || !state.flags.current().is_enabled(REPORT_FLAG, &caller.org)
    {
        return Err(ApiError::NotFound);
    }
    let started = Instant::now();
    let loaded = async {
        let actor = state.registry.send(ActorFor(caller.org.clone())).await?;
        let profile = actor.send(GetProfile).await??;
        Ok::<_, LoadError>((actor, profile))
    };
    loaded.await.map_err(|error| {
        if !matches!(error, LoadError::NotFound) {
            load_failed(state, caller, &error, started);
        }
        ApiError::from(error)
    })
}

/// A report (or the organization it belongs to) could not be loaded: the cause to
/// the log, the reason to the load-failure metric, the `report_load_failed` event and
/// the usage rows, which the load-failure alert and the reliability figure read.
fn load_failed(state: &AppState, caller: &Caller, error: &LoadError, started: Instant) {
    let reason = error.reason();
    tracing::error!(org_id = %caller.org, reason, error = %error, "report failed");
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
    let mut failed = usage_event(caller, UsageKind::Failed);
    failed.latency = started.elapsed();
    failed.reason = Some(reason);
    state.usage.record(failed);
}

/// The report's query on the page: `from`, `to`, `lang` (the page's own form adds
/// more, which are ignored).
#[derive(Deserialize)]
pub(crate) struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub lang: Option<String>,
}

/// A report's range and language as the API takes them. docs/openapi.json describes
/// `from` and `to` as one object parameter named `range` (the way OpenAPI says "both
/// or neither"), so a `range=` of its own is a malformed range and refused; other
/// unknown names are ignored, as they always were.
#[derive(Deserialize)]
pub(crate) struct ApiReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub lang: Option<String>,
    range: Option<serde::de::IgnoredAny>,
}

impl ApiReportQuery {
    pub fn report_query(&self, caller: &Caller) -> Result<ReportQuery, LocalizedError> {
        if self.range.is_some() {
            return Err(ApiError::bad_request(words::HALF_RANGE, &[]).in_lang(caller.locale));
        }
        Ok(ReportQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            lang: self.lang.clone(),
        })
    }
}

/// What an API request about a report settles first, in this order: the language
/// (a bad `lang` is a 400 in the token's language), the caller's organization if it
/// may see the report (404 otherwise), then the range (a 400 in the chosen language).
pub(crate) struct ReportScope {
    pub lang: Lang,
    pub actor: Addr<OrgActor>,
    pub organization: Organization,
    pub range: DateRange,
}

pub(crate) async fn report_scope(
    state: &AppState,
    caller: &Caller,
    query: &ApiReportQuery,
) -> Result<ReportScope, LocalizedError> {
    let query = query.report_query(caller)?;
    let lang = choose_lang(query.lang.as_deref(), caller)?;
    let (actor, organization) = eligible_org(state, caller)
        .await
        .map_err(|e| e.in_lang(lang))?;
    let range = choose_range(&query, &organization).map_err(|e| e.in_lang(lang))?;
    Ok(ReportScope {
        lang,
        actor,
        organization,
        range,
    })
}

/// The language to answer in: `lang` if given (and valid), else the token's.
/// An empty `lang=` is refused like any other value that is not `en` or `id`.
pub(crate) fn choose_lang(
    requested: Option<&str>,
    caller: &Caller,
) -> Result<Lang, LocalizedError> {
    match requested {
        None => Ok(caller.locale),
        Some(text) => Lang::parse(text)
            .ok_or_else(|| ApiError::bad_request(words::BAD_LANG, &[]).in_lang(caller.locale)),
    }
}

/// The range asked for, or the last 30 complete days in the organization's time zone;
/// never a day before `earliest_date()` or after the organization's today (`lang`
/// writes those days in the answer).
pub(crate) fn choose_range(
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
    let today = organization.local_date(Utc::now());
    range
        .and_then(|range| range.within(today))
        .map_err(|error| match error {
            DateRangeError::Reversed { .. } => ApiError::bad_request(words::REVERSED_RANGE, &[]),
            DateRangeError::TooLong { .. } => ApiError::bad_request(words::RANGE_TOO_LONG, &[]),
            DateRangeError::BeforeEarliest { .. } => {
                ApiError::bad_request_each(words::RANGE_BEFORE_EARLIEST, |lang| {
                    vec![(
                        "day",
                        crate::i18n::format_date(crate::domain::earliest_date(), lang),
                    )]
                })
            }
            DateRangeError::AfterToday { today, .. } => {
                ApiError::bad_request_each(words::RANGE_AFTER_TODAY, |lang| {
                    vec![("day", crate::i18n::format_date(today, lang))]
                })
            }
            DateRangeError::NotADate(text) => {
                ApiError::bad_request(words::BAD_DATE, &[("value", text)])
            }
        })
}

/// Loads the report of an eligible caller's organization (see `eligible_org`),
/// with the product's events and metrics.
#[tracing::instrument(name = "report", skip_all, fields(org_id = %caller.org, from = %range.from(), to = %range.to()))]
pub(crate) async fn report_for(
    state: &AppState,
    caller: &Caller,
    actor: &Addr<OrgActor>,
    range: DateRange,
) -> Result<Report, ApiError> {
    let started = Instant::now();
    let forecast_on = state.flags.current().is_enabled(FORECAST_FLAG, &caller.org);
    let result = actor
        .send(GetReport {
            range,
            policy: Arc::clone(&state.policy),
            forecast: forecast_on,
        })
        .await
        .map_err(LoadError::from)
        .and_then(|result| result);
    let report = match result {
        Ok(report) => report,
        Err(LoadError::NotFound) => return Err(ApiError::NotFound),
        Err(error) => {
            load_failed(state, caller, &error, started);
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
    let has_forecast = report.figures.as_ref().is_some_and(|figures| {
        figures.forecast.as_ref().is_some_and(|forecast| {
            matches!(forecast.outcome, crate::metrics::forecast::Outcome::Ok(_))
        })
    });
    events::report_viewed(
        caller.org.as_str(),
        caller.role.as_str(),
        &format!("{}..{}", range.from(), range.to()),
        has_forecast,
    );
    if let Some(forming) = report.baseline_forming {
        events::report_baseline_forming(
            caller.org.as_str(),
            report.days_of_data,
            report.volume.eligible,
            forming.reason.name(),
        );
    }
    let mut viewed = usage_event(caller, UsageKind::View);
    viewed.latency = started.elapsed();
    // The launch's "baseline forming" figures are about new organizations only
    // (METRICS.md §4.7): a mature one's short range is not a report getting ready.
    viewed.forming = report
        .baseline_forming
        .is_some_and(|forming| forming.reason == FormingReason::NewOrganization);
    viewed.with_value = report
        .figures
        .as_ref()
        .is_some_and(|figures| figures.work_absorbed.hours.is_some());
    viewed.with_forecast = has_forecast;
    state.usage.record(viewed);
    Ok(report)
}

/// What `caller` did, for the usage rows (`crate::usage`).
pub(crate) fn usage_event(caller: &Caller, kind: UsageKind) -> UsageEvent {
    UsageEvent::new(
        caller.org.clone(),
        caller.user.clone(),
        caller.role.as_str(),
        kind,
    )
}
