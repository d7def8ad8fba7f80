//! The MongoDB happy path, end to end through the real driver: `impact aggregate
//! --mongodb-url` against a wire-protocol stand-in (tests/it/common/mongo_standin.rs;
//! no MongoDB server can be installed where the tests run). The same summaries read
//! from the import's table must give the very same report: labels, scores, missing
//! and malformed sentiments, documents of another organization ignored, more rooms
//! than one `$in` batch, and cursors that need `getMore`.

use std::fmt::Write as _;

use crate::common::mongo_standin::{MongoStandIn, BATCH};
use crate::common::{impact_ok, impact_with_env, TestSqlite};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_reads_summaries_from_mongodb_like_the_sql_path_does() {
    // The SQL path: summaries imported into the store's own table.
    let (with_table, _) = data(true);
    let sql = TestSqlite::create();
    let sql_report = tokio::task::spawn_blocking({
        let url = sql.url.clone();
        let dir = with_table.path().to_path_buf();
        move || {
            impact_ok(&url, &["import", "--dir", dir.to_str().expect("path")]);
            impact_ok(&url, &["aggregate"]);
            report(&url)
        }
    })
    .await
    .expect("SQL path");

    // The MongoDB path: the same summaries as documents, read by the driver.
    let (without_table, documents) = data(false);
    let standin = MongoStandIn::start(documents).await;
    let mongo = TestSqlite::create();
    let mongo_report = tokio::task::spawn_blocking({
        let url = mongo.url.clone();
        let dir = without_table.path().to_path_buf();
        let mongodb_url = standin.url.clone();
        move || {
            impact_ok(&url, &["import", "--dir", dir.to_str().expect("path")]);
            let output = impact_with_env(
                &url,
                &["aggregate", "--mongodb-url", &mongodb_url],
                &[("IMPACT__MONGODB__TIMEOUT_MS", "20000")],
            );
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
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
    // 6 200 rooms in one chunk: two `$in` batches, each read in batches of 50.
    assert!(
        standin.count("find") >= 2,
        "{} finds",
        standin.count("find")
    );
    assert!(
        standin.count("getMore") >= ROOMS / BATCH / 2,
        "{} getMores",
        standin.count("getMore")
    );
}
