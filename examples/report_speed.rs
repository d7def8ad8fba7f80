//! Measures the 12-month report alone, many times over, on a datamart a run of
//! `examples/benchmark` left behind: its median is steadier than the benchmark's 35
//! runs, so two builds can be compared by running them in turns on the same file
//! or database (docs/performance.md).
//!
//! cargo run --release --example report_speed -- DATABASE_URL [ROUNDS]
//!
//! Each round reads the report of every organization with the add-on once, for the
//! 12 months up to its last stored day (200 rounds unless told).

use std::time::Instant;

use anyhow::Context;
use chrono::Duration as Days;
use impact::domain::DateRange;
use impact::report::load_report;
use impact::settings::Settings;
use impact::store;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(url) = args.next() else {
        anyhow::bail!("usage: report_speed DATABASE_URL [ROUNDS]");
    };
    let rounds: usize = match args.next() {
        Some(text) => text.parse().context("ROUNDS is a whole number")?,
        None => 200,
    };
    anyhow::ensure!(rounds > 0, "ROUNDS is at least 1");
    let settings = Settings::load(None)?;
    let store = store::open(&url, 8).await?;
    let mut reports = Vec::new();
    for organization in store.organizations().await? {
        if !organization.ai_addon {
            continue;
        }
        let Some(to) = store.activity(&organization.id).await?.data_through else {
            continue;
        };
        reports.push((organization.id, DateRange::new(to - Days::days(364), to)?));
    }
    anyhow::ensure!(!reports.is_empty(), "the datamart holds no report to read");
    let mut timings = Vec::with_capacity(rounds * reports.len());
    for _ in 0..rounds {
        for (org, range) in &reports {
            let started = Instant::now();
            load_report(store.as_ref(), org, *range, &settings.report).await?;
            timings.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    timings.sort_by(f64::total_cmp);
    let at = |q: f64| timings[((timings.len() - 1) as f64 * q).round() as usize];
    println!(
        "{}: {} reports, median {:.3} ms, p10 {:.3} ms, p90 {:.3} ms",
        store.backend(),
        timings.len(),
        at(0.5),
        at(0.1),
        at(0.9)
    );
    Ok(())
}
