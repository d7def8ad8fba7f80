//! The report server against real PostgreSQL: eligibility, sign-in, tenant
//! isolation, validation, caching and the change notices between instances.

use crate::common::TestDatabase;
use crate::server_common::*;
use impact::i18n::Lang;
use impact::server::auth::Role;

#[actix_web::test]
async fn only_eligible_callers_see_the_report_and_everyone_else_gets_404() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    // org_demo: add-on, flag on. org_other: add-on, flag off. org_plain: no add-on, flag on.
    let flags = FLAGS_ON.replace(
        "[accounts.org_other]\nai_agent_impact_report = true",
        "[accounts.org_other]\nai_agent_impact_report = false",
    );
    let app = spawn_app_with(&database, &flags, |_| {}).await;
    for org in ["org_demo", "org_other", "org_plain"] {
        for role in Role::ALL {
            let token = token(org, role);
            let eligible = org == "org_demo" && role.may_view_report();
            let (status, body) = get(&app, REPORT, &token).await;
            assert_eq!(
                status,
                if eligible { 200 } else { 404 },
                "{org} {role:?}: {body}"
            );
            let (status, _) = get(&app, ASSUMPTION, &token).await;
            assert_eq!(
                status,
                if eligible { 200 } else { 404 },
                "assumption {org} {role:?}"
            );
            let (status, list) = get(&app, "/api/v1/reports", &token).await;
            assert_eq!(status, 200);
            let entries = list["reports"].as_array().expect("entries").len();
            assert_eq!(entries, usize::from(eligible), "{org} {role:?}: {list}");
            if !eligible {
                assert_eq!(body["error"]["code"], "not_found");
            }
        }
    }
    // The figures are the hand-checked ones.
    let (_, report) = get(&app, REPORT, &token("org_demo", Role::Supervisor)).await;
    assert_eq!(report["containment"]["net"], 10);
    assert_eq!(report["tiles"]["journey"], "ok");
    assert_eq!(report["data_through"], "2026-11-01");
}

#[actix_web::test]
async fn forged_expired_and_foreign_tokens_are_401() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let good = token("org_demo", Role::Owner);
    let now = chrono::Utc::now().timestamp();
    let expired = token_with("org_demo", Role::Owner, Lang::En, now - 3600, SECRET);
    let wrong_key = token_with(
        "org_demo",
        Role::Owner,
        Lang::En,
        now + 600,
        "another-secret-entirely",
    );
    // A valid token for org_demo whose payload is swapped for org_other's.
    let other = token("org_other", Role::Owner);
    let parts: Vec<&str> = good.split('.').collect();
    let other_parts: Vec<&str> = other.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], other_parts[1], parts[2]);
    // The same claims with `alg: none` and no signature.
    let none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
    let unsigned = format!("{none_header}.{}.", parts[1]);
    // RS256 claimed, HS256 secret used.
    let rs_header = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9";
    let algorithm_swapped = format!("{rs_header}.{}.{}", parts[1], parts[2]);
    for (name, token) in [
        ("expired", expired),
        ("wrong key", wrong_key),
        ("tampered", tampered),
        ("alg none", unsigned),
        ("algorithm swapped", algorithm_swapped),
        ("garbage", "not.a.token".to_string()),
        ("empty", String::new()),
    ] {
        let (status, body) = get(&app, REPORT, &token).await;
        assert_eq!(status, 401, "{name}: {body}");
        assert_eq!(body["error"]["code"], "unauthorized", "{name}");
    }
    let mut response = client()
        .get(format!("{}{REPORT}", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 401, "no token at all");
    assert!(response.body().await.is_ok());
    assert_eq!(get(&app, REPORT, &good).await.0, 200);
}

