//! Numbers that depend on the data alone, never on history or rounding (issue 8):
//! the onboarding baseline whatever order days were aggregated in, the first
//! eligible day in both directions, reopens whatever the chunking, no room as its
//! own reopen, and verdicts exactly on a threshold. Every case runs through the real
//! `impact` commands on SQLite and on PostgreSQL.

use std::fmt::Write as _;
use std::path::Path;

use crate::common::report_json as report;
use crate::common::{impact_ok, impact_with_env, report_text, TestDatabase, TestSqlite};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde_json::Value;

/// A throwaway database on one backend, dropped with the value.
enum Db {
    Sqlite(TestSqlite),
    Postgres(TestDatabase),
}

impl Db {
    fn url(&self) -> &str {
        match self {
            Db::Sqlite(sqlite) => &sqlite.url,
            Db::Postgres(postgres) => &postgres.url,
        }
    }
}

/// Each backend, as a way to make a fresh database on it: every case runs on both.
const BACKENDS: [fn() -> Db; 2] = [
    || Db::Sqlite(TestSqlite::create()),
    || Db::Postgres(TestDatabase::create()),
];

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// A room of the import format, with the messages and mood it needs.
#[derive(Clone)]
struct Room {
    id: String,
    org: String,
    channel: &'static str,
    contact: String,
    created: DateTime<FixedOffset>,
    /// Minutes from creation to close (negative for a bad source row); `None` is open.
    closed_after: Option<i64>,
    reason: &'static str,
    agent: bool,
    customer_messages: usize,
    ai_messages: usize,
    sentiment: Option<f64>,
}

impl Room {
    fn new(org: &str, id: &str, contact: &str, created: &str) -> Self {
        Self {
            id: id.to_string(),
            org: org.to_string(),
            channel: "whatsapp",
            contact: contact.to_string(),
            created: DateTime::parse_from_rfc3339(created).expect("timestamp"),
            closed_after: Some(10),
            reason: "RESOLVE",
            agent: false,
            customer_messages: 1,
            ai_messages: 0,
            sentiment: None,
        }
    }

    /// Closed by the AI alone (contained, gross).
    fn contained(mut self) -> Self {
        self.reason = "RESOLVE_AI";
        self.ai_messages = 1;
        self
    }

    fn escalated(mut self) -> Self {
        self.reason = "ASSIGN_AGENT";
        self.agent = true;
        self
    }
}

/// One organization line of `organizations.ndjson`.
fn organization(id: &str, business_hours: &str) -> String {
    format!(
        r#"{{"id":"{id}","name":"{id}","ai_addon":true,"timezone":"Asia/Jakarta","business_hours":{business_hours},"holidays":[]}}"#
    )
}

/// Writes the import files for these organizations and rooms into `dir`.
fn write_import(dir: &Path, organizations: &[String], rooms: &[Room]) {
    let mut rooms_csv = String::from(
        "id,organization_id,channel,contact_id,created_at,closed_at,closed_reason,assign_channel_agent_id,assigned_at\n",
    );
    let mut histories = String::from("room_id,organization_id,sender_type,created_at\n");
    let mut summaries = String::new();
    for room in rooms {
        let closed = room
            .closed_after
            .map(|minutes| (room.created + Duration::minutes(minutes)).to_rfc3339())
            .unwrap_or_default();
        let agent = if room.agent { "agent_1" } else { "" };
        let assigned = if room.agent {
            room.created.to_rfc3339()
        } else {
            String::new()
        };
        let _ = writeln!(
            rooms_csv,
            "{},{},{},{},{},{},{},{},{}",
            room.id,
            room.org,
            room.channel,
            room.contact,
            room.created.to_rfc3339(),
            closed,
            room.reason,
            agent,
            assigned
        );
        for (sender, count) in [
            ("customer", room.customer_messages),
            ("ai", room.ai_messages),
        ] {
            for _ in 0..count {
                let _ = writeln!(
                    histories,
                    "{},{},{},{}",
                    room.id,
                    room.org,
                    sender,
                    room.created.to_rfc3339()
                );
            }
        }
        if let Some(sentiment) = room.sentiment {
            let _ = writeln!(
                summaries,
                r#"{{"room_id":"{}","organization_id":"{}","sentiment":{},"created_at":"{}"}}"#,
                room.id,
                room.org,
                sentiment,
                room.created.to_rfc3339()
            );
        }
    }
    std::fs::write(
        dir.join("organizations.ndjson"),
        organizations.join("\n") + "\n",
    )
    .expect("write organizations");
    std::fs::write(dir.join("rooms.csv"), rooms_csv).expect("write rooms");
    std::fs::write(dir.join("histories.csv"), histories).expect("write histories");
    std::fs::write(dir.join("room_summaries.ndjson"), summaries).expect("write summaries");
}

