//! Helpers shared by the integration tests: throwaway PostgreSQL databases, the
//! `impact` binary, the hand-checked fixtures, and JSON comparison.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;

pub mod mongo_standin;

/// A MongoDB wire-protocol server written by others, for the happy path: nx-27017
/// (PyPI, on SQLite), in memory on a free port, stopped when dropped. The real
/// `mongodb` driver talks to it exactly as to MongoDB. `scripts/test` installs it;
/// a missing one fails the test with a message, never skips it.
pub struct NxMongo {
    child: std::process::Child,
    /// Its PID file: nx-27017 refuses to start while another one's file names a
    /// running process, so each server keeps its own.
    _dir: tempfile::TempDir,
    pub url: String,
}

impl NxMongo {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("temporary directory");
        let pid_file = dir.path().join("nx-27017.pid");
        let child = Command::new("nx-27017")
            .args(["--db", "memory", "--host", "127.0.0.1", "-p", &port.to_string()])
            .arg("--pid-file")
            .arg(&pid_file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("nx-27017 is required by these tests (`pip install nx-27017`, which scripts/test does): {e}")
            });
        let server = Self {
            child,
            _dir: dir,
            url: format!("mongodb://127.0.0.1:{port}/?directConnection=true"),
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "nx-27017 did not listen on port {port} within 20 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        server
    }

    /// Adds documents to `omnichannel_room_summaries` in the default database.
    pub async fn insert_summaries(&self, documents: Vec<mongodb::bson::Document>) {
        let client = mongodb::Client::with_uri_str(&self.url)
            .await
            .expect("a client for nx-27017");
        let settings = impact::settings::Settings::load(None).expect("settings");
        client
            .database(&settings.mongodb.database)
            .collection::<mongodb::bson::Document>(&settings.mongodb.collection)
            .insert_many(documents)
            .await
            .expect("insert summaries into nx-27017");
    }
}

impl Drop for NxMongo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the test PostgreSQL server is; CI and the README use this default.
pub fn postgres_admin_url() -> String {
    std::env::var("IMPACT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A fresh PostgreSQL database, dropped when the value is dropped. A missing
/// server fails the test with a clear message; it never skips.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn admin(sql: &str) {
    execute_in(&postgres_admin_url(), sql);
}

/// Runs SQL as the test server's superuser in the database `url` names.
pub fn execute_in(url: &str, sql: &str) {
    let url = url.to_string();
    let sql = sql.to_string();
    // A thread of its own, so this works from sync code, async tests and Drop alike.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("test runtime");
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is required for these tests and is not reachable at {url}: {e}. \
                         Start it (see README) or set IMPACT_TEST_POSTGRES_URL."
                    )
                });
            tokio::spawn(connection);
            client
                .batch_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        });
    })
    .join()
    .expect("PostgreSQL admin thread");
}

