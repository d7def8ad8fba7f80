//! Memory and latency of `impact serve` with many organizations, each opening its
//! report once (cold). docs/performance.md gives the figures and the command:
//!
//! cargo run --release --example many_orgs -- [ORGANIZATIONS] [DATABASE_URL]
//!
//! Defaults: 10 000 organizations, a fresh SQLite file in a temporary directory.
//! Every organization gets 30 days of datamart rows; the server runs in this
//! process (so the resident memory measured includes the HTTP client too: an upper
//! bound), and each organization's report for those 30 days is asked for once, 8 at
//! a time. Then a saved cost assumption must show in the very next report.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use impact::domain::OrgId;
use impact::import::import_dir;
use impact::metrics::DailyCounters;
use impact::server::auth::{sign_hs256, Claims, Role};
use impact::server::{Application, Mode};
use impact::settings::Settings;
use impact::store;

const SECRET: &str = "a-benchmark-secret-of-some-length";

/// Resident memory of this process, in MiB.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn token(org: &str) -> anyhow::Result<String> {
    Ok(sign_hs256(
        SECRET,
        &Claims {
            sub: "bench".into(),
            org_id: org.into(),
            role: Role::Owner,
            locale: impact::i18n::Lang::En,
            exp: chrono::Utc::now().timestamp() + 3600,
            nbf: None,
        },
    )?)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let organizations: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(10_000);
    let work = tempfile_dir()?;
    let url = args
        .next()
        .unwrap_or_else(|| format!("sqlite://{}/impact.sqlite", work.display()));
    actix_web::rt::System::new().block_on(run(organizations, url, work))
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("impact-many-orgs-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn run(organizations: usize, url: String, work: std::path::PathBuf) -> anyhow::Result<()> {
    let ids: Vec<String> = (0..organizations).map(|n| format!("org_{n:05}")).collect();
    let store = store::open(&url, 8).await?;
    let lines: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"id":"{id}","name":"Toko {id}","ai_addon":true,"timezone":"Asia/Jakarta"}}"#
            )
        })
        .collect();
    std::fs::write(work.join("organizations.ndjson"), lines.join("\n"))?;
    import_dir(store.as_ref(), &work, false).await?;
    let first = NaiveDate::from_ymd_opt(2026, 10, 1).ok_or_else(|| anyhow::anyhow!("date"))?;
    for (index, id) in ids.iter().enumerate() {
        let rows: Vec<DailyCounters> = first
            .iter_days()
            .take(30)
            .map(|day| DailyCounters {
                day,
                eligible: 100 + (index % 17) as i64,
                ai_handled: 80,
                contained: 50,
                reopened: 5,
                ai_assisted: 20,
                escalated: 20,
                other: 10 + (index % 17) as i64,
                contained_customer_messages: 150,
                ..DailyCounters::empty(day)
            })
            .collect();
        store
            .write_days(&OrgId::parse(id)?, &rows, Vec::new(), Some(first), None)
            .await?;
    }
    drop(store);
    let flags = work.join("flags.toml");
    std::fs::write(&flags, "[defaults]\nai_agent_impact_report = true\n")?;

    let mut settings = Settings::load(None)?;
    settings.database.url = url.clone();
    settings.server.port = 0;
    settings.auth.jwt_secret = SECRET.into();
    settings.flags.path = flags;
    settings.nightly.enabled = false;
    let application = Application::build(settings, Mode::Production).await?;
    let base = format!("http://127.0.0.1:{}", application.port());
    actix_web::rt::spawn(application.into_server());
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let path = "/api/v1/reports/ai-agent-impact?from=2026-10-01&to=2026-10-30";
    // One warm-up request, so the measurement starts with the server fully up.
    client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let before = rss_mib();

    let started = Instant::now();
    let latencies = Arc::new(std::sync::Mutex::new(Vec::with_capacity(organizations)));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let ids = Arc::new(ids);
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (client, latencies, next, ids, base) = (
            client.clone(),
            Arc::clone(&latencies),
            Arc::clone(&next),
            Arc::clone(&ids),
            base.clone(),
        );
        workers.push(actix_web::rt::spawn(async move {
            loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(id) = ids.get(index) else { break };
                let Ok(token) = token(id) else { break };
                let asked = Instant::now();
                let status = match client
                    .get(format!("{base}{path}"))
                    .bearer_auth(token)
                    .send()
                    .await
                {
                    Ok(mut response) => {
                        let _ = response.body().limit(1 << 20).await;
                        response.status().as_u16()
                    }
                    Err(_) => 0,
                };
                let elapsed = asked.elapsed();
                if let Ok(mut latencies) = latencies.lock() {
                    latencies.push((elapsed, status));
                }
            }
        }));
    }
    for worker in workers {
        let _ = worker.await;
    }
    let total = started.elapsed();
    // Let the allocator settle before reading the resident size.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let after = rss_mib();

    let mut measured = latencies
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .clone();
    let ok = measured.iter().filter(|(_, status)| *status == 200).count();
    measured.sort();
    let quantile = |q: f64| {
        measured
            .get(((measured.len() as f64 - 1.0) * q).round() as usize)
            .map(|(d, _)| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN)
    };
    println!(
        "{organizations} organizations, one cold report each: {ok} answered 200 in {:.1} s",
        total.as_secs_f64()
    );
    println!(
        "latency: median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        quantile(0.5),
        quantile(0.95),
        quantile(1.0)
    );
    println!("resident memory: {before:.0} MiB before, {after:.0} MiB after");

    // Per-organization ordering: a saved assumption is in the very next report.
    for id in ids.iter().take(20) {
        let token = token(id)?;
        let saved = client
            .put(format!(
                "{base}/api/v1/reports/ai-agent-impact/cost-assumption"
            ))
            .bearer_auth(&token)
            .send_json(
                &serde_json::json!({"agent_hour_rate": 30000, "minutes_per_conversation": 6}),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .status();
        let report: serde_json::Value = client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .json()
            .limit(1 << 20)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::ensure!(
            saved.is_success() && report["work_absorbed"]["status"] == "ok",
            "{id}: the saved assumption is not in the next report"
        );
    }
    println!("a saved assumption was in the very next report (20 organizations checked)");
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
