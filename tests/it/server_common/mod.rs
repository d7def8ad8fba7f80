//! Spawning the real server in-process on port 0, with a fresh PostgreSQL
//! database loaded with the hand-checked fixture, and minting tokens like the host.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use impact::aggregate::{Request, Scope};
use impact::i18n::Lang;
use impact::import::import_dir;
use impact::server::auth::{sign_hs256, Claims, Role};
use impact::server::{Application, Mode};
use impact::settings::Settings;
use impact::store::{self, Store};

use crate::common::{fixtures_dir, TestDatabase};

pub const SECRET: &str = "test-secret-shared-with-the-host";

/// The fixture plus an organization without the add-on.
pub const FLAGS_ON: &str = r#"
[defaults]
ai_agent_impact_report = false
[global]
ai_agent_impact_report = true
[accounts.org_demo]
ai_agent_impact_report = true
[accounts.org_other]
ai_agent_impact_report = true
[accounts.org_plain]
ai_agent_impact_report = true
"#;

pub struct TestApp {
    pub address: String,
    pub flags_path: std::path::PathBuf,
    pub store: Arc<dyn Store>,
    _flags_dir: tempfile::TempDir,
}

/// Loads the fixture (and `org_plain`, without the add-on) into the database.
pub async fn load_fixture(url: &str) -> Arc<dyn Store> {
    let store = store::open(url, 4).await.expect("open store");
    import_dir(
        store.as_ref(),
        &fixtures_dir().join("containment-rules"),
        false,
    )
    .await
    .expect("import the fixture");
    let extra = tempfile::tempdir().expect("dir");
    std::fs::write(
        extra.path().join("organizations.ndjson"),
        r#"{"id":"org_plain","name":"Tanpa AI","ai_addon":false,"timezone":"Asia/Jakarta"}"#,
    )
    .expect("write");
    import_dir(store.as_ref(), extra.path(), false)
        .await
        .expect("import org_plain");
    aggregate(&store).await;
    store
}

pub async fn aggregate(store: &Arc<dyn Store>) {
    let settings = Settings::load(None).expect("settings");
    impact::pipeline::aggregate(
        &settings,
        store,
        &Request {
            scope: Scope::AllData,
            organization: None,
            shard: None,
            show_progress: false,
        },
    )
    .await
    .expect("aggregate");
}

pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings::load(None).expect("settings");
    settings.database.url = database_url.to_string();
    settings.server.port = 0;
    settings.auth.jwt_secret = SECRET.to_string();
    settings.nightly.enabled = false;
    settings.report.min_conversations = 1;
    settings
}

/// A flags file with this text, in a temporary directory kept as long as the value.
pub fn flags_file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("flags.toml");
    std::fs::write(&path, text).expect("write flags");
    (dir, path)
}

/// Starts a server on `database` with these flags and settings changes.
pub async fn spawn_app_with(
    database: &TestDatabase,
    flags: &str,
    change: impl FnOnce(&mut Settings),
) -> TestApp {
    spawn_app_on(&database.url, flags, change).await
}

/// Starts a server on the database at `database_url` (SQLite or PostgreSQL).
pub async fn spawn_app_on(
    database_url: &str,
    flags: &str,
    change: impl FnOnce(&mut Settings),
) -> TestApp {
    let (flags_dir, flags_path) = flags_file(flags);
    let mut settings = test_settings(database_url);
    settings.flags.path = flags_path.clone();
    change(&mut settings);
    let application = Application::build(settings, Mode::Production)
        .await
        .expect("build the server");
    let address = format!("http://127.0.0.1:{}", application.port());
    let store = Arc::clone(&application.store);
    actix_web::rt::spawn(application.into_server());
    TestApp {
        address,
        flags_path,
        store,
        _flags_dir: flags_dir,
    }
}

pub fn token(org: &str, role: Role) -> String {
    token_with(
        org,
        role,
        Lang::En,
        chrono::Utc::now().timestamp() + 600,
        SECRET,
    )
}

pub fn token_with(org: &str, role: Role, locale: Lang, exp: i64, secret: &str) -> String {
    sign_hs256(
        secret,
        &Claims {
            sub: format!("user-{}", role.as_str()),
            org_id: org.to_string(),
            role,
            locale,
            exp,
            nbf: None,
        },
    )
    .expect("sign")
}

pub fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .disable_redirects()
        .finish()
}

/// GET with a Bearer token; returns the status and the JSON body (or null).
pub async fn get(app: &TestApp, path: &str, token: &str) -> (u16, serde_json::Value) {
    let mut response = client()
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let body = response.body().limit(10 << 20).await.expect("body");
    (
        status,
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    )
}

