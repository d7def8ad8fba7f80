//! The conversations behind every number (issue 11, METRICS.md §4.9), through the
//! real server on both backends: each list is exactly the rooms an independent
//! reading of the spec puts in its figure, pages are complete and stable, the ledger
//! adds up, the downloads hold the same rows and figures, and nobody sees another
//! organization's conversations.

use std::collections::{BTreeSet, HashMap};
use std::io::Cursor;

use calamine::{DataType, Reader};
use chrono::NaiveDate;
use impact::server::auth::Role;
use serde_json::Value;

use crate::common::{impact_ok, TestDatabase, TestSqlite};
use crate::oracle::{oracle, LISTS};
use crate::server_common::{
    aggregate, download, get, metrics_text, put_json, spawn_app_on, token, TestApp,
};

/// The report and its lists on for every account.
const FLAGS_ON: &str = "[defaults]\nai_agent_impact_report = true\n";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// Generated data with test chats, spam, reopens and odd rows, imported and aggregated.
fn load(url: &str, dir: &std::path::Path) -> Vec<(String, bool)> {
    let path = dir.to_str().expect("path");
    if !dir.join("rooms.csv").exists() {
        impact_ok(
            url,
            &[
                "generate",
                "--out",
                path,
                "--orgs",
                "4",
                "--days",
                "60",
                "--seed",
                "11",
                "--end",
                "2026-10-31",
                "--scale",
                "0.3",
            ],
        );
    }
    impact_ok(url, &["import", "--dir", path]);
    impact_ok(url, &["aggregate"]);
    std::fs::read_to_string(dir.join("organizations.ndjson"))
        .expect("organizations")
        .lines()
        .map(|line| {
            let org: Value = serde_json::from_str(line).expect("JSON");
            (
                org["id"].as_str().expect("id").to_string(),
                org["ai_addon"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// Every page of a list, in order, with the page size `limit`; every page must say
/// the same `total`, and the pages must hold exactly that many rows.
async fn all_pages(app: &TestApp, token: &str, query: &str, limit: usize) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    let mut total = None;
    loop {
        let mut path =
            format!("/api/v1/reports/ai-agent-impact/conversations?{query}&limit={limit}");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let (status, body) = get(app, &path, token).await;
        assert_eq!(status, 200, "{path}: {body}");
        let page = body["conversations"].as_array().expect("conversations");
        assert!(page.len() <= limit);
        let said = body["total"].as_i64().expect("total");
        assert_eq!(*total.get_or_insert(said), said, "{path}: the total moved");
        rows.extend(page.iter().cloned());
        match body["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(page.len(), limit, "only a full page has a next one");
                cursor = Some(next.to_string());
            }
            None => {
                assert_eq!(
                    total,
                    Some(rows.len() as i64),
                    "{query}: the total is the list"
                );
                return rows;
            }
        }
    }
}

/// A workbook's table as a person meets it: the header kept in view (a frozen pane
/// under its first row), a filter over the header and all `rows` rows, and columns
/// given a width.
fn assert_table_layout(workbook: &[u8], sheet: &str, rows: usize) {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(Cursor::new(workbook)).expect("an xlsx is a zip");
    let mut xml = String::new();
    archive
        .by_name(sheet)
        .expect("the sheet")
        .read_to_string(&mut xml)
        .expect("XML");
    assert!(
        xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#),
        "the header is not kept in view: {}",
        &xml[..xml.len().min(600)]
    );
    let filter = xml
        .split("<autoFilter ref=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a filter on the table");
    assert!(
        filter.starts_with("A1:") && filter.ends_with(&format!("{rows}")),
        "{filter}"
    );
    assert!(
        xml.contains("<cols>") && xml.contains("customWidth=\"1\""),
        "column widths"
    );
}

/// A workbook as LibreOffice reads it: converted to a flat OpenDocument
/// spreadsheet, whose XML says the type LibreOffice gave each cell (`date`,
/// `float`, `string`). LibreOffice is installed by scripts/test; without it this
/// fails.
fn libreoffice_cells(workbook: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let input = dir.path().join("book.xlsx");
    std::fs::write(&input, workbook).expect("write the workbook");
    let profile = format!("file://{}", dir.path().join("profile").display());
    let output = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to", "fods", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .output()
        .expect("LibreOffice (soffice) must be installed: scripts/test installs it");
    assert!(output.status.success(), "soffice: {output:?}");
    std::fs::read_to_string(dir.path().join("book.fods")).expect("LibreOffice wrote the sheet")
}

fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|row| row["room_id"].as_str().expect("room_id").to_string())
        .collect()
}

/// Newest first, and never the same room twice.
fn assert_newest_first_without_repeats(rows: &[Value], what: &str) {
    let keys: Vec<(chrono::DateTime<chrono::FixedOffset>, String)> = rows
        .iter()
        .map(|row| {
            (
                chrono::DateTime::parse_from_rfc3339(row["created_at"].as_str().expect("time"))
                    .expect("RFC 3339"),
                row["room_id"].as_str().expect("id").to_string(),
            )
        })
        .collect();
    for pair in keys.windows(2) {
        assert!(
            pair[0] > pair[1],
            "{what}: {pair:?} out of order or repeated"
        );
    }
}

async fn check_backend(url: &str, data: &std::path::Path) {
    let organizations = load(url, data);
    let app = spawn_app_on(url, FLAGS_ON, |settings| {
        settings.server.inbox_url_template = "https://admin.example/inbox/{room_id}".into();
    })
    .await;
    let mut checked_lists = 0;
    for (org, addon) in &organizations {
        let owner = token(org, Role::Owner);
        if !addon {
            let (status, _) = get(
                &app,
                "/api/v1/reports/ai-agent-impact/conversations?outcome=spam",
                &owner,
            )
            .await;
            assert_eq!(
                status, 404,
                "an organization without the add-on has no lists"
            );
            continue;
        }
        for (from, to) in [("2026-10-01", "2026-10-31"), ("2026-09-20", "2026-10-05")] {
            let expected = oracle(data, org, day(from), day(to));
            let (status, report) = get(
                &app,
                &format!("/api/v1/reports/ai-agent-impact?from={from}&to={to}"),
                &owner,
            )
            .await;
            assert_eq!(status, 200);
            let ledger = &report["ledger"];
            let n = |key: &str| {
                ledger[key]
                    .as_i64()
                    .unwrap_or_else(|| panic!("ledger.{key}"))
            };
            assert_eq!(n("all"), n("counted") + n("test_chats") + n("spam"));
            // A report still forming its baseline has the ledger's totals, no split.
            let ok = report["status"] == "ok";
            assert_eq!(ledger.get("solved_alone").is_some(), ok, "{report}");
            if ok {
                assert_eq!(
                    n("counted"),
                    n("solved_alone")
                        + n("came_back")
                        + n("ai_assisted")
                        + n("escalated")
                        + n("other")
                );
            }
            for (list, figure) in LISTS {
                let what = format!("{org} {from}..{to} {list}");
                let rows = all_pages(
                    &app,
                    &owner,
                    &format!("outcome={list}&from={from}&to={to}"),
                    7,
                )
                .await;
                assert_newest_first_without_repeats(&rows, &what);
                let got: BTreeSet<String> = ids(&rows).into_iter().collect();
                assert_eq!(&got, &expected.lists[list], "{what}");
                checked_lists += 1;
                if !ok && !matches!(list, "test_chat" | "spam") {
                    continue;
                }
                // A figure the report does not show (after hours without business
                // hours) has no conversations behind it.
                match report.pointer(figure) {
                    Some(figure) => assert_eq!(
                        Some(rows.len() as i64),
                        figure.as_i64(),
                        "{what}: the list is its figure"
                    ),
                    None => assert!(rows.is_empty(), "{what}: a list with no figure"),
                }
                if let Some(row) = rows.first() {
                    let link = row["inbox_url"].as_str().expect("inbox_url");
                    assert!(link.starts_with("https://admin.example/inbox/"), "{link}");
                }
            }
        }
    }
    assert!(
        checked_lists >= 18,
        "the generated data had too few organizations"
    );
}

#[actix_web::test]
async fn each_list_is_exactly_its_figure_on_sqlite() {
    let data = tempfile::tempdir().expect("dir");
    let sqlite = TestSqlite::create();
    check_backend(&sqlite.url, data.path()).await;
}

#[actix_web::test]
async fn each_list_is_exactly_its_figure_on_postgres() {
    let data = tempfile::tempdir().expect("dir");
    let database = TestDatabase::create();
    check_backend(&database.url, data.path()).await;
}

/// Pages stay complete and never repeat while the same days are aggregated again
/// between two page reads; callers of another organization or without a viewing
/// role get nothing; malformed parameters are refused in the caller's language.
#[actix_web::test]
async fn paging_is_stable_and_tenants_are_apart() {
    let data = tempfile::tempdir().expect("dir");
    let database = TestDatabase::create();
    let organizations = load(&database.url, data.path());
    let app = spawn_app_on(&database.url, FLAGS_ON, |_| {}).await;
    let (org, _) = organizations
        .iter()
        .find(|(_, addon)| *addon)
        .expect("an organization with the add-on");
    let owner = token(org, Role::Owner);
    let query = "outcome=ai_only&from=2026-10-01&to=2026-10-31";
    let expected = &oracle(data.path(), org, day("2026-10-01"), day("2026-10-31")).lists["ai_only"];
    assert!(expected.len() > 20, "too few rooms to page through");

    let path = format!("/api/v1/reports/ai-agent-impact/conversations?{query}&limit=10");
    let (_, first) = get(&app, &path, &owner).await;
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    aggregate(&app.store).await;
    let mut rows: Vec<Value> = first["conversations"].as_array().expect("rows").clone();
    let (_, second) = get(&app, &format!("{path}&cursor={cursor}"), &owner).await;
    rows.extend(
        second["conversations"]
            .as_array()
            .expect("rows")
            .iter()
            .cloned(),
    );
    let mut next = second["next_cursor"].as_str().map(String::from);
    while let Some(cursor) = next {
        let (_, page) = get(&app, &format!("{path}&cursor={cursor}"), &owner).await;
        rows.extend(
            page["conversations"]
                .as_array()
                .expect("rows")
                .iter()
                .cloned(),
        );
        next = page["next_cursor"].as_str().map(String::from);
    }
    assert_newest_first_without_repeats(&rows, "across a re-aggregation");
    assert_eq!(&ids(&rows).into_iter().collect::<BTreeSet<_>>(), expected);

    // A role that may not view the report, and a cursor from another list or range.
    let (status, _) = get(&app, &path, &token(org, Role::Agent)).await;
    assert_eq!(status, 404);
    let other_list = path.replace("ai_only", "spam");
    let (status, body) = get(&app, &format!("{other_list}&cursor={cursor}"), &owner).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_request")),
        "{body}"
    );
    let (status, body) = get(&app, &format!("{path}&cursor=not-a-cursor"), &owner).await;
    assert_eq!(status, 400, "{body}");
    for bad in ["limit=0", "limit=201", "limit=ten"] {
        let (status, body) = get(
            &app,
            &format!("/api/v1/reports/ai-agent-impact/conversations?outcome=spam&{bad}"),
            &owner,
        )
        .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("200"));
    }
    for bad in ["", "outcome=", "outcome=solved", "outcome=SPAM"] {
        let (status, body) = get(
            &app,
            &format!("/api/v1/reports/ai-agent-impact/conversations?{bad}&lang=id"),
            &owner,
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(
            message.contains("harus salah satu dari") && message.contains("after_hours"),
            "{message}"
        );
    }

    // Another organization's token sees only its own rooms.
    if let Some((other, _)) = organizations.iter().find(|(id, addon)| *addon && id != org) {
        let theirs = all_pages(&app, &token(other, Role::Owner), query, 200).await;
        let mine: BTreeSet<String> = ids(&rows).into_iter().collect();
        let overlap = ids(&theirs)
            .into_iter()
            .filter(|id| mine.contains(id))
            .count();
        assert_eq!(overlap, 0, "room ids of one organization in another's list");
    }
}

