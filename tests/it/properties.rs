//! Property-based tests (proptest): random conversations must always keep the
//! report's books balanced, whatever the data and however it is aggregated, on both
//! backends; and random bytes in any import file give a clean error or rows, never
//! a panic.

use std::fmt::Write as _;

use crate::common::{TestDatabase, TestSqlite};
use chrono::NaiveDate;
use impact::aggregate::{Request, Scope};
use impact::domain::{DateRange, OrgId};
use impact::import::import_dir;
use impact::metrics::rooms::{ConversationList, Outcome, RoomOutcome};
use impact::metrics::DailyCounters;
use impact::settings::Settings;
use impact::store::{self, ConversationQuery, Store};
use proptest::prelude::*;

const REASONS: [&str; 8] = [
    "RESOLVE_AI",
    "resolve_ai ",
    "RESOLVE",
    "ASSIGN_AGENT",
    "WAITING_ASSIGN_AGENT",
    "SPAM",
    "IDLE",
    "",
];

/// One random room: its minute in a 10-day window, customer, reason, agent, the
/// minutes to close (negative: a bad row; `None`: still open), channel, messages.
#[derive(Debug, Clone)]
struct RandomRoom {
    minute: u32,
    contact: u8,
    reason: usize,
    agent: bool,
    close_after: Option<i32>,
    test_chat: bool,
    customer_messages: u8,
    ai_messages: u8,
}

fn room() -> impl Strategy<Value = RandomRoom> {
    (
        0u32..10 * 24 * 60,
        0u8..8,
        0..REASONS.len(),
        any::<bool>(),
        proptest::option::weighted(0.9, -3000i32..3000),
        proptest::bool::weighted(0.05),
        0u8..4,
        0u8..3,
    )
        .prop_map(
            |(minute, contact, reason, agent, close_after, test_chat, customer, ai)| RandomRoom {
                minute,
                contact,
                reason,
                agent,
                close_after,
                test_chat,
                customer_messages: customer,
                ai_messages: ai,
            },
        )
}

/// The import files of one organization with these rooms (from 1 Oct 2026, Jakarta).
fn write_files(dir: &std::path::Path, rooms: &[RandomRoom]) {
    let start = chrono::DateTime::parse_from_rfc3339("2026-10-01T00:00:00+07:00").expect("start");
    std::fs::write(
        dir.join("organizations.ndjson"),
        r#"{"id":"org_prop","name":"Prop","ai_addon":true,"timezone":"Asia/Jakarta","business_hours":{"mon":["08:00-17:00"],"sat":["09:00-13:00"]}}"#,
    )
    .expect("write");
    let mut csv = String::from(
        "id,organization_id,channel,contact_id,created_at,closed_at,closed_reason,assign_channel_agent_id,assigned_at\n",
    );
    let mut histories = String::from("room_id,organization_id,sender_type,created_at\n");
    for (index, room) in rooms.iter().enumerate() {
        let created = start + chrono::Duration::minutes(i64::from(room.minute));
        let closed = room
            .close_after
            .map(|minutes| (created + chrono::Duration::minutes(i64::from(minutes))).to_rfc3339())
            .unwrap_or_default();
        let _ = writeln!(
            csv,
            "r{index},org_prop,{},c{},{},{closed},{},{},",
            if room.test_chat {
                "bot_preview"
            } else {
                "whatsapp"
            },
            room.contact,
            created.to_rfc3339(),
            REASONS[room.reason],
            if room.agent { "agent_1" } else { "" },
        );
        for (sender, count) in [
            ("customer", room.customer_messages),
            ("ai", room.ai_messages),
        ] {
            for _ in 0..count {
                let _ = writeln!(
                    histories,
                    "r{index},org_prop,{sender},{}",
                    created.to_rfc3339()
                );
            }
        }
    }
    std::fs::write(dir.join("rooms.csv"), csv).expect("write");
    std::fs::write(dir.join("histories.csv"), histories).expect("write");
}

