//! Bad input files give one clear error naming the file, line and field, exit with
//! status 2, and leave the store exactly as it was, on both backends.

use std::fs;
use std::path::Path;

use crate::common::{fixtures_dir, impact, impact_ok, TestDatabase, TestSqlite};

/// A copy of the hand-checked case, to be broken in one place.
fn broken_copy(break_it: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let source = fixtures_dir().join("containment-rules");
    for entry in fs::read_dir(&source).expect("fixture") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name").to_owned();
        let keep = [".csv", ".ndjson"]
            .iter()
            .any(|ext| name.to_string_lossy().ends_with(ext));
        if keep {
            fs::copy(&path, dir.path().join(name)).expect("copy");
        }
    }
    break_it(dir.path());
    dir
}

fn append(path: &Path, text: &[u8]) {
    let mut content = fs::read(path).expect("read");
    content.extend_from_slice(text);
    fs::write(path, content).expect("write");
}

fn replace(path: &Path, from: &str, to: &str) {
    let content = fs::read_to_string(path).expect("read");
    assert!(content.contains(from), "{from} not in {}", path.display());
    fs::write(path, content.replacen(from, to, 1)).expect("write");
}

struct Case {
    name: &'static str,
    break_it: fn(&Path),
    /// Every one of these must appear in the error message.
    message: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "NUL character in a CSV cell",
        break_it: |dir| {
            replace(
                &dir.join("rooms.csv"),
                "whatsapp,c0,2026-09-01",
                "whatsapp,c\u{0}0,2026-09-01",
            )
        },
        message: &["rooms.csv line 2, field contact_id", "NUL"],
    },
    Case {
        name: "NUL character in a JSON string",
        break_it: |dir| {
            replace(
                &dir.join("organizations.ndjson"),
                "Toko Demo",
                "Toko\\u0000Demo",
            )
        },
        message: &["organizations.ndjson line 1, field name", "NUL"],
    },
    Case {
        name: "malformed timestamp",
        break_it: |dir| {
            replace(
                &dir.join("rooms.csv"),
                "2026-10-05T10:00:00+07:00",
                "2026-10-05 10:00",
            )
        },
        message: &["rooms.csv line 6, field created_at", "RFC 3339"],
    },
    Case {
        name: "timestamp without an offset",
        break_it: |dir| {
            replace(
                &dir.join("histories.csv"),
                "2026-10-01T09:00:10+07:00",
                "2026-10-01T09:00:10",
            )
        },
        message: &["histories.csv line 3, field created_at"],
    },
    Case {
        name: "missing column",
        break_it: |dir| {
            let path = dir.join("rooms.csv");
            let content = fs::read_to_string(&path).expect("read");
            let without: String = content
                .lines()
                .map(|line| {
                    let mut cells: Vec<&str> = line.split(',').collect();
                    cells.remove(6);
                    cells.join(",") + "\n"
                })
                .collect();
            fs::write(path, without).expect("write");
        },
        message: &["rooms.csv", "closed_reason"],
    },
    Case {
        name: "a row with too few fields",
        break_it: |dir| append(&dir.join("histories.csv"), b"r01,org_demo,customer\n"),
        message: &["histories.csv line 58", "3 fields", "4"],
    },
    Case {
        name: "wrong type in JSON",
        break_it: |dir| {
            replace(
                &dir.join("organizations.ndjson"),
                r#""ai_addon":true"#,
                r#""ai_addon":"yes""#,
            )
        },
        message: &[
            "organizations.ndjson line 1, field ai_addon",
            "true or false",
        ],
    },
    Case {
        name: "not a number",
        break_it: |dir| replace(&dir.join("cost_assumptions.csv"), "40000", "forty thousand"),
        message: &[
            "cost_assumptions.csv line 2, field agent_hour_rate",
            "whole number",
        ],
    },
    Case {
        name: "cost assumption out of bounds",
        break_it: |dir| replace(&dir.join("cost_assumptions.csv"), ",6", ",481"),
        message: &[
            "cost_assumptions.csv line 2, field minutes_per_conversation",
            "480",
        ],
    },
    Case {
        name: "the AI's price out of bounds",
        break_it: |dir| {
            fs::write(
                dir.join("cost_assumptions.csv"),
                "organization_id,agent_hour_rate,minutes_per_conversation,ai_price_per_month\n\
                 org_demo,40000,6,999\n",
            )
            .expect("write")
        },
        message: &[
            "cost_assumptions.csv line 2, field ai_price_per_month",
            "1000000000",
        ],
    },
    Case {
        name: "the AI's price not a number",
        break_it: |dir| {
            fs::write(
                dir.join("cost_assumptions.csv"),
                "organization_id,agent_hour_rate,minutes_per_conversation,ai_price_per_month\n\
                 org_demo,40000,6,sejuta\n",
            )
            .expect("write")
        },
        message: &[
            "cost_assumptions.csv line 2, field ai_price_per_month",
            "whole number",
        ],
    },
    Case {
        name: "unknown organization in the last row",
        break_it: |dir| {
            append(
                &dir.join("rooms.csv"),
                b"r99,org_nobody,whatsapp,c1,2026-10-01T09:00:00+07:00,,,,\n",
            )
        },
        message: &[
            "rooms.csv line 31, field organization_id",
            "unknown organization 'org_nobody'",
        ],
    },
    Case {
        name: "non-UTF-8 bytes",
        break_it: |dir| {
            append(
                &dir.join("rooms.csv"),
                b"r98,org_demo,whatsapp,c\xff\xfe,2026-10-01T09:00:00+07:00,,,,\n",
            )
        },
        message: &["rooms.csv line 31, field contact_id", "UTF-8"],
    },
    Case {
        name: "broken JSON line",
        break_it: |dir| {
            append(
                &dir.join("room_summaries.ndjson"),
                b"{\"room_id\": \"r01\", \n",
            )
        },
        message: &["room_summaries.ndjson line 12", "not valid JSON"],
    },
    Case {
        name: "unknown time zone",
        break_it: |dir| {
            replace(
                &dir.join("organizations.ndjson"),
                "Asia/Jakarta",
                "Asia/Atlantis",
            )
        },
        message: &[
            "organizations.ndjson line 1, field timezone",
            "Asia/Atlantis",
        ],
    },
    Case {
        name: "bad business hours",
        break_it: |dir| {
            replace(
                &dir.join("organizations.ndjson"),
                r#""mon":["08:00-17:00"]"#,
                r#""mon":["17:00-08:00"]"#,
            )
        },
        message: &["organizations.ndjson line 1, field business_hours"],
    },
    Case {
        name: "a new organization whose rooms are bad is not kept either",
        break_it: |dir| {
            append(
                &dir.join("organizations.ndjson"),
                br#"{"id":"org_new","name":"Baru","ai_addon":true,"timezone":"Asia/Jakarta"}"#,
            );
            append(
                &dir.join("rooms.csv"),
                b"n1,org_new,whatsapp,c1,yesterday,,,,\n",
            );
        },
        message: &["rooms.csv line 31, field created_at"],
    },
    Case {
        name: "a channel longer than a label may be",
        break_it: |dir| {
            replace(
                &dir.join("rooms.csv"),
                "whatsapp,c0,2026-09-01",
                &format!("{},c0,2026-09-01", "w".repeat(65)),
            )
        },
        message: &["rooms.csv line 2, field channel", "at most 64"],
    },
    Case {
        name: "a line longer than any import line may be",
        break_it: |dir| {
            append(
                &dir.join("room_summaries.ndjson"),
                format!("{{\"room_id\":\"{}\"}}\n", "r".repeat(70_000)).as_bytes(),
            )
        },
        message: &["room_summaries.ndjson line", "longer than 64 KiB"],
    },
];

