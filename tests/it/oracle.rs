//! An independent, brute-force reading of METRICS.md, written without the
//! library's rules, checked against the real commands on generated data. Backend
//! agreement alone cannot catch a rule both backends share; this can.

use std::collections::{BTreeSet, HashMap};

use crate::common::{impact_ok, TestSqlite};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

/// The lists of the issue and METRICS.md §4.9, by the names the API takes, each
/// with where its figure is in the report's JSON (a JSON pointer): a list holds
/// exactly its figure's rooms.
pub const LISTS: [(&str, &str); 9] = [
    ("solved_alone", "/ledger/solved_alone"),
    ("came_back", "/ledger/came_back"),
    ("ai_only", "/journey/ai_only"),
    ("ai_assisted", "/ledger/ai_assisted"),
    ("escalated", "/ledger/escalated"),
    ("other", "/ledger/other"),
    ("after_hours", "/after_hours/count"),
    ("test_chat", "/ledger/test_chats"),
    ("spam", "/ledger/spam"),
];
use serde_json::Value;

struct Room {
    org: String,
    id: String,
    channel: String,
    contact: String,
    created: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
    reason: String,
    agent: bool,
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    (!text.is_empty()).then(|| {
        DateTime::parse_from_rfc3339(text)
            .expect("timestamp")
            .with_timezone(&Utc)
    })
}

#[derive(Default, Debug, PartialEq)]
pub struct Expected {
    /// The room ids behind each figure, by the API's list name (METRICS.md §4.9).
    pub lists: HashMap<&'static str, BTreeSet<String>>,
    pub test_chats: i64,
    pub spam: i64,
    eligible: i64,
    ai_handled: i64,
    gross: i64,
    reopened: i64,
    after_hours: i64,
    ai_assisted: i64,
    escalated: i64,
    other: i64,
    turns_sum: i64,
    contained_sentiment: Vec<f64>,
    human_sentiment: Vec<f64>,
}