/// Imports the files and aggregates them, all at once or one day at a time (newest
/// first); returns every daily row and every room outcome.
async fn aggregate(
    url: &str,
    dir: &std::path::Path,
    day_by_day: bool,
) -> (Vec<DailyCounters>, Vec<RoomOutcome>) {
    let store = store::open(url, 2).await.expect("open");
    import_dir(store.as_ref(), dir, false)
        .await
        .expect("import");
    let settings = Settings::load(None).expect("settings");
    let first = NaiveDate::from_ymd_opt(2026, 9, 28).expect("date");
    let last = NaiveDate::from_ymd_opt(2026, 10, 12).expect("date");
    let scopes: Vec<Scope> = if day_by_day {
        let mut days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
        days.reverse();
        days.into_iter()
            .map(|day| Scope::Days { from: day, to: day })
            .collect()
    } else {
        vec![Scope::Days {
            from: first,
            to: last,
        }]
    };
    for scope in scopes {
        let request = Request {
            scope,
            organization: None,
            shard: None,
            show_progress: false,
        };
        impact::pipeline::aggregate(&settings, &store, &request)
            .await
            .expect("aggregate");
    }
    (rows(store.as_ref()).await, outcomes(store.as_ref()).await)
}

/// Every room outcome of the organization: the six disjoint lists, read whole. Each
/// of the nine lists the store serves must hold exactly the rooms that
/// `ConversationList::includes` (the Rust reading of METRICS.md §4.9) picks from them.
async fn outcomes(store: &dyn Store) -> Vec<RoomOutcome> {
    let org = OrgId::parse("org_prop").expect("id");
    let range = DateRange::new(
        NaiveDate::from_ymd_opt(2026, 9, 1).expect("date"),
        NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
    )
    .expect("range");
    let mut all = Vec::new();
    for list in [
        ConversationList::AiOnly,
        ConversationList::AiAssisted,
        ConversationList::Escalated,
        ConversationList::Other,
        ConversationList::TestChat,
        ConversationList::Spam,
    ] {
        let query = ConversationQuery::first_page(list, range, 10_000);
        all.extend(store.conversations(&org, &query).await.expect("list"));
    }
    all.sort_by(|a, b| (a.day, &a.room_id).cmp(&(b.day, &b.room_id)));
    for list in ConversationList::ALL {
        let query = ConversationQuery::first_page(list, range, 10_000);
        let mut served: Vec<String> = store
            .conversations(&org, &query)
            .await
            .expect("list")
            .into_iter()
            .map(|room| room.room_id)
            .collect();
        let mut picked: Vec<String> = all
            .iter()
            .filter(|room| list.includes(room))
            .map(|room| room.room_id.clone())
            .collect();
        served.sort();
        picked.sort();
        assert_eq!(served, picked, "{list:?}: the SQL and the rule disagree");
    }
    all
}

/// A day's counters counted again from its room outcomes.
fn tally(day: NaiveDate, rooms: &[RoomOutcome]) -> DailyCounters {
    let mut row = DailyCounters::empty(day);
    for room in rooms.iter().filter(|r| r.day == day) {
        match room.outcome {
            Outcome::TestChat => row.test_chats += 1,
            Outcome::Spam => row.spam += 1,
            class => {
                row.eligible += 1;
                row.ai_handled += i64::from(room.ai_handled);
                row.after_hours += i64::from(room.ai_handled && room.after_hours == Some(true));
                match class {
                    Outcome::AiOnly => {
                        row.contained += 1;
                        row.reopened += i64::from(room.came_back.is_some());
                        row.contained_customer_messages += room.customer_messages;
                    }
                    Outcome::AiAssisted => row.ai_assisted += 1,
                    Outcome::Escalated => row.escalated += 1,
                    _ => row.other += 1,
                }
            }
        }
    }
    row
}

