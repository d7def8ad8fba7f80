//! The AI Agent Impact Report server. `main.rs` only hands the command line to
//! [`cli::run`]; everything else lives in these modules (see ARCHITECTURE.md).

pub mod aggregate;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod forecast_commands;
pub mod generate;
pub mod i18n;
pub mod import;
pub mod metrics;
pub mod report_loader;
pub mod sentiment;
pub mod server;
pub mod settings;
pub mod store;
pub mod text;
pub mod text_report;
