//! `impact serve` as it runs in production: configured by environment variables
//! only, logging the PRD's events as JSON lines (the forecast's
//! event is covered with the forecast, in tests/it/forecast.rs's code path).

use std::process::Command;
use std::time::Duration;

use crate::common::TestDatabase;
use crate::server_common::{load_fixture, serve, token, FLAGS_ON, SECRET};
use impact::server::auth::Role;

fn event<'a>(lines: &'a [serde_json::Value], name: &str) -> Option<&'a serde_json::Value> {
    lines.iter().find(|l| l["event"] == name)
}

#[actix_web::test]
async fn impact_serve_runs_from_environment_variables_and_logs_the_prd_events() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let (_flags_dir, flags_path) = crate::server_common::flags_file(FLAGS_ON);
    let served = serve(&database.url, &flags_path);
    let base = format!("http://127.0.0.1:{}", served.port);
    let client = crate::server_common::client();
    let get = |path: &str, token: String| {
        let request = client.get(format!("{base}{path}")).bearer_auth(token);
        async move { request.send().await.expect("request").status().as_u16() }
    };
    assert_eq!(
        get(
            "/api/v1/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31",
            token("org_demo", Role::Supervisor)
        )
        .await,
        200
    );
    assert_eq!(
        get(
            "/api/v1/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31",
            token("org_other", Role::Owner)
        )
        .await,
        200
    );
    let saved = client
        .put(format!(
            "{base}/api/v1/reports/ai-agent-impact/cost-assumption"
        ))
        .bearer_auth(token("org_demo", Role::Admin))
        .send_json(&serde_json::json!({"agent_hour_rate": 52000, "minutes_per_conversation": 5}))
        .await
        .expect("put");
    assert_eq!(saved.status().as_u16(), 200);
    let (locker, connection) = tokio_postgres::connect(&database.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    actix_web::rt::spawn(connection);
    locker
        .batch_execute("ALTER TABLE ai_activity_logs RENAME COLUMN eligible TO gone")
        .await
        .expect("break");
    assert_eq!(
        get(
            "/api/v1/reports/ai-agent-impact?from=2026-09-01&to=2026-09-30",
            token("org_demo", Role::Owner)
        )
        .await,
        503
    );

    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let lines = served.lines.lock().expect("lines").clone();
    assert!(
        lines.iter().all(|l| l.get("not_json").is_none()),
        "every log line is JSON: {lines:?}"
    );
    let viewed = event(&lines, "impact_report_viewed").expect("impact_report_viewed");
    assert_eq!(viewed["org_id"], "org_demo");
    assert_eq!(viewed["role"], "supervisor");
    assert_eq!(viewed["date_range"], "2026-10-01..2026-10-31");
    assert_eq!(viewed["has_forecast"], false);
    assert!(viewed["timestamp"].as_str().is_some());
    let forming =
        event(&lines, "impact_report_baseline_forming").expect("impact_report_baseline_forming");
    assert_eq!(
        (
            forming["org_id"].clone(),
            forming["days_of_data"].clone(),
            forming["conversation_count"].clone()
        ),
        ("org_other".into(), 29.into(), 1.into())
    );
    let updated = event(&lines, "cost_assumption_updated").expect("cost_assumption_updated");
    assert_eq!(
        (
            updated["agent_hour_rate"].clone(),
            updated["minutes_per_conversation"].clone()
        ),
        (52000.into(), 5.into())
    );
    let failed = event(&lines, "impact_report_load_failed").expect("impact_report_load_failed");
    assert_eq!(failed["reason"], "error");
    assert!(failed["latency_ms"].as_u64().is_some());
    // A line says which request and which organization's report it belongs to.
    let span = |line: &serde_json::Value, name: &str| {
        line["spans"]
            .as_array()
            .and_then(|spans| spans.iter().find(|span| span["name"] == name).cloned())
            .unwrap_or_else(|| panic!("a {name} span on {line}"))
    };
    let request = span(failed, "request");
    assert!(request["request_id"].as_u64().is_some(), "{request}");
    assert_eq!(request["method"], "GET");
    let report = span(failed, "report");
    assert_eq!(
        (report["org_id"].clone(), report["from"].clone()),
        ("org_demo".into(), "2026-09-01".into())
    );
    // A tile group's read runs on the fetcher's task: its line names its own span.
    let read_failed = lines
        .iter()
        .find(|l| l["message"] == "datamart read failed")
        .expect("the broken read is logged");
    let group = span(read_failed, "tile_group");
    assert_eq!(group["org_id"], "org_demo", "{read_failed}");
    assert!(group["group"].as_str().is_some(), "{read_failed}");
    let viewed_request = span(viewed, "request");
    assert_ne!(
        viewed_request["request_id"], request["request_id"],
        "each request has its own number"
    );
    // No token or secret ever reaches the log.
    let text = serde_json::to_string(&lines).expect("text");
    assert!(!text.contains(SECRET));
    assert!(!text.contains(&token("org_demo", Role::Admin)[..40]));
}