fn import(url: &str, rooms: &[Room], organizations: &[String]) {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_import(dir.path(), organizations, rooms);
    impact_ok(
        url,
        &["import", "--dir", dir.path().to_str().expect("path")],
    );
}

/// `impact aggregate` with extra arguments and, optionally, another chunk size.
fn aggregate(url: &str, args: &[&str], chunk_days: Option<u32>) {
    let mut all = vec!["aggregate"];
    all.extend_from_slice(args);
    let chunk = chunk_days.map(|days| days.to_string());
    let env: Vec<(&str, &str)> = chunk
        .as_deref()
        .map(|days| vec![("IMPACT__AGGREGATION__CHUNK_DAYS", days)])
        .unwrap_or_default();
    let output = impact_with_env(url, &all, &env);
    assert!(
        output.status.success(),
        "impact {all:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The organization's datamart rows and baseline as the store holds them, as text.
fn datamart(url: &str, org: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = impact::store::open(url, 1).await.expect("open store");
        let org = impact::domain::OrgId::parse(org).expect("org id");
        let range = impact::domain::DateRange::unbounded(day("2020-01-01"), day("2030-12-31"))
            .expect("range");
        let rows = store.daily_counters(&org, range).await.expect("rows");
        // How far the source was read, and from which file, differs between runs by
        // nature; what the datamart says of the organization does not.
        let activity = store.activity(&org).await.expect("activity");
        let activity = (activity.first_eligible_day, activity.data_through);
        let baseline = store.onboarding_baseline(&org).await.expect("baseline");
        format!(
            "{}\n{:?}\n{:?}",
            serde_json::to_string(&rows).expect("JSON"),
            activity,
            baseline
        )
    })
}

/// A small deterministic pseudo-random source, so the data is the same every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// Rooms over `days` days from 1 Aug 2026 for a few customers who come back often,
/// with bad rows that close before they open (up to three days before), spam and
/// test chats. The AI starts on day `ai_from`.
fn awkward_rooms(org: &str, days: i64, ai_from: i64, seed: u64) -> Vec<Room> {
    let mut dice = Dice(seed);
    let start = DateTime::parse_from_rfc3339("2026-08-01T00:00:00+07:00").expect("start");
    let mut rooms = Vec::new();
    for index in 0..days * 6 {
        let created = start
            + Duration::minutes((index * 24 * 60 / 6) + dice.next(200) as i64)
            + Duration::seconds(dice.next(60) as i64);
        let day_index = (created - start).num_days();
        let mut room = Room::new(
            org,
            &format!("{org}_r{index}"),
            &format!("c{}", dice.next(12)),
            &created.to_rfc3339(),
        );
        room.customer_messages = 1 + dice.next(5) as usize;
        if day_index >= ai_from {
            match dice.next(6) {
                0..=2 => room = room.contained(),
                3 => {
                    room = room.escalated();
                    room.ai_messages = dice.next(2) as usize;
                }
                _ => {}
            }
        }
        match dice.next(10) {
            // A bad row: closed up to three days before it was created.
            0 | 1 => room.closed_after = Some(-(dice.next(72 * 60) as i64)),
            2 => room.closed_after = None,
            _ => room.closed_after = Some(dice.next(120) as i64),
        }
        match dice.next(25) {
            0 => room.reason = "SPAM",
            1 => room.channel = "bot_preview",
            _ => {}
        }
        if dice.next(3) == 0 {
            room.sentiment = Some((dice.next(21) as f64 - 10.0) / 10.0);
        }
        rooms.push(room);
    }
    rooms
}

/// A way to aggregate: its name, the `--from/--to` arguments of each run (none: day
/// by day, newest first), and the chunk size.
type Plan<'a> = (&'a str, Vec<Vec<&'a str>>, Option<u32>);

