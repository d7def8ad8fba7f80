//! The AI Agent Impact Report server. `main.rs` only hands the command line to
//! `cli::main`; everything else lives in these modules (see ARCHITECTURE.md).

pub mod aggregate;
pub mod cli;
pub mod domain;
pub(crate) mod exports;
pub mod generate;
pub mod i18n;
pub mod import;
pub mod kpis;
pub mod metrics;
pub mod pipeline;
pub mod report;
pub mod sentiment;
pub mod server;
pub mod settings;
pub mod store;
pub mod text;
pub mod usage;
pub mod verify;
