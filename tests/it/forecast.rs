//! The flag-gated forecast through the server, and `impact forecast-audit` on a
//! hand-built history.

use crate::common::{fixtures_dir, impact_ok, TestDatabase, TestSqlite};
use crate::server_common::*;
use chrono::NaiveDate;
use impact::domain::OrgId;
use impact::metrics::forecast::Snapshot;
use impact::server::auth::Role;
use impact::store;

const FORECAST_OFF: &str = r#"
[defaults]
ai_agent_impact_report = true
ai_agent_impact_report_forecast = false
"#;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

#[actix_web::test]
async fn the_forecast_appears_only_with_its_flag_and_is_recorded() {
    let database = TestDatabase::create();
    let data = tempfile::tempdir().expect("dir");
    let dir = data.path().to_str().expect("path");
    impact_ok(
        &database.url,
        &[
            "generate",
            "--out",
            dir,
            "--orgs",
            "1",
            "--days",
            "200",
            "--seed",
            "3",
            "--end",
            "2026-10-31",
            "--scale",
            "0.6",
        ],
    );
    impact_ok(&database.url, &["import", "--dir", dir]);
    impact_ok(
        &database.url,
        &[
            "import",
            "--dir",
            fixtures_dir()
                .join("containment-rules")
                .to_str()
                .expect("path"),
        ],
    );
    impact_ok(&database.url, &["aggregate"]);
    let app = spawn_app_with(&database, FORECAST_OFF, |_| {}).await;
    // The datamart holds days up to 1 November (the hand-checked case's last day),
    // so a range ending then reaches the latest complete day of data.
    let path = "/api/v1/reports/ai-agent-impact?from=2026-10-03&to=2026-11-01";
    let owner = token("org_kopi_nusantara", Role::Owner);
    let (status, report) = get(&app, path, &owner).await;
    assert_eq!(status, 200);
    assert_eq!(
        report["forecast"],
        serde_json::Value::Null,
        "no projection with the flag off"
    );

    std::fs::write(
        &app.flags_path,
        FORECAST_OFF.replace("forecast = false", "forecast = true"),
    )
    .expect("write");
    let on = eventually(8, || async {
        get(&app, path, &owner).await.1["forecast"]["status"] == "ok"
    })
    .await;
    assert!(
        on,
        "flipping the flag in the file shows the forecast without a restart"
    );
    let (_, report) = get(&app, path, &owner).await;
    let forecast = &report["forecast"];
    assert_eq!(
        (
            forecast["period_from"].clone(),
            forecast["period_to"].clone()
        ),
        ("2026-11-01".into(), "2026-11-30".into())
    );
    let (low, rate, high) = (
        forecast["low"].as_f64(),
        forecast["net_rate"].as_f64(),
        forecast["high"].as_f64(),
    );
    let (low, rate, high) = (low.expect("low"), rate.expect("rate"), high.expect("high"));
    assert!(
        (0.0..=1.0).contains(&low) && low <= rate && rate <= high && high <= 1.0,
        "{forecast}"
    );
    assert!(forecast["read"]
        .as_str()
        .is_some_and(|r| r.starts_with("If this keeps up, in Nov 2026")));
    let recorded = app.store.forecast_snapshots().await.expect("snapshots");
    assert_eq!(
        recorded.len(),
        1,
        "every rendered forecast is recorded once per month"
    );
    assert_eq!(recorded[0].1.period_from, day("2026-11-01"));

    // A past range shows its history and no projection, and records none.
    let (status, past) = get(
        &app,
        "/api/v1/reports/ai-agent-impact?from=2026-09-01&to=2026-09-30",
        &owner,
    )
    .await;
    assert_eq!(status, 200, "{past}");
    assert_eq!(past["status"], "ok", "{past}");
    assert!(past["forecast"].is_null(), "{}", past["forecast"]);
    assert!(!past["trend"]["points"]
        .as_array()
        .expect("points")
        .is_empty());
    let recorded = app.store.forecast_snapshots().await.expect("snapshots");
    assert_eq!(recorded.len(), 1, "a past range records no forecast");

    // Two months of history are too few: the report says so instead of guessing.
    let (_, short) = get(&app, path, &token("org_demo", Role::Owner)).await;
    assert_eq!(
        short["forecast"]["status"], "not_enough_history",
        "{}",
        short["forecast"]
    );

    std::fs::write(&app.flags_path, FORECAST_OFF).expect("write");
    let off = eventually(8, || async {
        get(&app, path, &owner).await.1["forecast"].is_null()
    })
    .await;
    assert!(off, "switching the flag off withdraws the projection");
}

#[actix_web::test]
async fn the_audit_lists_accounts_whose_recent_forecasts_missed_by_10_points() {
    let sqlite = TestSqlite::create();
    impact_ok(
        &sqlite.url,
        &[
            "import",
            "--dir",
            fixtures_dir()
                .join("containment-rules")
                .to_str()
                .expect("path"),
        ],
    );
    impact_ok(&sqlite.url, &["aggregate"]);
    let store = store::open(&sqlite.url, 1).await.expect("open");
    let snapshot = |from: &str, to: &str, projected: f64| Snapshot {
        period_from: day(from),
        period_to: day(to),
        projected,
        low: 0.0,
        high: 1.0,
    };
    let demo = OrgId::parse("org_demo").expect("id");
    // September was realised at 2/2 = 100 %, October at 10/21 ≈ 47.6 %.
    store
        .save_forecast_snapshot(&demo, &snapshot("2026-09-01", "2026-09-30", 0.99))
        .await
        .expect("save");
    store
        .save_forecast_snapshot(&demo, &snapshot("2026-10-01", "2026-10-31", 0.70))
        .await
        .expect("save");
    // A month not over in the data yet is not judged.
    store
        .save_forecast_snapshot(&demo, &snapshot("2026-11-01", "2026-11-30", 0.10))
        .await
        .expect("save");
    let other = OrgId::parse("org_other").expect("id");
    store
        .save_forecast_snapshot(&other, &snapshot("2026-10-01", "2026-10-31", 0.0))
        .await
        .expect("save");
    drop(store);

    let output = impact_ok(&sqlite.url, &["forecast-audit"]);
    // (|0.99 − 1.0| + |0.70 − 0.476…|) / 2 = 11.7 points.
    assert!(
        output.contains("| org_demo | 2 | 11.7 | ROLL BACK |"),
        "{output}"
    );
    assert!(
        output.contains("| org_other | 1 | not yet (needs 2) | keep |"),
        "{output}"
    );
    assert!(
        output.contains("[accounts.org_demo]\nai_agent_impact_report_forecast = false"),
        "{output}"
    );
    assert!(!output.contains("[accounts.org_other]"), "{output}");
}
