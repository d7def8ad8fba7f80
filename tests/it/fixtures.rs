//! Every hand-checked case in `../shared/fixtures` must produce its expected report
//! exactly, through the real commands (`import` → `aggregate` → `report`), on the
//! embedded default and on PostgreSQL.

use std::path::Path;

use crate::common::{assert_report_matches, fixtures_dir, impact_ok, TestDatabase, TestSqlite};
use serde_json::Value;

/// `expected-ORG-FROM-TO[-default-minimum].json` → (org, from, to, default minimum?)
fn parse_expected_name(name: &str) -> Option<(String, String, String, bool)> {
    let stem = name.strip_prefix("expected-")?.strip_suffix(".json")?;
    let (stem, default_minimum) = match stem.strip_suffix("-default-minimum") {
        Some(stem) => (stem, true),
        None => (stem, false),
    };
    if stem.len() < 23 {
        return None;
    }
    let (rest, to) = stem.split_at(stem.len() - 10);
    let rest = rest.strip_suffix('-')?;
    let (org, from) = rest.split_at(rest.len() - 10);
    Some((
        org.strip_suffix('-')?.to_string(),
        from.to_string(),
        to.to_string(),
        default_minimum,
    ))
}

fn check_all_cases(database_url: &str) -> usize {
    let mut checked = 0;
    let mut cases: Vec<_> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures directory")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    for case in cases {
        check_case(database_url, &case, &mut checked);
    }
    assert!(
        checked > 0,
        "no expected reports were found in the fixtures"
    );
    checked
}

fn check_case(database_url: &str, case: &Path, checked: &mut usize) {
    let case_dir = case.to_str().expect("UTF-8 path");
    impact_ok(database_url, &["import", "--dir", case_dir]);
    impact_ok(database_url, &["aggregate"]);
    let mut expected_files: Vec<_> = std::fs::read_dir(case)
        .expect("case directory")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    expected_files.sort();
    for file in expected_files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Some((org, from, to, default_minimum)) = parse_expected_name(name) else {
            continue;
        };
        let mut args = vec![
            "report", "--org", &org, "--from", &from, "--to", &to, "--format", "json",
        ];
        if !default_minimum {
            args.extend(["--min-conversations", "1"]);
        }
        let actual: Value =
            serde_json::from_str(&impact_ok(database_url, &args)).expect("JSON report");
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("expected file"))
                .expect("JSON");
        assert_report_matches(&expected, &actual, "");
        // A figure that does not apply is absent, never zero (METRICS.md §6).
        if expected["status"] == "baseline_forming" {
            for absent in [
                "containment",
                "after_hours",
                "work_absorbed",
                "journey",
                "quality",
                "trend",
                "forecast",
            ] {
                assert!(
                    actual.get(absent).is_none(),
                    "{name}: {absent} must be absent"
                );
            }
        }
        *checked += 1;
    }
}

#[test]
fn hand_checked_cases_match_on_sqlite() {
    let sqlite = TestSqlite::create();
    let checked = check_all_cases(&sqlite.url);
    assert!(checked >= 4, "only {checked} expected reports checked");
}

#[test]
fn hand_checked_cases_match_on_postgres() {
    let database = TestDatabase::create();
    let checked = check_all_cases(&database.url);
    assert!(checked >= 4, "only {checked} expected reports checked");
}

