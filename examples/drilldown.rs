//! Speed and memory of the conversation lists and downloads (issue 11) through the
//! real server, on a database that is already imported and aggregated (ideally one
//! organization with about a million rooms in its last twelve months).
//! docs/performance.md gives the figures and the commands:
//!
//! cargo build --release && cargo run --release --example drilldown -- DATABASE_URL ORGANIZATION
//!
//! It starts `target/release/impact serve` on the database, then measures over the
//! organization's last 365 days: the first page of every list and pages deep into
//! the longest one (20 runs each); the CSV of every conversation (the six lists that
//! split them, one after the other) while it samples the server's resident memory;
//! and the workbook of the most recent ~100 000 contained conversations. The
//! requests are made by curl (one connection per batch, its own `time_total` per
//! request): actix's own client does not set TCP_NODELAY, and its delayed
//! acknowledgements measured 100 to 400 ms per request that the server did not spend.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Duration as Days;
use impact::domain::{DateRange, OrgId};
use impact::metrics::rooms::ConversationList;
use impact::server::auth::{sign_hs256, Claims, Role};

const SECRET: &str = "a-benchmark-secret-of-some-length";
const PORT: u16 = 18_181;

/// Samples a process's resident memory every 10 ms into its peak (KiB) until the
/// flag is cleared; join the thread after.
fn sample_peak(
    pid: u32,
) -> (
    Arc<AtomicU64>,
    Arc<std::sync::atomic::AtomicBool>,
    std::thread::JoinHandle<()>,
) {
    let peak = Arc::new(AtomicU64::new(rss_kib(pid)));
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (Arc::clone(&peak), Arc::clone(&sampling));
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    (peak, sampling, sampler)
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
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

fn quantiles(mut timings: Vec<f64>) -> String {
    timings.sort_by(f64::total_cmp);
    let pick = |q: f64| timings[((timings.len() - 1) as f64 * q).round() as usize];
    format!(
        "p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        pick(0.5) * 1e3,
        pick(0.95) * 1e3,
        pick(1.0) * 1e3
    )
}

/// Fetches `paths` over one connection; returns each one's (seconds, bytes, body file).
fn curl(token: &str, paths: &[String], keep: bool) -> anyhow::Result<Vec<(f64, u64, String)>> {
    let dir = tempfile::tempdir()?;
    let mut config = String::new();
    let mut files = Vec::new();
    for (index, path) in paths.iter().enumerate() {
        let file = dir.path().join(format!("{index}.out"));
        if index > 0 {
            config.push_str("next\n");
        }
        config.push_str(&format!(
            "url = \"http://127.0.0.1:{PORT}{path}\"\nheader = \"Authorization: Bearer {token}\"\noutput = \"{}\"\nwrite-out = \"%{{http_code}} %{{time_total}} %{{size_download}}\\n\"\nsilent\n",
            file.display()
        ));
        files.push(file);
    }
    let mut child = Command::new("curl")
        .args(["-K", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .ok_or_else(|| anyhow::anyhow!("curl's stdin"))?
        .write_all(config.as_bytes())?;
    let output = child.wait_with_output()?;
    let mut results = Vec::new();
    for (line, file) in String::from_utf8_lossy(&output.stdout).lines().zip(&files) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        anyhow::ensure!(fields.first() == Some(&"200"), "{line}");
        let body = if keep {
            std::fs::read_to_string(file)?
        } else {
            String::new()
        };
        results.push((fields[1].parse()?, fields[2].parse()?, body));
    }
    anyhow::ensure!(
        results.len() == paths.len(),
        "curl answered {} of {}",
        results.len(),
        paths.len()
    );
    Ok(results)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(org)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: drilldown DATABASE_URL ORGANIZATION");
    };
    let org = OrgId::parse(&org).map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = impact::store::open(&url, 2).await?;
    let work = tempfile::tempdir()?;
    let flags = work.path().join("flags.toml");
    std::fs::write(&flags, "[defaults]\nai_agent_impact_report = true\n")?;
    let binary = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/impact");
    let mut server = Command::new(&binary)
        .args(["serve", "--database-url", &url])
        .env("IMPACT__AUTH__JWT_SECRET", SECRET)
        .env("IMPACT__FLAGS__PATH", &flags)
        .env("IMPACT__SERVER__PORT", PORT.to_string())
        .env("IMPACT__NIGHTLY__ENABLED", "false")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| anyhow::anyhow!("{}: {e} (cargo build --release first)", binary.display()))?;
    let pid = server.id();
    let result = measure(store.as_ref(), &org, pid).await;
    let _ = server.kill();
    result
}

