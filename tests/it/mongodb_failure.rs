//! No MongoDB server can run here, so its failure handling is tested for real: a
//! refused connection and a server that accepts but never answers. Either way the
//! aggregation completes, the days' sentiment is marked pending (the report says
//! "not available"), every other figure is right, and the next nightly run fills
//! the sentiment in from a working source.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::{fixtures_dir, impact_ok, impact_with_env, TestSqlite};
use serde_json::Value;

const REPORT: &[&str] = &[
    "report",
    "--org",
    "org_demo",
    "--from",
    "2026-10-01",
    "--to",
    "2026-10-31",
    "--format",
    "json",
    "--min-conversations",
    "1",
];

fn check_degrades_and_recovers(mongodb_url: &str) {
    let sqlite = TestSqlite::create();
    let case = fixtures_dir().join("containment-rules");
    impact_ok(
        &sqlite.url,
        &["import", "--dir", case.to_str().expect("path")],
    );

    let started = Instant::now();
    let output = impact_with_env(
        &sqlite.url,
        &["aggregate", "--mongodb-url", mongodb_url],
        &[("IMPACT__MONGODB__TIMEOUT_MS", "1500")],
    );
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Sentiment is pending"), "{stdout}");
    // Two organizations, one chunk of days each, 1.5 s each at most, plus start-up.
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");

    let degraded: Value = serde_json::from_str(&impact_ok(&sqlite.url, REPORT)).expect("JSON");
    assert_eq!(
        degraded["quality"]["sentiment"],
        serde_json::json!({"status": "not_available"})
    );
    assert_eq!(
        degraded["containment"]["net"], 10,
        "the rest of the report is unaffected"
    );
    assert_eq!(degraded["after_hours"]["count"], 5);
    assert!(degraded["notes"]
        .to_string()
        .contains("still being collected"));

    // The next nightly run (sentiment from the store's own table this time)
    // recomputes the pending days, however old they are.
    impact_ok(&sqlite.url, &["aggregate", "--nightly"]);
    let recovered: Value = serde_json::from_str(&impact_ok(&sqlite.url, REPORT)).expect("JSON");
    assert_eq!(recovered["quality"]["sentiment"]["status"], "ok");
    assert_eq!(recovered["quality"]["sentiment"]["contained_avg"], 0.575);
}

#[test]
fn a_refused_connection_marks_sentiment_pending() {
    // Bind and drop a listener to find a port where nothing listens.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    check_degrades_and_recovers(&format!(
        "mongodb://127.0.0.1:{port}/?directConnection=true"
    ));
}

#[test]
fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = listener.local_addr().expect("address").port();
    // Accept connections and hold them open without a word.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    check_degrades_and_recovers(&format!(
        "mongodb://127.0.0.1:{port}/?directConnection=true"
    ));
}

#[test]
fn a_malformed_mongodb_url_is_refused_before_any_work() {
    let sqlite = TestSqlite::create();
    let output = impact_with_env(
        &sqlite.url,
        &["aggregate", "--mongodb-url", "mongo:/nonsense"],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("MongoDB URL is not valid"));
}