/// A quoted cell of many short lines is bounded as a whole, not line by line; an
/// escaped quote inside a cell does not start its count again.
#[test]
fn a_quoted_cell_spanning_lines_is_bounded_too() {
    let sqlite = TestSqlite::create();
    let dir = broken_copy(|dir| {
        let cell = "w\"\"w\n".repeat(20_000);
        append(
            &dir.join("rooms.csv"),
            format!("big,org_demo,\"{cell}\",c9,2026-10-05T10:00:00+07:00,,,,\n").as_bytes(),
        )
    });
    let output = impact(
        &sqlite.url,
        &["import", "--dir", dir.path().to_str().expect("path")],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("rooms.csv line") && stderr.contains("longer than 64 KiB"),
        "{stderr}"
    );
}

/// A 60 MB cell, as a broken export writes it: refused with its file and line,
/// without holding the line in memory.
#[test]
fn a_60_mb_cell_is_refused_by_line_in_bounded_memory() {
    let sqlite = TestSqlite::create();
    let dir = broken_copy(|dir| {
        let mut rooms = fs::read(dir.join("rooms.csv")).expect("read");
        rooms.extend_from_slice(b"big,org_demo,");
        rooms.extend(std::iter::repeat_n(b'w', 60 << 20));
        rooms.extend_from_slice(b",c9,2026-10-05T10:00:00+07:00,,,,\n");
        fs::write(dir.join("rooms.csv"), rooms).expect("write");
    });
    let output = std::process::Command::new("/usr/bin/time")
        .args(["-f", "peak_kib=%M", env!("CARGO_BIN_EXE_impact")])
        .args(["--database-url", &sqlite.url, "import", "--dir"])
        .arg(dir.path())
        .output()
        .expect("GNU time (Debian's time package) runs the import");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let lines = fs::read_to_string(dir.path().join("rooms.csv"))
        .map(|text| text.lines().count())
        .unwrap_or_default();
    assert!(
        stderr.contains(&format!("rooms.csv line {lines}"))
            && stderr.contains("longer than 64 KiB"),
        "{stderr}"
    );
    let peak_kib: u64 = stderr
        .lines()
        .find_map(|line| line.strip_prefix("peak_kib="))
        .and_then(|value| value.trim().parse().ok())
        .expect("the peak memory");
    println!("peak memory of the refused import: {} MiB", peak_kib / 1024);
    assert!(peak_kib < 300 * 1024, "peak {peak_kib} KiB");
}