#[test]
fn importing_and_aggregating_twice_changes_nothing() {
    let sqlite = TestSqlite::create();
    let case = fixtures_dir().join("containment-rules");
    let case = case.to_str().expect("UTF-8 path");
    let report = |url: &str| {
        impact_ok(
            url,
            &[
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
            ],
        )
    };
    impact_ok(&sqlite.url, &["import", "--dir", case]);
    impact_ok(&sqlite.url, &["aggregate"]);
    let first = report(&sqlite.url);
    impact_ok(&sqlite.url, &["import", "--dir", case]);
    impact_ok(
        &sqlite.url,
        &["aggregate", "--from", "2026-09-01", "--to", "2026-11-01"],
    );
    impact_ok(&sqlite.url, &["aggregate", "--org", "org_demo"]);
    // Every figure is the same; only the moment the source was last read moved.
    let without_read_time = |text: &str| {
        let mut value: Value = serde_json::from_str(text).expect("JSON");
        assert!(
            value["data_until"].is_string(),
            "a run records when it read"
        );
        value["data_until"] = Value::Null;
        value
    };
    assert_eq!(
        without_read_time(&first),
        without_read_time(&report(&sqlite.url))
    );
    let parsed: Value = serde_json::from_str(&first).expect("JSON");
    assert_eq!(parsed["containment"]["net"], 10);
    // r00 on 1 Sep is the first AI-handled room: the baseline is 1–30 Sep, where
    // both rooms (r00, r16) were solved by the AI with no one coming back.
    // October's 10 of 21 against those 2 of 2 is a move chance explains.
    let baseline = &parsed["trend"]["baseline"];
    assert_eq!(
        (&baseline["status"], &baseline["from"], &baseline["to"]),
        (
            &serde_json::json!("ready"),
            &serde_json::json!("2026-09-01"),
            &serde_json::json!("2026-09-30")
        )
    );
    assert_eq!(
        (
            &baseline["eligible"],
            &baseline["net"],
            &baseline["net_rate"]
        ),
        (
            &serde_json::json!(2),
            &serde_json::json!(2),
            &serde_json::json!(1.0)
        )
    );
    assert_eq!(baseline["level"], "about_the_same");
    let interval = baseline["interval"].as_array().expect("an interval");
    assert!(
        interval[0].as_f64() < Some(0.0) && interval[1].as_f64() > Some(0.0),
        "{baseline}"
    );
}

#[test]
fn expected_file_names_are_understood() {
    assert_eq!(
        parse_expected_name("expected-org_demo-2026-10-01-2026-10-31-default-minimum.json"),
        Some((
            "org_demo".into(),
            "2026-10-01".into(),
            "2026-10-31".into(),
            true
        ))
    );
    assert_eq!(
        parse_expected_name("expected-org-with-dash-2026-10-01-2026-11-01.json"),
        Some((
            "org-with-dash".into(),
            "2026-10-01".into(),
            "2026-11-01".into(),
            false
        ))
    );
    assert_eq!(parse_expected_name("rooms.csv"), None);
}

#[test]
fn the_report_command_refuses_what_it_cannot_answer() {
    let sqlite = TestSqlite::create();
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("organizations.ndjson"),
        r#"{"id":"org_plain","name":"Tanpa AI","ai_addon":false,"timezone":"Asia/Jakarta"}"#,
    )
    .expect("write");
    impact_ok(
        &sqlite.url,
        &["import", "--dir", dir.path().to_str().expect("path")],
    );
    let case = fixtures_dir().join("containment-rules");
    impact_ok(
        &sqlite.url,
        &["import", "--dir", case.to_str().expect("path")],
    );
    let refusals: &[(&[&str], &str)] = &[
        (
            &["report", "--org", "org_plain"],
            "does not have the AI Agent add-on",
        ),
        (
            &["report", "--org", "org_nobody"],
            "'org_nobody' is not in the database",
        ),
        (
            &[
                "report",
                "--org",
                "org_demo",
                "--from",
                "2026-10-31",
                "--to",
                "2026-10-01",
            ],
            "is after the end date",
        ),
        (
            &[
                "report",
                "--org",
                "org_demo",
                "--from",
                "2025-01-01",
                "--to",
                "2026-10-31",
            ],
            "at most 366 days",
        ),
        (
            &[
                "report",
                "--org",
                "org_demo",
                "--from",
                "2026-02-30",
                "--to",
                "2026-10-31",
            ],
            "not a date",
        ),
        (
            &["report", "--org", "org_demo", "--lang", "fr"],
            "--lang must be en or id",
        ),
        (
            &["report", "--org", "org_demo", "--min-conversations", "-1"],
            "must not be negative",
        ),
        (
            &["aggregate", "--org", "org_nobody"],
            "'org_nobody' is not in the database",
        ),
        (&["aggregate", "--shard", "2/2"], "does not exist"),
    ];
    for (args, message) in refusals {
        let output = crate::common::impact(&sqlite.url, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(message),
            "{args:?}: '{message}' not in {stderr}"
        );
    }
}

