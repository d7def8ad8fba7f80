//! Room summaries from MongoDB, end to end through the real driver. The happy path
//! runs against nx-27017, a MongoDB wire-protocol server written by others (no
//! MongoDB server can be installed where the tests run): the same summaries read
//! from the import's table must give the very same report (labels, scores, missing
//! and malformed sentiments, documents of another organization ignored, more rooms
//! than one `$in` batch), and summaries that arrive after their days were aggregated
//! are found by the next nightly run. The hand-written stand-in
//! (tests/it/common/mongo_standin.rs) plays only what nx-27017 will not: a server
//! that loses its cursors in the middle of a read.

use std::fmt::Write as _;

use crate::common::mongo_standin::MongoStandIn;
use crate::common::{impact_ok, impact_with_env, NxMongo, TestSqlite};
use mongodb::bson::{Bson, Document};
use serde_json::Value;

/// More rooms in one aggregation chunk than one `$in` batch of the reader (5 000).
const ROOMS: usize = 6_200;

/// Sentiments as the host writes them, good and bad, in turn.
fn sentiment(index: usize) -> Option<Value> {
    let choices = [
        Some(serde_json::json!("positive")),
        Some(serde_json::json!(" NEGATIVE ")),
        Some(serde_json::json!("Neutral")),
        Some(serde_json::json!(0.5)),
        Some(serde_json::json!(-2.5)),
        Some(serde_json::json!(7)),
        Some(serde_json::json!("great")),
        Some(serde_json::json!(true)),
        Some(serde_json::json!({"score": 1})),
        Some(Value::Null),
        None,
    ];
    choices[index % choices.len()].clone()
}

/// The import files (with or without `room_summaries.ndjson`) and the summaries as
/// MongoDB documents, plus documents of another organization for the same rooms.
fn data(with_summaries: bool) -> (tempfile::TempDir, Vec<mongodb::bson::Document>) {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("organizations.ndjson"),
        concat!(
            r#"{"id":"org_mongo","name":"Toko Mongo","ai_addon":true,"timezone":"Asia/Jakarta"}"#,
            "\n",
            r#"{"id":"org_elsewhere","name":"Lain","ai_addon":true,"timezone":"Asia/Jakarta"}"#,
            "\n"
        ),
    )
    .expect("write");
    let mut rooms = String::from(
        "id,organization_id,channel,contact_id,created_at,closed_at,closed_reason,assign_channel_agent_id,assigned_at\n",
    );
    rooms.push_str("old,org_mongo,whatsapp,c_old,2026-08-01T10:00:00+07:00,2026-08-01T10:05:00+07:00,RESOLVE,,\n");
    let mut summaries = String::new();
    let mut documents = Vec::new();
    for index in 0..ROOMS {
        let minute = index % (3 * 24 * 60);
        let created = format!(
            "2026-10-{:02}T{:02}:{:02}:00+07:00",
            1 + minute / (24 * 60),
            (minute / 60) % 24,
            minute % 60
        );
        let (reason, agent) = match index % 5 {
            0..=2 => ("RESOLVE_AI", ""),
            3 => ("ASSIGN_AGENT", "agent_1"),
            _ => ("RESOLVE", ""),
        };
        let _ = writeln!(
            rooms,
            "r{index},org_mongo,whatsapp,c{},{created},{created},{reason},{agent},",
            index % 997
        );
        let Some(value) = sentiment(index) else {
            continue;
        };
        let line = serde_json::json!({
            "room_id": format!("r{index}"),
            "organization_id": "org_mongo",
            "sentiment": value,
            "created_at": created,
        });
        let _ = writeln!(summaries, "{line}");
        documents.push(mongodb::bson::to_document(&line).expect("BSON"));
        // Another organization's summary of a room with the same id: never read.
        documents.push(
            mongodb::bson::to_document(&serde_json::json!({
                "room_id": format!("r{index}"),
                "organization_id": "org_elsewhere",
                "sentiment": "negative",
            }))
            .expect("BSON"),
        );
    }
    std::fs::write(dir.path().join("rooms.csv"), rooms).expect("write");
    if with_summaries {
        std::fs::write(dir.path().join("room_summaries.ndjson"), summaries).expect("write");
    }
    (dir, documents)
}

fn report(url: &str) -> Value {
    crate::common::without_read_time(
        serde_json::from_str(&impact_ok(
            url,
            &[
                "report",
                "--org",
                "org_mongo",
                "--from",
                "2026-10-01",
                "--to",
                "2026-10-31",
                "--format",
                "json",
                "--min-conversations",
                "1",
            ],
        ))
        .expect("JSON"),
    )
}

/// The documents as the chatbot stores them: `created_at` a BSON date.
fn as_stored(documents: Vec<Document>) -> Vec<Document> {
    documents
        .into_iter()
        .map(|mut document| {
            let created = document
                .get_str("created_at")
                .ok()
                .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok());
            if let Some(created) = created {
                document.insert(
                    "created_at",
                    Bson::DateTime(mongodb::bson::DateTime::from_millis(
                        created.timestamp_millis(),
                    )),
                );
            }
            document
        })
        .collect()
}

/// The SQL path's report: the summaries imported into the store's own table.
async fn sql_report() -> Value {
    let (with_table, _) = data(true);
    let sql = TestSqlite::create();
    tokio::task::spawn_blocking({
        let url = sql.url.clone();
        let dir = with_table.path().to_path_buf();
        move || {
            impact_ok(&url, &["import", "--dir", dir.to_str().expect("path")]);
            impact_ok(&url, &["aggregate"]);
            report(&url)
        }
    })
    .await
    .expect("SQL path")
}