pub fn oracle(dir: &std::path::Path, org: &str, from: NaiveDate, to: NaiveDate) -> Expected {
    let orgs: Vec<Value> = std::fs::read_to_string(dir.join("organizations.ndjson"))
        .expect("read")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let profile = orgs.iter().find(|o| o["id"] == org).expect("org");
    let tz: Tz = profile["timezone"]
        .as_str()
        .expect("tz")
        .parse()
        .expect("tz");
    let holidays: Vec<String> = profile["holidays"]
        .as_array()
        .map(|h| {
            h.iter()
                .filter_map(|d| d.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let hours = &profile["business_hours"];

    let mut reader = csv::Reader::from_path(dir.join("rooms.csv")).expect("rooms");
    let rooms: Vec<Room> = reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            Room {
                org: r[1].to_string(),
                id: r[0].to_string(),
                channel: r[2].trim().to_lowercase(),
                contact: r[3].to_string(),
                created: instant(&r[4]).expect("created"),
                closed: instant(&r[5]),
                reason: r[6].trim().to_uppercase(),
                agent: !r[7].trim().is_empty(),
            }
        })
        .filter(|room| room.org == org)
        .collect();
    let mut messages: HashMap<String, (i64, i64)> = HashMap::new();
    let mut reader = csv::Reader::from_path(dir.join("histories.csv")).expect("histories");
    for r in reader.records() {
        let r = r.expect("row");
        if &r[1] != org {
            continue;
        }
        let entry = messages.entry(r[0].to_string()).or_default();
        match r[2].trim().to_lowercase().as_str() {
            "customer" => entry.0 += 1,
            "ai" => entry.1 += 1,
            _ => {}
        }
    }
    let mut sentiment: HashMap<String, f64> = HashMap::new();
    for line in std::fs::read_to_string(dir.join("room_summaries.ndjson"))
        .expect("read")
        .lines()
    {
        let s: Value = serde_json::from_str(line).expect("JSON");
        if s["organization_id"] != org {
            continue;
        }
        let value = match &s["sentiment"] {
            Value::String(label) => match label.trim().to_lowercase().as_str() {
                "positive" => Some(1.0),
                "neutral" => Some(0.0),
                "negative" => Some(-1.0),
                _ => None,
            },
            Value::Number(n) => n.as_f64().map(|v| v.clamp(-1.0, 1.0)),
            _ => None,
        };
        if let (Some(value), Some(room)) = (value, s["room_id"].as_str()) {
            sentiment.insert(room.to_string(), value);
        }
    }

    let eligible = |room: &Room| room.channel != "bot_preview" && room.reason != "SPAM";
    let mut expected = Expected::default();
    for (name, _) in LISTS {
        expected.lists.insert(name, BTreeSet::new());
    }
    let add = |expected: &mut Expected, list: &'static str, room: &Room| {
        expected
            .lists
            .get_mut(list)
            .expect("list")
            .insert(room.id.clone());
    };
    for room in &rooms {
        let local = room.created.with_timezone(&tz);
        if local.date_naive() < from || local.date_naive() > to {
            continue;
        }
        if room.channel == "bot_preview" {
            expected.test_chats += 1;
            add(&mut expected, "test_chat", room);
            continue;
        }
        if room.reason == "SPAM" {
            expected.spam += 1;
            add(&mut expected, "spam", room);
            continue;
        }
        let (customer, ai) = messages.get(&room.id).copied().unwrap_or_default();
        expected.eligible += 1;
        let ai_handled = ai >= 1 || room.reason == "RESOLVE_AI";
        if ai_handled {
            expected.ai_handled += 1;
            if !hours.is_null() {
                let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    [local.weekday().num_days_from_monday() as usize];
                let minute = local.hour() * 60 + local.minute();
                let open = hours[day].as_array().is_some_and(|intervals| {
                    intervals.iter().any(|i| {
                        let text = i.as_str().unwrap_or_default();
                        let clock = |t: &str| {
                            t[..2].parse::<u32>().unwrap_or(0) * 60
                                + t[3..5].parse::<u32>().unwrap_or(0)
                        };
                        let (start, end) = (clock(&text[..5]), clock(&text[6..]));
                        start <= minute && minute < end
                    })
                });
                if !open || holidays.contains(&local.date_naive().to_string()) {
                    expected.after_hours += 1;
                    add(&mut expected, "after_hours", room);
                }
            }
        }
        let contained = room.reason == "RESOLVE_AI" && !room.agent && room.closed.is_some();
        if contained {
            expected.gross += 1;
            expected.turns_sum += customer;
            let closed = room.closed.unwrap_or(room.created);
            let came_back = rooms.iter().any(|other| {
                eligible(other)
                    && other.id != room.id
                    && other.contact == room.contact
                    && other.created > closed
                    && other.created <= closed + Duration::hours(48)
            });
            add(&mut expected, "ai_only", room);
            if came_back {
                expected.reopened += 1;
                add(&mut expected, "came_back", room);
            } else {
                add(&mut expected, "solved_alone", room);
            }
            expected.contained_sentiment.extend(sentiment.get(&room.id));
        } else if ai >= 1 && room.agent {
            expected.ai_assisted += 1;
            add(&mut expected, "ai_assisted", room);
            expected.human_sentiment.extend(sentiment.get(&room.id));
        } else if room.agent
            || ["ASSIGN_AGENT", "ASSIGN_AGENT_AI", "WAITING_ASSIGN_AGENT"]
                .contains(&room.reason.as_str())
        {
            expected.escalated += 1;
            add(&mut expected, "escalated", room);
            expected.human_sentiment.extend(sentiment.get(&room.id));
        } else {
            expected.other += 1;
            add(&mut expected, "other", room);
        }
    }
    expected
}

fn close(a: f64, b: &Value, what: &str) {
    let b = b.as_f64().unwrap_or_else(|| panic!("{what} missing"));
    assert!((a - b).abs() < 1e-9, "{what}: oracle {a}, report {b}");
}

