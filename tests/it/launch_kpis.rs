//! The launch's own numbers (issue 20): usage recorded by the server with a keyed
//! user hash, and `impact kpis` counting two months of it alike on both backends,
//! each metric checked against a count made here, independently.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use impact::domain::OrgId;
use impact::server::auth::Role;
use impact::store::Store;
use impact::usage::{UsageKind, UsageRow, UserHash, UserHasher};
use serde_json::Value;

use crate::common::{impact_with_env, TestDatabase, TestSqlite};
use crate::server_common::*;

/// A usage row as the server would write it; `day` of 2026 as (month, day).
fn row(org: &str, user: &str, kind: UsageKind, (month, day): (u32, u32), events: i64) -> UsageRow {
    let org = OrgId::parse(org).expect("id");
    UsageRow {
        user: UserHasher::new(b"the tests' own usage key").hash(&org, user),
        org,
        day: NaiveDate::from_ymd_opt(2026, month, day).expect("day"),
        kind,
        role: "owner".into(),
        events,
        forming: 0,
        with_value: 0,
        with_forecast: 0,
        slow: 0,
        latency_ms_sum: 0,
        latency_ms_max: 0,
        reason: None,
    }
}

/// October and November 2026 as the server would have recorded them.
fn two_months() -> Vec<UsageRow> {
    let mut rows = vec![
        row("org_demo", "ayu", UsageKind::View, (10, 3), 2),
        row("org_demo", "budi", UsageKind::View, (10, 28), 1),
        row("org_other", "citra", UsageKind::View, (10, 31), 1),
        row("org_demo", "ayu", UsageKind::View, (11, 1), 3),
        row("org_demo", "ayu", UsageKind::View, (11, 30), 1),
        row("org_other", "citra", UsageKind::View, (11, 12), 4),
        row("org_other", "citra", UsageKind::Failed, (11, 12), 1),
        row("org_demo", "dewi", UsageKind::List, (11, 2), 5),
        row("org_demo", "dewi", UsageKind::Download, (11, 2), 2),
        row("org_demo", "ayu", UsageKind::CostSaved, (11, 1), 1),
        // December is another month: it counts in none of November's figures.
        row("org_demo", "budi", UsageKind::View, (12, 1), 9),
    ];
    rows[3].with_value = 3;
    rows[5].forming = 4;
    rows[6].reason = Some("timeout".into());
    rows[6].slow = 1;
    rows
}

