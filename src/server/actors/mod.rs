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

use crate::store::StoreError;

/// Why a report could not be produced.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// The organization does not exist or has no AI add-on: the report does not exist.
    NotFound,
    /// The core data could not be read; `reason` is `timeout` or `error`.
    Unavailable { reason: &'static str },
    /// Something else failed; the cause is for the log.
    Failed(String),
}

impl From<StoreError> for LoadError {
    fn from(error: StoreError) -> Self {
        LoadError::Failed(error.to_string())
    }
}