#[test]
fn reports_and_datamart_rows_do_not_depend_on_how_days_were_chunked() {
    let org = "org_chunks";
    let rooms = awkward_rooms(org, 70, 0, 7);
    for fresh in BACKENDS {
        let organizations = [organization(org, "null")];
        let ranges = [
            ("2026-08-01", "2026-10-09"),
            ("2026-09-01", "2026-09-30"),
            ("2026-08-20", "2026-08-26"),
        ];
        let mut seen: Option<(String, Vec<String>)> = None;
        let plans: [Plan; 5] = [
            ("all at once", vec![vec![]], None),
            ("one-day chunks", vec![vec![]], Some(1)),
            ("seven-day chunks", vec![vec![]], Some(7)),
            (
                "two pieces, newest first",
                vec![
                    vec!["--from", "2026-09-05", "--to", "2026-10-09"],
                    vec!["--from", "2026-08-01", "--to", "2026-09-04"],
                ],
                Some(31),
            ),
            ("day by day, newest first", Vec::new(), None),
        ];
        let day_by_day: Vec<[String; 4]> = {
            let mut days: Vec<[String; 4]> = day("2026-08-01")
                .iter_days()
                .take(70)
                .map(|d| {
                    [
                        "--from".to_string(),
                        d.to_string(),
                        "--to".to_string(),
                        d.to_string(),
                    ]
                })
                .collect();
            days.reverse();
            days
        };
        for (name, runs, chunk_days) in plans {
            // A fresh database for each plan: everything comes from the same source.
            let plan_db = fresh();
            import(plan_db.url(), &rooms, &organizations);
            if runs.is_empty() {
                for args in &day_by_day {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    aggregate(plan_db.url(), &args, chunk_days);
                }
            } else {
                for args in runs {
                    aggregate(plan_db.url(), &args, chunk_days);
                }
            }
            let reports: Vec<String> = ranges
                .iter()
                .map(|(from, to)| report_text(plan_db.url(), org, from, to))
                .collect();
            let rows = datamart(plan_db.url(), org);
            match &seen {
                None => {
                    let whole: Value = serde_json::from_str(&reports[0]).expect("JSON");
                    assert_eq!(whole["status"], "ok", "{whole}");
                    assert!(
                        whole["containment"]["reopened"].as_i64() > Some(5),
                        "the data should exercise reopens: {whole}"
                    );
                    seen = Some((rows, reports));
                }
                Some((first_rows, first_reports)) => {
                    assert_eq!(&rows, first_rows, "{name}: datamart rows differ");
                    for (a, b) in first_reports.iter().zip(&reports) {
                        assert_eq!(a, b, "{name}: reports differ");
                    }
                }
            }
        }
    }
}

#[test]
fn a_room_that_closes_before_it_opens_is_not_its_own_reopen_but_sees_earlier_rooms() {
    // An old eligible room in each organization, so the report has 30 days of data.
    let old = |org: &str| Room::new(org, "old", "c_old", "2026-08-01T10:00:00+07:00");
    // Closed an hour before it was created: its own start is inside its window.
    let mut alone = Room::new("org_self", "alone", "c1", "2026-10-10T12:00:00+07:00").contained();
    alone.closed_after = Some(-60);
    // Closed 49 hours before it was created; the same customer wrote the day before,
    // inside the 48 hours after that close: a reopen that lies on an earlier day.
    let mut early = Room::new("org_early", "early", "c2", "2026-10-20T12:00:00+07:00").contained();
    early.closed_after = Some(-49 * 60);
    let before = Room::new("org_early", "before", "c2", "2026-10-19T09:00:00+07:00");
    let rooms = vec![old("org_self"), alone, old("org_early"), early, before];
    let organizations = [
        organization("org_self", "null"),
        organization("org_early", "null"),
    ];
    for fresh in BACKENDS {
        let db = fresh();
        let url = db.url();
        import(url, &rooms, &organizations);
        for args in [
            vec![],
            vec!["--from", "2026-10-20", "--to", "2026-10-20"],
            vec!["--from", "2026-10-10", "--to", "2026-10-10"],
        ] {
            // One-day chunks: the day before is never in the same chunk.
            aggregate(url, &args, Some(1));
            for (org, reopened) in [("org_self", 0), ("org_early", 1)] {
                let report = report(url, org, "2026-10-01", "2026-10-31");
                assert_eq!(report["status"], "ok", "{report}");
                assert_eq!(report["containment"]["gross"], 1, "{report}");
                assert_eq!(
                    report["containment"]["reopened"], reopened,
                    "{org} after aggregate {args:?}: {report}"
                );
            }
        }
    }
}