#[test]
fn serve_refuses_to_start_without_a_signing_key() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_impact"));
    for (key, _) in std::env::vars() {
        if key.starts_with("IMPACT") {
            command.env_remove(key);
        }
    }
    let temp = tempfile::tempdir().expect("dir");
    let output = command
        .arg("serve")
        .env(
            "IMPACT__DATABASE__URL",
            format!("sqlite://{}/x.sqlite", temp.path().display()),
        )
        .env("IMPACT__SERVER__PORT", "0")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("IMPACT__AUTH__JWT_SECRET"));
}

#[actix_web::test]
async fn a_missing_or_huge_flags_file_is_logged_once_per_change_and_briefly() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let (_flags_dir, flags_path) = crate::server_common::flags_file(FLAGS_ON);
    let served = serve(&database.url, &flags_path);
    let flag_errors = || {
        served
            .lines
            .lock()
            .expect("lines")
            .iter()
            .filter(|l| l["level"] == "ERROR" && l.to_string().contains("flags"))
            .cloned()
            .collect::<Vec<_>>()
    };

    std::fs::remove_file(&flags_path).expect("remove");
    // Three polls of the file (every 2 s) while it is missing: one error line.
    actix_web::rt::time::sleep(Duration::from_millis(7000)).await;
    assert_eq!(flag_errors().len(), 1, "{:?}", flag_errors());

    // A 10 MB invalid line: refused without being read whole, and quoted briefly.
    let huge = format!(
        "[defaults]\nai_agent_impact_report = \"{}",
        "x".repeat(10 << 20)
    );
    std::fs::write(&flags_path, huge).expect("write");
    actix_web::rt::time::sleep(Duration::from_millis(3000)).await;
    let errors = flag_errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    let longest = errors
        .iter()
        .map(|l| l.to_string().len())
        .max()
        .unwrap_or(0);
    assert!(longest < 4096, "a log line of {longest} bytes");
}

/// Two instances on one host follow one flags file. Reading the file is a file
/// event too: a server that answered every event with a read fed itself and the
/// other forever, spinning the thread its reports are made on until they timed out.
/// Both stay idle while the file is read again and again, and an edit still
/// reaches both.
#[actix_web::test]
async fn two_instances_on_one_flags_file_stay_idle_and_both_follow_an_edit() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let (_flags_dir, flags_path) = crate::server_common::flags_file(FLAGS_ON);
    let first = serve(&database.url, &flags_path);
    let second = serve(&database.url, &flags_path);
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    let before = [first.cpu_time(), second.cpu_time()];
    for _ in 0..100 {
        std::fs::read(&flags_path).expect("read the flags file");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    for (server, (served, before)) in [&first, &second].iter().zip(before).enumerate() {
        let used = served.cpu_time().saturating_sub(before);
        assert!(
            used < Duration::from_millis(600),
            "server {server} used {used:?} of CPU in 3 s of others reading its flags file"
        );
    }
    // An edit (the kill switch off) reaches both: each reloads it once.
    let reloads = |served: &crate::server_common::Served| -> u64 {
        let url = format!("http://127.0.0.1:{}/metrics", served.port);
        let text = std::process::Command::new("curl")
            .args(["-s", &url])
            .output()
            .expect("curl");
        String::from_utf8_lossy(&text.stdout)
            .lines()
            .find(|line| line.starts_with("impact_flag_reloads_total{result=\"ok\"}"))
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|count| count.parse().ok())
            .unwrap_or(0)
    };
    let (first_before, second_before) = (reloads(&first), reloads(&second));
    std::fs::write(
        &flags_path,
        FLAGS_ON.replace(
            "[global]\nai_agent_impact_report = true",
            "[global]\nai_agent_impact_report = false",
        ),
    )
    .expect("edit the flags file");
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        reloads(&first) > first_before,
        "the first server took the edit"
    );
    assert!(
        reloads(&second) > second_before,
        "the second server took the edit"
    );
}
