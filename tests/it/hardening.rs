//! What an attacker, a careless client or a careless edit can do to `impact serve`
//! (issue 9): made-up methods, tokens not valid yet or valid too long, language tags,
//! framework errors, bodies that never arrive, and flags files that change in ways
//! a timestamp does not show.

use std::time::{Duration, Instant};

use crate::common::TestDatabase;
use crate::server_common::*;
use awc::http::Method;
use impact::server::auth::Role;
use tokio::io::AsyncWriteExt;

#[actix_web::test]
async fn made_up_methods_and_paths_create_no_new_metric_series() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    for index in 0..200 {
        let method = Method::from_bytes(format!("FOO{index}").as_bytes()).expect("method");
        let path = format!("/made-up/{index}");
        let _ = client()
            .request(method, format!("{}{path}", app.address))
            .send()
            .await;
    }
    let _ = client()
        .request(
            Method::from_bytes(b"BREW").expect("method"),
            format!("{}{REPORT}", app.address),
        )
        .send()
        .await;
    let text = metrics_text(&app).await;
    assert!(!text.contains("FOO"), "a made-up method became a label");
    assert!(!text.contains("made-up"), "a made-up path became a label");
    let series = text
        .lines()
        .filter(|line| line.starts_with("impact_http_request_duration_seconds_count"))
        .count();
    assert!(
        series <= 6,
        "{series} series after 201 odd requests:\n{text}"
    );
    assert!(text.contains(r#"method="other""#), "{text}");
    assert!(text.contains(r#"route="unmatched""#), "{text}");
}

#[actix_web::test]
async fn tokens_must_be_valid_now_and_short_lived_and_any_language_tag_works() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |settings| {
        settings.auth.max_token_lifetime_seconds = 3600;
    })
    .await;
    let now = chrono::Utc::now().timestamp();
    let sign = |claims: serde_json::Value| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .expect("sign")
    };
    let claims = |locale: &str, exp: i64, nbf: Option<i64>| {
        let mut claims = serde_json::json!({
            "sub": "u1", "org_id": "org_demo", "role": "owner", "locale": locale, "exp": exp,
        });
        if let Some(nbf) = nbf {
            claims["nbf"] = nbf.into();
        }
        claims
    };
    let tomorrow = sign(claims("en", now + 600, Some(now + 86_400)));
    assert_eq!(
        get(&app, REPORT, &tomorrow).await.0,
        401,
        "nbf in the future"
    );
    let two_hours = sign(claims("en", now + 7_200, None));
    assert_eq!(
        get(&app, REPORT, &two_hours).await.0,
        401,
        "valid for too long"
    );
    let started = sign(claims("en", now + 600, Some(now - 10)));
    assert_eq!(get(&app, REPORT, &started).await.0, 200);
    for (tag, indonesian) in [("id-ID", true), ("ID", true), ("en-US", false)] {
        let (status, body) = get(&app, REPORT, &sign(claims(tag, now + 600, None))).await;
        assert_eq!(status, 200, "{tag}: {body}");
        assert_eq!(body["lang"], if indonesian { "id" } else { "en" }, "{tag}");
    }
}

#[actix_web::test]
async fn framework_errors_speak_our_shape_on_api_and_page_paths() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let owner = token("org_demo", Role::Owner);

    let api_error = |status: u16, body: &serde_json::Value| {
        let error = &body["error"];
        assert!(error["code"].is_string(), "{status}: {body}");
        assert!(error["messages"]["en"].is_string() && error["messages"]["id"].is_string());
        let text = body.to_string().to_lowercase();
        for leak in [
            "deserialize",
            "duplicate field",
            "gzip",
            "decoder",
            "payload error",
            "overflow",
        ] {
            assert!(!text.contains(leak), "{status} leaks '{leak}': {body}");
        }
    };

    // A repeated query parameter.
    let (status, body) = get(
        &app,
        "/api/v1/reports/ai-agent-impact?from=2026-10-01&from=2026-10-02&to=2026-10-31",
        &owner,
    )
    .await;
    assert_eq!(status, 400);
    api_error(status, &body);

    // An unknown API path, and a wrong method with `Allow`.
    let (status, body) = get(&app, "/api/v1/nothing-here", &owner).await;
    assert_eq!(status, 404);
    api_error(status, &body);
    let mut response = client()
        .post(format!("{}{REPORT}", app.address))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET")
    );
    let body: serde_json::Value = response.json().await.expect("JSON 405");
    api_error(405, &body);
    assert_eq!(body["error"]["code"], "method_not_allowed");
    let response = client()
        .delete(format!("{}{ASSUMPTION}", app.address))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET, PUT")
    );

    // A body too large, and a gzip body that is not gzip.
    let mut response = client()
        .put(format!("{}{ASSUMPTION}", app.address))
        .bearer_auth(&owner)
        .content_type("application/json")
        .send_body(format!("{{\"padding\": \"{}\"}}", "x".repeat(64 * 1024)))
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 413);
    api_error(413, &response.json().await.expect("JSON 413"));
    let mut response = client()
        .put(format!("{}{ASSUMPTION}", app.address))
        .bearer_auth(&owner)
        .content_type("application/json")
        .insert_header(("content-encoding", "gzip"))
        .send_body("this is not gzip at all")
        .await
        .expect("request");
    let status = response.status().as_u16();
    assert_eq!(status, 400);
    api_error(status, &response.json().await.expect("JSON 400"));

    // Page paths answer with the page's error view, in the language asked for.
    for (method, path, status) in [
        (Method::GET, "/reports/nothing-here?lang=id", 404),
        (Method::POST, "/reports/ai-agent-impact?lang=id", 405),
    ] {
        let mut response = client()
            .request(method, format!("{}{path}", app.address))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status().as_u16(), status, "{path}");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        let html = String::from_utf8_lossy(&response.body().await.expect("body")).into_owned();
        assert!(html.contains("lang=\"id\""), "{path}: {html}");
    }
}