#[actix_web::test]
async fn rs256_tokens_work_when_a_public_key_is_configured() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let key_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rs256-public.pem");
    let app = spawn_app_with(&database, FLAGS_ON, |s| {
        s.auth.jwt_public_key_path = key_path.display().to_string();
    })
    .await;
    let private = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rs256-private.pem"),
    )
    .expect("key");
    let claims = impact::server::auth::Claims {
        sub: "u".into(),
        org_id: "org_demo".into(),
        role: Role::Admin,
        locale: Lang::Id,
        exp: chrono::Utc::now().timestamp() + 600,
        nbf: None,
    };
    let rs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(&private).expect("private key"),
    )
    .expect("sign");
    let (status, report) = get(&app, REPORT, &rs256).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["lang"], "id",
        "the token's locale is the default language"
    );
    // HS256 signed with the public key as the secret: the classic confusion attack.
    let public = std::fs::read(key_path).expect("key");
    let confused = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&public),
    )
    .expect("sign");
    assert_eq!(get(&app, REPORT, &confused).await.0, 401);
    assert_eq!(
        get(&app, REPORT, &token("org_demo", Role::Admin)).await.0,
        401,
        "HS256 is not accepted"
    );
}

#[actix_web::test]
async fn a_token_only_ever_reaches_its_own_organization() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let demo = token("org_demo", Role::Owner);
    let other = token("org_other", Role::Owner);
    let (_, own) = get(&app, REPORT, &demo).await;
    for sneaky in [
        format!("{REPORT}&org_id=org_other"),
        format!("{REPORT}&org=org_other&organization_id=org_other"),
    ] {
        let (status, report) = get(&app, &sneaky, &demo).await;
        assert_eq!(status, 200);
        assert_eq!(report["org_id"], "org_demo");
        assert_eq!(report["volume"], own["volume"]);
    }
    let (_, theirs) = get(
        &app,
        "/api/v1/reports/ai-agent-impact?from=2026-10-01&to=2026-11-01",
        &other,
    )
    .await;
    assert_eq!(theirs["org_id"], "org_other");
    assert_eq!(theirs["volume"]["eligible"], 1);
    // org_other's assumption write leaves org_demo's alone.
    let (status, _) = put_json(
        &app,
        ASSUMPTION,
        &other,
        serde_json::json!({"agent_hour_rate": 99000, "minutes_per_conversation": 9}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, mine) = get(&app, ASSUMPTION, &demo).await;
    assert_eq!(mine["agent_hour_rate"], 40000);
}

