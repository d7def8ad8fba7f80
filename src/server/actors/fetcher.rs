//! `DatamartFetcher`: reads one tile group of an organization's daily rows, with
//! that group's own time limit. One fetcher serves every organization.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;

use crate::domain::{DateRange, OrgId};

use crate::metrics::baseline::Baseline;
use crate::metrics::{DailyCounters, TileGroup};
use crate::server::observability::Metrics;
use crate::store::{OrgActivity, ReportStore, StoreError};

pub struct DatamartFetcher {
    store: Arc<dyn ReportStore>,
    metrics: Arc<Metrics>,
}

impl DatamartFetcher {
    pub fn new(store: Arc<dyn ReportStore>, metrics: Arc<Metrics>) -> Self {
        Self { store, metrics }
    }
}

impl Actor for DatamartFetcher {
    type Context = Context<Self>;
}

/// What one tile group's read returned.
#[derive(Debug, Clone)]
pub struct GroupRows {
    pub rows: Vec<DailyCounters>,
    /// Read with the core group only: how fresh and how long the history is,
    /// and the onboarding baseline.
    pub activity: Option<(OrgActivity, Option<Baseline>)>,
}

#[derive(Message)]
#[rtype(result = "Result<GroupRows, &'static str>")]
pub struct FetchGroup {
    pub org: OrgId,
    pub range: DateRange,
    pub group: TileGroup,
    pub timeout: Duration,
}

impl Handler<FetchGroup> for DatamartFetcher {
    type Result = ResponseFuture<Result<GroupRows, &'static str>>;

    fn handle(&mut self, message: FetchGroup, _: &mut Self::Context) -> Self::Result {
        use tracing::Instrument;
        let store = Arc::clone(&self.store);
        let metrics = Arc::clone(&self.metrics);
        // The read runs on the fetcher's own task, outside the request's span: its
        // lines carry a span of their own, the organization and the tile group.
        let span = tracing::info_span!(
            "tile_group",
            org_id = %message.org,
            group = message.group.name(),
        );
        Box::pin(async move {
            let FetchGroup {
                org,
                range,
                group,
                timeout,
            } = message;
            let read = async {
                let rows = store.daily_group(&org, range, group).await?;
                let activity = match group {
                    TileGroup::Core => Some((
                        store.activity(&org).await?,
                        store.onboarding_baseline(&org).await?,
                    )),
                    _ => None,
                };
                Ok::<_, StoreError>(GroupRows { rows, activity })
            };
            let started = std::time::Instant::now();
            let result = tokio::time::timeout(timeout, read).await;
            // The timer ticks by the millisecond, so a read can end just past its
            // limit and still be let through; the limit is kept exactly (a limit of
            // 0 always runs out).
            let result = match result {
                Ok(_) if started.elapsed() >= timeout => None,
                Ok(read) => Some(read),
                Err(_) => None,
            };
            match result {
                Some(Ok(rows)) => Ok(rows),
                Some(Err(error)) => {
                    metrics
                        .fetch_failures
                        .with_label_values(&[group.name()])
                        .inc();
                    tracing::warn!(org_id = %org, tile = group.name(), error = %error, "datamart read failed");
                    Err("error")
                }
                None => {
                    metrics
                        .fetch_timeouts
                        .with_label_values(&[group.name()])
                        .inc();
                    tracing::warn!(org_id = %org, tile = group.name(), timeout_ms = timeout.as_millis() as u64, "datamart read timed out");
                    Err("timeout")
                }
            }
        }
        .instrument(span))
    }
}
