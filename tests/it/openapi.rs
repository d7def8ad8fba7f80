//! The running server's responses conform to docs/openapi.json: every documented
//! operation and status (but 500) is exercised, and each JSON body is validated
//! against the schema the document gives for it.

use std::collections::BTreeSet;

use crate::common::TestDatabase;
use crate::oracle::LISTS;
use crate::server_common::*;
use impact::server::auth::Role;
use serde_json::Value;

fn document() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read openapi.json"))
        .expect("valid JSON")
}

/// Validates a body against the schema documented for this operation and status.
fn check(doc: &Value, path: &str, method: &str, status: u16, body: &Value) {
    let pointer = format!(
        "/paths/{}/{method}/responses/{status}/content/application~1json/schema",
        path.replace('~', "~0").replace('/', "~1")
    );
    let schema = doc
        .pointer(&pointer)
        .unwrap_or_else(|| panic!("{method} {path} {status} is not documented"));
    let root = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": doc["components"],
    });
    let validator = jsonschema::validator_for(&root).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: {errors:?}\n{body}"
    );
}

#[actix_web::test]
async fn every_documented_response_matches_its_schema() {
    let doc = document();
    let database = TestDatabase::create();
    load_fixture(&database.url).await;
    let app = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let owner = token("org_demo", Role::Owner);
    let supervisor = token("org_demo", Role::Supervisor);
    let agent = token("org_demo", Role::Agent);
    let report_path = "/api/v1/reports/ai-agent-impact";
    let assumption_path = "/api/v1/reports/ai-agent-impact/cost-assumption";
    let mut covered: BTreeSet<(String, String, u16)> = BTreeSet::new();
    let mut record = |path: &str, method: &str, status: u16, body: &Value| {
        check(&doc, path, method, status, body);
        covered.insert((path.to_string(), method.to_string(), status));
    };

    for (token, query, expected) in [
        (&owner, "?from=2026-10-01&to=2026-10-31", 200),
        (&owner, "?from=2026-10-01&to=2026-10-31&lang=id", 200),
        (&owner, "?from=2025-11-01&to=2026-10-31", 200),
        (
            &token("org_other", Role::Owner),
            "?from=2026-10-01&to=2026-10-31",
            200,
        ),
        (&owner, "?from=2026-10-31&to=2026-10-01", 400),
        (&agent, "", 404),
        (&"forged".to_string(), "", 401),
    ] {
        let (status, body) = get(&app, &format!("{report_path}{query}"), token).await;
        assert_eq!(status, expected, "{query}: {body}");
        record(report_path, "get", status, &body);
    }
    for (token, expected) in [(&owner, 200), (&agent, 200), (&"forged".to_string(), 401)] {
        let (status, body) = get(&app, "/api/v1/reports", token).await;
        assert_eq!(status, expected);
        record("/api/v1/reports", "get", status, &body);
    }
    for (token, expected) in [(&owner, 200), (&agent, 404), (&"forged".to_string(), 401)] {
        let (status, body) = get(&app, assumption_path, token).await;
        assert_eq!(status, expected);
        record(assumption_path, "get", status, &body);
    }
    for (token, body, expected) in [
        (
            &owner,
            serde_json::json!({"agent_hour_rate": 41000, "minutes_per_conversation": 6}),
            200,
        ),
        (
            &owner,
            serde_json::json!({"agent_hour_rate": 5, "minutes_per_conversation": 6}),
            422,
        ),
        (&owner, serde_json::json!([1, 2]), 400),
        (
            &supervisor,
            serde_json::json!({"agent_hour_rate": 41000, "minutes_per_conversation": 6}),
            403,
        ),
        (
            &agent,
            serde_json::json!({"agent_hour_rate": 41000, "minutes_per_conversation": 6}),
            404,
        ),
        (&"forged".to_string(), serde_json::json!({}), 401),
    ] {
        let (status, answer) = put_json(&app, assumption_path, token, body).await;
        assert_eq!(status, expected, "{answer}");
        record(assumption_path, "put", status, &answer);
    }
    for path in ["/healthz", "/readyz"] {
        let (status, body) = get(&app, path, "").await;
        record(path, "get", status, &body);
    }

    // The lists and downloads: every list's page, and each refusal.
    let lists_path = "/api/v1/reports/ai-agent-impact/conversations";
    let downloads = [
        "/api/v1/reports/ai-agent-impact/conversations.csv",
        "/api/v1/reports/ai-agent-impact/conversations.xlsx",
        "/api/v1/reports/ai-agent-impact/daily.csv",
        "/api/v1/reports/ai-agent-impact/daily.xlsx",
    ];
    for (outcome, _) in LISTS {
        let query = format!("?outcome={outcome}&from=2026-10-01&to=2026-10-31&limit=2");
        let (status, body) = get(&app, &format!("{lists_path}{query}"), &owner).await;
        assert_eq!(status, 200, "{outcome}: {body}");
        record(lists_path, "get", status, &body);
        if let Some(cursor) = body["next_cursor"].as_str() {
            let (status, body) = get(
                &app,
                &format!("{lists_path}{query}&cursor={cursor}"),
                &owner,
            )
            .await;
            assert_eq!(status, 200, "{outcome}: {body}");
            record(lists_path, "get", status, &body);
        }
    }
    for path in std::iter::once(lists_path).chain(downloads) {
        for (token, query, expected) in [
            (&owner, "?outcome=nope&from=2026-10-01&to=2026-10-31", 400),
            (&owner, "?outcome=spam&from=2026-10-31&to=2026-10-01", 400),
            (&agent, "?outcome=spam", 404),
            (&"forged".to_string(), "?outcome=spam", 401),
        ] {
            if path.contains("daily") && query.contains("nope") {
                continue; // The daily series has no outcome to get wrong.
            }
            let (status, body) = get(&app, &format!("{path}{query}"), token).await;
            assert_eq!(status, expected, "{path}{query}: {body}");
            record(path, "get", status, &body);
        }
    }

    // As many downloads as the server streams at once: one waits on a locked
    // table, holding the only place, and one more is refused.
    let busy_app =
        spawn_app_with(&database, FLAGS_ON, |s| s.server.max_downloads_at_once = 1).await;
    let (locker, connection) = tokio_postgres::connect(&database.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    actix_web::rt::spawn(connection);
    locker
        .batch_execute("BEGIN; LOCK TABLE room_outcomes IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let waiting = {
        let (address, owner) = (busy_app.address.clone(), owner.clone());
        actix_web::rt::spawn(async move {
            client()
                .get(format!(
                    "{address}/api/v1/reports/ai-agent-impact/conversations.csv?outcome=spam"
                ))
                .bearer_auth(owner)
                .send()
                .await
                .map(|response| response.status().as_u16())
        })
    };
    let mut in_flight = false;
    for _ in 0..100 {
        if metrics_text(&busy_app)
            .await
            .contains("impact_downloads_in_flight 1")
        {
            in_flight = true;
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(in_flight, "the waiting download never took its place");
    for path in [
        "/api/v1/reports/ai-agent-impact/conversations.csv",
        "/api/v1/reports/ai-agent-impact/conversations.xlsx",
    ] {
        let (status, body) = get(&busy_app, &format!("{path}?outcome=spam"), &owner).await;
        assert_eq!(status, 429, "{path}: {body}");
        record(path, "get", status, &body);
    }
    locker.batch_execute("ROLLBACK").await.expect("unlock");
    assert_eq!(waiting.await.expect("task").expect("response"), 200);

    // A broken datamart: the core read fails.
    let (client, connection) = tokio_postgres::connect(&database.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    actix_web::rt::spawn(connection);
    client
        .batch_execute("ALTER TABLE ai_activity_logs RENAME COLUMN eligible TO gone")
        .await
        .expect("break");
    let (status, body) = get(
        &app,
        &format!("{report_path}?from=2026-09-01&to=2026-09-30"),
        &owner,
    )
    .await;
    assert_eq!(status, 503);
    record(report_path, "get", status, &body);
    for path in [
        "/api/v1/reports/ai-agent-impact/daily.csv",
        "/api/v1/reports/ai-agent-impact/daily.xlsx",
    ] {
        let (status, body) = get(
            &app,
            &format!("{path}?from=2026-09-01&to=2026-09-30"),
            &owner,
        )
        .await;
        assert_eq!(status, 503, "{path}");
        record(path, "get", status, &body);
    }
    client
        .batch_execute("ALTER TABLE room_outcomes RENAME COLUMN outcome TO gone")
        .await
        .expect("break");
    for path in [
        lists_path,
        "/api/v1/reports/ai-agent-impact/conversations.csv",
        "/api/v1/reports/ai-agent-impact/conversations.xlsx",
    ] {
        let (status, body) = get(&app, &format!("{path}?outcome=spam"), &owner).await;
        assert_eq!(status, 503, "{path}");
        record(path, "get", status, &body);
    }

    // The organization and its cost assumption cannot be read or saved either (a
    // server that has cached nothing yet): the Reports index and the cost
    // assumption are 503 too.
    client
        .batch_execute(
            "ALTER TABLE organizations RENAME COLUMN name TO gone; \
             ALTER TABLE cost_assumptions RENAME COLUMN agent_hour_rate TO gone",
        )
        .await
        .expect("break");
    let fresh = spawn_app_with(&database, FLAGS_ON, |_| {}).await;
    let (status, body) = get(&fresh, "/api/v1/reports", &owner).await;
    assert_eq!(status, 503, "{body}");
    record("/api/v1/reports", "get", status, &body);
    let (status, body) = get(&fresh, assumption_path, &owner).await;
    assert_eq!(status, 503, "{body}");
    record(assumption_path, "get", status, &body);
    let (status, body) = put_json(
        &fresh,
        assumption_path,
        &owner,
        serde_json::json!({"agent_hour_rate": 50_000, "minutes_per_conversation": 5}),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    record(assumption_path, "put", status, &body);

    // The database goes away entirely: the server is no longer ready.
    drop(client);
    let admin = crate::common::postgres_admin_url();
    let (admin, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .expect("connect");
    actix_web::rt::spawn(connection);
    admin
        .batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", database.name))
        .await
        .expect("drop");
    let (status, body) = get(&app, "/readyz", "").await;
    assert_eq!(status, 503, "{body}");
    record("/readyz", "get", status, &body);

    // Every documented JSON response but 500 was seen.
    let mut documented = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in operations.as_object().expect("operations") {
            for (status, response) in operation["responses"].as_object().expect("responses") {
                if status != "500" && response.pointer("/content/application~1json").is_some() {
                    documented.insert((
                        path.clone(),
                        method.clone(),
                        status.parse::<u16>().expect("status"),
                    ));
                }
            }
        }
    }
    let missed: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missed.is_empty(),
        "documented but never exercised: {missed:?}"
    );
}