#[actix_web::test]
async fn bad_ranges_are_400_and_bad_assumptions_are_422_with_nothing_stored() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    for query in [
        "from=2026-10-31&to=2026-10-01",
        "from=2025-01-01&to=2026-10-31",
        "from=2026-10-01",
        "from=yesterday&to=2026-10-31",
        "from=2026-02-30&to=2026-03-01",
        "from=2026-10-01&to=2026-10-31&lang=fr",
        // Days that have not happened, and a year before any conversation.
        "from=9999-12-01&to=9999-12-31",
        "from=1999-12-01&to=1999-12-31",
    ] {
        let (status, body) = get(
            &app,
            &format!("/api/v1/reports/ai-agent-impact?{query}"),
            &owner,
        )
        .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "bad_request");
        assert!(body["error"]["messages"]["id"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    // A range after today names the day it must end by, in the caller's language.
    let (_, future) = get(
        &app,
        "/api/v1/reports/ai-agent-impact?from=9999-12-01&to=9999-12-31",
        &owner,
    )
    .await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .date_naive();
    let said = future["error"]["messages"]["en"]
        .as_str()
        .unwrap_or_default();
    assert!(
        said.contains("ends by today") && said.contains(&today.format("%Y").to_string()),
        "{future}"
    );
    // A full year is allowed, and no range means the last 30 complete days.
    assert_eq!(
        get(
            &app,
            "/api/v1/reports/ai-agent-impact?from=2025-11-01&to=2026-10-31",
            &owner
        )
        .await
        .0,
        200
    );
    let (status, default) = get(&app, "/api/v1/reports/ai-agent-impact", &owner).await;
    assert_eq!(status, 200);
    let from =
        chrono::NaiveDate::parse_from_str(default["from"].as_str().unwrap_or_default(), "%Y-%m-%d")
            .expect("from");
    let to =
        chrono::NaiveDate::parse_from_str(default["to"].as_str().unwrap_or_default(), "%Y-%m-%d")
            .expect("to");
    assert_eq!((to - from).num_days(), 29);

    for (body, fields) in [
        (
            serde_json::json!({"agent_hour_rate": 999, "minutes_per_conversation": 6}),
            vec!["agent_hour_rate"],
        ),
        (
            serde_json::json!({"agent_hour_rate": 50000, "minutes_per_conversation": 481}),
            vec!["minutes_per_conversation"],
        ),
        (
            serde_json::json!({"agent_hour_rate": -1, "minutes_per_conversation": 0}),
            vec!["agent_hour_rate", "minutes_per_conversation"],
        ),
        (
            serde_json::json!({"agent_hour_rate": "lima puluh", "minutes_per_conversation": 6.5}),
            vec!["agent_hour_rate", "minutes_per_conversation"],
        ),
        (
            serde_json::json!({"minutes_per_conversation": 6}),
            vec!["agent_hour_rate"],
        ),
    ] {
        let (status, answer) = put_json(&app, ASSUMPTION, &owner, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        let named: Vec<&str> = answer["error"]["fields"]
            .as_object()
            .expect("fields")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(named, fields, "{body}");
    }
    let (_, stored) = get(&app, ASSUMPTION, &owner).await;
    assert_eq!(
        (
            stored["agent_hour_rate"].clone(),
            stored["minutes_per_conversation"].clone()
        ),
        (40000.into(), 6.into())
    );
    // A supervisor sees the assumption but may not change it.
    let supervisor = token("org_demo", Role::Supervisor);
    let (status, seen) = get(&app, ASSUMPTION, &supervisor).await;
    assert_eq!((status, seen["can_edit"].clone()), (200, false.into()));
    let (status, refused) = put_json(
        &app,
        ASSUMPTION,
        &supervisor,
        serde_json::json!({"agent_hour_rate": 50000, "minutes_per_conversation": 6}),
    )
    .await;
    assert_eq!(
        (status, refused["error"]["code"].clone()),
        (403, "forbidden".into())
    );
}

#[actix_web::test]
async fn an_assumption_write_shows_in_the_very_next_report() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let admin = token("org_demo", Role::Admin);
    let (_, before) = get(&app, REPORT, &admin).await;
    assert_eq!(before["work_absorbed"]["rupiah"], 40000);
    // Cached now: a second read is a cache hit.
    get(&app, REPORT, &admin).await;
    let metrics = client()
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("metrics")
        .body()
        .await
        .expect("body");
    let metrics = String::from_utf8_lossy(&metrics).to_string();
    assert!(
        metrics.contains("impact_report_cache_hits_total 1"),
        "{metrics}"
    );
    let (status, saved) = put_json(
        &app,
        ASSUMPTION,
        &admin,
        serde_json::json!({"agent_hour_rate": 60000, "minutes_per_conversation": 6}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let (_, after) = get(&app, REPORT, &admin).await;
    assert_eq!(
        after["work_absorbed"]["rupiah"], 60000,
        "10 × 6 min × Rp 60.000/h"
    );
}

#[actix_web::test]
async fn a_new_aggregation_reaches_cached_reports() {
    let database = TestDatabase::create();
    let store = load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    let (_, before) = get(&app, REPORT, &owner).await;
    assert_eq!(before["volume"]["eligible"], 21);
    // A late room arrives in the source and `impact aggregate` runs.
    let late = tempfile::tempdir().expect("dir");
    std::fs::write(
        late.path().join("rooms.csv"),
        "id,organization_id,channel,contact_id,created_at,closed_at,closed_reason,assign_channel_agent_id,assigned_at\n\
         r90,org_demo,whatsapp,c90,2026-10-22T10:00:00+07:00,2026-10-22T10:05:00+07:00,RESOLVE_AI,,\n",
    )
    .expect("write");
    let output = crate::common::impact(
        &database.url,
        &["import", "--dir", late.path().to_str().expect("path")],
    );
    assert!(output.status.success());
    let output = crate::common::impact(&database.url, &["aggregate", "--org", "org_demo"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    drop(store);
    let refreshed = eventually(10, || async {
        get(&app, REPORT, &owner).await.1["volume"]["eligible"] == 22
    })
    .await;
    assert!(refreshed, "the cached report never saw the new aggregation");
}

#[actix_web::test]
async fn two_instances_sharing_one_database_see_each_others_writes() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let first = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let second = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    assert_eq!(
        get(&second, REPORT, &owner).await.1["work_absorbed"]["rupiah"],
        40000
    );
    let (status, _) = put_json(
        &first,
        ASSUMPTION,
        &owner,
        serde_json::json!({"agent_hour_rate": 80000, "minutes_per_conversation": 3}),
    )
    .await;
    assert_eq!(status, 200);
    let seen = eventually(10, || async {
        get(&second, REPORT, &owner).await.1["work_absorbed"]["rupiah"] == 40000
    })
    .await;
    assert!(
        seen,
        "10 × 3 min × Rp 80.000/h = Rp 40.000 on the other instance"
    );
    let (_, assumption) = get(&second, ASSUMPTION, &owner).await;
    assert_eq!(assumption["agent_hour_rate"], 80000);
}

#[actix_web::test]
async fn flipping_a_flag_in_the_file_applies_without_a_restart() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    assert_eq!(get(&app, REPORT, &owner).await.0, 200);
    std::fs::write(
        &app.flags_path,
        FLAGS_ON.replace(
            "[global]\nai_agent_impact_report = true",
            "[global]\nai_agent_impact_report = false",
        ),
    )
    .expect("write");
    assert!(
        eventually(8, || async { get(&app, REPORT, &owner).await.0 == 404 }).await,
        "the kill switch did not apply"
    );
    // A broken file keeps the last good flags and is counted.
    std::fs::write(&app.flags_path, "[global\nai_agent_impact_report = tru").expect("write");
    let counted = eventually(8, || async {
        let body = client()
            .get(format!("{}/metrics", app.address))
            .send()
            .await
            .expect("metrics")
            .body()
            .await
            .expect("body");
        String::from_utf8_lossy(&body).contains("impact_flag_reloads_total{result=\"error\"}")
    })
    .await;
    assert!(counted, "the failed reload was not counted");
    assert_eq!(
        get(&app, REPORT, &owner).await.0,
        404,
        "the last good flags stay"
    );
    std::fs::write(&app.flags_path, FLAGS_ON).expect("write");
    assert!(eventually(8, || async { get(&app, REPORT, &owner).await.0 == 200 }).await);
}

#[actix_web::test]
async fn the_page_cookie_works_for_reads_and_guards_writes() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    let handoff = |next: &str| format!("{}/auth/handoff?token={owner}&next={next}", app.address);
    // The handoff answers with a page of this site that moves on to `next` (so the
    // Strict cookie travels even when the host is on another site).
    let mut response = client()
        .get(handoff(
            "/reports/ai-agent-impact?from=2026-10-01%26to=2026-10-31",
        ))
        .send()
        .await
        .expect("handoff");
    assert_eq!(response.status().as_u16(), 200);
    let moves_on = |html: &str, to: &str| {
        html.contains(&format!(
            "<meta http-equiv=\"refresh\" content=\"0;url={to}"
        ))
    };
    let html = String::from_utf8_lossy(&response.body().await.expect("body")).into_owned();
    assert!(
        moves_on(
            &html,
            "/reports/ai-agent-impact?from=2026-10-01&#38;to=2026-10-31"
        ),
        "{html}"
    );
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("impact_session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("impact_csrf="))
        .expect("csrf cookie");
    let session_value = session.split(';').next().unwrap_or_default().to_string();
    let csrf_value = csrf
        .split(';')
        .next()
        .unwrap_or_default()
        .trim_start_matches("impact_csrf=")
        .to_string();
    // Off-site destinations are replaced by the report.
    let mut response = client()
        .get(handoff("https://evil.example/"))
        .send()
        .await
        .expect("handoff");
    let html = String::from_utf8_lossy(&response.body().await.expect("body")).into_owned();
    assert!(moves_on(&html, "/reports/ai-agent-impact\""), "{html}");
    assert!(!html.contains("evil.example"), "{html}");
    // Without a session, the page asks to sign in again, in plain words.
    for (path, lang, words) in [
        (
            "/reports/ai-agent-impact",
            "en",
            "Please open this report again from your admin panel",
        ),
        ("/reports?lang=id", "id", "Silakan buka laporan ini lagi"),
    ] {
        let mut page = client()
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status().as_u16(), 401, "{path}");
        let html = String::from_utf8_lossy(&page.body().await.expect("body")).to_string();
        assert!(
            html.contains(words) && html.contains(&format!("lang=\"{lang}\"")),
            "{html}"
        );
    }
    // A bad or expired link gets no cookie, and the person who opened it the page's
    // view in their language, not JSON.
    for (query, accept, lang, words) in [
        (
            "",
            "en-GB",
            "en",
            "open this report again from your admin panel",
        ),
        (
            "",
            "id-ID,id;q=0.9",
            "id",
            "buka laporan ini lagi dari panel admin",
        ),
        (
            "&lang=id",
            "en",
            "id",
            "buka laporan ini lagi dari panel admin",
        ),
    ] {
        let mut response = client()
            .get(format!(
                "{}/auth/handoff?token=nonsense{query}",
                app.address
            ))
            .insert_header(("Accept-Language", accept))
            .send()
            .await
            .expect("handoff");
        assert_eq!(response.status().as_u16(), 401);
        assert!(response.headers().get("set-cookie").is_none());
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let html = String::from_utf8_lossy(&response.body().await.expect("body")).to_string();
        assert!(
            html.contains(words) && html.contains(&format!("lang=\"{lang}\"")),
            "{query} {accept}: {html}"
        );
    }

    let cookie_header = format!("{session_value}; impact_csrf={csrf_value}");
    let mut read = client()
        .get(format!("{}{REPORT}", app.address))
        .insert_header(("Cookie", cookie_header.clone()))
        .send()
        .await
        .expect("read");
    assert_eq!(read.status().as_u16(), 200);
    assert!(read.body().limit(1 << 20).await.is_ok());
    let body = serde_json::json!({"agent_hour_rate": 45000, "minutes_per_conversation": 6});
    let forged = client()
        .put(format!("{}{ASSUMPTION}", app.address))
        .insert_header(("Cookie", cookie_header.clone()))
        .send_json(&body)
        .await
        .expect("put");
    assert_eq!(
        forged.status().as_u16(),
        403,
        "a cookie write without the CSRF header"
    );
    let foreign = client()
        .put(format!("{}{ASSUMPTION}", app.address))
        .insert_header(("Cookie", cookie_header.clone()))
        .insert_header(("X-CSRF-Token", csrf_value.clone()))
        .insert_header(("Origin", "https://evil.example"))
        .send_json(&body)
        .await
        .expect("put");
    assert_eq!(
        foreign.status().as_u16(),
        403,
        "a cookie write from another origin"
    );
    let genuine = client()
        .put(format!("{}{ASSUMPTION}", app.address))
        .insert_header(("Cookie", cookie_header))
        .insert_header(("X-CSRF-Token", csrf_value))
        .send_json(&body)
        .await
        .expect("put");
    assert_eq!(genuine.status().as_u16(), 200);
}

#[actix_web::test]
async fn idle_organizations_are_let_go_and_health_endpoints_answer() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |s| s.server.org_idle_seconds = 1).await;
    get(&app, REPORT, &token("org_demo", Role::Owner)).await;
    get(&app, REPORT, &token("org_other", Role::Owner)).await;
    let actors = || async {
        crate::server_common::metrics_text(&app)
            .await
            .lines()
            .find_map(|line| line.strip_prefix("impact_organization_actors "))
            .and_then(|value| value.trim().parse::<i64>().ok())
    };
    assert_eq!(actors().await, Some(2));
    let evicted = eventually(6, || async { actors().await == Some(0) }).await;
    assert!(evicted, "idle actors were never stopped");
    // And they come back on demand with the same figures.
    assert_eq!(
        get(&app, REPORT, &token("org_demo", Role::Owner)).await.1["containment"]["net"],
        10
    );
    assert_eq!(get(&app, "/healthz", "").await.0, 200);
    assert_eq!(get(&app, "/readyz", "").await.0, 200);
}

