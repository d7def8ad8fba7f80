//! Speed and memory of the conversation lists and downloads (issue 11) through the
//! real server, on a database that is already imported and aggregated (ideally one
//! organization with about a million rooms in its last twelve months).
//! docs/performance.md gives the figures and the commands:
//!
//! cargo run --release --example drilldown -- DATABASE_URL ORGANIZATION
//!
//! It measures, over the organization's last 365 days: the first page of every list
//! and pages deep into the longest one (p50/p95 of 20 runs each); the CSV of every
//! conversation (the six lists that split them, one after the other) with the
//! resident memory sampled while it streams; and the workbook of the most recent
//! ~100 000 contained conversations. The server runs in this process, so the
//! memory measured includes the client too (an upper bound); the client reads the
//! downloads as a stream and keeps only their size.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Duration as Days;
use futures_util::StreamExt;
use impact::domain::{DateRange, OrgId};
use impact::server::auth::{sign_hs256, Claims, Role};
use impact::server::{Application, Mode};
use impact::settings::Settings;

const SECRET: &str = "a-benchmark-secret-of-some-length";

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .unwrap_or(0)
}

fn quantiles(mut timings: Vec<Duration>) -> String {
    timings.sort();
    let pick = |q: f64| timings[((timings.len() - 1) as f64 * q).round() as usize];
    format!(
        "p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.95).as_secs_f64() * 1e3,
        pick(1.0).as_secs_f64() * 1e3
    )
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(org)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: drilldown DATABASE_URL ORGANIZATION");
    };
    let org = OrgId::parse(&org).map_err(|e| anyhow::anyhow!("{e}"))?;
    let work = tempfile::tempdir()?;
    let flags = work.path().join("flags.toml");
    std::fs::write(&flags, "[defaults]\nai_agent_impact_report = true\n")?;
    let mut settings = Settings::load(None)?;
    settings.database.url = url.clone();
    settings.server.port = 0;
    settings.auth.jwt_secret = SECRET.into();
    settings.flags.path = flags;
    settings.nightly.enabled = false;
    let application = Application::build(settings, Mode::Production).await?;
    let store = Arc::clone(&application.store);
    let base = format!("http://127.0.0.1:{}", application.port());
    actix_web::rt::spawn(application.into_server());
    let token = sign_hs256(
        SECRET,
        &Claims {
            sub: "benchmark".into(),
            org_id: org.to_string(),
            role: Role::Owner,
            locale: impact::i18n::Lang::En,
            exp: chrono::Utc::now().timestamp() + 3600,
            nbf: None,
        },
    )?;
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(120))
        .finish();
    let get = |path: String| {
        let (client, token, base) = (client.clone(), token.clone(), base.clone());
        async move {
            let mut response = client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
            anyhow::ensure!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            let body = response.body().limit(64 << 20).await?;
            Ok::<_, anyhow::Error>(serde_json::from_slice::<serde_json::Value>(&body)?)
        }
    };

    let through = store
        .activity(&org)
        .await?
        .data_through
        .ok_or_else(|| anyhow::anyhow!("{org} has no aggregated days"))?;
    let range = DateRange::new(through - Days::days(364), through)?;
    let span = format!("from={}&to={}", range.from(), range.to());
    let report = get(format!("/api/v1/reports/ai-agent-impact?{span}")).await?;
    println!(
        "{org}, {} to {}: {} conversations in all ({} counted, {} test chats, {} spam)",
        range.from(),
        range.to(),
        report["ledger"]["all"],
        report["ledger"]["counted"],
        report["ledger"]["test_chats"],
        report["ledger"]["spam"]
    );

    // The first page of every list, 20 times each.
    let lists = [
        "solved_alone",
        "came_back",
        "ai_only",
        "ai_assisted",
        "escalated",
        "other",
        "after_hours",
        "test_chat",
        "spam",
    ];
    let mut first_pages = Vec::new();
    for _ in 0..20 {
        for list in lists {
            let started = Instant::now();
            get(format!(
                "/api/v1/reports/ai-agent-impact/conversations?outcome={list}&{span}"
            ))
            .await?;
            first_pages.push(started.elapsed());
        }
    }
    println!(
        "first page (50 rows), every list, 180 requests: {}",
        quantiles(first_pages)
    );

    // Later pages: follow the cursor 200 pages into the longest list, then time 20
    // reads of each of the pages 10, 50, 100 and 200 from there.
    let mut cursors = Vec::new();
    let mut path = format!("/api/v1/reports/ai-agent-impact/conversations?outcome=ai_only&{span}");
    let mut page_number = 1;
    while page_number <= 200 {
        let page = get(path.clone()).await?;
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        path = format!(
            "/api/v1/reports/ai-agent-impact/conversations?outcome=ai_only&{span}&cursor={cursor}"
        );
        page_number += 1;
        if [10, 50, 100, 200].contains(&page_number) {
            cursors.push(path.clone());
        }
    }
    let mut later_pages = Vec::new();
    for _ in 0..20 {
        for path in &cursors {
            let started = Instant::now();
            get(path.clone()).await?;
            later_pages.push(started.elapsed());
        }
    }
    println!(
        "later pages (10th, 50th, 100th, 200th of ai_only), {} requests: {}",
        later_pages.len(),
        quantiles(later_pages)
    );

    // Every conversation as CSV: the six lists that split them, one after the other,
    // read as a stream while a sampler keeps the peak resident memory.
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (Arc::clone(&peak), Arc::clone(&sampling));
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let download = |path: String| {
        let (client, token, base) = (client.clone(), token.clone(), base.clone());
        async move {
            let mut response = client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
            anyhow::ensure!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            let (mut bytes, mut lines) = (0u64, 0u64);
            while let Some(chunk) = response.next().await {
                let chunk = chunk.map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
                bytes += chunk.len() as u64;
                lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
            }
            Ok::<_, anyhow::Error>((bytes, lines))
        }
    };
    let before = rss_kib();
    let started = Instant::now();
    let (mut bytes, mut rows) = (0u64, 0u64);
    for list in [
        "ai_only",
        "ai_assisted",
        "escalated",
        "other",
        "test_chat",
        "spam",
    ] {
        let list_started = Instant::now();
        let (size, lines) = download(format!(
            "/api/v1/reports/ai-agent-impact/conversations.csv?outcome={list}&{span}"
        ))
        .await?;
        println!(
            "  {list}.csv: {} rows, {:.1} MB in {:.2} s",
            lines.saturating_sub(1),
            size as f64 / 1e6,
            list_started.elapsed().as_secs_f64()
        );
        bytes += size;
        rows += lines.saturating_sub(1);
    }
    let csv_time = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    println!(
        "every conversation as CSV: {rows} rows, {:.1} MB in {:.2} s; resident memory {:.0} MiB before, peak {:.0} MiB while streaming",
        bytes as f64 / 1e6,
        csv_time.as_secs_f64(),
        before as f64 / 1024.0,
        peak.load(Ordering::Relaxed) as f64 / 1024.0
    );

    // The workbook of the most recent ~100 000 contained conversations.
    let days = store.daily_counters(&org, range).await?;
    let mut from = range.to();
    let mut contained = 0;
    for row in days.iter().rev() {
        contained += row.contained;
        from = row.day;
        if contained >= 100_000 {
            break;
        }
    }
    let started = Instant::now();
    let (size, _) = download(format!(
        "/api/v1/reports/ai-agent-impact/conversations.xlsx?outcome=ai_only&from={from}&to={}",
        range.to()
    ))
    .await?;
    println!(
        "workbook of {contained} conversations ({from} to {}): {:.1} MB in {:.2} s",
        range.to(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
