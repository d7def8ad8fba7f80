//! The nightly run and sharding, through the real commands.

use crate::common::report_json as report;
use crate::common::{impact_ok, TestSqlite};
use chrono::{Duration, Utc};

fn generate_until_yesterday(url: &str, dir: &std::path::Path, days: &str) {
    let end = (Utc::now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .date_naive()
        - Duration::days(1))
    .to_string();
    impact_ok(
        url,
        &[
            "generate",
            "--out",
            dir.to_str().expect("path"),
            "--orgs",
            "3",
            "--days",
            days,
            "--seed",
            "4",
            "--end",
            &end,
            "--scale",
            "0.1",
        ],
    );
    impact_ok(url, &["import", "--dir", dir.to_str().expect("path")]);
}

#[test]
fn nightly_deletes_daily_rows_older_than_13_months_but_keeps_the_history_length() {
    let sqlite = TestSqlite::create();
    let data = tempfile::tempdir().expect("dir");
    generate_until_yesterday(&sqlite.url, data.path(), "500");
    impact_ok(&sqlite.url, &["aggregate"]);
    let today = Utc::now().date_naive();
    let old_to = today - Duration::days(420);
    let old_from = old_to - Duration::days(30);
    let (old_from, old_to) = (old_from.to_string(), old_to.to_string());
    let before = report(&sqlite.url, "org_kopi_nusantara", &old_from, &old_to);
    assert!(before["volume"]["eligible"].as_i64() > Some(0), "{before}");

    let stdout = impact_ok(&sqlite.url, &["aggregate", "--nightly"]);
    assert!(
        stdout.contains("Aggregated 9 org-days of 3 organizations"),
        "{stdout}"
    );
    assert!(stdout.contains("Deleted"), "{stdout}");

    let after = report(&sqlite.url, "org_kopi_nusantara", &old_from, &old_to);
    assert_eq!(
        after["volume"]["eligible"], 0,
        "days older than 13 months are gone"
    );
    // The organization's history length and its onboarding baseline outlive retention.
    assert_eq!(after["days_of_data"], before["days_of_data"]);
    let recent_report = |url: &str| {
        let to = (Utc::now().date_naive() - Duration::days(2)).to_string();
        let from = (Utc::now().date_naive() - Duration::days(60)).to_string();
        report(url, "org_kopi_nusantara", &from, &to)
    };
    let baseline = recent_report(&sqlite.url)["trend"]["baseline"].clone();
    assert_eq!(baseline["status"], "ready", "{baseline}");
    let first_day = chrono::NaiveDate::parse_from_str(
        baseline["from"].as_str().unwrap_or_default(),
        "%Y-%m-%d",
    )
    .expect("date");
    assert!(
        first_day < today - Duration::days(400),
        "the baseline is from the first days: {baseline}"
    );
    let recent_to = (today - Duration::days(2)).to_string();
    let recent_from = (today - Duration::days(31)).to_string();
    let recent = report(&sqlite.url, "org_kopi_nusantara", &recent_from, &recent_to);
    assert!(recent["volume"]["eligible"].as_i64() > Some(0));
}

