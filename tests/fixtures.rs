//! Every hand-checked case in `../shared/fixtures` must produce its expected report
//! exactly, through the real commands (`import` → `aggregate` → `report`), on the
//! embedded default and on PostgreSQL.

mod common;

use std::path::Path;

use common::{assert_report_matches, fixtures_dir, impact_ok, TestDatabase, TestSqlite};
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
    assert_eq!(first, report(&sqlite.url));
    let parsed: Value = serde_json::from_str(&first).expect("JSON");
    assert_eq!(parsed["containment"]["net"], 10);
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