#[test]
fn reports_agree_with_a_brute_force_reading_of_the_spec() {
    let sqlite = TestSqlite::create();
    let data = tempfile::tempdir().expect("dir");
    let dir = data.path().to_str().expect("path");
    impact_ok(
        &sqlite.url,
        &[
            "generate",
            "--out",
            dir,
            "--orgs",
            "7",
            "--days",
            "70",
            "--seed",
            "77",
            "--end",
            "2026-10-31",
            "--scale",
            "0.25",
        ],
    );
    impact_ok(&sqlite.url, &["import", "--dir", dir]);
    // Aggregated in two overlapping pieces with a tiny chunk, to stress the edges.
    impact_ok(
        &sqlite.url,
        &["aggregate", "--from", "2026-08-01", "--to", "2026-10-10"],
    );
    impact_ok(
        &sqlite.url,
        &["aggregate", "--from", "2026-10-05", "--to", "2026-10-31"],
    );
    let mut checked = 0;
    for org in [
        "org_kopi_nusantara",
        "org_laundry_kilat",
        "org_apotek_sehat",
        "org_batik_sekar",
        "org_kopi_papua",
    ] {
        for (from, to) in [("2026-10-01", "2026-10-31"), ("2026-09-03", "2026-10-09")] {
            let range = (
                NaiveDate::parse_from_str(from, "%Y-%m-%d").expect("date"),
                NaiveDate::parse_from_str(to, "%Y-%m-%d").expect("date"),
            );
            let expected = oracle(data.path(), org, range.0, range.1);
            let report: Value = crate::common::report_json(&sqlite.url, org, from, to);
            let what = format!("{org} {from}..{to}");
            assert_eq!(report["status"], "ok", "{what}");
            let ledger = &report["ledger"];
            assert_eq!(ledger["test_chats"], expected.test_chats, "{what}");
            assert_eq!(ledger["spam"], expected.spam, "{what}");
            assert_eq!(
                ledger["all"],
                expected.eligible + expected.test_chats + expected.spam,
                "{what}"
            );
            assert_eq!(ledger["counted"], expected.eligible, "{what}");
            assert_eq!(
                ledger["solved_alone"],
                expected.gross - expected.reopened,
                "{what}"
            );
            assert_eq!(report["volume"]["eligible"], expected.eligible, "{what}");
            assert_eq!(
                report["volume"]["ai_handled"], expected.ai_handled,
                "{what}"
            );
            assert_eq!(report["containment"]["gross"], expected.gross, "{what}");
            assert_eq!(
                report["containment"]["reopened"], expected.reopened,
                "{what}"
            );
            assert_eq!(
                report["containment"]["net"],
                expected.gross - expected.reopened,
                "{what}"
            );
            assert_eq!(report["journey"]["ai_only"], expected.gross, "{what}");
            assert_eq!(
                report["journey"]["ai_assisted"], expected.ai_assisted,
                "{what}"
            );
            assert_eq!(report["journey"]["escalated"], expected.escalated, "{what}");
            assert_eq!(report["journey"]["other"], expected.other, "{what}");
            if org == "org_laundry_kilat" {
                assert_eq!(report["after_hours"]["status"], "not_available", "{what}");
            } else {
                assert_eq!(
                    report["after_hours"]["count"], expected.after_hours,
                    "{what}"
                );
            }
            close(
                expected.turns_sum as f64 / expected.gross as f64,
                &report["quality"]["turns_avg"],
                &what,
            );
            let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
            let sentiment = &report["quality"]["sentiment"];
            close(
                mean(&expected.contained_sentiment),
                &sentiment["contained_avg"],
                &what,
            );
            close(
                mean(&expected.human_sentiment),
                &sentiment["escalated_avg"],
                &what,
            );
            let journey = expected.gross + expected.ai_assisted + expected.escalated;
            let covered = expected.contained_sentiment.len() + expected.human_sentiment.len();
            close(
                covered as f64 / journey as f64,
                &sentiment["coverage"],
                &what,
            );
            assert!(
                expected.reopened > 0 || from == "2026-09-03",
                "{what}: the data should exercise reopens"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}