/// Runs `impact` with sentiment from `mongodb_url`; insists on success.
fn aggregate_with(url: &str, mongodb_url: &str, args: &[&str]) -> String {
    let mut all = vec!["aggregate", "--mongodb-url", mongodb_url];
    all.extend_from_slice(args);
    let output = impact_with_env(url, &all, &[("IMPACT__MONGODB__TIMEOUT_MS", "60000")]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_reads_summaries_from_mongodb_like_the_sql_path_does() {
    let sql_report = sql_report().await;

    // The MongoDB path: the same summaries as documents, read by the driver.
    let (without_table, documents) = data(false);
    let server = NxMongo::start();
    server.insert_summaries(as_stored(documents)).await;
    let mongo = TestSqlite::create();
    let mongo_report = tokio::task::spawn_blocking({
        let url = mongo.url.clone();
        let dir = without_table.path().to_path_buf();
        let mongodb_url = server.url.clone();
        move || {
            impact_ok(&url, &["import", "--dir", dir.to_str().expect("path")]);
            let stdout = aggregate_with(&url, &mongodb_url, &[]);
            assert!(!stdout.contains("pending"), "{stdout}");
            report(&url)
        }
    })
    .await
    .expect("MongoDB path");

    let sentiment = &mongo_report["quality"]["sentiment"];
    assert_eq!(sentiment["status"], "ok", "{mongo_report}");
    assert!(sentiment["coverage"]
        .as_f64()
        .is_some_and(|c| c > 0.3 && c < 0.9));
    assert_eq!(mongo_report, sql_report, "MongoDB and SQL paths differ");
}

/// Summaries written after their days were aggregated (weeks later, outside the
/// nightly window) are found by the next nightly run through their `created_at`,
/// and their days come out as if they had been there all along.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_summaries_restate_their_days_on_the_next_nightly_run() {
    let sql_report = sql_report().await;
    let (without_table, documents) = data(false);
    let (late, early): (Vec<Document>, Vec<Document>) =
        as_stored(documents).into_iter().partition(|document| {
            document
                .get_str("room_id")
                .ok()
                .and_then(|id| id.trim_start_matches('r').parse::<usize>().ok())
                .is_some_and(|n| n % 3 == 0)
        });
    let server = NxMongo::start();
    server.insert_summaries(early).await;
    let mongo = TestSqlite::create();
    let url = mongo.url.clone();
    let mongodb_url = server.url.clone();
    let dir = without_table.path().to_path_buf();
    let before = tokio::task::spawn_blocking({
        let (url, mongodb_url) = (url.clone(), mongodb_url.clone());
        move || {
            impact_ok(&url, &["import", "--dir", dir.to_str().expect("path")]);
            aggregate_with(&url, &mongodb_url, &[]);
            report(&url)
        }
    })
    .await
    .expect("first run");
    assert_ne!(
        before, sql_report,
        "a third of the summaries are not there yet"
    );

    // The chatbot writes the missing summaries now.
    let now = mongodb::bson::DateTime::now();
    let late: Vec<Document> = late
        .into_iter()
        .map(|mut document| {
            if document.contains_key("created_at") {
                document.insert("created_at", Bson::DateTime(now));
            }
            document
        })
        .collect();
    server.insert_summaries(late).await;
    let after = tokio::task::spawn_blocking(move || {
        aggregate_with(&url, &mongodb_url, &["--nightly"]);
        report(&url)
    })
    .await
    .expect("nightly run");
    // The nightly run also wrote its recent (empty) days, so how fresh the data is
    // differs from a single run without dates, and with it whether the onboarding
    // baseline's 30 days are all in the data (docs/metric-decisions.md, §8).
    // The headline's sentence about the baseline goes with it, and so do the days
    // the length-dependent figures count (METRICS.md §4.4: the period before, and
    // the note that says where they stop).
    let figures = |mut report: Value| {
        report["data_through"] = Value::Null;
        report["counted_through"] = Value::Null;
        report["period_before"] = Value::Null;
        if let Some(notes) = report["notes"].as_array_mut() {
            notes.retain(|note| {
                !note
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("There is no data after")
            });
        }
        report["trend"]["baseline"] = Value::Null;
        let headline = report["headline"].as_str().unwrap_or_default();
        let without_baseline = headline.split(" That is ").next().unwrap_or_default();
        report["headline"] = without_baseline.to_string().into();
        report
    };
    assert_eq!(
        figures(after),
        figures(sql_report),
        "the late summaries reached their days"
    );
}

/// A server that loses its cursor after the first batch: the read fails as a whole,
/// never as a partial mood; the days' sentiment is pending and every other figure
/// is exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_lost_mid_read_leaves_the_sentiment_pending_not_partial() {
    let sql_report = sql_report().await;
    let (without_table, documents) = data(false);
    let standin = MongoStandIn::start(documents).await;
    let mongo = TestSqlite::create();
    let (stdout, lost) = tokio::task::spawn_blocking({
        let url = mongo.url.clone();
        let dir = without_table.path().to_path_buf();
        let mongodb_url = standin.url.clone();
        move || {
            impact_ok(&url, &["import", "--dir", dir.to_str().expect("path")]);
            let stdout = aggregate_with(&url, &mongodb_url, &[]);
            (stdout, report(&url))
        }
    })
    .await
    .expect("MongoDB path");
    assert!(stdout.contains("pending"), "{stdout}");
    assert!(standin.count("getMore") >= 1, "the cursor was followed");
    assert_eq!(
        lost["quality"]["sentiment"]["status"], "not_available",
        "{lost}"
    );
    for figure in ["volume", "containment", "journey", "ledger"] {
        assert_eq!(lost[figure], sql_report[figure], "{figure}");
    }
}
