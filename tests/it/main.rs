//! Every integration test, in one test crate (one binary to build and link): each
//! module drives the real `impact` binary, the stores or the server. `common` holds
//! the throwaway databases and fixtures; `server_common` starts the server.
//! Run one module with `cargo test --test it <module>::`.

mod common;
mod server_common;

mod alert_rules;
mod browser;
mod calibration;
mod crashes;
mod cross_backend;
mod drilldown;
mod fixtures;
mod forecast;
mod generate;
mod hardening;
mod hostile_lists;
mod import_errors;
mod launch_kpis;
mod metric_truth;
mod mongodb_failure;
mod mongodb_summaries;
mod nightly;
mod openapi;
mod oracle;
mod partitions;
mod postgres_restart;
mod properties;
mod restatement;
mod schemathesis;
mod serve_binary;
mod server_api;
mod server_degradation;
mod store_conformance;
mod tidy;