#[test]
fn the_text_report_speaks_both_languages() {
    let sqlite = TestSqlite::create();
    let case = fixtures_dir().join("containment-rules");
    impact_ok(
        &sqlite.url,
        &["import", "--dir", case.to_str().expect("path")],
    );
    impact_ok(&sqlite.url, &["aggregate"]);
    let base = [
        "report",
        "--org",
        "org_demo",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--min-conversations",
        "1",
    ];
    // The terminal text wraps lines; compare with white space folded.
    let fold = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let english = fold(impact_ok(
        &sqlite.url,
        &[&base[..], &["--lang", "en"]].concat(),
    ));
    assert!(
        english.contains("your AI solved 10 of 21 conversations on its own (about 5 in 10)"),
        "{english}"
    );
    // Each language writes numbers its own way (CLDR), and the money names the
    // numbers it comes from.
    assert!(english.contains("Rp 40,000"), "{english}");
    assert!(
        english.contains(
            "10 conversations solved on their own × 6 min = 60 min, or 1.0 hours; × Rp 40,000 an hour ≈ Rp 40,000"
        ),
        "{english}"
    );
    assert!(english.contains("[Healthy]"), "{english}");
    let indonesian = fold(impact_ok(
        &sqlite.url,
        &[&base[..], &["--lang", "id"]].concat(),
    ));
    assert!(
        indonesian
            .contains("AI Anda menyelesaikan sendiri 10 dari 21 percakapan (sekitar 5 dari 10)"),
        "{indonesian}"
    );
    assert!(indonesian.contains("[Sehat]"), "{indonesian}");
    assert!(indonesian.contains("1 Okt 2026"), "{indonesian}");
    assert!(
        indonesian.contains(
            "10 percakapan selesai sendiri × 6 menit = 60 menit, atau 1,0 jam; × Rp 40.000 per jam ≈ Rp 40.000"
        ),
        "{indonesian}"
    );
    // A baseline-forming report shows no percentage at all.
    let forming = impact_ok(
        &sqlite.url,
        &[
            "report",
            "--org",
            "org_demo",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
        ],
    );
    assert!(!forming.contains('%'), "{forming}");
    // 61 days of data: a mature organization with a short range, never called new.
    let forming = fold(forming);
    assert!(
        forming.contains("there were 21 counted conversations, and the AI took part in 17")
            && forming.contains("choose a longer range, with at least 100 conversations"),
        "{forming}"
    );
    assert!(!forming.contains("So far"), "{forming}");
}

#[test]
fn aggregate_never_writes_a_day_that_has_not_happened() {
    let sqlite = TestSqlite::create();
    let case = fixtures_dir().join("containment-rules");
    impact_ok(
        &sqlite.url,
        &["import", "--dir", case.to_str().expect("UTF-8 path")],
    );
    let said = impact_ok(
        &sqlite.url,
        &["aggregate", "--from", "2026-10-01", "--to", "2099-03-31"],
    );
    assert!(
        said.contains("Stopped at today") && said.contains("have not happened yet"),
        "{said}"
    );
    let report = crate::common::report_json(&sqlite.url, "org_demo", "2026-10-01", "2026-10-31");
    let through = report["data_through"]
        .as_str()
        .and_then(|text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .expect("data_through");
    // The organization's today, in Jakarta, is the latest day a run may write.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .date_naive();
    assert!(
        through <= today,
        "data through {through}, after today {today}"
    );
    assert!(
        through >= today - chrono::Duration::days(1),
        "the days up to today are written: {through}"
    );
    // Days that have not happened anywhere, or before any conversation: refused.
    for (from, to, said) in [
        ("9999-12-01", "9999-12-31", "have not happened yet"),
        ("0000-01-01", "2026-10-31", "earliest date"),
    ] {
        let output = crate::common::impact(&sqlite.url, &["aggregate", "--from", from, "--to", to]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{from}..{to}: {stderr}");
        assert!(stderr.contains(said), "{from}..{to}: {stderr}");
    }
    let output = crate::common::impact(
        &sqlite.url,
        &[
            "report",
            "--org",
            "org_demo",
            "--from",
            "2099-12-01",
            "--to",
            "2099-12-31",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("have not happened yet"));
}