async fn measure(store: &dyn impact::store::Store, org: &OrgId, pid: u32) -> anyhow::Result<()> {
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
    for _ in 0..50 {
        if curl(&token, &["/healthz".to_string()], false).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let through = store
        .activity(org)
        .await?
        .data_through
        .ok_or_else(|| anyhow::anyhow!("{org} has no aggregated days"))?;
    let range = DateRange::new(through - Days::days(364), through)?;
    let span = format!("from={}&to={}", range.from(), range.to());
    let report: serde_json::Value = serde_json::from_str(
        &curl(
            &token,
            &[format!("/api/v1/reports/ai-agent-impact?{span}")],
            true,
        )?[0]
            .2,
    )?;
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
    let lists = ConversationList::ALL.map(ConversationList::name);
    let first: Vec<String> = (0..20)
        .flat_map(|_| lists.iter())
        .map(|list| format!("/api/v1/reports/ai-agent-impact/conversations?outcome={list}&{span}"))
        .collect();
    let timings = curl(&token, &first, false)?
        .into_iter()
        .map(|(t, _, _)| t)
        .collect();
    println!(
        "first page (50 rows), every list, {} requests: {}",
        first.len(),
        quantiles(timings)
    );

    // Later pages: follow the cursor 200 pages into the longest list, then time 20
    // reads of each of the pages 10, 50, 100 and 200.
    let base = format!("/api/v1/reports/ai-agent-impact/conversations?outcome=ai_only&{span}");
    let mut path = base.clone();
    let mut deep = Vec::new();
    for page in 2..=200 {
        let body = curl(&token, &[path.clone()], true)?.remove(0).2;
        let value: serde_json::Value = serde_json::from_str(&body)?;
        let Some(cursor) = value["next_cursor"].as_str() else {
            break;
        };
        path = format!("{base}&cursor={cursor}");
        if [10, 50, 100, 200].contains(&page) {
            deep.push(path.clone());
        }
    }
    let later: Vec<String> = (0..20).flat_map(|_| deep.iter().cloned()).collect();
    let timings = curl(&token, &later, false)?
        .into_iter()
        .map(|(t, _, _)| t)
        .collect();
    println!(
        "later pages (10th, 50th, 100th, 200th of ai_only), {} requests: {}",
        later.len(),
        quantiles(timings)
    );

    // Every conversation as CSV while a sampler keeps the server's peak memory.
    let (peak, sampling, sampler) = sample_peak(pid);
    let before = rss_kib(pid);
    let started = Instant::now();
    let files: Vec<String> = [
        "ai_only",
        "ai_assisted",
        "escalated",
        "other",
        "test_chat",
        "spam",
    ]
    .iter()
    .map(|list| format!("/api/v1/reports/ai-agent-impact/conversations.csv?outcome={list}&{span}"))
    .collect();
    let downloads = curl(&token, &files, false)?;
    let wall = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    let bytes: u64 = downloads.iter().map(|(_, size, _)| size).sum();
    for (path, (seconds, size, _)) in files.iter().zip(&downloads) {
        println!(
            "  {}: {:.1} MB in {seconds:.2} s",
            path.split('?').nth(1).unwrap_or_default(),
            *size as f64 / 1e6
        );
    }
    println!(
        "every conversation as CSV ({} rows): {:.1} MB in {:.2} s; server resident memory {:.0} MiB before, peak {:.0} MiB while streaming",
        report["ledger"]["all"],
        bytes as f64 / 1e6,
        wall.as_secs_f64(),
        before as f64 / 1024.0,
        peak.load(Ordering::Relaxed) as f64 / 1024.0
    );

    // The workbook of the most recent ~100 000 contained conversations.
    let days = store.daily_counters(org, range).await?;
    let mut from = range.to();
    let mut contained = 0;
    for row in days.iter().rev() {
        contained += row.contained;
        from = row.day;
        if contained >= 100_000 {
            break;
        }
    }
    let path = format!(
        "/api/v1/reports/ai-agent-impact/conversations.xlsx?outcome=ai_only&from={from}&to={}",
        range.to()
    );
    let (seconds, size, _) = curl(&token, std::slice::from_ref(&path), false)?.remove(0);
    println!(
        "workbook of {contained} conversations ({from} to {}): {:.1} MB in {seconds:.2} s; server peak memory {:.0} MiB",
        range.to(),
        size as f64 / 1e6,
        rss_kib(pid).max(peak.load(Ordering::Relaxed)) as f64 / 1024.0
    );

    // Eight of those workbooks asked for at once (the server streams at most
    // `server.max_downloads_at_once`, 4 by default; the others get 429): memory
    // before, at its peak, and a second after the last one ended.
    let before = rss_kib(pid);
    let (peak, sampling, sampler) = sample_peak(pid);
    let started = Instant::now();
    let clients: Vec<std::process::Child> = (0..8)
        .map(|_| {
            Command::new("curl")
                .args([
                    "--silent",
                    "--output",
                    "/dev/null",
                    "--write-out",
                    "%{http_code}",
                    "--header",
                    &format!("Authorization: Bearer {token}"),
                    &format!("http://127.0.0.1:{PORT}{path}"),
                ])
                .stdout(Stdio::piped())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    let mut codes = Vec::new();
    for client in clients {
        codes.push(String::from_utf8_lossy(&client.wait_with_output()?.stdout).into_owned());
    }
    let wall = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    std::thread::sleep(Duration::from_secs(1));
    println!(
        "8 such workbooks at once: {} answered 200 and {} 429 in {:.2} s; server memory {:.0} MiB before, peak {:.0} MiB, {:.0} MiB a second after",
        codes.iter().filter(|code| *code == "200").count(),
        codes.iter().filter(|code| *code == "429").count(),
        wall.as_secs_f64(),
        before as f64 / 1024.0,
        peak.load(Ordering::Relaxed) as f64 / 1024.0,
        rss_kib(pid) as f64 / 1024.0
    );
    Ok(())
}