/// Everything a user could notice about the store: each organization's report and
/// the organizations it knows.
fn snapshot(url: &str) -> Vec<String> {
    let mut state = Vec::new();
    for org in ["org_demo", "org_other", "org_new"] {
        let output = impact(
            url,
            &[
                "report",
                "--org",
                org,
                "--from",
                "2026-10-01",
                "--to",
                "2026-11-01",
                "--format",
                "json",
                "--min-conversations",
                "1",
            ],
        );
        // A report's figures, not the moment its source was last read.
        let shown = match serde_json::from_slice(&output.stdout) {
            Ok(report) => crate::common::without_read_time(report).to_string(),
            Err(_) => String::from_utf8_lossy(&output.stdout).to_string(),
        };
        state.push(format!(
            "{org}: {} {shown}",
            output.status.code().unwrap_or(-1),
        ));
    }
    state
}

fn check_every_case(url: &str) {
    let good = fixtures_dir().join("containment-rules");
    impact_ok(url, &["import", "--dir", good.to_str().expect("path")]);
    impact_ok(url, &["aggregate"]);
    let before = snapshot(url);
    for case in CASES {
        let dir = broken_copy(case.break_it);
        let output = impact(
            url,
            &["import", "--dir", dir.path().to_str().expect("path")],
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{}: {stderr}", case.name);
        for needle in case.message {
            assert!(
                stderr.contains(needle),
                "{}: '{needle}' not in: {stderr}",
                case.name
            );
        }
        assert!(
            stderr.contains("nothing was imported"),
            "{}: {stderr}",
            case.name
        );
        assert_eq!(
            stderr.lines().count(),
            1,
            "{}: one clear error, got: {stderr}",
            case.name
        );
        // The store is unchanged: aggregate again and every report is the same.
        impact_ok(url, &["aggregate"]);
        assert_eq!(snapshot(url), before, "{} changed the store", case.name);
    }
}

#[test]
fn bad_files_change_nothing_on_sqlite() {
    let sqlite = TestSqlite::create();
    check_every_case(&sqlite.url);
}

#[test]
fn bad_files_change_nothing_on_postgres() {
    let database = TestDatabase::create();
    check_every_case(&database.url);
}

#[test]
fn a_directory_without_import_files_is_refused() {
    let sqlite = TestSqlite::create();
    let empty = tempfile::tempdir().expect("temporary directory");
    let output = impact(
        &sqlite.url,
        &["import", "--dir", empty.path().to_str().expect("path")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds none of the import files"));
    let missing = impact(&sqlite.url, &["import", "--dir", "/no/such/dir"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("is not a directory"));
}

/// A PostgreSQL that cannot be used says which database, role or host failed, in
/// the server's own words, once.
#[test]
fn postgres_errors_name_what_failed_once() {
    let admin = crate::common::postgres_admin_url();
    let server = admin
        .rsplit_once('/')
        .map(|(server, _)| server)
        .unwrap_or(&admin);
    let host = server
        .rsplit_once('@')
        .map(|(_, host)| host)
        .unwrap_or("127.0.0.1:5432");
    for (url, said) in [
        (
            format!("{server}/impact_no_such_database"),
            "database \"impact_no_such_database\" does not exist".to_string(),
        ),
        (
            format!("postgres://impact_no_such_role@{host}/postgres"),
            "role \"impact_no_such_role\" does not exist".to_string(),
        ),
        (
            "postgres://postgres@127.0.0.1:1/postgres".to_string(),
            "Connection refused".to_string(),
        ),
    ] {
        let output = impact(&url, &["migrate"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.matches(said.as_str()).count(), 1, "{stderr}");
        assert_eq!(
            stderr
                .matches("could not get a PostgreSQL connection")
                .count(),
            1,
            "{stderr}"
        );
        assert!(!stderr.contains("db error"), "{stderr}");
    }
}