#[actix_web::test]
async fn a_body_that_never_arrives_does_not_hold_a_connection() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |settings| {
        settings.server.body_timeout_ms = 700;
    })
    .await;
    let owner = token("org_demo", Role::Owner);
    let announced = [
        ("PUT", ASSUMPTION, "Content-Length: 100\r\n\r\n{\"agent"),
        ("GET", REPORT, "Content-Length: 100\r\n\r\n{\"agent"),
        // Routes that never read a body, signed in or not, and an unknown path.
        ("GET", "/healthz", "Transfer-Encoding: chunked\r\n\r\n"),
        (
            "POST",
            "/nowhere",
            "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        ),
    ];
    for (method, path, body) in announced {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {owner}\r\n\
             Content-Type: application/json\r\n{body}"
        );
        let (answer, open_for, closed) =
            raw(&app, request.as_bytes(), Duration::from_secs(15)).await;
        assert!(closed, "{method}: the connection is still open: {answer}");
        assert!(
            open_for < Duration::from_secs(10),
            "{method}: open for {open_for:?}"
        );
        if method == "PUT" {
            assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
            assert!(answer.contains("request_timeout"), "{answer}");
        }
    }
}

#[actix_web::test]
async fn flag_changes_are_seen_by_contents_and_a_file_without_defaults_is_refused() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    // The same length whichever way org_demo's flag points.
    let on = FLAGS_ON.replace(
        "[accounts.org_demo]\nai_agent_impact_report = true",
        "[accounts.org_demo]\nai_agent_impact_report = true ",
    );
    let off = FLAGS_ON.replace(
        "[accounts.org_demo]\nai_agent_impact_report = true",
        "[accounts.org_demo]\nai_agent_impact_report = false",
    );
    assert_eq!(on.len(), off.len());
    let app = spawn_app_with(&database, &on, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    assert_eq!(get(&app, REPORT, &owner).await.0, 200);

    // `cp -p` or `rsync -t`: new contents, the same size and modification time.
    let modified = std::fs::metadata(&app.flags_path)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::fs::write(&app.flags_path, &off).expect("write");
    std::fs::File::options()
        .write(true)
        .open(&app.flags_path)
        .and_then(|file| file.set_modified(modified))
        .expect("set mtime back");
    assert!(
        eventually(8, || async { get(&app, REPORT, &owner).await.0 == 404 }).await,
        "a change with the same size and time was missed"
    );

    // An empty file (or one cut short) keeps the last good flags and counts an error.
    std::fs::write(&app.flags_path, &on).expect("write");
    assert!(eventually(8, || async { get(&app, REPORT, &owner).await.0 == 200 }).await);
    for broken in [
        "",
        "  \n",
        "[accounts.org_demo]\nai_agent_impact_report = false\n",
    ] {
        std::fs::write(&app.flags_path, broken).expect("write");
        assert!(
            eventually(8, || async {
                metrics_text(&app)
                    .await
                    .contains("impact_flag_reloads_total{result=\"error\"}")
            })
            .await
        );
        actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
        assert_eq!(
            get(&app, REPORT, &owner).await.0,
            200,
            "{broken:?} turned the report off"
        );
    }
}

