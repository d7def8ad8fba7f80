//! `impact generate` writes the same bytes for the same options, and what it writes
//! has the features the demo, tests and benchmarks rely on.

use std::fs;

use crate::common::{impact_ok, TestSqlite};

fn generate(out: &std::path::Path, seed: &str) {
    let sqlite = TestSqlite::create();
    let stdout = impact_ok(
        &sqlite.url,
        &[
            "generate",
            "--out",
            out.to_str().expect("path"),
            "--orgs",
            "8",
            "--days",
            "120",
            "--seed",
            seed,
            "--end",
            "2026-10-31",
            "--scale",
            "0.3",
        ],
    );
    assert!(stdout.contains("Wrote 8 organizations"), "{stdout}");
}

#[test]
fn the_same_seed_gives_the_same_files_and_another_seed_does_not() {
    let first = tempfile::tempdir().expect("dir");
    let second = tempfile::tempdir().expect("dir");
    let other = tempfile::tempdir().expect("dir");
    generate(first.path(), "9");
    generate(second.path(), "9");
    generate(other.path(), "10");
    for file in [
        "organizations.ndjson",
        "rooms.csv",
        "histories.csv",
        "room_summaries.ndjson",
        "cost_assumptions.csv",
    ] {
        let a = fs::read(first.path().join(file)).expect("read");
        assert!(!a.is_empty(), "{file} is empty");
        assert_eq!(
            a,
            fs::read(second.path().join(file)).expect("read"),
            "{file} differs for one seed"
        );
    }
    assert_ne!(
        fs::read(first.path().join("rooms.csv")).expect("read"),
        fs::read(other.path().join("rooms.csv")).expect("read")
    );
}

#[test]
fn generated_data_has_what_the_product_must_handle() {
    let dir = tempfile::tempdir().expect("dir");
    generate(dir.path(), "3");
    let organizations = fs::read_to_string(dir.path().join("organizations.ndjson")).expect("read");
    let orgs: Vec<serde_json::Value> = organizations
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert!(
        orgs.iter().any(|o| o["ai_addon"] == false),
        "an organization without the add-on"
    );
    assert!(
        orgs.iter().any(|o| o["business_hours"].is_null()),
        "one without business hours"
    );
    for zone in ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"] {
        assert!(orgs.iter().any(|o| o["timezone"] == zone), "{zone}");
    }
    assert!(orgs
        .iter()
        .any(|o| o["holidays"].as_array().is_some_and(|h| !h.is_empty())));

    let rooms = fs::read_to_string(dir.path().join("rooms.csv")).expect("read");
    for needle in [
        ",SPAM,",
        "bot_preview",
        "Bot_Preview",
        ",RESOLVE_AI,",
        ",RESOLVE,",
        " resolve_ai ",
        "WAITING_ASSIGN_AGENT",
        "AUTO_CLOSE_INACTIVE",
        "Z,",
    ] {
        assert!(rooms.contains(needle), "no {needle:?} in rooms.csv");
    }
    // Some rooms are still open at export time (no closed_at).
    assert!(rooms.lines().any(|line| line.split(',').nth(5) == Some("")));
    let brand_new_rooms = rooms
        .lines()
        .filter(|l| l.contains(",org_kedai_baru,"))
        .count();
    assert!(brand_new_rooms > 0);
    let summaries = fs::read_to_string(dir.path().join("room_summaries.ndjson")).expect("read");
    assert!(summaries.contains(r#""sentiment":"positive""#));
    assert!(summaries.contains(r#""sentiment":-0."#) || summaries.contains(r#""sentiment":0."#));
    let histories = fs::read_to_string(dir.path().join("histories.csv")).expect("read");
    assert!(
        histories.contains(",customer,")
            && histories.contains(",ai,")
            && histories.contains(",agent,")
    );
}