/// The CSV and the workbook hold exactly the list's rooms and the report's figures,
/// with headers in the caller's language.
#[actix_web::test]
async fn downloads_hold_the_same_rows_and_figures_as_the_report() {
    let data = tempfile::tempdir().expect("dir");
    let sqlite = TestSqlite::create();
    let organizations = load(&sqlite.url, data.path());
    let app = spawn_app_on(&sqlite.url, FLAGS_ON, |_| {}).await;
    let (org, _) = organizations
        .iter()
        .find(|(_, addon)| *addon)
        .expect("an organization with the add-on");
    let owner = token(org, Role::Owner);
    let range = "from=2026-09-01&to=2026-10-31";
    let expected = oracle(data.path(), org, day("2026-09-01"), day("2026-10-31"));

    for list in ["solved_alone", "came_back", "spam"] {
        let path = format!(
            "/api/v1/reports/ai-agent-impact/conversations.csv?outcome={list}&{range}&lang=id"
        );
        let (status, disposition, body) = download(&app, &path, &owner).await;
        assert_eq!(status, 200);
        assert!(
            disposition.contains(&format!("conversations-{list}-2026-09-01-2026-10-31.csv")),
            "{disposition}"
        );
        let mut reader = csv::Reader::from_reader(body.as_slice());
        assert_eq!(&reader.headers().expect("header")[0], "Percakapan");
        let rows: BTreeSet<String> = reader
            .records()
            .map(|r| r.expect("RFC 4180 row")[0].to_string())
            .collect();
        assert_eq!(&rows, &expected.lists[list], "CSV of {list}");

        let path = path.replace(".csv", ".xlsx").replace("lang=id", "lang=en");
        let (status, disposition, body) = download(&app, &path, &owner).await;
        assert_eq!(status, 200);
        assert!(disposition.ends_with(".xlsx\""), "{disposition}");
        let body_of_last_download = body.clone();
        let mut workbook = calamine::Xlsx::new(Cursor::new(body)).expect("a workbook");
        let names = workbook.sheet_names();
        assert_eq!(
            names,
            vec!["Conversations".to_string(), "What this means".to_string()]
        );
        let sheet = workbook.worksheet_range("Conversations").expect("sheet");
        let mut rows = sheet.rows();
        assert_eq!(rows.next().expect("header")[0].to_string(), "Conversation");
        let rows: Vec<_> = rows.collect();
        let ids: BTreeSet<String> = rows.iter().map(|row| row[0].to_string()).collect();
        assert_eq!(&ids, &expected.lists[list], "workbook of {list}");
        // The day and the start are dates a spreadsheet can sort and filter; the
        // channel is named and the mood said in words, as on the page (the CSV above
        // keeps the codes and values for tools).
        for row in &rows {
            let channel = row[4].to_string();
            assert!(
                [
                    "WhatsApp",
                    "Instagram",
                    "Facebook Messenger",
                    "Live chat",
                    "Test chat",
                    "Email"
                ]
                .contains(&channel.as_str()),
                "{list}: channel {channel:?}"
            );
            let mood = row[11].to_string();
            assert!(
                ["Positive (", "Neutral (", "Negative (", "no mood recorded"]
                    .iter()
                    .any(|start| mood.starts_with(start)),
                "{list}: mood {mood:?}"
            );
            for column in [1, 2] {
                assert!(
                    matches!(row[column], calamine::Data::DateTime(_)),
                    "{list}: column {column} is {:?}",
                    row[column]
                );
            }
        }
        assert_table_layout(
            &body_of_last_download,
            "xl/worksheets/sheet1.xml",
            rows.len() + 1,
        );
    }

    // The daily series: one row a day and a whole-period row equal to the report,
    // with the time saved and the AI's cost by the owner's own numbers.
    let (status, _) = put_json(
        &app,
        "/api/v1/reports/ai-agent-impact/cost-assumption",
        &owner,
        serde_json::json!({"agent_hour_rate": 40000, "minutes_per_conversation": 6, "ai_price_per_month": 1500000}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, report) = get(
        &app,
        &format!("/api/v1/reports/ai-agent-impact?{range}"),
        &owner,
    )
    .await;
    let (status, _, body) = download(
        &app,
        &format!("/api/v1/reports/ai-agent-impact/daily.csv?{range}"),
        &owner,
    )
    .await;
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(records.len(), 61 + 1, "61 days and the whole period");
    let total = records.last().expect("total");
    assert_eq!(&total[0], "Whole period");
    let number = |index: usize| total[index].parse::<i64>().expect("count");
    assert_eq!(number(1), report["ledger"]["all"].as_i64().expect("all"));
    assert_eq!(
        number(2),
        report["volume"]["eligible"].as_i64().expect("eligible")
    );
    assert_eq!(
        number(5),
        report["volume"]["ai_handled"].as_i64().expect("ai_handled")
    );
    assert_eq!(
        number(6),
        report["containment"]["net"].as_i64().expect("net")
    );
    assert_eq!(
        number(7),
        report["containment"]["reopened"]
            .as_i64()
            .expect("reopened")
    );
    let rate: f64 = total[12].parse().expect("rate");
    let reported = report["containment"]["net_rate"]
        .as_f64()
        .expect("net_rate");
    assert!((rate - reported).abs() < 1e-6, "{rate} vs {reported}");
    // Hours, rupiah and the AI's cost: the report's own, or empty where it has none.
    let work = &report["work_absorbed"];
    for (column, figure) in [(14, "rupiah"), (15, "ai_cost")] {
        match work[figure].as_i64() {
            Some(value) => assert_eq!(total[column].parse::<i64>().ok(), Some(value), "{figure}"),
            None => assert!(total[column].is_empty(), "{figure}: {total:?}"),
        }
    }
    match work["hours"].as_f64() {
        Some(hours) => {
            let written: f64 = total[13].parse().expect("hours");
            assert!((written - hours).abs() < 0.01, "{written} vs {hours}");
        }
        None => assert!(total[13].is_empty()),
    }

    let (status, _, body) = download(
        &app,
        &format!("/api/v1/reports/ai-agent-impact/daily.xlsx?{range}&lang=id"),
        &owner,
    )
    .await;
    assert_eq!(status, 200);
    assert_table_layout(&body, "xl/worksheets/sheet1.xml", 61 + 2);
    let body_of_daily_workbook = body.clone();
    let mut workbook = calamine::Xlsx::new(Cursor::new(body)).expect("a workbook");
    let sheet = workbook.worksheet_range("Harian").expect("the daily sheet");
    let first_day = sheet.rows().nth(1).expect("a day");
    assert!(
        matches!(first_day[0], calamine::Data::DateTime(_)),
        "the day is a date: {:?}",
        first_day[0]
    );
    let last = sheet.rows().next_back().expect("rows");
    assert_eq!(last[0].to_string(), "Seluruh periode");
    assert_eq!(
        last[6].to_string(),
        report["containment"]["net"].to_string()
    );
    // The money columns hold the report's own figures, as numbers.
    for (column, figure) in [(14, "rupiah"), (15, "ai_cost")] {
        match work[figure].as_i64() {
            Some(value) => assert_eq!(last[column].get_float(), Some(value as f64), "{figure}"),
            None => assert!(last[column].is_empty(), "{figure}: {:?}", last[column]),
        }
    }
    // A person's spreadsheet reads it the same way: LibreOffice opens the workbook
    // and takes every day for a date and the money for numbers.
    let opened = libreoffice_cells(&body_of_daily_workbook);
    assert_eq!(
        opened.matches(r#"office:value-type="date""#).count(),
        61,
        "LibreOffice reads each of the 61 days as a date"
    );
    for figure in ["rupiah", "ai_cost"] {
        let value = work[figure]
            .as_i64()
            .expect("the owner's numbers give the figure");
        let cell = format!(r#"office:value-type="float" office:value="{value}""#);
        assert!(
            opened.contains(&cell),
            "LibreOffice reads the {figure} {value} as a number"
        );
    }
    let about = workbook
        .worksheet_range("Penjelasan")
        .expect("the sheet that explains");
    assert!(about.rows().count() >= 6);
    // The sheet names the numbers the money comes from, written the Indonesian way,
    // so the owner can redo the sums by hand (METRICS.md §4.4).
    let explained: Vec<String> = about.rows().map(|row| row[0].to_string()).collect();
    let rate = report["cost_numbers"]["agent_hour_rate"]
        .as_i64()
        .expect("the owner's rate");
    let rate_words = format!("Rp {}", crate::common::grouped(rate, '.'));
    assert!(
        explained
            .iter()
            .any(|line| line.starts_with("Angka biaya Anda:") && line.contains(&rate_words)),
        "{rate_words} in {explained:?}"
    );
    if let Some(price) = report["cost_numbers"]["ai_price_per_month"].as_i64() {
        let price_words = format!("Rp {} per bulan", crate::common::grouped(price, '.'));
        assert!(
            explained.iter().any(|line| line.contains(&price_words)),
            "{price_words} in {explained:?}"
        );
    }

    // A range still forming its baseline: volume only, as in the report (§4.7).
    let (status, _, body) = download(
        &app,
        "/api/v1/reports/ai-agent-impact/daily.csv?from=2026-09-02&to=2026-09-10",
        &owner,
    )
    .await;
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(body.as_slice());
    for record in reader.records() {
        let record = record.expect("row");
        assert!(!record[2].is_empty(), "counted is shown");
        for column in 6..16 {
            assert!(
                record[column].is_empty(),
                "column {column} while forming: {record:?}"
            );
        }
    }
    // Dates are YYYY-MM-DD: a year chrono could not step past is refused, not a panic.
    for dates in [
        "from=%2B262142-12-31&to=%2B262142-12-31",
        "from=-262143-01-01&to=-262143-01-02",
    ] {
        let (status, _) = get(
            &app,
            &format!("/api/v1/reports/ai-agent-impact/conversations?outcome=spam&{dates}"),
            &owner,
        )
        .await;
        assert_eq!(status, 400, "{dates}");
        let (status, _) = get(
            &app,
            &format!("/api/v1/reports/ai-agent-impact?{dates}"),
            &owner,
        )
        .await;
        assert_eq!(status, 400, "{dates}");
    }
    let (status, _) = get(&app, "/healthz", "").await;
    assert_eq!(status, 200, "the server is still well");

    // Each whole download is timed to its last byte in the export histogram, by kind.
    let metrics = metrics_text(&app).await;
    for (kind, downloads) in [
        ("conversations_csv", 3),
        ("conversations_xlsx", 3),
        ("daily_csv", 2),
        ("daily_xlsx", 1),
    ] {
        let line = format!("impact_export_duration_seconds_count{{kind=\"{kind}\"}} {downloads}");
        assert!(metrics.contains(&line), "{line} missing from:\n{metrics}");
    }

    let counts: HashMap<&str, usize> = LISTS
        .iter()
        .map(|(list, _)| (*list, expected.lists[list].len()))
        .collect();
    assert!(counts["spam"] > 0 && counts["came_back"] > 0, "{counts:?}");
}

/// A conversation the AI closed hours ago may still see its customer come back
/// (METRICS.md §8.4): the list, the CSV and the page say it can still change, never
/// that the customer did not come back; one closed days ago is settled.
#[actix_web::test]
async fn a_conversation_closed_hours_ago_can_still_change() {
    let sqlite = TestSqlite::create();
    let data = tempfile::tempdir().expect("dir");
    let now = chrono::Utc::now();
    let stamp = |hours_ago: i64| (now - chrono::Duration::hours(hours_ago)).to_rfc3339();
    std::fs::write(
        data.path().join("organizations.ndjson"),
        r#"{"id":"org_recent","name":"Toko Baru Saja","ai_addon":true,"timezone":"Asia/Jakarta"}"#,
    )
    .expect("organizations");
    std::fs::write(
        data.path().join("rooms.csv"),
        format!(
            "id,organization_id,channel,contact_id,created_at,closed_at,closed_reason,assign_channel_agent_id,assigned_at\n\
             r_recent,org_recent,whatsapp,c1,{},{},RESOLVE_AI,,\n\
             r_old,org_recent,whatsapp,c2,{},{},RESOLVE_AI,,\n",
            stamp(6),
            stamp(5),
            stamp(5 * 24),
            stamp(5 * 24 - 1),
        ),
    )
    .expect("rooms");
    impact_ok(
        &sqlite.url,
        &["import", "--dir", data.path().to_str().expect("path")],
    );
    impact_ok(&sqlite.url, &["aggregate"]);
    let app = spawn_app_on(&sqlite.url, FLAGS_ON, |_| {}).await;
    let owner = token("org_recent", Role::Owner);
    let today = now.with_timezone(&chrono_tz::Asia::Jakarta).date_naive();
    let range = format!("from={}&to={today}", today - chrono::Duration::days(7));

    let (status, body) = get(
        &app,
        &format!("/api/v1/reports/ai-agent-impact/conversations?outcome=solved_alone&{range}"),
        &owner,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let provisional: HashMap<String, bool> = body["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .map(|row| {
            (
                row["room_id"].as_str().unwrap_or_default().to_string(),
                row["provisional"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        provisional,
        HashMap::from([("r_recent".to_string(), true), ("r_old".to_string(), false)])
    );

    let (status, _, csv) = download(
        &app,
        &format!("/api/v1/reports/ai-agent-impact/conversations.csv?outcome=solved_alone&{range}"),
        &owner,
    )
    .await;
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    assert_eq!(
        reader.headers().expect("header").iter().next_back(),
        Some("Can still change")
    );
    let still: HashMap<String, String> = reader
        .records()
        .map(|row| {
            let row = row.expect("row");
            (row[0].to_string(), row[row.len() - 1].to_string())
        })
        .collect();
    assert_eq!(still["r_recent"], "yes");
    assert_eq!(still["r_old"], "no");

    let page = reqwest_page(
        &app,
        &format!("/reports/ai-agent-impact/conversations?outcome=solved_alone&{range}&lang=id"),
        &owner,
    )
    .await;
    assert!(page.contains("masih bisa berubah"), "{page}");
    assert_eq!(
        page.matches("tidak kembali dalam 2 hari").count(),
        1,
        "{page}"
    );
}

/// A page of the server as HTML.
async fn reqwest_page(app: &TestApp, path: &str, token: &str) -> String {
    let (status, _, body) = download(app, path, token).await;
    assert_eq!(status, 200, "{path}");
    String::from_utf8(body).expect("UTF-8")
}