async fn kpis_agree(url: &str, store: Arc<dyn Store>) {
    let rows = two_months();
    // Written in two halves, the second again: the store adds a row to its key.
    store.record_usage(&rows).await.expect("record");
    store.record_usage(&rows[..3]).await.expect("record again");
    let stored = store
        .usage_between(
            NaiveDate::from_ymd_opt(2026, 10, 1).expect("day"),
            NaiveDate::from_ymd_opt(2026, 10, 31).expect("day"),
        )
        .await
        .expect("read");
    let events: Vec<i64> = stored.iter().map(|r| r.events).collect();
    assert_eq!(events, vec![4, 2, 2], "each October row twice, added up");

    // The same rows, counted here for November.
    let rows = two_months();
    let in_november = |r: &&UsageRow| r.day.format("%Y-%m").to_string() == "2026-11";
    let november: Vec<&UsageRow> = rows.iter().filter(in_november).collect();
    let enabled: BTreeSet<&str> = ["org_demo", "org_other"].into(); // org_plain has no add-on
    let viewing: BTreeSet<&str> = november
        .iter()
        .filter(|r| r.kind == UsageKind::View && enabled.contains(r.org.as_str()))
        .map(|r| r.org.as_str())
        .collect();
    let viewers = |month: &str| -> BTreeSet<(String, String)> {
        rows.iter()
            .filter(|r| r.kind == UsageKind::View && r.day.format("%Y-%m").to_string() == month)
            .map(|r| (r.org.to_string(), r.user.as_str().to_string()))
            .collect()
    };
    let (october, now) = (viewers("2026-10"), viewers("2026-11"));
    let views: i64 = november
        .iter()
        .filter(|r| r.kind == UsageKind::View)
        .map(|r| r.events)
        .sum();
    let failed: i64 = november
        .iter()
        .filter(|r| r.kind == UsageKind::Failed)
        .map(|r| r.events)
        .sum();

    // The month's gauges for Prometheus: November's alone, not December's.
    let since = NaiveDate::from_ymd_opt(2026, 11, 1).expect("day");
    let next_month = NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
    let later: Vec<&UsageRow> = rows
        .iter()
        .filter(|r| since <= r.day && r.day < next_month)
        .collect();
    let count = |kind: UsageKind| -> i64 {
        later
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.events)
            .sum()
    };
    let gauges = store.usage_gauges(since).await.expect("gauges");
    assert_eq!(gauges.ai_enabled_orgs, enabled.len() as i64);
    assert_eq!(gauges.viewing_orgs, viewing.len() as i64);
    assert_eq!(
        gauges.loads,
        count(UsageKind::View) + count(UsageKind::Failed)
    );
    assert_eq!(gauges.failed_loads, count(UsageKind::Failed));

    // The closed beta's cohort: the flags file gives the report to org_other only.
    let (_flags_dir, flags) = flags_file(
        "[defaults]\nai_agent_impact_report = false\n[accounts.org_other]\nai_agent_impact_report = true\n",
    );
    let flags = flags.display().to_string();
    let kpis_with = |args: &[&str]| {
        let output = impact_with_env(url, args, &[("IMPACT__FLAGS__PATH", flags.as_str())]);
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let kpis: Value = serde_json::from_str(&kpis_with(&[
        "kpis", "--month", "2026-11", "--format", "json",
    ]))
    .expect("JSON");
    let pair = |name: &str| {
        (
            kpis[name]["numerator"].as_i64().expect("numerator"),
            kpis[name]["denominator"].as_i64().expect("denominator"),
        )
    };
    assert_eq!(
        pair("adoption"),
        (viewing.len() as i64, enabled.len() as i64)
    );
    assert_eq!(
        pair("repeat_engagement"),
        (
            october.intersection(&now).count() as i64,
            october.len() as i64
        )
    );
    // The brief's 1 − failed ÷ viewed: a failed load counts against it.
    assert_eq!(pair("reliability"), (views - failed, views));
    assert_eq!(pair("value_configured"), (1, 2));
    assert_eq!(kpis["review"]["baseline_forming_views"], 4);
    assert_eq!(kpis["review"]["lists_opened"], 5);
    assert_eq!(kpis["review"]["downloads"], 2);
    assert_eq!(kpis["review"]["cost_assumption_saves"], 1);
    let gate = |name: &str| {
        kpis["gates"]
            .as_array()
            .expect("gates")
            .iter()
            .find(|g| g["name"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    // 1 failure for 8 views: 12,5 %, over the alpha's 5 %.
    assert_eq!(
        gate("load_failures")["value"].as_f64(),
        Some(failed as f64 / views as f64)
    );
    assert_eq!(gate("load_failures")["result"], "fail");
    assert_eq!(
        gate("admins_viewing")["value"],
        1.0,
        "org_other, the cohort, saw it"
    );
    assert_eq!(gate("admins_viewing")["result"], "pass");
    assert_eq!(gate("forecast_mae_points")["result"], "not_enough_data");

    // The text says the same in both languages.
    let english = kpis_with(&["kpis", "--month", "2026-11", "--stage", "alpha"]);
    assert!(
        english.contains("Reliability: 1 failed load for 8 reports shown, so 87.5%"),
        "{english}"
    );
    assert!(english.contains("Gates of internal alpha:"), "{english}");
    let indonesian = kpis_with(&["kpis", "--month", "2026-11", "--lang", "id"]);
    assert!(
        indonesian.contains("Keandalan: 1 pemuatan gagal untuk 8 laporan yang ditampilkan"),
        "{indonesian}"
    );
}

#[actix_web::test]
async fn kpis_count_two_months_of_usage_alike_on_sqlite() {
    let sqlite = TestSqlite::create();
    let store = load_fixture(&sqlite.url).await;
    kpis_agree(&sqlite.url, store).await;
}

#[actix_web::test]
async fn kpis_count_two_months_of_usage_alike_on_postgres() {
    let database = TestDatabase::create();
    let store = load_fixture(&database.url).await;
    kpis_agree(&database.url, store).await;
}

/// A fresh database (the fixture, no usage yet), run from a folder without the
/// repository's config/: `impact kpis` reads its settings as `impact serve` does
/// (a flags file it cannot find leaves every flag off, and says so) and reads an
/// empty month as "no usage recorded", never as targets missed.
#[actix_web::test]
async fn kpis_on_a_fresh_database_say_no_usage_recorded_without_extra_settings() {
    let sqlite = TestSqlite::create();
    load_fixture(&sqlite.url).await;
    let elsewhere = tempfile::tempdir().expect("a folder without config/");
    let run = |lang: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_impact"))
            .current_dir(elsewhere.path())
            .env_remove("IMPACT__FLAGS__PATH")
            .env("IMPACT_LOG", "impact=warn")
            .args(["--database-url", &sqlite.url, "kpis", "--lang", lang])
            .output()
            .expect("run impact kpis");
        assert!(output.status.success(), "{output:?}");
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (english, note) = run("en");
    assert!(
        english.contains("No usage recorded in this month"),
        "{english}"
    );
    assert!(english.contains("no usage recorded"), "{english}");
    for failure in ["not met", "— fail", "admins_viewing", "≥"] {
        assert!(!english.contains(failure), "{failure}: {english}");
    }
    assert!(note.contains("IMPACT__FLAGS__PATH"), "{note}");
    let (indonesian, _) = run("id");
    assert!(
        indonesian.contains("Belum ada penggunaan yang tercatat"),
        "{indonesian}"
    );
    assert!(!indonesian.contains("belum tercapai"), "{indonesian}");

    // A flags file that names a flag the product does not know is refused, as
    // `impact serve` refuses it.
    let typo = elsewhere.path().join("flags.toml");
    std::fs::write(
        &typo,
        "[defaults]\nai_agent_impact_report = true\nai_agent_impact_report_forcast = true\n",
    )
    .expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_impact"))
        .current_dir(elsewhere.path())
        .env("IMPACT__FLAGS__PATH", &typo)
        .args(["--database-url", &sqlite.url, "kpis"])
        .output()
        .expect("run impact kpis");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("ai_agent_impact_report_forcast"), "{said}");
}

#[actix_web::test]
async fn a_bad_month_is_refused_with_a_message() {
    let sqlite = TestSqlite::create();
    let output = crate::common::impact(&sqlite.url, &["kpis", "--month", "2026-13"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--month must be YYYY-MM"));
}

/// Today's usage rows once `enough` holds for them (the writer flushes every 10 ms
/// in these tests), or what there is after 5 s.
async fn todays_usage(app: &TestApp, enough: impl Fn(&[UsageRow]) -> bool) -> Vec<UsageRow> {
    let today = chrono::Utc::now().date_naive();
    let mut rows = Vec::new();
    for _ in 0..200 {
        rows = app
            .store
            .usage_between(today, today)
            .await
            .expect("read usage");
        if enough(&rows) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    rows
}

#[actix_web::test]
async fn the_server_records_what_people_do_under_a_keyed_hash() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |s| s.usage.flush_ms = 10).await;
    let owner = token("org_demo", Role::Owner);
    assert_eq!(get(&app, REPORT, &owner).await.0, 200);
    let list = "/api/v1/reports/ai-agent-impact/conversations?outcome=solved_alone&from=2026-10-01&to=2026-10-31";
    assert_eq!(get(&app, list, &owner).await.0, 200);
    let daily = "/api/v1/reports/ai-agent-impact/daily.csv?from=2026-10-01&to=2026-10-31";
    assert_eq!(download(&app, daily, &owner).await.0, 200);
    let (status, _) = put_json(
        &app,
        "/api/v1/reports/ai-agent-impact/cost-assumption",
        &owner,
        serde_json::json!({"agent_hour_rate": 40000, "minutes_per_conversation": 6}),
    )
    .await;
    assert_eq!(status, 200);
    // A load that fails (the datamart cannot be read) is recorded too.
    admin_sql(
        &database.url,
        "ALTER TABLE ai_activity_logs RENAME COLUMN eligible TO eligible_moved",
    )
    .await;
    let failing = "/api/v1/reports/ai-agent-impact?from=2026-10-02&to=2026-10-30";
    assert_eq!(get(&app, failing, &owner).await.0, 503);
    admin_sql(
        &database.url,
        "ALTER TABLE ai_activity_logs RENAME COLUMN eligible_moved TO eligible",
    )
    .await;
    // Someone who may not see the report leaves no usage.
    assert_eq!(
        get(&app, REPORT, &token("org_demo", Role::Agent)).await.0,
        404
    );

    let rows = todays_usage(&app, |rows| rows.len() >= 5).await;
    let kinds: BTreeSet<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["cost_saved", "download", "failed", "list", "view"].into(),
        "{rows:?}"
    );
    for row in &rows {
        assert_eq!(row.org.as_str(), "org_demo");
        assert_eq!(row.role, "owner");
        // The token's subject is "user-owner": never stored, not even in part.
        let hash = row.user.as_str();
        assert!(UserHash::parse(hash).is_some(), "{hash}");
        assert!(
            !hash.contains("user-owner") && !hash.contains("owner"),
            "{hash}"
        );
    }
    let users: BTreeSet<&str> = rows.iter().map(|r| r.user.as_str()).collect();
    assert_eq!(users.len(), 1, "one person, one hash");
    let failed = rows
        .iter()
        .find(|r| r.kind == UsageKind::Failed)
        .expect("a failed load");
    assert_eq!(failed.reason.as_deref(), Some("error"));
    let view = rows
        .iter()
        .find(|r| r.kind == UsageKind::View)
        .expect("a view");
    assert_eq!(view.events, 1);

    // The gauges: the organizations with the add-on, from the datamart.
    let mut text = String::new();
    for _ in 0..100 {
        text = metrics_text(&app).await;
        if text.contains("impact_organizations_ai_enabled 2") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(text.contains("impact_organizations_ai_enabled 2"), "{text}");
    assert!(text.contains("impact_usage_dropped_total 0"), "{text}");
}

#[actix_web::test]
async fn the_server_records_usage_on_sqlite_too() {
    let sqlite = TestSqlite::create();
    load_fixture(&sqlite.url).await;
    let app = spawn_app_on(&sqlite.url, FLAGS_ON, |s| s.usage.flush_ms = 10).await;
    let admin = token("org_other", Role::Admin);
    assert_eq!(get(&app, REPORT, &admin).await.0, 200);
    assert_eq!(get(&app, REPORT, &admin).await.0, 200);
    let rows = todays_usage(&app, |rows| rows.iter().map(|r| r.events).sum::<i64>() >= 2).await;
    let today = chrono::Utc::now().date_naive();
    assert_eq!(rows.len(), 1, "two views, one row: {rows:?}");
    assert_eq!((rows[0].kind, rows[0].events), (UsageKind::View, 2));
    assert_eq!(rows[0].org.as_str(), "org_other");
    assert!(!rows[0].user.as_str().contains("admin"));
    let gauges = app
        .store
        .usage_gauges(impact::usage::month_start(today))
        .await
        .expect("gauges");
    assert_eq!(
        (gauges.viewing_orgs, gauges.loads, gauges.failed_loads),
        (1, 2, 0)
    );
}
