//! PostgreSQL's monthly partitions of the datamart (docs/operations.md, "Monthly
//! partitions"): the large tables are partitioned by month, retention drops whole
//! months and deletes only the rest, a report and its lists read only the months
//! of their days, and a datamart migrated from the unpartitioned schema gives
//! byte-identical reports.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use impact::aggregate::{Request, Scope};
use impact::server::auth::Role;
use impact::settings::Settings;
use impact::store::{self, Store};
use tokio_postgres::{Client, NoTls};

use crate::common::{impact, impact_ok, TestDatabase};
use crate::oracle::LISTS;
use crate::server_common::{download, get, spawn_app_on, token};

/// The tables partitioned by month of `day`.
const PARTITIONED: [&str; 4] = [
    "ai_activity_logs",
    "room_outcomes",
    "room_outcome_days",
    "usage_daily",
];

const FLAGS_ON: &str = "[defaults]\nai_agent_impact_report = true\n";

async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url}: {e}"));
    tokio::spawn(connection);
    client
}

/// Five months of three organizations (June to October 2026), imported and
/// aggregated; their ids.
fn load(url: &str, dir: &Path) -> Vec<String> {
    let path = dir.to_str().expect("path");
    impact_ok(
        url,
        &[
            "generate",
            "--out",
            path,
            "--orgs",
            "3",
            "--days",
            "150",
            "--seed",
            "31",
            "--end",
            "2026-10-31",
            "--scale",
            "0.2",
        ],
    );
    impact_ok(url, &["import", "--dir", path]);
    impact_ok(url, &["aggregate"]);
    std::fs::read_to_string(dir.join("organizations.ndjson"))
        .expect("organizations")
        .lines()
        .map(|line| {
            let org: serde_json::Value = serde_json::from_str(line).expect("JSON");
            org["id"].as_str().expect("id").to_string()
        })
        .collect()
}