#[test]
fn shards_together_compute_exactly_what_one_run_does() {
    let whole = TestSqlite::create();
    let sharded = TestSqlite::create();
    let data = tempfile::tempdir().expect("dir");
    generate_until_yesterday(&whole.url, data.path(), "45");
    impact_ok(
        &sharded.url,
        &["import", "--dir", data.path().to_str().expect("path")],
    );
    impact_ok(&whole.url, &["aggregate"]);
    let mut organizations = 0;
    for shard in ["0/2", "1/2"] {
        let stdout = impact_ok(&sharded.url, &["aggregate", "--shard", shard]);
        let count: usize = stdout
            .split(" organizations")
            .next()
            .and_then(|head| head.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .expect("organization count");
        organizations += count;
    }
    assert_eq!(organizations, 3, "every organization in exactly one shard");
    let to = (Utc::now().date_naive() - Duration::days(2)).to_string();
    let from = (Utc::now().date_naive() - Duration::days(40)).to_string();
    for org in ["org_kopi_nusantara", "org_laundry_kilat"] {
        assert_eq!(
            report(&whole.url, org, &from, &to),
            report(&sharded.url, org, &from, &to)
        );
    }
}

/// The instance that claims the night dies in the middle of it (the fault hook
/// aborts it at its first write, as `kill -9` would): another instance, which found
/// the night taken, sees the claim's lease run out, takes the night over and
/// completes it; the night is marked done and the gauge of the last completed night
/// says when.
#[actix_web::test]
async fn when_the_nights_claimant_dies_another_instance_completes_the_night() {
    let database = crate::common::TestDatabase::create();
    crate::server_common::load_fixture(&database.url).await;
    let (_flags_dir, flags_path) = crate::server_common::flags_file(crate::server_common::FLAGS_ON);
    // Midnight UTC has passed: each instance catches the night up as it starts.
    let nightly = [
        ("IMPACT__NIGHTLY__ENABLED", "true"),
        ("IMPACT__NIGHTLY__TIME", "00:00"),
        ("IMPACT__NIGHTLY__TIMEZONE", "UTC"),
        ("IMPACT__NIGHTLY__VERIFY_WEEKDAY", ""),
        ("IMPACT__NIGHTLY__LEASE_SECONDS", "3"),
    ];
    let mut doomed_env = nightly.to_vec();
    doomed_env.push(("IMPACT_TEST_CRASH_BEFORE_WRITE", "0"));
    let mut doomed = crate::server_common::serve_with(&database.url, &flags_path, &doomed_env);
    let claimed = |served: &crate::server_common::Served| {
        served
            .lines
            .lock()
            .expect("lines")
            .iter()
            .any(|line| line["message"] == "nightly aggregation claimed")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !(claimed(&doomed) && doomed.exited()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the first instance never claimed and died"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let survivor = crate::server_common::serve_with(&database.url, &flags_path, &nightly);
    let base = format!("http://127.0.0.1:{}", survivor.port);
    let client = crate::server_common::client();
    let completed = crate::server_common::eventually(30, || {
        let (client, base) = (&client, &base);
        async move {
            let Ok(mut response) = client.get(format!("{base}/metrics")).send().await else {
                return false;
            };
            let body = response.body().limit(10 << 20).await.unwrap_or_default();
            String::from_utf8_lossy(&body).lines().any(|line| {
                line.starts_with("impact_nightly_last_completed_timestamp_seconds ")
                    && line
                        .rsplit(' ')
                        .next()
                        .and_then(|v| v.parse::<f64>().ok())
                        .unwrap_or(0.0)
                        > 0.0
            })
        }
    })
    .await;
    assert!(
        completed,
        "the survivor never completed the night: {:?}",
        survivor.lines.lock().expect("lines")
    );
    assert!(claimed(&survivor), "the survivor took the night over");
    let store = impact::store::open(&database.url, 1).await.expect("open");
    let health = store.datamart_health().await.expect("health");
    assert!(health.last_night_completed.is_some());
}

/// A run's log lines carry a span of their own (its scope and shard), so a night's
/// lines can be followed apart from the server's requests.
#[test]
fn an_aggregation_runs_lines_carry_its_span() {
    let sqlite = TestSqlite::create();
    let data = tempfile::tempdir().expect("dir");
    generate_until_yesterday(&sqlite.url, data.path(), "5");
    let output = crate::common::impact_with_env(
        &sqlite.url,
        &["aggregate", "--shard", "0/1"],
        &[
            ("IMPACT_LOG", "impact=debug"),
            ("IMPACT_LOG_FORMAT", "json"),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let finished = stderr
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|line| line["message"] == "aggregation run finished")
        .unwrap_or_else(|| panic!("no line says the run finished: {stderr}"));
    let span = finished["spans"]
        .as_array()
        .and_then(|spans| spans.iter().find(|span| span["name"] == "aggregation"))
        .unwrap_or_else(|| panic!("the line is in no aggregation span: {finished}"));
    assert_eq!(span["scope"], "all_data", "{span}");
    assert_eq!(span["shard"], "0/1", "{span}");
}