/// Whole rupiah, halves up, as docs/metrics.md §4.4 says, counted here apart from
/// the program's own arithmetic.
#[actix_web::test]
async fn the_ais_price_gives_her_return_in_her_own_numbers_and_a_bad_price_stores_nothing() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    let (_, before) = get(&app, REPORT, &owner).await;
    assert_eq!(before["work_absorbed"]["rupiah"], 40000, "{before}");
    for absent in ["ai_cost", "net_rupiah", "value_ratio"] {
        assert!(before["work_absorbed"].get(absent).is_none(), "{before}");
    }

    for price in [
        serde_json::json!(999),
        serde_json::json!(1_000_000_001),
        serde_json::json!(0),
        serde_json::json!("satu juta"),
        serde_json::json!(1500.5),
    ] {
        let body = serde_json::json!({
            "agent_hour_rate": 50000,
            "minutes_per_conversation": 7,
            "ai_price_per_month": price,
        });
        let (status, answer) = put_json(&app, ASSUMPTION, &owner, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        let fields = answer["error"]["fields"].as_object().expect("fields");
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            vec!["ai_price_per_month"],
            "{answer}"
        );
        for lang in ["en", "id"] {
            assert!(fields["ai_price_per_month"]["messages"][lang]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
        }
    }
    let (_, stored) = get(&app, ASSUMPTION, &owner).await;
    assert_eq!(
        (
            stored["agent_hour_rate"].clone(),
            stored["minutes_per_conversation"].clone(),
            stored["ai_price_per_month"].clone()
        ),
        (40000.into(), 6.into(), serde_json::Value::Null),
        "nothing of a refused write is stored"
    );

    // The fixture's 10 conversations solved alone at 6 minutes and Rp 40,000 an hour
    // are worth Rp 40,000; October is a whole calendar month with data, so the AI
    // costs exactly its monthly price (METRICS.md §4.4).
    for (price, english) in [
        (1_500_000, "more than the time it saved is worth"),
        (1_000, "times what it cost"),
    ] {
        let body = serde_json::json!({
            "agent_hour_rate": 40000,
            "minutes_per_conversation": 6,
            "ai_price_per_month": price,
        });
        let (status, saved) = put_json(&app, ASSUMPTION, &owner, body).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["ai_price_per_month"], price);
        let (_, report) = get(&app, REPORT, &owner).await;
        let work = &report["work_absorbed"];
        let cost = price;
        assert_eq!(work["ai_cost"], cost, "{report}");
        assert_eq!(work["net_rupiah"], 40000 - cost);
        let ratio = work["value_ratio"].as_f64().expect("value_ratio");
        assert!((ratio - 40000.0 / cost as f64).abs() < 1e-9, "{ratio}");
        let headline = report["headline"].as_str().unwrap_or_default();
        assert!(headline.contains(english), "{headline}");
        assert!(
            headline.contains(&format!("Rp {}", crate::common::grouped(cost, ','))),
            "{headline}"
        );
        // The owner can redo the sum: her rate, her minutes and the price are named.
        assert!(
            headline.contains("Rp 40,000 an hour and 6 minutes a conversation"),
            "{headline}"
        );
        assert_eq!(report["cost_numbers"]["agent_hour_rate"], 40000);
        assert_eq!(report["cost_numbers"]["ai_price_per_month"], price);
    }

    // Saved again without a price: the three figures are gone.
    let body = serde_json::json!({"agent_hour_rate": 40000, "minutes_per_conversation": 6});
    assert_eq!(put_json(&app, ASSUMPTION, &owner, body).await.0, 200);
    let (_, after) = get(&app, REPORT, &owner).await;
    assert!(after["work_absorbed"].get("ai_cost").is_none(), "{after}");
}

