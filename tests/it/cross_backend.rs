//! The same input gives the same figures on every backend: generated data of
//! several seeds, imported and aggregated on SQLite and on PostgreSQL (with
//! different chunk sizes, so reopens across chunk edges are exercised), must give
//! identical reports.

use std::sync::Arc;

use crate::common::{assert_same_report, TestDatabase, TestSqlite};
use chrono::NaiveDate;
use impact::aggregate::{Request, Scope};
use impact::domain::DateRange;
use impact::generate::{generate, GenerateOptions};
use impact::i18n::Lang;
use impact::import::import_dir;
use impact::metrics::report::{ReportPolicy, ReportStatus};
use impact::report::{load_report, ReportError};
use impact::settings::Settings;
use impact::store::{self, Store};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

async fn load(url: &str, data: &std::path::Path, chunk_days: u32) -> Arc<dyn Store> {
    let store = store::open(url, 4).await.expect("open store");
    import_dir(store.as_ref(), data, false)
        .await
        .expect("import");
    let mut settings = Settings::load(None).expect("settings");
    settings.aggregation.chunk_days = chunk_days;
    let request = Request {
        scope: Scope::AllData,
        organization: None,
        shard: None,
        show_progress: false,
    };
    let summary = impact::pipeline::aggregate(&settings, &store, &request)
        .await
        .expect("aggregate");
    assert!(summary.rooms > 0);
    store
}

async fn reports(store: &dyn Store, policy: &ReportPolicy) -> Vec<serde_json::Value> {
    let ranges = [
        DateRange::new(day("2026-10-02"), day("2026-10-31")).expect("range"),
        DateRange::new(day("2026-08-18"), day("2026-10-31")).expect("range"),
        DateRange::new(day("2026-09-01"), day("2026-09-07")).expect("range"),
    ];
    let mut all = Vec::new();
    for organization in store.organizations().await.expect("organizations") {
        for range in ranges {
            for lang in [Lang::En, Lang::Id] {
                match load_report(store, &organization.id, range, policy).await {
                    Ok(report) => all.push(crate::common::without_read_time(
                        serde_json::to_value(impact::report::wire::Report::new(&report, lang))
                            .expect("JSON"),
                    )),
                    Err(ReportError::NoAiAddon(_)) => assert!(!organization.ai_addon),
                    Err(error) => panic!("{error}"),
                }
            }
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_give_the_same_figures_for_generated_data() {
    for seed in [11, 22, 33] {
        let data = tempfile::tempdir().expect("temporary directory");
        generate(&GenerateOptions {
            out: data.path().to_path_buf(),
            organizations: 6,
            days: 75,
            seed,
            end: day("2026-10-31"),
            scale: 0.3,
        })
        .expect("generate");
        let sqlite = TestSqlite::create();
        let postgres = TestDatabase::create();
        let on_sqlite = load(&sqlite.url, data.path(), 14).await;
        let on_postgres = load(&postgres.url, data.path(), 3).await;
        for policy in [
            ReportPolicy::default(),
            ReportPolicy {
                min_conversations: 1,
                ..ReportPolicy::default()
            },
        ] {
            let left = reports(on_sqlite.as_ref(), &policy).await;
            let right = reports(on_postgres.as_ref(), &policy).await;
            assert_eq!(left.len(), right.len());
            assert!(left.len() >= 30, "seed {seed}: only {} reports", left.len());
            for (a, b) in left.iter().zip(&right) {
                assert_same_report(a, b, &format!("seed {seed} {}", a["org_id"]));
            }
            // The data is rich enough to exercise every figure.
            let ok = left.iter().filter(|r| r["status"] == "ok").count();
            assert!(ok >= 10, "seed {seed}: only {ok} full reports");
            assert!(left
                .iter()
                .any(|r| r["containment"]["reopened"].as_i64() > Some(0)));
            assert!(left
                .iter()
                .any(|r| r["after_hours"]["status"] == "not_available"));
            assert!(left.iter().any(|r| r["work_absorbed"]["status"] == "ok"));
            assert!(left
                .iter()
                .any(|r| r["work_absorbed"]["status"] == "assumption_missing"));
            assert!(left.iter().any(|r| r["trend"]["period"] == "week"));
        }
        // The brand-new organization is still forming its baseline.
        let brand_new = load_report(
            on_sqlite.as_ref(),
            &impact::domain::OrgId::parse("org_kedai_baru").expect("id"),
            DateRange::new(day("2026-10-02"), day("2026-10-31")).expect("range"),
            &ReportPolicy::default(),
        )
        .await
        .expect("report");
        assert_eq!(brand_new.status, ReportStatus::BaselineForming);
        assert!(brand_new.days_of_data < 30);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aggregating_in_pieces_equals_aggregating_at_once() {
    let data = tempfile::tempdir().expect("temporary directory");
    generate(&GenerateOptions {
        out: data.path().to_path_buf(),
        organizations: 3,
        days: 40,
        seed: 5,
        end: day("2026-10-31"),
        scale: 0.4,
    })
    .expect("generate");
    let whole = TestSqlite::create();
    let whole_store = load(&whole.url, data.path(), 31).await;

    let pieces = TestSqlite::create();
    let store = store::open(&pieces.url, 2).await.expect("open");
    import_dir(store.as_ref(), data.path(), false)
        .await
        .expect("import");
    let settings = Settings::load(None).expect("settings");
    // Backwards, overlapping, and one organization at a time: the order of runs
    // must not matter.
    for (from, to) in [
        ("2026-10-15", "2026-10-31"),
        ("2026-09-01", "2026-10-20"),
        ("2026-09-20", "2026-09-25"),
    ] {
        for organization in store.organizations().await.expect("organizations") {
            let request = Request {
                scope: Scope::Days {
                    from: day(from),
                    to: day(to),
                },
                organization: Some(organization.id.clone()),
                shard: None,
                show_progress: false,
            };
            impact::pipeline::aggregate(&settings, &store, &request)
                .await
                .expect("aggregate");
        }
    }
    let policy = ReportPolicy {
        min_conversations: 1,
        ..ReportPolicy::default()
    };
    let left = reports(whole_store.as_ref(), &policy).await;
    let right = reports(store.as_ref(), &policy).await;
    assert!(!left.is_empty());
    for (a, b) in left.iter().zip(&right) {
        assert_same_report(a, b, "pieces");
    }
}
