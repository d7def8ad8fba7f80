//! Each tile group's read is forced to fail (a real database error) or to run out
//! of time: a journey or quality failure degrades only its tiles, while a core
//! failure or timeout answers 503 with a JSON error.

use std::time::Duration;

use crate::common::TestDatabase;
use crate::server_common::*;
use impact::server::auth::Role;

async fn metrics(app: &TestApp) -> String {
    let body = client()
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("metrics")
        .body()
        .await
        .expect("body");
    String::from_utf8_lossy(&body).to_string()
}

#[actix_web::test]
async fn a_failing_journey_or_quality_read_degrades_only_its_own_tiles() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let owner = token("org_demo", Role::Owner);

    admin_sql(
        &database.url,
        "ALTER TABLE ai_activity_logs RENAME COLUMN other TO other_moved",
    )
    .await;
    let (status, report) = get(&app, REPORT, &owner).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["tiles"]["journey"], "unavailable");
    assert_eq!(report["journey"], serde_json::Value::Null);
    assert_eq!(report["tiles"]["quality"], "ok");
    assert_eq!(report["containment"]["net"], 10);
    assert_eq!(report["quality"]["turns_avg"], 19.0 / 11.0);
    admin_sql(
        &database.url,
        "ALTER TABLE ai_activity_logs RENAME COLUMN other_moved TO other",
    )
    .await;
    // A degraded read is not cached: the journey comes back as soon as it can be read.
    let (_, recovered) = get(&app, REPORT, &owner).await;
    assert_eq!(recovered["journey"]["other"], 4);

    admin_sql(
        &database.url,
        "ALTER TABLE ai_activity_logs RENAME COLUMN contained_customer_messages TO moved",
    )
    .await;
    let (status, report) = get(
        &app,
        "/api/v1/reports/ai-agent-impact?from=2026-10-02&to=2026-10-31",
        &owner,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["tiles"]["quality"], "unavailable");
    assert_eq!(report["quality"], serde_json::Value::Null);
    assert_eq!(report["verdicts"]["reopen_rate"], serde_json::Value::Null);
    assert_eq!(report["journey"]["ai_only"], 10);
    admin_sql(
        &database.url,
        "ALTER TABLE ai_activity_logs RENAME COLUMN moved TO contained_customer_messages",
    )
    .await;

    let counted = metrics(&app).await;
    assert!(
        counted.contains("impact_fetch_failures_total{tile=\"journey\"} 1"),
        "{counted}"
    );
    assert!(
        counted.contains("impact_fetch_failures_total{tile=\"quality\"} 1"),
        "{counted}"
    );
}

#[actix_web::test]
async fn journey_and_quality_reads_that_run_out_of_time_degrade_their_tiles() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    // A limit of 0 always runs out: the fetcher keeps a limit exactly.
    let app = spawn_app_with(&database, FLAGS_ON, |s| {
        s.fetch.journey_timeout_ms = 0;
        s.fetch.quality_timeout_ms = 0;
    })
    .await;
    let (status, report) = get(&app, REPORT, &token("org_demo", Role::Owner)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["tiles"]["journey"], "unavailable");
    assert_eq!(report["tiles"]["quality"], "unavailable");
    assert_eq!(report["containment"]["net"], 10, "the core still renders");
    let counted = metrics(&app).await;
    assert!(
        counted.contains("impact_fetch_timeouts_total{tile=\"journey\"} 1"),
        "{counted}"
    );
    assert!(
        counted.contains("impact_fetch_timeouts_total{tile=\"quality\"} 1"),
        "{counted}"
    );
}

#[actix_web::test]
async fn a_failing_core_read_answers_503() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    admin_sql(
        &database.url,
        "ALTER TABLE ai_activity_logs RENAME COLUMN eligible TO eligible_moved",
    )
    .await;
    let (status, body) = get(&app, REPORT, &owner).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "report_unavailable");
    assert_eq!(
        body["error"]["message"],
        "We couldn't load your report. Try again."
    );
    assert!(metrics(&app)
        .await
        .contains("impact_report_load_failures_total{reason=\"error\"} 1"));
    admin_sql(
        &database.url,
        "ALTER TABLE ai_activity_logs RENAME COLUMN eligible_moved TO eligible",
    )
    .await;
    assert_eq!(
        get(&app, REPORT, &owner).await.0,
        200,
        "Retry works once the data is back"
    );
}

#[actix_web::test]
async fn a_core_read_blocked_past_its_limit_answers_503_in_time() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |s| s.fetch.core_timeout_ms = 700).await;
    let owner = token("org_demo", Role::Owner);
    // Another session holds the datamart locked, so every read waits.
    let (locker, connection) = tokio_postgres::connect(&database.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    actix_web::rt::spawn(connection);
    locker
        .batch_execute("BEGIN; LOCK TABLE ai_activity_logs IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let started = std::time::Instant::now();
    let (status, body) = get(&app, REPORT, &owner).await;
    let waited = started.elapsed();
    assert_eq!(status, 503, "{body}");
    assert!(waited < Duration::from_secs(5), "answered after {waited:?}");
    assert!(metrics(&app)
        .await
        .contains("impact_fetch_timeouts_total{tile=\"core\"} 1"));
    assert!(metrics(&app)
        .await
        .contains("impact_report_load_failures_total{reason=\"timeout\"} 1"));
    locker.batch_execute("ROLLBACK").await.expect("unlock");
    assert!(eventually(10, || async { get(&app, REPORT, &owner).await.0 == 200 }).await);
}