/// A page that says "no report here" leads somewhere: to the caller's reports and,
/// when signed in by cookie, out; an owner or admin of an organization without the
/// AI add-on is told why, and anyone else learns nothing more (404 every time).
#[actix_web::test]
async fn no_report_pages_say_why_to_an_owner_and_lead_back_and_out() {
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let page = |token: String, cookie: Option<String>| {
        let address = app.address.clone();
        async move {
            let mut request = client().get(format!("{address}/reports/ai-agent-impact?lang=id"));
            request = match cookie {
                Some(cookie) => request.insert_header(("Cookie", cookie)),
                None => request.bearer_auth(token),
            };
            let mut response = request.send().await.expect("page");
            let status = response.status().as_u16();
            let body = response.body().await.expect("body");
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let addon_words = "tersedia bersama add-on Agen AI";
    for role in [Role::Owner, Role::Admin] {
        let (status, html) = page(token("org_plain", role), None).await;
        assert_eq!(status, 404, "{html}");
        assert!(html.contains(addon_words), "{role:?}: {html}");
        assert!(html.contains("href=\"/reports?lang=id\""), "{html}");
        assert!(
            !html.contains("/auth/sign-out"),
            "a bearer token has nothing to sign out of"
        );
    }
    for (org, role) in [("org_plain", Role::Supervisor), ("org_demo", Role::Agent)] {
        let (status, html) = page(token(org, role), None).await;
        assert_eq!(status, 404, "{html}");
        assert!(
            html.contains("Tidak ada laporan untuk Anda di sini"),
            "{html}"
        );
        assert!(
            !html.contains(addon_words),
            "{org} {role:?} learns nothing more"
        );
    }
    // Signed in by cookie, the page offers to sign out.
    let owner = token("org_plain", Role::Owner);
    let response = client()
        .get(format!("{}/auth/handoff?token={owner}", app.address))
        .send()
        .await
        .expect("handoff");
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .filter_map(|value| value.to_str().ok())
        .filter_map(|cookie| cookie.split(';').next().map(String::from))
        .collect();
    let (status, html) = page(String::new(), Some(cookies.join("; "))).await;
    assert_eq!(status, 404, "{html}");
    assert!(html.contains("action=\"/auth/sign-out\""), "{html}");
}

/// "Set your business hours" leads to the host's page for it when the server knows
/// that page (`server.business_hours_url`), and says where to look when not.
#[actix_web::test]
async fn set_your_business_hours_leads_to_the_hosts_page_when_it_is_known() {
    let database = TestDatabase::create();
    let data = tempfile::tempdir().expect("dir");
    let dir = data.path().to_str().expect("path");
    // The third organization the generator builds, Laundry Kilat Makassar, has no
    // business hours.
    let generate = [
        "generate",
        "--out",
        dir,
        "--orgs",
        "3",
        "--days",
        "60",
        "--seed",
        "5",
        "--end",
        "2026-10-31",
    ];
    crate::common::impact_ok(&database.url, &generate);
    crate::common::impact_ok(&database.url, &["import", "--dir", dir]);
    crate::common::impact_ok(&database.url, &["aggregate"]);
    let owner = token("org_laundry_kilat", Role::Owner);
    let path = "/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31&lang=en";
    let page = |app: &TestApp| {
        let request = client()
            .get(format!("{}{path}", app.address))
            .bearer_auth(owner.clone());
        async move {
            let mut response = request.send().await.expect("page");
            assert_eq!(response.status().as_u16(), 200);
            String::from_utf8_lossy(&response.body().await.expect("body")).into_owned()
        }
    };
    let words = "Set your business hours in your admin panel&#39;s settings to see this.";
    let host = "https://admin.example/settings/business-hours";
    let flags = "[defaults]\nai_agent_impact_report = true\n";
    let linked = spawn_app_with(&database, flags, |settings| {
        settings.server.business_hours_url = host.into();
    })
    .await;
    let html = page(&linked).await;
    assert!(
        html.contains(&format!(
            "<a href=\"{host}\" data-testid=\"set-business-hours\">{words}</a>"
        )),
        "{html}"
    );
    let plain = spawn_app_with(&database, flags, |_| {}).await;
    let html = page(&plain).await;
    assert!(html.contains(words), "{html}");
    assert!(!html.contains(host), "{html}");
}
