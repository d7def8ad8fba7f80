//! The actors of the report server (ARCHITECTURE.md):
//!
//! - `DatamartFetcher` reads one tile group of an organization's daily rows, with
//!   that group's own time limit. One fetcher serves every organization.
//! - `OrgActor` owns one organization's report inputs in the shared cache and its
//!   cost assumption. Its messages are handled one at a time (`AtomicResponse`), so
//!   an assumption write is seen by the very next read (read-your-writes).
//! - `ReportCache` is one bounded cache for every organization (moka, weighed in
//!   bytes), keyed by organization: each `OrgActor` is still the only one that reads,
//!   fills and invalidates its own entries, but an idle actor costs a few hundred
//!   bytes rather than a cache of its own.
//! - `OrgRegistry` starts an `OrgActor` per organization on first use and lets it
//!   go after an idle period, so memory stays bounded with thousands of tenants.

mod cache;
mod fetcher;
mod organization;
mod registry;

pub use cache::ReportCache;
pub use fetcher::{DatamartFetcher, FetchGroup, GroupRows};
pub use organization::{
    GetAssumption, GetProfile, GetReport, OrgActor, OrgDependencies, Refresh, SaveAssumption,
};
pub use registry::{ActorFor, Invalidate, OrgRegistry};

use std::sync::Arc;

use crate::store::StoreError;

/// Why a report could not be produced. `NotFound` reaches the caller as a 404; every
/// other cause is a 503 `report_unavailable` (the datamart is down, hung or broken),
/// its cause kept for the log.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    /// The organization does not exist or has no AI add-on: the report does not exist.
    #[error("the organization has no report")]
    NotFound,
    /// The core data could not be read; `reason` is `timeout` or `error`.
    #[error("the organization's core figures could not be read ({reason})")]
    Unavailable { reason: &'static str },
    /// A datamart read or write outside the tile groups failed (the organization,
    /// its cost assumption, the forecasts). Shared, as a cached answer can be.
    #[error("the datamart failed: {0}")]
    Store(Arc<StoreError>),
    /// The organization's actor (or the registry) did not answer.
    #[error("the organization's actor did not answer: {0}")]
    Actor(#[from] actix::MailboxError),
}

impl From<StoreError> for LoadError {
    fn from(error: StoreError) -> Self {
        LoadError::Store(Arc::new(error))
    }
}

impl LoadError {
    /// The failure's reason, from the closed set the load-failure metric and the
    /// `report_load_failed` event use: `timeout` or `error`.
    pub fn reason(&self) -> &'static str {
        match self {
            LoadError::Unavailable { reason } => reason,
            LoadError::Store(error) if matches!(error.as_ref(), StoreError::TimedOut(_)) => {
                "timeout"
            }
            _ => "error",
        }
    }
}

/// What the caller is told: the cause of a failure goes to the log, never to them.
impl From<LoadError> for crate::server::errors::ApiError {
    fn from(error: LoadError) -> Self {
        use crate::server::errors::ApiError;
        match error {
            LoadError::NotFound => ApiError::NotFound,
            LoadError::Unavailable { .. } | LoadError::Store(_) | LoadError::Actor(_) => {
                ApiError::Unavailable
            }
        }
    }
}