#[test]
fn the_onboarding_baseline_does_not_depend_on_the_order_of_backfills() {
    let org = "org_backfill";
    // AI from day 10 (10 Aug 2026) over 120 days.
    let rooms = awkward_rooms(org, 120, 9, 3);
    for fresh in BACKENDS {
        let organizations = [organization(org, "null")];
        let orders: [(&str, Vec<Vec<&str>>); 3] = [
            ("all at once", vec![vec![]]),
            (
                "oldest first",
                vec![
                    vec!["--from", "2026-08-01", "--to", "2026-09-15"],
                    vec!["--from", "2026-09-16", "--to", "2026-11-28"],
                ],
            ),
            (
                "recent weeks first, then the older months",
                vec![
                    vec!["--from", "2026-11-01", "--to", "2026-11-28"],
                    vec!["--from", "2026-08-01", "--to", "2026-10-31"],
                ],
            ),
        ];
        let mut first: Option<(String, String)> = None;
        for (name, runs) in orders {
            let plan = fresh();
            import(plan.url(), &rooms, &organizations);
            for args in runs {
                aggregate(plan.url(), &args, None);
            }
            let text = report_text(plan.url(), org, "2026-10-01", "2026-11-28");
            let report: Value = serde_json::from_str(&text).expect("JSON");
            let baseline = &report["trend"]["baseline"];
            assert_eq!(baseline["status"], "ready", "{name}: {report}");
            assert_eq!(baseline["from"], "2026-08-10", "{name}: {baseline}");
            assert_eq!(baseline["to"], "2026-09-08", "{name}: {baseline}");
            let rows = datamart(plan.url(), org);
            match &first {
                None => first = Some((text, rows)),
                Some((text_then, rows_then)) => {
                    assert_eq!(&text, text_then, "{name}: the report differs");
                    assert_eq!(&rows, rows_then, "{name}: the datamart differs");
                }
            }
        }
    }
}

#[test]
fn a_late_import_of_earlier_ai_days_moves_the_baseline_and_the_first_day() {
    let org = "org_late";
    let all = awkward_rooms(org, 120, 0, 11);
    let cutoff = DateTime::parse_from_rfc3339("2026-09-01T00:00:00+07:00").expect("cutoff");
    let (older, newer): (Vec<Room>, Vec<Room>) =
        all.iter().cloned().partition(|room| room.created < cutoff);
    for fresh in BACKENDS {
        let db = fresh();
        let url = db.url();
        let organizations = [organization(org, "null")];
        import(url, &newer, &organizations);
        aggregate(url, &[], None);
        let before = report(url, org, "2026-11-01", "2026-11-28");
        assert_eq!(
            before["trend"]["baseline"]["from"], "2026-09-01",
            "{before}"
        );
        assert_eq!(before["days_of_data"], 89, "{before}");

        // The older history arrives later; only the recent days are aggregated.
        import(url, &older, &organizations);
        aggregate(url, &["--from", "2026-11-26", "--to", "2026-11-28"], None);
        let after = report(url, org, "2026-11-01", "2026-11-28");
        assert_eq!(after["trend"]["baseline"]["from"], "2026-08-01", "{after}");
        assert_eq!(after["trend"]["baseline"]["to"], "2026-08-30", "{after}");
        assert_eq!(after["days_of_data"], 120, "{after}");

        // The same as a database that had all of it from the start.
        let everything = fresh();
        import(everything.url(), &all, &organizations);
        aggregate(everything.url(), &[], None);
        let expected = report(everything.url(), org, "2026-11-01", "2026-11-28");
        assert_eq!(after["trend"]["baseline"], expected["trend"]["baseline"]);
    }
}