pub async fn put_json(
    app: &TestApp,
    path: &str,
    token: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut response = client()
        .put(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send_json(&body)
        .await
        .expect("request");
    let status = response.status().as_u16();
    let body = response.body().await.expect("body");
    (
        status,
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    )
}

pub const REPORT: &str = "/api/v1/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31";
pub const ASSUMPTION: &str = "/api/v1/reports/ai-agent-impact/cost-assumption";

/// Polls until `check` holds or the time is up.
pub async fn eventually<F, Fut>(seconds: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    while std::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// `impact serve` running as a child process, configured by environment variables
/// only; killed and reaped when dropped.
pub struct Served {
    child: std::process::Child,
    /// Every log line, parsed as JSON (or `{"not_json": line}`).
    pub lines: Arc<Mutex<Vec<serde_json::Value>>>,
    pub port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(database_url: &str, flags_path: &std::path::Path) -> Served {
    serve_with(database_url, flags_path, &[])
}

impl Served {
    /// The CPU time the server process has used so far (Linux's /proc).
    pub fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("the server's /proc/PID/stat");
        // After the command's name in parentheses: utime and stime are the 12th and
        // 13th fields, in clock ticks of 1/100 s.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |(_, rest)| rest)
            .split_whitespace()
            .collect();
        let ticks: u64 =
            fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
        Duration::from_millis(ticks * 10)
    }

    /// Whether the server process has ended (a crash the test provoked).
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

/// `serve`, with these settings (`IMPACT__…`) over the test's own.
pub fn serve_with(
    database_url: &str,
    flags_path: &std::path::Path,
    env: &[(&str, &str)],
) -> Served {
    let mut command = Command::new(env!("CARGO_BIN_EXE_impact"));
    for (key, _) in std::env::vars() {
        if key.starts_with("IMPACT") {
            command.env_remove(key);
        }
    }
    let mut child = command
        .arg("serve")
        .env("IMPACT__SERVER__PORT", "0")
        .env("IMPACT__DATABASE__URL", database_url)
        .env("IMPACT__AUTH__JWT_SECRET", SECRET)
        .env("IMPACT__FLAGS__PATH", flags_path)
        .env("IMPACT__REPORT__MIN_CONVERSATIONS", "1")
        .env("IMPACT__NIGHTLY__ENABLED", "false")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start impact serve");
    let stderr = child.stderr.take();
    let lines = Arc::new(Mutex::new(Vec::new()));
    // Owned from here on, so the process is killed and reaped whatever happens.
    let mut served = Served {
        child,
        lines: Arc::clone(&lines),
        port: 0,
    };
    let stderr = stderr.expect("stderr");
    let sink = Arc::clone(&lines);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let value =
                serde_json::from_str(&line).unwrap_or(serde_json::json!({"not_json": line}));
            sink.lock().expect("lines").push(value);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let port = lines
            .lock()
            .expect("lines")
            .iter()
            .find(|l| l["message"] == "serving")
            .and_then(|l| l["port"].as_u64());
        if let Some(port) = port {
            served.port = port as u16;
            return served;
        }
        // A server the test makes crash may end before it says its port.
        if served.exited() {
            return served;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not start: {:?}",
            lines.lock().expect("lines")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The server's Prometheus text.
pub async fn metrics_text(app: &TestApp) -> String {
    let mut response = client()
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("metrics");
    String::from_utf8_lossy(&response.body().limit(50 << 20).await.expect("body")).into_owned()
}

/// A download: its status, its `Content-Disposition` and its bytes (up to 256 MiB).
pub async fn download(app: &TestApp, path: &str, token: &str) -> (u16, String, Vec<u8>) {
    let mut response = client()
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.body().limit(256 << 20).await.expect("body");
    (response.status().as_u16(), disposition, body.to_vec())
}

/// Sends raw bytes and reads until the server closes the connection or `wait` passes;
/// returns what came back and how long the connection stayed open.
pub async fn raw(app: &TestApp, request: &[u8], wait: Duration) -> (String, Duration, bool) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    tokio::io::AsyncWriteExt::write_all(&mut stream, request)
        .await
        .expect("send");
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let closed = loop {
        match tokio::time::timeout(
            wait.saturating_sub(started.elapsed()),
            tokio::io::AsyncReadExt::read(&mut stream, &mut buffer),
        )
        .await
        {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(read)) => answer.extend_from_slice(&buffer[..read]),
            Err(_) => break false,
        }
    };
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
        closed,
    )
}

/// Runs `sql` as the test server's superuser on the PostgreSQL database at `url`
/// (to break or mend a table under a running server).
pub async fn admin_sql(url: &str, sql: &str) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    actix_web::rt::spawn(connection);
    client
        .batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}
