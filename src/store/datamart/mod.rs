//! The datamart's capabilities, each written once over the `Driver` seam: one file
//! a capability, the same SQL (for the backend's `Dialect`) and the same decoding
//! for SQLite and PostgreSQL. A backend file only runs statements.

mod aggregation;
mod assumption;
mod coordination;
mod import;
mod migrate;
mod organizations;
mod partitions;
mod report;
mod turn;
mod usage;
mod write;

pub(crate) use aggregation::baseline_statement;
pub(crate) use assumption::upsert_cost_assumption;
pub(crate) use import::begin_import;
pub(crate) use migrate::migrate;
pub(crate) use organizations::organization;
pub use turn::{WriteTurn, WriteTurns};