#[test]
fn making_the_first_room_ineligible_moves_the_first_day_later_and_back() {
    let org = "org_first";
    let first = Room::new(org, "first", "c0", "2026-09-01T10:00:00+07:00");
    let mut rooms = vec![first.clone()];
    for index in 0..40 {
        let created = day("2026-10-01") + Duration::days(index % 20);
        rooms.push(
            Room::new(
                org,
                &format!("r{index}"),
                &format!("c{index}"),
                &format!("{created}T10:00:00+07:00"),
            )
            .contained(),
        );
    }
    for fresh in BACKENDS {
        let db = fresh();
        let url = db.url();
        let organizations = [organization(org, "null")];
        import(url, &rooms, &organizations);
        aggregate(url, &[], None);
        let report_days = |url: &str| report(url, org, "2026-10-01", "2026-10-20");
        let before = report_days(url);
        assert_eq!(before["days_of_data"], 50, "{before}");
        assert_eq!(before["status"], "ok");

        for (channel, reason) in [("whatsapp", "SPAM"), ("bot_preview", "RESOLVE")] {
            let mut changed = first.clone();
            changed.channel = channel;
            changed.reason = reason;
            import(url, &[changed], &organizations);
            // Any run derives the first eligible day from the source again.
            aggregate(url, &["--from", "2026-10-20", "--to", "2026-10-20"], None);
            let after = report_days(url);
            assert_eq!(after["days_of_data"], 20, "{channel}/{reason}: {after}");
            assert_eq!(after["status"], "baseline_forming", "{after}");
        }

        import(url, std::slice::from_ref(&first), &organizations);
        aggregate(url, &["--from", "2026-10-20", "--to", "2026-10-20"], None);
        assert_eq!(report_days(url)["days_of_data"], 50);
    }
}

#[test]
fn verdicts_exactly_on_a_threshold_read_as_the_table_says() {
    // Each organization puts one figure exactly on a threshold of METRICS.md §5.
    let always_open = r#"{"mon":["08:00-17:00"],"tue":["08:00-17:00"],"wed":["08:00-17:00"],"thu":["08:00-17:00"],"fri":["08:00-17:00"],"sat":["08:00-17:00"],"sun":["08:00-17:00"]}"#;
    let mut organizations = Vec::new();
    let mut rooms = Vec::new();
    let mut add = |org: &str, hours: &str, mut org_rooms: Vec<Room>| {
        organizations.push(organization(org, hours));
        // An old eligible room, so each report has 30 days of data.
        org_rooms.push(Room::new(org, "old", "c_old", "2026-08-01T10:00:00+07:00"));
        rooms.extend(org_rooms);
    };
    // `contained` of ten conversations solved alone, `turns` customer messages each.
    let ten = |org: &str, contained: usize, turns: usize| -> Vec<Room> {
        (0..10)
            .map(|index| {
                let room = Room::new(
                    org,
                    &format!("r{index}"),
                    &format!("c{index}"),
                    &format!("2026-10-{:02}T10:00:00+07:00", index + 1),
                );
                let mut room = if index < contained {
                    room.contained()
                } else {
                    room
                };
                room.customer_messages = turns;
                room
            })
            .collect()
    };
    add("org_net60_turns4", "null", ten("org_net60_turns4", 6, 4));
    add("org_net40_turns8", "null", ten("org_net40_turns8", 4, 8));
    add("org_net20", "null", ten("org_net20", 2, 1));
    // Ten contained, one (then two) of whose customers came back the next day.
    let reopens = |org: &str, came_back: usize| -> Vec<Room> {
        let mut rooms = ten(org, 10, 1);
        for index in 0..came_back {
            rooms.push(Room::new(
                org,
                &format!("back{index}"),
                &format!("c{index}"),
                &format!("2026-10-{:02}T09:00:00+07:00", index + 2),
            ));
        }
        rooms
    };
    add("org_reopen10", "null", reopens("org_reopen10", 1));
    add("org_reopen20", "null", reopens("org_reopen20", 2));
    // Ten AI-handled conversations, two of them at 20:00 (outside 08:00–17:00).
    let mut after_hours = ten("org_after20", 10, 1);
    for room in after_hours.iter_mut().take(2) {
        room.created += Duration::hours(10);
    }
    add("org_after20", always_open, after_hours);
    // Mood: thirty conversations solved alone and thirty escalated with a
    // sentiment each (the fewest a verdict is given on, METRICS.md §4.10), and as
    // many without (coverage exactly 50 %). Every value of a group is the same, so
    // the delta's interval is the delta itself and only the margin decides.
    let mood = |org: &str, contained: f64, escalated: f64| -> Vec<Room> {
        (0..120)
            .map(|index| {
                let room = Room::new(
                    org,
                    &format!("m{index}"),
                    &format!("c{index}"),
                    &format!("2026-10-{:02}T10:00:00+07:00", index % 30 + 1),
                );
                let (mut room, sentiment) = match index / 30 {
                    0 => (room.contained(), Some(contained)),
                    1 => (room.contained(), None),
                    2 => (room.escalated(), Some(escalated)),
                    _ => (room.escalated(), None),
                };
                room.sentiment = sentiment;
                room
            })
            .collect()
    };
    add("org_mood_plus", "null", mood("org_mood_plus", 0.4, 0.3));
    add("org_mood_minus", "null", mood("org_mood_minus", 0.7, 0.8));
    add("org_mood_more", "null", mood("org_mood_more", 0.5, 0.3));

    for fresh in BACKENDS {
        let db = fresh();
        let url = db.url();
        import(url, &rooms, &organizations);
        aggregate(url, &[], None);
        let verdict = |org: &str, name: &str| -> Value {
            let report = report(url, org, "2026-10-01", "2026-10-31");
            assert_eq!(report["status"], "ok", "{report}");
            report["verdicts"][name]["level"].clone()
        };
        assert_eq!(verdict("org_net60_turns4", "net_containment"), "strong");
        assert_eq!(verdict("org_net60_turns4", "turns"), "quick");
        assert_eq!(verdict("org_net40_turns8", "net_containment"), "healthy");
        assert_eq!(verdict("org_net40_turns8", "turns"), "typical");
        assert_eq!(verdict("org_net20", "net_containment"), "room_to_grow");
        assert_eq!(verdict("org_reopen10", "reopen_rate"), "low");
        assert_eq!(verdict("org_reopen20", "reopen_rate"), "moderate");
        assert_eq!(verdict("org_after20", "after_hours"), "always_on");
        // 0.4 − 0.3 is 0.10000000000000003 in floats, and 0.7 − 0.8 is
        // −0.10000000000000009: as decimals both are exactly on the margin.
        assert_eq!(verdict("org_mood_plus", "sentiment"), "about_the_same");
        assert_eq!(verdict("org_mood_minus", "sentiment"), "about_the_same");
        assert_eq!(verdict("org_mood_more", "sentiment"), "more_positive");
        let mood = report(url, "org_mood_plus", "2026-10-01", "2026-10-31");
        assert_eq!(mood["quality"]["sentiment"]["coverage"], 0.5);
        assert_eq!(
            mood["verdicts"]["sentiment_reduced_coverage"], false,
            "coverage of exactly 50 % is not reduced: {mood}"
        );
    }
}