async fn partitioned_tables(client: &Client) -> BTreeSet<String> {
    client
        .query(
            "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid \
             WHERE c.relkind = 'p'",
            &[],
        )
        .await
        .expect("partitioned tables")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// The partitions of `table`, by name (`table_pYYYYMM`).
async fn partitions(client: &Client, table: &str) -> BTreeSet<String> {
    client
        .query(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             WHERE i.inhparent = to_regclass($1)",
            &[&table],
        )
        .await
        .expect("partitions")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

async fn count(client: &Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).await.expect(sql).get(0)
}

/// Waits until no other session is connected to the database: a backend reports
/// its statistics when it ends, so then every read made so far is counted.
async fn others_gone(client: &Client) {
    for _ in 0..100 {
        let others = count(
            client,
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await;
        if others == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("other sessions stayed connected to the test database");
}

/// Waits until every other session of the database is idle, and then for the
/// interval after which PostgreSQL 15 has an idle backend report its statistics
/// (10 s, `PGSTAT_IDLE_INTERVAL`), so every read made so far is counted: the
/// server's pool keeps its connections open.
async fn others_idle_and_reported(client: &Client) {
    for _ in 0..100 {
        let busy = count(
            client,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND state <> 'idle'",
        )
        .await;
        if busy == 0 {
            tokio::time::sleep(std::time::Duration::from_secs(11)).await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("other sessions stayed busy in the test database");
}

/// The scans of each month's partition since the statistics were reset, by
/// partition and by the index read (its partitioned index's name, or
/// "(sequential)"): only those that read something.
async fn scans(client: &Client) -> Vec<(String, String, i64)> {
    client
        .execute("SELECT pg_stat_clear_snapshot()", &[])
        .await
        .expect("a fresh look");
    client
        .query(
            "SELECT s.relname::text, coalesce(parent.relname, s.indexrelname)::text, \
                    coalesce(s.idx_scan, 0) \
             FROM pg_stat_user_indexes s \
             LEFT JOIN pg_inherits i ON i.inhrelid = s.indexrelid \
             LEFT JOIN pg_class parent ON parent.oid = i.inhparent \
             WHERE s.relname ~ '_p[0-9]{6}$' \
             UNION ALL \
             SELECT relname::text, '(sequential)', coalesce(seq_scan, 0) \
             FROM pg_stat_user_tables WHERE relname ~ '_p[0-9]{6}$' \
             ORDER BY 1, 2",
            &[],
        )
        .await
        .expect("statistics")
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .filter(|(_, _, n): &(String, String, i64)| *n > 0)
        .collect()
}

#[actix_web::test]
async fn the_large_tables_are_partitioned_and_a_report_reads_only_its_months() {
    let data = tempfile::tempdir().expect("dir");
    let database = TestDatabase::create();
    let organizations = load(&database.url, data.path());
    let client = connect(&database.url).await;
    assert_eq!(
        partitioned_tables(&client).await,
        PARTITIONED.iter().map(|t| t.to_string()).collect()
    );
    let months = partitions(&client, "room_outcomes").await;
    for month in ["202606", "202607", "202608", "202609", "202610"] {
        assert!(
            months.contains(&format!("room_outcomes_p{month}")),
            "{month} in {months:?}"
        );
    }

    // A report of October, each of its lists and its downloads, read through the
    // server; counted from a reset made once the load's sessions had ended.
    others_gone(&client).await;
    client
        .execute("SELECT pg_stat_reset()", &[])
        .await
        .expect("reset the statistics");
    let app = spawn_app_on(&database.url, FLAGS_ON, |_| {}).await;
    let owner = token(&organizations[0], Role::Owner);
    let range = "from=2026-10-01&to=2026-10-31";
    let (status, report) = get(
        &app,
        &format!("/api/v1/reports/ai-agent-impact?{range}"),
        &owner,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    for (list, _) in LISTS {
        let path = format!("/api/v1/reports/ai-agent-impact/conversations?outcome={list}&{range}");
        let (status, body) = get(&app, &path, &owner).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    for path in [
        format!("/api/v1/reports/ai-agent-impact/conversations.csv?outcome=came_back&{range}"),
        format!("/api/v1/reports/ai-agent-impact/conversations.xlsx?outcome=solved_alone&{range}"),
        format!("/api/v1/reports/ai-agent-impact/daily.csv?{range}"),
    ] {
        let (status, _, body) = download(&app, &path, &owner).await;
        assert_eq!(status, 200, "{path}");
        assert!(!body.is_empty(), "{path}");
    }
    drop(app);

    // October, and the 31 days before it that the report compares with (31 August
    // to 30 September); the report's usage is written in this month.
    // The server's watch of the datamart's health (its oldest day of pending
    // sentiment, through the index of those days alone) reads every month by
    // design, apart from any report.
    let today = Utc::now().format("%Y%m").to_string();
    let needed = ["202608", "202609", "202610"];
    others_idle_and_reported(&client).await;
    let scans = scans(&client).await;
    let read_elsewhere: Vec<&(String, String, i64)> = scans
        .iter()
        .filter(|(name, index, _)| {
            let month = &name[name.len() - 6..];
            !needed.contains(&month)
                && index != "ai_activity_logs_pending_sentiment"
                && !(name.starts_with("usage_daily") && month == today)
        })
        .collect();
    assert!(
        read_elsewhere.is_empty(),
        "a report of October, its lists or downloads read other months: {read_elsewhere:?} (all: {scans:?})"
    );
    assert!(
        scans
            .iter()
            .any(|(name, _, _)| name == "ai_activity_logs_p202610"),
        "the report read October's days: {scans:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_drops_whole_months() {
    let data = tempfile::tempdir().expect("dir");
    let database = TestDatabase::create();
    load(&database.url, data.path());
    let client = connect(&database.url).await;
    // Two whole months kept as of 2 November, and November's days: from 1 September
    // on.
    let cutoff = "2026-09-01";
    let expired = count(
        &client,
        &format!("SELECT count(*) FROM ai_activity_logs WHERE day < '{cutoff}'"),
    )
    .await;
    let kept = count(
        &client,
        &format!("SELECT count(*) FROM ai_activity_logs WHERE day >= '{cutoff}'"),
    )
    .await;
    assert!(expired > 0 && kept > 0);

    let mut settings = Settings::load(None).expect("settings");
    settings.aggregation.retention_months = 2;
    let store: Arc<dyn Store> = store::open(&database.url, 2).await.expect("open");
    let now: DateTime<Utc> = "2026-11-02T01:00:00Z".parse().expect("instant");
    let request = Request {
        scope: Scope::Nightly { now },
        organization: None,
        shard: None,
        show_progress: false,
    };
    let summary = impact::pipeline::aggregate(&settings, &store, &request)
        .await
        .expect("the nightly run");
    assert_eq!(summary.expired_rows_deleted, expired as u64);

    for table in PARTITIONED {
        let months = partitions(&client, table).await;
        for gone in ["202606", "202607", "202608"] {
            assert!(
                !months.contains(&format!("{table}_p{gone}")),
                "{table}_p{gone} was dropped: {months:?}"
            );
        }
        assert!(months.contains(&format!("{table}_p202609")), "{months:?}");
        assert_eq!(
            count(
                &client,
                &format!("SELECT count(*) FROM {table} WHERE day < '{cutoff}'")
            )
            .await,
            0,
            "{table} keeps no expired day"
        );
    }
    assert!(
        count(
            &client,
            &format!("SELECT count(*) FROM ai_activity_logs WHERE day >= '{cutoff}'")
        )
        .await
            >= kept,
        "the kept days stay"
    );
}

/// The schema of the version before partitions: migrations 1 to 13 as the
/// migration runner applies them.
async fn unpartitioned_schema(client: &Client) {
    client
        .batch_execute(
            "CREATE TABLE impact_schema_migrations (version INTEGER PRIMARY KEY, \
             name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await
        .expect("the migrations' table");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("migrations")
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    for file in files {
        let name = file.file_stem().and_then(|s| s.to_str()).expect("name");
        let (version, name) = name.split_once('_').expect("NNNN_name");
        let version: i32 = version.parse().expect("a number");
        if version >= 14 {
            continue;
        }
        let sql = std::fs::read_to_string(&file).expect("SQL");
        client
            .batch_execute(&sql)
            .await
            .unwrap_or_else(|e| panic!("migration {version}: {e}"));
        client
            .execute(
                "INSERT INTO impact_schema_migrations (version, name) VALUES ($1, $2)",
                &[&version, &name],
            )
            .await
            .expect("record");
    }
}

/// Copies every table of `to` (but the migrations') from the same table of `from`.
async fn copy_tables(from: &Client, to: &Client) {
    let tables: Vec<String> = to
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
               AND table_name <> 'impact_schema_migrations'",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|row| row.get(0))
        .collect();
    for table in tables {
        let out = from
            .copy_out(&format!("COPY (SELECT * FROM {table}) TO STDOUT"))
            .await
            .expect("copy out");
        let sink = to
            .copy_in(&format!("COPY {table} FROM STDIN"))
            .await
            .expect("copy in");
        futures_util::pin_mut!(out);
        futures_util::pin_mut!(sink);
        while let Some(chunk) = out.next().await {
            sink.send(chunk.expect("rows")).await.expect("send");
        }
        sink.finish().await.expect("finish");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migrated_datamart_gives_byte_identical_reports() {
    let data = tempfile::tempdir().expect("dir");
    let partitioned = TestDatabase::create();
    let organizations = load(&partitioned.url, data.path());
    let migrated = TestDatabase::create();
    let from = connect(&partitioned.url).await;
    let to = connect(&migrated.url).await;
    unpartitioned_schema(&to).await;
    copy_tables(&from, &to).await;
    assert!(partitioned_tables(&to).await.is_empty(), "the old schema");

    let output = impact(&migrated.url, &["migrate"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        partitioned_tables(&to).await,
        PARTITIONED.iter().map(|t| t.to_string()).collect()
    );
    for table in PARTITIONED {
        let sql = format!("SELECT count(*) FROM {table}");
        assert_eq!(count(&from, &sql).await, count(&to, &sql).await, "{table}");
    }
    assert!(count(&to, "SELECT count(*) FROM room_outcomes").await > 1000);

    let mut reports = 0;
    for org in &organizations {
        for (first, last) in [("2026-10-01", "2026-10-31"), ("2026-06-15", "2026-10-31")] {
            for lang in ["en", "id"] {
                for format in ["json", "text"] {
                    let args = [
                        "report", "--org", org, "--from", first, "--to", last, "--lang", lang,
                        "--format", format,
                    ];
                    // An organization without the add-on is refused alike.
                    let (before, after) = (
                        impact(&partitioned.url, &args),
                        impact(&migrated.url, &args),
                    );
                    assert_eq!(before.status.code(), after.status.code(), "{args:?}");
                    assert_eq!(before.stdout, after.stdout, "{args:?}");
                    assert_eq!(before.stderr, after.stderr, "{args:?}");
                    reports += usize::from(after.status.success());
                }
            }
        }
    }
    assert!(reports >= 8, "{reports} reports compared");
}