async fn rows(store: &dyn Store) -> Vec<DailyCounters> {
    let range = DateRange::unbounded(
        NaiveDate::from_ymd_opt(2026, 9, 1).expect("date"),
        NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
    )
    .expect("range");
    store
        .daily_counters(&OrgId::parse("org_prop").expect("id"), range)
        .await
        .expect("rows")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn the_books_balance_and_pieces_equal_the_whole_on_both_backends(
        rooms in proptest::collection::vec(room(), 1..120)
    ) {
        let dir = tempfile::tempdir().expect("dir");
        write_files(dir.path(), &rooms);
        let runtime = runtime();
        let whole_db = TestSqlite::create();
        let (whole, whole_rooms) = runtime.block_on(aggregate(&whole_db.url, dir.path(), false));
        let pieces_db = TestSqlite::create();
        let (pieces, pieces_rooms) = runtime.block_on(aggregate(&pieces_db.url, dir.path(), true));
        let postgres_db = TestDatabase::create();
        let (postgres, postgres_rooms) =
            runtime.block_on(aggregate(&postgres_db.url, dir.path(), false));

        // Each day's counters are exactly the counts over its room outcomes, and the
        // rooms are the same however and wherever they were aggregated.
        prop_assert_eq!(whole_rooms.len(), rooms.len(), "one outcome per room");
        for (days, outcomes, backend) in [
            (&whole, &whole_rooms, "SQLite"),
            (&pieces, &pieces_rooms, "SQLite, day by day"),
            (&postgres, &postgres_rooms, "PostgreSQL"),
        ] {
            for day in days {
                let counted = tally(day.day, outcomes);
                let mut stored = day.clone();
                stored.sentiment_pending = false;
                stored.contained_sentiment_sum = 0.0;
                stored.contained_sentiment_rooms = 0;
                stored.human_sentiment_sum = 0.0;
                stored.human_sentiment_rooms = 0;
                stored.contained_sentiment_squares = 0.0;
                stored.human_sentiment_squares = 0.0;
                prop_assert_eq!(&stored, &counted, "{} on {}", backend, day.day);
            }
        }
        prop_assert_eq!(&pieces_rooms, &whole_rooms);
        prop_assert_eq!(&postgres_rooms, &whole_rooms);

        let eligible_rooms = rooms
            .iter()
            .filter(|r| !r.test_chat && REASONS[r.reason].trim() != "SPAM")
            .count() as i64;
        prop_assert_eq!(whole.iter().map(|d| d.eligible).sum::<i64>(), eligible_rooms);
        for day in &whole {
            prop_assert_eq!(
                day.contained + day.ai_assisted + day.escalated + day.other,
                day.eligible,
                "the journey classes of {} do not add up", day.day
            );
            prop_assert!(day.reopened <= day.contained, "net below zero on {}", day.day);
            prop_assert!(day.ai_handled <= day.eligible);
            prop_assert!(day.after_hours <= day.ai_handled);
        }
        prop_assert_eq!(&pieces, &whole, "day by day differs from all at once");
        prop_assert_eq!(&postgres, &whole, "PostgreSQL differs from SQLite");
    }

    #[test]
    fn random_bytes_in_any_import_file_give_an_error_or_rows_never_a_panic(
        file in 0usize..5,
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        prefix in 0usize..3,
    ) {
        let names = [
            "organizations.ndjson",
            "rooms.csv",
            "histories.csv",
            "room_summaries.ndjson",
            "cost_assumptions.csv",
        ];
        // Random bytes alone, or after a valid header or organization, so the
        // parsers past the first line are reached too.
        let starts = [
            "",
            "id,organization_id,channel,contact_id,created_at,closed_at,closed_reason,assign_channel_agent_id,assigned_at\n",
            "{\"id\":\"org_prop\",\"name\":\"P\",\"ai_addon\":true}\n",
        ];
        let dir = tempfile::tempdir().expect("dir");
        let mut content = starts[prefix].as_bytes().to_vec();
        content.extend_from_slice(&bytes);
        std::fs::write(dir.path().join(names[file]), content).expect("write");
        let sqlite = TestSqlite::create();
        let runtime = runtime();
        let outcome = runtime.block_on(async {
            let store = store::open(&sqlite.url, 1).await.expect("open");
            import_dir(store.as_ref(), dir.path(), false).await.map(|_| ())
        });
        if let Err(error) = outcome {
            let message = error.to_string();
            prop_assert!(message.contains(names[file]) || message.contains("organization"), "{}", message);
            prop_assert!(message.len() < 8 * 1024);
        }
    }
}