#[test]
fn the_last_row_of_an_import_wins_and_empty_business_hours_are_always_closed() {
    let org = "org_last";
    let organizations = [
        organization(org, "null"),
        // The same organization again: `{}` is configured, and closed all week.
        organization(org, "{}"),
    ];
    let mut first_version = Room::new(org, "r1", "c1", "2026-10-05T10:00:00+07:00");
    first_version.customer_messages = 0;
    first_version.sentiment = Some(-1.0);
    let mut last_version = first_version.clone().contained();
    last_version.customer_messages = 3;
    last_version.ai_messages = 0;
    last_version.sentiment = Some(1.0);
    let old = Room::new(org, "old", "c_old", "2026-08-01T10:00:00+07:00");
    for fresh in BACKENDS {
        let db = fresh();
        let url = db.url();
        let dir = tempfile::tempdir().expect("temporary directory");
        write_import(
            dir.path(),
            &organizations,
            &[old.clone(), first_version.clone(), last_version.clone()],
        );
        std::fs::write(
            dir.path().join("cost_assumptions.csv"),
            format!(
                "organization_id,agent_hour_rate,minutes_per_conversation\n{org},10000,5\n{org},20000,10\n"
            ),
        )
        .expect("write cost assumptions");
        impact_ok(
            url,
            &["import", "--dir", dir.path().to_str().expect("path")],
        );
        aggregate(url, &[], None);
        let report = report(url, org, "2026-10-01", "2026-10-31");
        assert_eq!(report["status"], "ok", "{report}");
        assert_eq!(report["volume"]["eligible"], 1, "{report}");
        assert_eq!(report["containment"]["gross"], 1, "the last room row wins");
        assert_eq!(report["quality"]["turns_avg"], 3.0);
        assert_eq!(
            report["quality"]["sentiment"]["contained_avg"], 1.0,
            "the last summary wins: {report}"
        );
        assert_eq!(report["after_hours"]["status"], "ok", "{report}");
        assert_eq!(report["after_hours"]["count"], 1);
        assert_eq!(report["after_hours"]["share"], 1.0);
        // 1 conversation × 10 minutes at Rp 20.000 an hour: Rp 3.333.
        assert_eq!(report["work_absorbed"]["rupiah"], 3333, "{report}");
    }
}