#[actix_web::test]
async fn open_connections_are_bounded_and_pages_carry_the_full_csp() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |settings| {
        settings.server.max_connections_per_worker = 1;
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_string();

    // The page's Content-Security-Policy.
    let response = client()
        .get(format!("{}/reports/ai-agent-impact", app.address))
        .send()
        .await
        .expect("page");
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    for directive in [
        "default-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }

    // Idle clients that never finish a request head fill every slot (one per worker
    // thread, and actix starts one worker per available core)...
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut idle = Vec::new();
    for _ in 0..workers {
        let mut stream = tokio::net::TcpStream::connect(&address)
            .await
            .expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .expect("send");
        idle.push(stream);
    }
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    // ...so one more request waits until the server drops them (its 5 s limit for a
    // request head), and is then answered.
    let started = Instant::now();
    let (answer, _, _) = raw(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        Duration::from_secs(20),
    )
    .await;
    let waited = started.elapsed();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "after {waited:?}: {answer:?}"
    );
    assert!(
        waited > Duration::from_secs(2),
        "answered after {waited:?}: the connections were not bounded"
    );
    drop(idle);
}

/// A flags file cut short in place (a writer that stopped after `[defaults]`) never
/// lifts the kill switch: the last good flags stay and the refusal is counted. A
/// file renamed over it is taken whole, which is how flags are removed.
#[actix_web::test]
async fn a_flags_file_cut_short_in_place_keeps_the_kill_switch() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let whole =
        "[defaults]\nai_agent_impact_report = true\n[global]\nai_agent_impact_report = false\n";
    let app = spawn_app_with(&database, whole, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    assert_eq!(
        get(&app, REPORT, &owner).await.0,
        404,
        "the kill switch is on"
    );

    // The same file, written again and stopped after [defaults].
    let cut = "[defaults]\nai_agent_impact_report = true\n";
    std::fs::write(&app.flags_path, cut).expect("write in place");
    assert!(
        eventually(8, || async {
            metrics_text(&app)
                .await
                .contains("impact_flag_reloads_total{result=\"error\"}")
        })
        .await,
        "the refused file is counted"
    );
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        get(&app, REPORT, &owner).await.0,
        404,
        "the kill switch stays"
    );

    // Written beside it and renamed over: a new file, taken whole.
    let beside = app.flags_path.with_extension("toml.new");
    std::fs::write(&beside, cut).expect("write beside");
    std::fs::rename(&beside, &app.flags_path).expect("rename over");
    assert!(
        eventually(8, || async { get(&app, REPORT, &owner).await.0 == 200 }).await,
        "a file renamed over the old one is taken"
    );
}

/// A misspelled flag (`…_forcast`) is refused, never read as "the forecast is off":
/// at reload the last good flags serve and `impact_flags_file_refused` is 1 until
/// the file is fixed; at start-up the server refuses to start, naming the line and
/// the key.
#[actix_web::test]
async fn a_misspelled_flag_is_refused_at_reload_and_at_start() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let good =
        "[defaults]\nai_agent_impact_report = true\nai_agent_impact_report_forecast = true\n";
    let typo = "[defaults]\nai_agent_impact_report = true\nai_agent_impact_report_forcast = true\n";
    let app = spawn_app_with(&database, good, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    assert_eq!(get(&app, REPORT, &owner).await.0, 200);
    assert!(metrics_text(&app)
        .await
        .contains("impact_flags_file_refused 0"));
    std::fs::write(&app.flags_path, typo).expect("write");
    assert!(
        eventually(8, || async {
            metrics_text(&app)
                .await
                .contains("impact_flags_file_refused 1")
        })
        .await,
        "the refusal shows in the gauge"
    );
    assert_eq!(
        get(&app, REPORT, &owner).await.0,
        200,
        "the last good flags serve"
    );
    std::fs::write(&app.flags_path, good).expect("fix");
    assert!(
        eventually(8, || async {
            metrics_text(&app)
                .await
                .contains("impact_flags_file_refused 0")
        })
        .await
    );

    // The same file at start-up: no server.
    let dir = tempfile::tempdir().expect("dir");
    let flags = dir.path().join("flags.toml");
    std::fs::write(&flags, typo).expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_impact"))
        .arg("serve")
        .env("IMPACT__SERVER__PORT", "0")
        .env("IMPACT__DATABASE__URL", &database.url)
        .env("IMPACT__AUTH__JWT_SECRET", SECRET)
        .env("IMPACT__FLAGS__PATH", &flags)
        .env("IMPACT__NIGHTLY__ENABLED", "false")
        .output()
        .expect("run impact serve");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "it refused to start: {stderr}");
    assert!(
        stderr.contains("line 3") && stderr.contains("ai_agent_impact_report_forcast"),
        "{stderr}"
    );
}
