//! Metrics (Prometheus) and the product events of README's Operations (structured log lines).
//! Metric names are constants here, counters end in `_total`, units are in the
//! names, labels have few values.

use std::sync::Arc;

use crate::store::{DatamartHealth, Store, UsageGauges};

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry,
    TextEncoder,
};

pub(crate) const HTTP_REQUEST_DURATION: &str = "impact_http_request_duration_seconds";
pub(crate) const EXPORT_DURATION: &str = "impact_export_duration_seconds";
pub(crate) const REPORT_VIEWS: &str = "impact_report_views_total";
pub(crate) const REPORT_LOAD_FAILURES: &str = "impact_report_load_failures_total";
pub(crate) const FETCH_TIMEOUTS: &str = "impact_fetch_timeouts_total";
pub(crate) const FETCH_FAILURES: &str = "impact_fetch_failures_total";
pub(crate) const CACHE_HITS: &str = "impact_report_cache_hits_total";
pub(crate) const CACHE_MISSES: &str = "impact_report_cache_misses_total";
pub(crate) const FLAG_RELOADS: &str = "impact_flag_reloads_total";
pub(crate) const FLAGS_FILE_REFUSED: &str = "impact_flags_file_refused";
pub(crate) const AGGREGATION_RUNS: &str = "impact_aggregation_runs_total";
pub(crate) const AGGREGATION_LAST_SUCCESS: &str =
    "impact_aggregation_last_success_timestamp_seconds";
pub(crate) const SENTIMENT_PENDING_AGE: &str = "impact_sentiment_pending_oldest_day_age_seconds";
pub(crate) const NIGHTLY_LAST_COMPLETED: &str = "impact_nightly_last_completed_timestamp_seconds";
pub(crate) const DATAMART_DRIFTED_DAYS: &str = "impact_datamart_drifted_days";
pub(crate) const DOWNLOADS_IN_FLIGHT: &str = "impact_downloads_in_flight";
pub(crate) const ORGANIZATION_ACTORS: &str = "impact_organization_actors";
pub(crate) const USAGE_DROPPED: &str = "impact_usage_dropped_total";
pub(crate) const USAGE_WRITE_FAILURES: &str = "impact_usage_write_failures_total";
pub(crate) const ORGANIZATIONS_AI_ENABLED: &str = "impact_organizations_ai_enabled";
pub(crate) const ORGANIZATIONS_VIEWING: &str = "impact_organizations_viewing_this_month";
pub(crate) const MONTH_LOADS: &str = "impact_report_loads_this_month";
pub(crate) const MONTH_FAILED_LOADS: &str = "impact_report_failed_loads_this_month";

/// How often the server reads the datamart's health for the gauges ops are paged on.
pub(crate) const DATAMART_WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

pub struct Metrics {
    registry: Registry,
    pub http_duration: HistogramVec,
    pub export_duration: HistogramVec,
    pub report_views: IntCounterVec,
    pub load_failures: IntCounterVec,
    pub fetch_timeouts: IntCounterVec,
    pub fetch_failures: IntCounterVec,
    pub cache_hits: IntCounter,
    pub cache_misses: IntCounter,
    pub flag_reloads: IntCounterVec,
    /// 1 while the flags file on disk is refused (the last good flags serve), else 0.
    pub flags_file_refused: prometheus::IntGauge,
    pub aggregation_runs: IntCounterVec,
    pub aggregation_last_success: Gauge,
    /// When a nightly run last completed, on any instance of this datamart.
    pub nightly_last_completed: Gauge,
    pub sentiment_pending_age: Gauge,
    pub drifted_days: Gauge,
    /// Conversation downloads being streamed now (at most `server.max_downloads_at_once`).
    pub downloads_in_flight: prometheus::IntGauge,
    /// Organizations with a live actor in this instance.
    pub organization_actors: prometheus::IntGauge,
    /// Usage events dropped (queue full) and usage rows a failed write lost.
    pub usage_dropped: IntCounter,
    pub usage_write_failures: IntCounter,
    /// This month's usage from the datamart (every instance's), for adoption and
    /// reliability dashboards and the reliability alert.
    pub organizations_ai_enabled: prometheus::IntGauge,
    pub organizations_viewing: prometheus::IntGauge,
    pub month_loads: prometheus::IntGauge,
    pub month_failed_loads: prometheus::IntGauge,
}