impl TestDatabase {
    pub fn create() -> Self {
        let name = format!(
            "impact_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or_default()
        );
        admin(&format!("CREATE DATABASE {name}"));
        let base = postgres_admin_url();
        let server = base
            .rsplit_once('/')
            .map(|(server, _)| server)
            .unwrap_or(&base);
        Self {
            url: format!("{server}/{name}"),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        admin(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

/// A chatbot's own PostgreSQL database, shaped as a real one would be (its own table
/// and column names), exposing the relations of METRICS.md §8.1 as views in the
/// schema `impact_views`, read through a role that may only `SELECT` those views.
/// The database and the role are dropped with the value.
pub struct LiveSource {
    database: Option<TestDatabase>,
    /// The read-only role, for a test that grants it a relation of its own.
    pub role: String,
    /// The URL the aggregation uses: the read-only role.
    pub reader_url: String,
}

/// The chatbot's tables and the views over them (`touched_at` is its change column),
/// the same file docker/compose.yaml gives its source database.
const CHATBOT_SCHEMA: &str = include_str!("../../../docker/chatbot-source/01-chatbot.sql");

impl LiveSource {
    pub fn create() -> Self {
        let database = TestDatabase::create();
        let role = format!("{}_reader", database.name);
        execute_in(&database.url, CHATBOT_SCHEMA);
        admin(&format!("CREATE ROLE {role} LOGIN"));
        execute_in(
            &database.url,
            &format!(
                "REVOKE ALL ON SCHEMA public FROM PUBLIC;
                 GRANT CONNECT ON DATABASE {db} TO {role};
                 GRANT USAGE ON SCHEMA impact_views TO {role};
                 GRANT SELECT ON ALL TABLES IN SCHEMA impact_views TO {role};",
                db = database.name
            ),
        );
        let reader_url =
            database
                .url
                .replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
        assert_ne!(reader_url, database.url, "the reader must not be the owner");
        Self {
            database: Some(database),
            role,
            reader_url,
        }
    }

    /// Runs SQL as the chatbot itself (the owner of its tables).
    pub fn chatbot(&self, sql: &str) {
        if let Some(database) = &self.database {
            execute_in(&database.url, sql);
        }
    }

    /// The settings that read this source through its views and read-only role.
    pub fn apply(&self, settings: &mut impact::settings::Settings) {
        settings.source.database_url = self.reader_url.clone();
        settings.source.organizations = "impact_views.organizations".into();
        settings.source.rooms = "impact_views.rooms".into();
        settings.source.histories = "impact_views.histories".into();
        settings.source.room_summaries = "impact_views.room_summaries".into();
        settings.source.rooms_changed_column = "updated_at".into();
    }
}

impl Drop for LiveSource {
    fn drop(&mut self) {
        drop(self.database.take());
        admin(&format!("DROP ROLE IF EXISTS {}", self.role));
    }
}

/// A SQLite database in a temporary directory, removed when dropped.
pub struct TestSqlite {
    /// Kept so the directory lives as long as the database.
    _dir: tempfile::TempDir,
    pub url: String,
}

impl TestSqlite {
    pub fn create() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("impact.sqlite").display());
        Self { _dir: dir, url }
    }
}

/// Runs the real `impact` binary with a database and returns its output.
pub fn impact(database_url: &str, args: &[&str]) -> Output {
    impact_with_env(database_url, args, &[])
}

pub fn impact_with_env(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_impact"));
    command.arg("--database-url").arg(database_url).args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("IMPACT") && key != "IMPACT_TEST_POSTGRES_URL" {
            command.env_remove(key);
        }
    }
    command.env("IMPACT_LOG", "impact=warn");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run the impact binary")
}

/// Runs `impact` and insists on success, returning standard output.
pub fn impact_ok(database_url: &str, args: &[&str]) -> String {
    let output = impact(database_url, args);
    assert!(
        output.status.success(),
        "impact {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// A JSON report with its `data_until` (the moment the source was last read, which
/// moves with every run) set aside, so reports of different runs can be compared
/// figure for figure. The field must be there: a report always says it.
pub fn without_read_time(mut report: Value) -> Value {
    assert!(
        report.get("data_until").is_some(),
        "a report says up to when the source was read"
    );
    report["data_until"] = Value::String("(the time of the run)".into());
    report
}

/// `impact report --format json --min-conversations 1` for one organization and
/// range, as printed but for `data_until` (see `without_read_time`).
pub fn report_text(database_url: &str, org: &str, from: &str, to: &str) -> String {
    let text = impact_ok(
        database_url,
        &[
            "report",
            "--org",
            org,
            "--from",
            from,
            "--to",
            to,
            "--format",
            "json",
            "--min-conversations",
            "1",
        ],
    );
    let report: Value = serde_json::from_str(&text).expect("JSON report");
    serde_json::to_string_pretty(&without_read_time(report)).expect("JSON")
}

/// The same report, parsed.
pub fn report_json(database_url: &str, org: &str, from: &str, to: &str) -> Value {
    serde_json::from_str(&report_text(database_url, org, from, to)).expect("JSON report")
}

/// The hand-checked cases beside the repository, as the brief lays them out.
pub fn fixtures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    assert!(
        dir.is_dir(),
        "the hand-checked fixtures are expected at {} (the shared/ folder beside the repository)",
        dir.display()
    );
    dir
}

/// Asserts that every figure of `expected` is in `actual` (floats within 1e-9), and
/// that no number appears in `actual` where `expected` has none.
pub fn assert_report_matches(expected: &Value, actual: &Value, path: &str) {
    match expected {
        Value::Object(fields) => {
            let actual_fields = actual
                .as_object()
                .unwrap_or_else(|| panic!("{path}: expected an object, got {actual}"));
            for (key, value) in fields {
                let child = format!("{path}.{key}");
                let actual_value = actual_fields
                    .get(key)
                    .unwrap_or_else(|| panic!("{child} is missing"));
                assert_report_matches(value, actual_value, &child);
            }
            if !path.is_empty() {
                for (key, value) in actual_fields {
                    assert!(
                        fields.contains_key(key) || !value.is_number(),
                        "{path}.{key} = {value} should be absent"
                    );
                }
            }
        }
        Value::Number(number)
            if number.is_f64() || actual.as_f64().is_some_and(|_| !actual.is_i64()) =>
        {
            let (e, a) = (number.as_f64().unwrap_or(f64::NAN), actual.as_f64());
            assert!(
                a.is_some_and(|a| (a - e).abs() <= 1e-9),
                "{path}: expected {e}, got {actual}"
            );
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

/// Compares two whole reports, floats within 1e-9, everything else exactly.
pub fn assert_same_report(left: &Value, right: &Value, path: &str) {
    match (left, right) {
        (Value::Object(a), Value::Object(b)) => {
            let keys_a: Vec<_> = a.keys().collect();
            let keys_b: Vec<_> = b.keys().collect();
            assert_eq!(keys_a, keys_b, "{path}: different fields");
            for (key, value) in a {
                assert_same_report(value, &b[key], &format!("{path}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: different lengths");
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same_report(x, y, &format!("{path}[{index}]"));
            }
        }
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            assert!((x - y).abs() <= 1e-9, "{path}: {x} ≠ {y}");
        }
        _ => assert_eq!(left, right, "{path}"),
    }
}

/// A whole number with its thousands marked by `separator`, as a test's own
/// oracle of how a language writes it: `grouped(1528767, ',')` is "1,528,767".
pub fn grouped(value: i64, separator: char) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}