/// The AI's monthly price comes in by the import's optional column: where it is
/// given, the report answers "is it worth the money?" in the organization's own
/// numbers; where the cell is empty there is no such answer, and never a 0.
#[test]
fn the_imported_ai_price_gives_the_return_and_an_empty_cell_none() {
    let organizations = [
        organization("org_priced", "null"),
        organization("org_unpriced", "null"),
    ];
    // An earlier room each, so October is past the first 30 days of data.
    let rooms = [
        Room::new("org_priced", "p0", "c0", "2026-08-01T10:00:00+07:00"),
        Room::new("org_priced", "p1", "c1", "2026-10-05T10:00:00+07:00").contained(),
        // The priced organization's data goes on to the end of October.
        Room::new("org_priced", "p2", "c2", "2026-10-31T10:00:00+07:00"),
        Room::new("org_unpriced", "u0", "c0", "2026-08-01T10:00:00+07:00"),
        Room::new("org_unpriced", "u1", "c1", "2026-10-05T10:00:00+07:00").contained(),
    ];
    for fresh in BACKENDS {
        let db = fresh();
        let url = db.url();
        let dir = tempfile::tempdir().expect("temporary directory");
        write_import(dir.path(), &organizations, &rooms);
        std::fs::write(
            dir.path().join("cost_assumptions.csv"),
            "organization_id,agent_hour_rate,minutes_per_conversation,ai_price_per_month\n\
             org_priced,60000,30,365000\n\
             org_unpriced,60000,30,\n",
        )
        .expect("write cost assumptions");
        impact_ok(
            url,
            &["import", "--dir", dir.path().to_str().expect("path")],
        );
        aggregate(url, &[], None);
        // 1 conversation × 30 minutes at Rp 60,000 an hour: Rp 30,000 saved; the
        // whole of October costs exactly Rp 365,000, the monthly price, and half
        // of it (1–15 Oct) 365,000 × 15 ÷ 31 = 176,612.9 → Rp 176,613 (§4.4).
        let priced = report(url, "org_priced", "2026-10-01", "2026-10-31");
        let work = &priced["work_absorbed"];
        assert_eq!(work["rupiah"], 30000, "{priced}");
        assert_eq!(work["ai_cost"], 365000, "{priced}");
        assert_eq!(work["net_rupiah"], 30000 - 365000);
        assert_eq!(work["value_ratio"], 30000.0 / 365000.0);
        assert_eq!(priced["cost_numbers"]["ai_price_per_month"], 365000);
        let half = report(url, "org_priced", "2026-10-01", "2026-10-15");
        assert_eq!(half["work_absorbed"]["ai_cost"], 176613, "{half}");
        // Past the data (it ends on 31 Oct), November costs nothing and the
        // report says where its money stops.
        let past = report(url, "org_priced", "2026-10-01", "2026-11-30");
        assert_eq!(past["counted_through"], "2026-10-31", "{past}");
        assert_eq!(past["work_absorbed"]["ai_cost"], 365000, "{past}");
        let notes = past["notes"].to_string();
        assert!(
            notes.contains("There is no data after 31 Oct 2026 yet"),
            "{notes}"
        );
        let unpriced = report(url, "org_unpriced", "2026-10-01", "2026-10-31");
        assert_eq!(unpriced["work_absorbed"]["rupiah"], 30000, "{unpriced}");
        for absent in ["ai_cost", "net_rupiah", "value_ratio"] {
            assert!(
                unpriced["work_absorbed"].get(absent).is_none(),
                "{unpriced}"
            );
        }
    }
}