impl Metrics {
    pub fn new() -> Result<Arc<Self>, prometheus::Error> {
        let registry = Registry::new();
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                HTTP_REQUEST_DURATION,
                "Time to answer an HTTP request, by route.",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0,
            ]),
            &["route", "method", "status"],
        )?;
        // A streamed download's response starts long before its last byte: its whole
        // time is here, by kind (`exports::Export`, a closed set).
        let export_duration = HistogramVec::new(
            HistogramOpts::new(
                EXPORT_DURATION,
                "Time from a download's request to its last byte handed to the response, by kind.",
            )
            .buckets(vec![
                0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0,
            ]),
            &["kind"],
        )?;
        let report_views = IntCounterVec::new(
            Opts::new(REPORT_VIEWS, "Reports served, by report status."),
            &["status"],
        )?;
        let load_failures = IntCounterVec::new(
            Opts::new(
                REPORT_LOAD_FAILURES,
                "Reports that could not be loaded, by reason.",
            ),
            &["reason"],
        )?;
        let fetch_timeouts = IntCounterVec::new(
            Opts::new(
                FETCH_TIMEOUTS,
                "Datamart reads that ran out of time, by tile group.",
            ),
            &["tile"],
        )?;
        let fetch_failures = IntCounterVec::new(
            Opts::new(FETCH_FAILURES, "Datamart reads that failed, by tile group."),
            &["tile"],
        )?;
        let cache_hits = IntCounter::new(
            CACHE_HITS,
            "Report inputs served from an organization's cache.",
        )?;
        let cache_misses = IntCounter::new(CACHE_MISSES, "Report inputs read from the datamart.")?;
        let flags_file_refused = prometheus::IntGauge::new(
            FLAGS_FILE_REFUSED,
            "1 while the flags file on disk is refused (invalid, an unknown flag, or cut \
             short in place) and the last good flags serve; 0 when it is taken.",
        )?;
        let flag_reloads = IntCounterVec::new(
            Opts::new(
                FLAG_RELOADS,
                "Reads of the flags file, by result (ok or error).",
            ),
            &["result"],
        )?;
        let aggregation_runs = IntCounterVec::new(
            Opts::new(AGGREGATION_RUNS, "Nightly aggregation runs, by result."),
            &["result"],
        )?;
        let aggregation_last_success = Gauge::new(
            AGGREGATION_LAST_SUCCESS,
            "Unix time the datamart was last written by an aggregation (nightly in any \
             instance, or `impact aggregate`); 0 before the first.",
        )?;
        let nightly_last_completed = Gauge::new(
            NIGHTLY_LAST_COMPLETED,
            "Unix time a nightly aggregation last completed (marked done, on any instance \
             sharing this datamart); 0 before the first.",
        )?;
        let sentiment_pending_age = Gauge::new(
            SENTIMENT_PENDING_AGE,
            "Seconds since the start (UTC) of the oldest day whose sentiment is still \
             pending; 0 when none is.",
        )?;
        let drifted_days = Gauge::new(
            DATAMART_DRIFTED_DAYS,
            "Organization-days the last verify of the retained range found different from \
             a recomputation of the source and left so; 0 before the first.",
        )?;
        let downloads_in_flight = prometheus::IntGauge::new(
            DOWNLOADS_IN_FLIGHT,
            "Conversation downloads being streamed now; at server.max_downloads_at_once \
             one more gets 429.",
        )?;
        let organization_actors = prometheus::IntGauge::new(
            ORGANIZATION_ACTORS,
            "Organizations with a live actor in this instance (what it holds of each is \
             bounded); one idle for server.org_idle_seconds is let go.",
        )?;
        let usage_dropped = IntCounter::new(
            USAGE_DROPPED,
            "Usage events dropped because usage.queue was full (a report never waits).",
        )?;
        let usage_write_failures = IntCounter::new(
            USAGE_WRITE_FAILURES,
            "Usage rows lost because their write to the datamart failed.",
        )?;
        let organizations_ai_enabled = prometheus::IntGauge::new(
            ORGANIZATIONS_AI_ENABLED,
            "Organizations with the AI add-on (the adoption metric's denominator).",
        )?;
        let organizations_viewing = prometheus::IntGauge::new(
            ORGANIZATIONS_VIEWING,
            "Organizations with the AI add-on where someone saw the report this month (UTC).",
        )?;
        let month_loads = prometheus::IntGauge::new(
            MONTH_LOADS,
            "Report loads this month (UTC), shown or failed, in every instance.",
        )?;
        let month_failed_loads = prometheus::IntGauge::new(
            MONTH_FAILED_LOADS,
            "Report loads that failed this month (UTC), in every instance.",
        )?;
        let metrics = Self {
            registry,
            http_duration,
            export_duration,
            report_views,
            load_failures,
            fetch_timeouts,
            fetch_failures,
            cache_hits,
            cache_misses,
            flag_reloads,
            flags_file_refused,
            aggregation_runs,
            aggregation_last_success,
            nightly_last_completed,
            sentiment_pending_age,
            drifted_days,
            downloads_in_flight,
            organization_actors,
            usage_dropped,
            usage_write_failures,
            organizations_ai_enabled,
            organizations_viewing,
            month_loads,
            month_failed_loads,
        };
        metrics.register()?;
        Ok(Arc::new(metrics))
    }

    /// Registers every metric, so `/metrics` exports it.
    fn register(&self) -> Result<(), prometheus::Error> {
        let collectors: [Box<dyn prometheus::core::Collector>; 23] = [
            Box::new(self.usage_dropped.clone()),
            Box::new(self.usage_write_failures.clone()),
            Box::new(self.organizations_ai_enabled.clone()),
            Box::new(self.organizations_viewing.clone()),
            Box::new(self.month_loads.clone()),
            Box::new(self.month_failed_loads.clone()),
            Box::new(self.downloads_in_flight.clone()),
            Box::new(self.organization_actors.clone()),
            Box::new(self.http_duration.clone()),
            Box::new(self.export_duration.clone()),
            Box::new(self.report_views.clone()),
            Box::new(self.load_failures.clone()),
            Box::new(self.fetch_timeouts.clone()),
            Box::new(self.fetch_failures.clone()),
            Box::new(self.cache_hits.clone()),
            Box::new(self.cache_misses.clone()),
            Box::new(self.flag_reloads.clone()),
            Box::new(self.flags_file_refused.clone()),
            Box::new(self.aggregation_runs.clone()),
            Box::new(self.aggregation_last_success.clone()),
            Box::new(self.nightly_last_completed.clone()),
            Box::new(self.sentiment_pending_age.clone()),
            Box::new(self.drifted_days.clone()),
        ];
        for collector in collectors {
            self.registry.register(collector)?;
        }
        Ok(())
    }

    /// Sets the freshness gauges from the datamart itself, so they tell the truth
    /// whichever instance or command aggregated, and right after a restart.
    pub fn record_health(&self, health: DatamartHealth, now: chrono::DateTime<chrono::Utc>) {
        self.aggregation_last_success.set(
            health
                .last_written
                .map(|at| at.timestamp() as f64)
                .unwrap_or(0.0),
        );
        self.nightly_last_completed.set(
            health
                .last_night_completed
                .map(|at| at.timestamp() as f64)
                .unwrap_or(0.0),
        );
        let pending_age = health
            .oldest_pending_sentiment_day
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .map(|start| (now.naive_utc() - start).num_seconds().max(0) as f64)
            .unwrap_or(0.0);
        self.sentiment_pending_age.set(pending_age);
        self.drifted_days
            .set(health.drifted_days.unwrap_or(0) as f64);
    }

    /// Sets this month's usage gauges.
    pub fn record_usage(&self, gauges: UsageGauges) {
        self.organizations_ai_enabled.set(gauges.ai_enabled_orgs);
        self.organizations_viewing.set(gauges.viewing_orgs);
        self.month_loads.set(gauges.loads);
        self.month_failed_loads.set(gauges.failed_loads);
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// Reads the datamart's health and this month's usage every
/// `DATAMART_WATCH_INTERVAL` for as long as the server runs; a failed read keeps the
/// last values and is logged.
pub(crate) async fn watch_datamart(store: Arc<dyn Store>, metrics: Arc<Metrics>) {
    let mut ticks = tokio::time::interval(DATAMART_WATCH_INTERVAL);
    loop {
        ticks.tick().await;
        let now = chrono::Utc::now();
        match store.datamart_health().await {
            Ok(health) => metrics.record_health(health, now),
            Err(error) => tracing::warn!(error = %error, "cannot read the datamart's health"),
        }
        match store
            .usage_gauges(crate::usage::month_start(now.date_naive()))
            .await
        {
            Ok(gauges) => metrics.record_usage(gauges),
            Err(error) => tracing::warn!(error = %error, "cannot read this month's usage"),
        }
    }
}

/// The recorder's losses, as counters.
impl crate::server::usage_recorder::RecorderOutcome for Metrics {
    fn dropped(&self, events: u64) {
        self.usage_dropped.inc_by(events);
    }

    fn write_failed(&self, rows: u64) {
        self.usage_write_failures.inc_by(rows);
    }
}

/// Times one request into `impact_http_request_duration_seconds`, labelled by the
/// route's pattern, the method and the status (closed sets: `route_label`,
/// `method_label`).
pub async fn timed(
    metrics: Arc<Metrics>,
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use tracing::Instrument;
    // Every log line of a request carries its number, so one request's lines can be
    // followed among the others; the route is known once the router has answered.
    static REQUESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let started = std::time::Instant::now();
    let method = method_label(request.method());
    let span = tracing::info_span!(
        "request",
        request_id = REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        method,
        route = tracing::field::Empty,
    );
    let response = next.call(request).instrument(span.clone()).await?;
    let route = route_label(response.request());
    span.record("route", route.as_str());
    metrics
        .http_duration
        .with_label_values(&[&route, method, response.status().as_str()])
        .observe(started.elapsed().as_secs_f64());
    Ok(response)
}

/// The `method` label of a request: one of the methods HTTP defines, else `other`,
/// so a client inventing methods cannot create new series (every label value of a
/// metric comes from a closed set).
pub(crate) fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// The `route` label of a request: the pattern of the route that answered (a
/// closed set: the routes this server registers), else `unmatched`.
pub(crate) fn route_label(request: &actix_web::HttpRequest) -> String {
    request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string())
}

