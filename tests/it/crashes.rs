//! A run killed part-way (METRICS.md §8.2, issue 28): whatever an organization's run
//! writes (days, rooms, milestones, read mark, onboarding baseline) is committed
//! together, so after the next nightly run the datamart equals a fresh recompute,
//! on both backends, wherever the first run stopped. The stop is the product's own
//! fault hook (`IMPACT_TEST_CRASH_BEFORE_WRITE=N`: abort, as `kill -9` would, just
//! before the (N + 1)-th batch write), not a sleep.

use std::path::Path;

use chrono::NaiveDate;
use impact::domain::DateRange;
use impact::metrics::baseline::Baseline;
use impact::metrics::rooms::RoomOutcome;
use impact::metrics::DailyCounters;
use impact::store;

use crate::common::{impact_ok, impact_with_env, TestDatabase, TestSqlite};

/// Everything the datamart says of an organization, days without rooms left out.
#[derive(Debug, PartialEq)]
struct Held {
    org: String,
    rows: Vec<DailyCounters>,
    outcomes: Vec<RoomOutcome>,
    first_eligible_day: Option<NaiveDate>,
    baseline: Option<Baseline>,
}

async fn held(url: &str) -> Vec<Held> {
    let store = store::open(url, 2).await.expect("open");
    let range = DateRange::unbounded(
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default(),
    )
    .expect("range");
    let mut all = Vec::new();
    for organization in store.organizations().await.expect("organizations") {
        let org = &organization.id;
        all.push(Held {
            org: org.to_string(),
            rows: store
                .daily_counters(org, range)
                .await
                .expect("rows")
                .into_iter()
                .filter(|row| row.eligible + row.test_chats + row.spam > 0)
                .collect(),
            outcomes: store.room_outcomes(org, range).await.expect("outcomes"),
            first_eligible_day: store
                .activity(org)
                .await
                .expect("activity")
                .first_eligible_day,
            baseline: store.onboarding_baseline(org).await.expect("baseline"),
        });
    }
    all
}

/// One day a run: so six organizations over 200 days make three batches of writes.
const ONE_DAY_RUNS: (&str, &str) = ("IMPACT__AGGREGATION__CHUNK_DAYS", "1");

fn import(url: &str, data: &Path) {
    impact_ok(url, &["import", "--dir", data.to_str().expect("path")]);
}

fn check_backend(fresh: &dyn Fn() -> (Box<dyn std::any::Any>, String), data: &Path) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (_keep, expected_url) = fresh();
    import(&expected_url, data);
    let nightly = impact_with_env(&expected_url, &["aggregate", "--nightly"], &[ONE_DAY_RUNS]);
    assert!(
        nightly.status.success(),
        "{}",
        String::from_utf8_lossy(&nightly.stderr)
    );
    let expected = runtime.block_on(held(&expected_url));
    assert!(
        expected.iter().any(|org| org.baseline.is_some()),
        "a baseline to lose"
    );

    let mut stopped = 0;
    for writes_before_the_crash in 0.. {
        let (_keep, url) = fresh();
        import(&url, data);
        let crashed = impact_with_env(
            &url,
            &["aggregate", "--nightly"],
            &[
                ONE_DAY_RUNS,
                (
                    "IMPACT_TEST_CRASH_BEFORE_WRITE",
                    &writes_before_the_crash.to_string(),
                ),
            ],
        );
        if crashed.status.success() {
            break;
        }
        stopped += 1;
        let next = impact_with_env(&url, &["aggregate", "--nightly"], &[ONE_DAY_RUNS]);
        assert!(
            next.status.success(),
            "{}",
            String::from_utf8_lossy(&next.stderr)
        );
        let after = runtime.block_on(held(&url));
        assert!(
            after == expected,
            "stopped before write {}: the datamart differs from a fresh recompute",
            writes_before_the_crash + 1
        );
    }
    println!("stopped at {stopped} points, each equal to a recompute after the next run");
    assert!(stopped >= 3, "the run was stopped at only {stopped} points");
}

#[test]
fn a_run_killed_before_each_write_ends_equal_to_a_recompute_after_the_next_run() {
    let data = tempfile::tempdir().expect("dir");
    impact_ok(
        "sqlite://unused",
        &[
            "generate",
            "--out",
            data.path().to_str().expect("path"),
            "--orgs",
            "6",
            "--days",
            "200",
            "--seed",
            "28",
            "--end",
            "2026-10-31",
            "--scale",
            "0.05",
        ],
    );
    let sqlite = || {
        let database = TestSqlite::create();
        let url = database.url.clone();
        (Box::new(database) as Box<dyn std::any::Any>, url)
    };
    check_backend(&sqlite, data.path());
    let postgres = || {
        let database = TestDatabase::create();
        let url = database.url.clone();
        (Box::new(database) as Box<dyn std::any::Any>, url)
    };
    check_backend(&postgres, data.path());
}
