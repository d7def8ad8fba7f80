//! PostgreSQL restarts while two `impact serve` instances are under load. The test
//! gets a private PostgreSQL cluster (initdb and pg_ctl from the installed server,
//! in a temporary directory, on its own port), so restarting it disturbs no other
//! test. PostgreSQL refuses to run as root: as root the cluster runs as the
//! `postgres` user. Without the server's programs this test fails, it never skips.
//!
//! What must hold: a report already cached keeps being served while the database
//! is down; an uncached one gets the error state (503 with our JSON error) and
//! `/readyz` says the database is unavailable; nothing answers 500; the first
//! request after PostgreSQL is back succeeds; and a cost assumption saved on one
//! instance afterwards reaches the other (its LISTEN connection came back).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::server_common::{eventually, load_fixture, serve, token, FLAGS_ON};
use impact::server::auth::Role;

/// The newest installed PostgreSQL's programs.
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server programs are required (/usr/lib/postgresql/*/bin)")
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("initdb and pg_ctl are required (Debian's postgresql package)")
}

/// A PostgreSQL cluster of its own, stopped and removed when dropped.
struct PrivateCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PrivateCluster {
    /// Runs one of PostgreSQL's programs, as `postgres` when we are root.
    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        let output = command
            .args(args)
            .output()
            .expect("run a PostgreSQL program");
        assert!(
            output.status.success(),
            "{} {args:?}: {}{}",
            program.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn start_up() -> Self {
        let bin = postgres_bin();
        let dir = tempfile::tempdir().expect("dir");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let cluster = Self { dir, bin, port };
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        cluster.start();
        cluster
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
    }

    fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = Command::new(if is_root() { "runuser" } else { "true" })
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
        if !is_root() {
            let _ = Command::new(self.bin.join("pg_ctl"))
                .args(["-D", &data, "-m", "immediate", "stop"])
                .output();
        }
    }
}

fn create_database(cluster: &PrivateCluster) {
    let created = Command::new("psql")
        .args([
            &cluster.url("postgres"),
            "-q",
            "-c",
            "CREATE DATABASE impact",
        ])
        .status()
        .expect("psql is required (Debian's postgresql-client)");
    assert!(created.success(), "cannot create the test database");
}

async fn status(client: &awc::Client, url: &str, token: &str) -> (u16, serde_json::Value) {
    match client.get(url).bearer_auth(token).send().await {
        Ok(mut response) => {
            let body = response.body().limit(10 << 20).await.unwrap_or_default();
            (
                response.status().as_u16(),
                serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
            )
        }
        Err(_) => (0, serde_json::Value::Null),
    }
}

#[actix_web::test]
async fn a_postgres_restart_under_load_degrades_and_recovers() {
    let cluster = PrivateCluster::start_up();
    create_database(&cluster);
    let url = cluster.url("impact");
    load_fixture(&url).await;
    let (_flags_dir, flags_path) = crate::server_common::flags_file(FLAGS_ON);
    let first = serve(&url, &flags_path);
    let second = serve(&url, &flags_path);
    let base = |port: u16| format!("http://127.0.0.1:{port}");
    let report = |port: u16, from: &str, to: &str| {
        format!(
            "{}/api/v1/reports/ai-agent-impact?from={from}&to={to}",
            base(port)
        )
    };
    let owner = token("org_demo", Role::Owner);
    let client = crate::server_common::client();

    // Warm the first instance's cache for October.
    let cached = report(first.port, "2026-10-01", "2026-10-31");
    assert_eq!(status(&client, &cached, &owner).await.0, 200);

    // Load on both instances for the whole test: every answer is recorded.
    let seen: Arc<Mutex<Vec<u16>>> = Arc::default();
    let running = Arc::new(AtomicBool::new(true));
    let load = {
        let (seen, running, owner) = (Arc::clone(&seen), Arc::clone(&running), owner.clone());
        let urls = [
            cached.clone(),
            report(second.port, "2026-10-01", "2026-10-31"),
            report(first.port, "2026-09-01", "2026-09-30"),
        ];
        actix_web::rt::spawn(async move {
            let client = crate::server_common::client();
            while running.load(Ordering::Relaxed) {
                for url in &urls {
                    let answer = status(&client, url, &owner).await.0;
                    seen.lock().expect("seen").push(answer);
                }
                actix_web::rt::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;

    cluster.stop();
    // Down: the cached report is still served; an uncached one is the error state.
    assert_eq!(
        status(&client, &cached, &owner).await.0,
        200,
        "cached report while down"
    );
    let (code, body) = status(
        &client,
        &report(first.port, "2026-08-01", "2026-08-31"),
        &owner,
    )
    .await;
    assert_eq!(code, 503, "uncached report while down: {body}");
    assert_eq!(body["error"]["code"], "report_unavailable");
    let ready = status(&client, &format!("{}/readyz", base(first.port)), &owner).await;
    assert_eq!(ready.0, 503, "{}", ready.1);
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;

    cluster.start();
    // Back: the very first request for another uncached range succeeds.
    let (code, body) = status(
        &client,
        &report(first.port, "2026-07-01", "2026-07-31"),
        &owner,
    )
    .await;
    assert_eq!(code, 200, "first request after the restart: {body}");

    // An assumption saved on the second instance reaches the first one's report.
    let saved = client
        .put(format!(
            "{}/api/v1/reports/ai-agent-impact/cost-assumption",
            base(second.port)
        ))
        .bearer_auth(&owner)
        .send_json(&serde_json::json!({"agent_hour_rate": 77_000, "minutes_per_conversation": 7}))
        .await
        .expect("save")
        .status()
        .as_u16();
    assert_eq!(saved, 200);
    let reached = eventually(15, || {
        let (client, cached, owner) = (&client, &cached, &owner);
        async move {
            let (code, body) = status(client, cached, owner).await;
            let net = body["containment"]["net"].as_f64().unwrap_or(-1.0);
            code == 200
                && body["work_absorbed"]["hours"]
                    .as_f64()
                    .is_some_and(|hours| (hours - net * 7.0 / 60.0).abs() < 1e-9)
        }
    })
    .await;
    assert!(
        reached,
        "the other instance never heard of the new assumption"
    );

    running.store(false, Ordering::Relaxed);
    let _ = load.await;
    let seen = seen.lock().expect("seen").clone();
    assert!(seen.len() > 20, "too little load: {seen:?}");
    assert!(
        seen.iter().all(|code| *code == 200 || *code == 503),
        "answers under load were only 200 or 503: {seen:?}"
    );
    assert!(Path::new(&cluster.data()).exists());
}

/// Every process of the cluster: the postmaster and its children.
fn cluster_processes(cluster: &PrivateCluster) -> Vec<String> {
    let pid_file = std::fs::read_to_string(cluster.dir.path().join("data/postmaster.pid"))
        .expect("postmaster.pid");
    let postmaster = pid_file
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let children = Command::new("pgrep")
        .args(["-P", &postmaster])
        .output()
        .expect("pgrep (procps)");
    std::iter::once(postmaster)
        .chain(
            String::from_utf8_lossy(&children.stdout)
                .split_whitespace()
                .map(str::to_string),
        )
        .collect()
}

fn signal(processes: &[String], name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .args(processes)
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{name} {processes:?}");
}

/// The load-failure counter of `/metrics` for one reason.
async fn load_failures(client: &awc::Client, base: &str, reason: &str) -> f64 {
    let mut response = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics");
    let body = response.body().limit(10 << 20).await.unwrap_or_default();
    String::from_utf8_lossy(&body)
        .lines()
        .find(|line| {
            line.starts_with("impact_report_load_failures_total")
                && line.contains(&format!("reason=\"{reason}\""))
        })
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

/// With the datamart stopped, and then frozen (every PostgreSQL process stopped
/// with SIGSTOP, so connections hang rather than fail), every route that reads it
/// answers 503 `report_unavailable` within its time limit, for an organization no
/// instance has cached; each failed report load is counted and logged.
#[actix_web::test]
async fn a_stopped_or_frozen_datamart_is_503_on_every_route_within_its_limit() {
    let cluster = PrivateCluster::start_up();
    create_database(&cluster);
    let url = cluster.url("impact");
    load_fixture(&url).await;
    let (_flags_dir, flags_path) = crate::server_common::flags_file(FLAGS_ON);
    let served = serve(&url, &flags_path);
    let base = format!("http://127.0.0.1:{}", served.port);
    let owner = token("org_demo", Role::Owner);
    let client = crate::server_common::client();
    let range = "from=2026-10-01&to=2026-10-31";
    let routes = [
        "/api/v1/reports".to_string(),
        format!("/api/v1/reports/ai-agent-impact?{range}"),
        "/api/v1/reports/ai-agent-impact/cost-assumption".to_string(),
        format!("/api/v1/reports/ai-agent-impact/conversations?outcome=solved_alone&{range}"),
        format!("/api/v1/reports/ai-agent-impact/daily.csv?{range}"),
    ];

    for (fault, reason) in [("stopped", "error"), ("frozen", "timeout")] {
        let before = load_failures(&client, &base, reason).await;
        let frozen = match fault {
            "stopped" => {
                cluster.stop();
                Vec::new()
            }
            _ => {
                let processes = cluster_processes(&cluster);
                signal(&processes, "STOP");
                processes
            }
        };
        for route in &routes {
            let started = std::time::Instant::now();
            let (code, body) = status(&client, &format!("{base}{route}"), &owner).await;
            let took = started.elapsed();
            assert_eq!(code, 503, "{fault}: {route}: {body}");
            assert_eq!(
                body["error"]["code"], "report_unavailable",
                "{fault}: {route}"
            );
            // The core time limit is 2,5 s; a frozen pool may cost one more wait.
            assert!(
                took < Duration::from_secs(8),
                "{fault}: {route} took {took:?}"
            );
        }
        let saved = client
            .put(format!(
                "{base}/api/v1/reports/ai-agent-impact/cost-assumption"
            ))
            .bearer_auth(&owner)
            .timeout(Duration::from_secs(20))
            .send_json(
                &serde_json::json!({"agent_hour_rate": 50_000, "minutes_per_conversation": 5}),
            )
            .await
            .map(|response| response.status().as_u16())
            .unwrap_or(0);
        assert_eq!(saved, 503, "{fault}: a cost save");
        let after = load_failures(&client, &base, reason).await;
        assert!(
            after >= before + 1.0,
            "{fault}: failed loads counted as {reason}: {before} → {after}"
        );
        if frozen.is_empty() {
            cluster.start();
        } else {
            signal(&frozen, "CONT");
        }
    }
    let logged = served
        .lines
        .lock()
        .expect("lines")
        .iter()
        .filter(|line| {
            line["fields"]["event"] == "impact_report_load_failed"
                || line["event"] == "impact_report_load_failed"
        })
        .count();
    assert!(logged >= 2, "report_load_failed logged for each outage");
    // Back: the report answers again.
    let back = eventually(15, || {
        let (client, url, owner) = (&client, format!("{base}{}", routes[1]), &owner);
        async move { status(client, &url, owner).await.0 == 200 }
    })
    .await;
    assert!(back, "the report came back after the outages");
}