/// The product events (README, Operations), one structured log line each.
pub mod events {
    use chrono::{SecondsFormat, Utc};

    fn now() -> String {
        Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn report_viewed(org_id: &str, role: &str, date_range: &str, has_forecast: bool) {
        tracing::info!(target: "impact::events", event = "impact_report_viewed", org_id, role, date_range, has_forecast, timestamp = %now());
    }

    pub fn report_load_failed(org_id: &str, reason: &str, latency_ms: u64) {
        tracing::warn!(target: "impact::events", event = "impact_report_load_failed", org_id, reason, latency_ms, timestamp = %now());
    }

    /// `reason` is `new_organization` or `few_conversations` (METRICS.md §4.7).
    pub fn report_baseline_forming(
        org_id: &str,
        days_of_data: i64,
        conversation_count: i64,
        reason: &'static str,
    ) {
        tracing::info!(target: "impact::events", event = "impact_report_baseline_forming", org_id, days_of_data, conversation_count, reason, timestamp = %now());
    }

    pub fn forecast_rendered(
        org_id: &str,
        projected_containment: f64,
        baseline_containment: Option<f64>,
    ) {
        tracing::info!(target: "impact::events", event = "impact_forecast_rendered", org_id, projected_containment, baseline_containment, timestamp = %now());
    }

    /// A page of a figure's conversations was shown (`outcome` is the list's name).
    pub fn drilldown_viewed(org_id: &str, outcome: &str, rows: usize, latency_ms: u64) {
        tracing::info!(target: "impact::events", event = "impact_report_drilldown_viewed", org_id, outcome, rows, latency_ms, timestamp = %now());
    }

    /// A download ended (`kind`: `conversations_csv`, `conversations_xlsx`,
    /// `daily_csv` or `daily_xlsx`; `outcome` is empty for the daily series).
    /// `result` is `complete`, or, for a file cut off after its first byte,
    /// `failed` with a `reason`: `datamart_unavailable`, `workbook_error`,
    /// `client_gone` or `client_stalled` (empty when complete); `rows` are those sent.
    pub fn exported(
        org_id: &str,
        kind: &str,
        outcome: &str,
        rows: u64,
        latency_ms: u64,
        failure: Option<&'static str>,
    ) {
        let (result, reason) = match failure {
            None => ("complete", ""),
            Some(reason) => ("failed", reason),
        };
        tracing::info!(target: "impact::events", event = "impact_report_exported", org_id, kind, outcome, rows, latency_ms, result, reason, timestamp = %now());
    }

    pub fn cost_assumption_updated(
        org_id: &str,
        agent_hour_rate: i64,
        minutes_per_conversation: i64,
    ) {
        tracing::info!(target: "impact::events", event = "cost_assumption_updated", org_id, agent_hour_rate, minutes_per_conversation, timestamp = %now());
    }
}
