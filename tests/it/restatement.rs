//! The datamart follows its source (METRICS.md §8): random histories of source
//! changes (new rooms, late closes, reassignments, spam, new messages, late
//! summaries, rooms whose `created_at` moves, new business hours, and on the live
//! source deleted rooms) interleaved with
//! nightly runs. After every run the datamart (daily counters, room outcomes, first
//! eligible day, onboarding baseline) must equal a fresh full aggregation of the
//! same source: on SQLite and PostgreSQL fed by imports, and on a live PostgreSQL
//! source shaped as a chatbot's own database (its own names behind views) read
//! through a role that may only `SELECT`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use impact::aggregate::{Request, Scope};
use impact::domain::{DateRange, OrgId};
use impact::import::import_dir;
use impact::metrics::baseline::Baseline;
use impact::metrics::rooms::RoomOutcome;
use impact::metrics::DailyCounters;
use impact::settings::Settings;
use impact::store::{self, Store};
use proptest::prelude::*;

use crate::common::{LiveSource, TestDatabase, TestSqlite};

const ORGS: [(&str, &str); 2] = [("org_a", "Asia/Jakarta"), ("org_b", "Asia/Jayapura")];
const REASONS: [&str; 6] = [
    "RESOLVE_AI",
    "RESOLVE",
    "ASSIGN_AGENT",
    "resolve_ai ",
    "WAITING_ASSIGN_AGENT",
    "IDLE",
];
const HOURS: [&str; 2] = [
    r#"{"mon":["08:00-17:00"],"tue":["08:00-17:00"],"wed":["08:00-17:00"],"thu":["08:00-17:00"],"fri":["08:00-17:00"]}"#,
    r#"{"mon":["10:00-14:00"],"sat":["09:00-13:00"]}"#,
];

/// When the history starts, and when the first nightly run happens: 40 days later.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-09-01T05:00:00Z")
        .expect("start")
        .with_timezone(&Utc)
}

fn run_at(round: usize) -> DateTime<Utc> {
    start() + Duration::days(40 + round as i64)
}

#[derive(Debug, Clone, PartialEq)]
struct Room {
    org: usize,
    id: String,
    test_chat: bool,
    contact: u8,
    created: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
    reason: Option<&'static str>,
    agent: bool,
    assigned: Option<DateTime<Utc>>,
    /// The chatbot's change column: when the row was last written.
    touched: DateTime<Utc>,
}

/// The whole source at one moment.
#[derive(Debug, Clone, Default)]
struct World {
    rooms: BTreeMap<String, Room>,
    messages: BTreeMap<String, Vec<(&'static str, DateTime<Utc>)>>,
    summaries: BTreeMap<String, (serde_json::Value, DateTime<Utc>)>,
    hours: [usize; 2],
    rooms_made: usize,
}

/// What changed in a round, for an import of just that (METRICS.md §7 is an upsert).
#[derive(Debug, Default)]
struct Delta {
    rooms: Vec<String>,
    messages: Vec<String>,
    summaries: Vec<String>,
    organizations: bool,
}

/// One change, its choices as plain numbers interpreted against the world.
#[derive(Debug, Clone)]
enum Change {
    NewRoom {
        org: usize,
        contact: u8,
        test_chat: bool,
        /// How long before the change the room was created, in minutes.
        age: u32,
        reason: Option<usize>,
        agent: bool,
    },
    LateClose {
        pick: usize,
        reason: usize,
    },
    Reassign {
        pick: usize,
    },
    MarkSpam {
        pick: usize,
    },
    NewMessages {
        pick: usize,
        ai: u8,
        customer: u8,
    },
    LateSummary {
        pick: usize,
        score: i8,
    },
    MoveCreated {
        pick: usize,
        hours: i16,
    },
    NewBusinessHours {
        org: usize,
    },
    /// Only a live source can lose a row (an import never deletes): a test chat
    /// cleaned up, or any room.
    Delete {
        pick: usize,
        test_chats_only: bool,
    },
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        // A room may reach the source days after it started (a backfill, a replica
        // catching up): its customer's earlier contained rooms then come back.
        3 => (0..2usize, 0u8..3, proptest::bool::weighted(0.1),
              prop_oneof![0u32..4000, 4000u32..30_000],
              proptest::option::of(0..REASONS.len()), any::<bool>())
            .prop_map(|(org, contact, test_chat, age, reason, agent)| Change::NewRoom {
                org, contact, test_chat, age, reason, agent,
            }),
        2 => (any::<usize>(), 0..REASONS.len()).prop_map(|(pick, reason)| Change::LateClose { pick, reason }),
        1 => any::<usize>().prop_map(|pick| Change::Reassign { pick }),
        1 => any::<usize>().prop_map(|pick| Change::MarkSpam { pick }),
        2 => (any::<usize>(), 0u8..3, 0u8..3).prop_map(|(pick, ai, customer)| Change::NewMessages { pick, ai, customer }),
        1 => (any::<usize>(), -3i8..4).prop_map(|(pick, score)| Change::LateSummary { pick, score }),
        1 => (any::<usize>(), -200i16..200).prop_map(|(pick, hours)| Change::MoveCreated { pick, hours }),
        1 => (0..2usize).prop_map(|org| Change::NewBusinessHours { org }),
        2 => (any::<usize>(), any::<bool>())
            .prop_map(|(pick, test_chats_only)| Change::Delete { pick, test_chats_only }),
    ]
}

impl World {
    fn pick(&self, pick: usize) -> Option<String> {
        let ids: Vec<&String> = self.rooms.keys().collect();
        (!ids.is_empty()).then(|| ids[pick % ids.len()].clone())
    }

    /// Applies `change` at instant `at`, noting what it touched.
    fn apply(&mut self, change: &Change, at: DateTime<Utc>, delta: &mut Delta) {
        match change {
            Change::NewRoom {
                org,
                contact,
                test_chat,
                age,
                reason,
                agent,
            } => {
                self.rooms_made += 1;
                let id = format!("r{:03}", self.rooms_made);
                let created = at - Duration::minutes(i64::from(*age));
                let closed = reason.map(|_| (created + Duration::minutes(30)).min(at));
                self.rooms.insert(
                    id.clone(),
                    Room {
                        org: *org,
                        id: id.clone(),
                        test_chat: *test_chat,
                        contact: *contact,
                        created,
                        closed,
                        reason: reason.map(|r| REASONS[r]),
                        agent: *agent,
                        assigned: agent.then_some(created),
                        touched: at,
                    },
                );
                self.messages
                    .insert(id.clone(), vec![("customer", created), ("ai", created)]);
                delta.rooms.push(id.clone());
                delta.messages.push(id);
            }
            Change::LateClose { pick, reason } => {
                if let Some(id) = self.pick(*pick) {
                    if let Some(room) = self.rooms.get_mut(&id) {
                        room.closed = Some(at);
                        room.reason = Some(REASONS[*reason]);
                        room.touched = at;
                        delta.rooms.push(id);
                    }
                }
            }
            Change::Reassign { pick } => {
                if let Some(id) = self.pick(*pick) {
                    if let Some(room) = self.rooms.get_mut(&id) {
                        room.agent = true;
                        room.assigned = Some(at);
                        room.touched = at;
                        delta.rooms.push(id);
                    }
                }
            }
            Change::MarkSpam { pick } => {
                if let Some(id) = self.pick(*pick) {
                    if let Some(room) = self.rooms.get_mut(&id) {
                        room.reason = Some("SPAM");
                        room.closed = room.closed.or(Some(at));
                        room.touched = at;
                        delta.rooms.push(id);
                    }
                }
            }
            Change::NewMessages { pick, ai, customer } => {
                if let Some(id) = self.pick(*pick) {
                    let messages = self.messages.entry(id.clone()).or_default();
                    for _ in 0..*ai {
                        messages.push(("ai", at));
                    }
                    for _ in 0..*customer {
                        messages.push(("customer", at));
                    }
                    delta.messages.push(id);
                }
            }
            Change::LateSummary { pick, score } => {
                if let Some(id) = self.pick(*pick) {
                    let sentiment = match score {
                        -3 => serde_json::json!("negative"),
                        3 => serde_json::json!("Positive"),
                        n => serde_json::json!(f64::from(*n) / 2.0),
                    };
                    self.summaries.insert(id.clone(), (sentiment, at));
                    delta.summaries.push(id);
                }
            }
            Change::MoveCreated { pick, hours } => {
                if let Some(id) = self.pick(*pick) {
                    if let Some(room) = self.rooms.get_mut(&id) {
                        // Never into the future: a room exists once it has started.
                        room.created = (room.created + Duration::hours(i64::from(*hours))).min(at);
                        room.touched = at;
                        delta.rooms.push(id);
                    }
                }
            }
            Change::NewBusinessHours { org } => {
                self.hours[*org] = 1 - self.hours[*org];
                delta.organizations = true;
            }
            Change::Delete {
                pick,
                test_chats_only,
            } => {
                let ids: Vec<String> = self
                    .rooms
                    .values()
                    .filter(|room| room.test_chat || !test_chats_only)
                    .map(|room| room.id.clone())
                    .collect();
                if !ids.is_empty() {
                    let id = &ids[pick % ids.len()];
                    self.rooms.remove(id);
                    self.messages.remove(id);
                    self.summaries.remove(id);
                }
            }
        }
    }

    /// The import files of `delta` (everything the world holds when `delta` is `None`).
    fn write_import(&self, dir: &std::path::Path, delta: Option<&Delta>) {
        let wanted =
            |ids: Option<&Vec<String>>, id: &String| ids.is_none_or(|ids| ids.contains(id));
        let mut organizations = String::new();
        if delta.is_none_or(|d| d.organizations) {
            for (index, (id, tz)) in ORGS.iter().enumerate() {
                let _ = writeln!(
                    organizations,
                    r#"{{"id":"{id}","name":"{id}","ai_addon":true,"timezone":"{tz}","business_hours":{}}}"#,
                    HOURS[self.hours[index]]
                );
            }
        }
        std::fs::write(dir.join("organizations.ndjson"), organizations).expect("write");
        let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
        let mut rooms = String::from(
            "id,organization_id,channel,contact_id,created_at,closed_at,closed_reason,assign_channel_agent_id,assigned_at\n",
        );
        for room in self.rooms.values() {
            if wanted(delta.map(|d| &d.rooms), &room.id) {
                let _ = writeln!(
                    rooms,
                    "{},{},{},c{},{},{},{},{},{}",
                    room.id,
                    ORGS[room.org].0,
                    if room.test_chat {
                        "bot_preview"
                    } else {
                        "whatsapp"
                    },
                    room.contact,
                    room.created.to_rfc3339(),
                    time(room.closed),
                    room.reason.unwrap_or(""),
                    if room.agent { "agent_7" } else { "" },
                    time(room.assigned),
                );
            }
        }
        std::fs::write(dir.join("rooms.csv"), rooms).expect("write");
        let mut histories = String::from("room_id,organization_id,sender_type,created_at\n");
        for (id, messages) in &self.messages {
            let Some(room) = self.rooms.get(id) else {
                continue;
            };
            if wanted(delta.map(|d| &d.messages), id) {
                for (sender, at) in messages {
                    let _ = writeln!(
                        histories,
                        "{id},{},{sender},{}",
                        ORGS[room.org].0,
                        at.to_rfc3339()
                    );
                }
            }
        }
        std::fs::write(dir.join("histories.csv"), histories).expect("write");
        let mut summaries = String::new();
        for (id, (sentiment, at)) in &self.summaries {
            let Some(room) = self.rooms.get(id) else {
                continue;
            };
            if wanted(delta.map(|d| &d.summaries), id) {
                let _ = writeln!(
                    summaries,
                    "{}",
                    serde_json::json!({
                        "room_id": id, "organization_id": ORGS[room.org].0,
                        "sentiment": sentiment, "created_at": at.to_rfc3339(),
                    })
                );
            }
        }
        std::fs::write(dir.join("room_summaries.ndjson"), summaries).expect("write");
    }

    /// Rewrites the chatbot's tables to hold exactly this world, in one transaction:
    /// to a reader that is what a day of inserts, updates and deletes leaves.
    fn write_chatbot(&self, source: &LiveSource) {
        let text = |t: Option<DateTime<Utc>>| {
            t.map_or("NULL".to_string(), |t| format!("'{}'", t.to_rfc3339()))
        };
        let mut sql = String::from(
            "BEGIN; DELETE FROM chatbot.tenants; DELETE FROM chatbot.conversations;
             DELETE FROM chatbot.messages; DELETE FROM chatbot.summaries;",
        );
        for (index, (id, tz)) in ORGS.iter().enumerate() {
            let _ = write!(
                sql,
                "INSERT INTO chatbot.tenants VALUES ('{id}', '{id}', true, '{tz}', '{}', '[]');",
                HOURS[self.hours[index]]
            );
        }
        for room in self.rooms.values() {
            let _ = write!(
                sql,
                "INSERT INTO chatbot.conversations VALUES ('{}', '{}', '{}', 'c{}', '{}', {}, {}, {}, {}, '{}');",
                ORGS[room.org].0,
                room.id,
                if room.test_chat { "bot_preview" } else { "whatsapp" },
                room.contact,
                room.created.to_rfc3339(),
                text(room.closed),
                room.reason.map_or("NULL".into(), |r| format!("'{r}'")),
                if room.agent { "'agent_7'" } else { "NULL" },
                text(room.assigned),
                room.touched.to_rfc3339(),
            );
        }
        for (id, messages) in &self.messages {
            let Some(room) = self.rooms.get(id) else {
                continue;
            };
            for (sender, at) in messages {
                let _ = write!(
                    sql,
                    "INSERT INTO chatbot.messages VALUES ('{}', '{id}', '{sender}', '{}');",
                    ORGS[room.org].0,
                    at.to_rfc3339()
                );
            }
        }
        for (id, (sentiment, at)) in &self.summaries {
            let Some(room) = self.rooms.get(id) else {
                continue;
            };
            let _ = write!(
                sql,
                "INSERT INTO chatbot.summaries VALUES ('{}', '{id}', '{sentiment}', '{}');",
                ORGS[room.org].0,
                at.to_rfc3339()
            );
        }
        sql.push_str("COMMIT;");
        source.chatbot(&sql);
    }
}

/// What the datamart says of an organization, days without rooms left out (a
/// nightly run writes empty recent days; a full run stops at the newest room).
#[derive(Debug, PartialEq)]
struct Snapshot {
    rows: Vec<DailyCounters>,
    outcomes: Vec<RoomOutcome>,
    first_eligible_day: Option<NaiveDate>,
    baseline: Option<Baseline>,
}

/// The first place two snapshots differ, in words; `None` when they are equal.
fn difference(actual: &[Snapshot], expected: &[Snapshot]) -> Option<String> {
    for ((org, _), (a, e)) in ORGS.iter().zip(actual.iter().zip(expected)) {
        let days: std::collections::BTreeSet<NaiveDate> =
            a.rows.iter().chain(&e.rows).map(|row| row.day).collect();
        for day in days {
            let find = |rows: &[DailyCounters]| rows.iter().find(|r| r.day == day).cloned();
            if find(&a.rows) != find(&e.rows) {
                return Some(format!(
                    "{org} {day}: stored {:?}\nrecomputed {:?}",
                    find(&a.rows),
                    find(&e.rows)
                ));
            }
        }
        for room in a.outcomes.iter().chain(&e.outcomes) {
            let find = |outcomes: &[RoomOutcome]| {
                outcomes.iter().find(|o| o.room_id == room.room_id).cloned()
            };
            if find(&a.outcomes) != find(&e.outcomes) {
                return Some(format!(
                    "{org} room {}: stored {:?}\nrecomputed {:?}",
                    room.room_id,
                    find(&a.outcomes),
                    find(&e.outcomes)
                ));
            }
        }
        if a != e {
            return Some(format!("{org}: stored {a:?}\nrecomputed {e:?}"));
        }
    }
    None
}

async fn snapshot(store: &dyn Store) -> Vec<Snapshot> {
    let range = DateRange::unbounded(
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(2027, 12, 31).expect("date"),
    )
    .expect("range");
    let mut all = Vec::new();
    for (id, _) in ORGS {
        let org = OrgId::parse(id).expect("id");
        let rows = store
            .daily_counters(&org, range)
            .await
            .expect("rows")
            .into_iter()
            .filter(|row| row.eligible + row.test_chats + row.spam > 0 || row.sentiment_pending)
            .collect();
        all.push(Snapshot {
            rows,
            outcomes: store.room_outcomes(&org, range).await.expect("outcomes"),
            first_eligible_day: store
                .activity(&org)
                .await
                .expect("activity")
                .first_eligible_day,
            baseline: store.onboarding_baseline(&org).await.expect("baseline"),
        });
    }
    all
}

async fn run(store: &Arc<dyn Store>, settings: &Settings, scope: Scope) {
    let request = Request {
        scope,
        organization: None,
        shard: None,
        show_progress: false,
    };
    impact::pipeline::aggregate(settings, store, &request)
        .await
        .expect("aggregate");
}

/// A fresh full aggregation of the world, through an import into a new database:
/// the same nightly run, which on a database never aggregated computes every day (a
/// run without dates would stop at the newest room instead of yesterday, and so
/// could see the onboarding baseline as still forming).
async fn recompute_from_files(world: &World, scope: Scope) -> Vec<Snapshot> {
    let fresh = TestSqlite::create();
    let dir = tempfile::tempdir().expect("dir");
    world.write_import(dir.path(), None);
    let store = store::open(&fresh.url, 2).await.expect("open");
    import_dir(store.as_ref(), dir.path(), false)
        .await
        .expect("import");
    run(&store, &Settings::load(None).expect("settings"), scope).await;
    snapshot(store.as_ref()).await
}

/// A fresh full aggregation of a live source into a new datamart.
async fn recompute_from_source(settings: &Settings, scope: Scope) -> Vec<Snapshot> {
    let fresh = TestSqlite::create();
    let store = store::open(&fresh.url, 2).await.expect("open");
    run(&store, settings, scope).await;
    snapshot(store.as_ref()).await
}

/// A room of the first import: organization, customer, minute, reason, agent, test chat.
type FirstRoom = (usize, u8, u32, Option<usize>, bool, bool);

fn initial_world(rooms: &[FirstRoom]) -> World {
    let mut world = World::default();
    let mut delta = Delta::default();
    for (index, (org, contact, minute, reason, agent, test_chat)) in rooms.iter().enumerate() {
        // Spread over the 40 days before the first run, so the onboarding baseline's
        // 30 days are complete and late changes reach into it.
        let at = start() + Duration::minutes(i64::from(*minute) + 60 * index as i64);
        world.apply(
            &Change::NewRoom {
                org: *org,
                contact: *contact,
                test_chat: *test_chat,
                age: 0,
                reason: *reason,
                agent: *agent,
            },
            at,
            &mut delta,
        );
    }
    world
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// The changes of one round happen in the day before its run, an hour apart.
fn change_time(round: usize, index: usize) -> DateTime<Utc> {
    run_at(round) - Duration::hours(23) + Duration::hours(index as i64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn after_every_nightly_run_the_datamart_equals_a_full_recompute(
        rooms in proptest::collection::vec(
            // Mostly rooms the AI closed on its own, so customers coming back (the
            // 48-hour rule) reach across days and runs.
            (0..2usize, 0u8..3, 0u32..52_000,
             prop_oneof![3 => Just(Some(0)), 1 => proptest::option::of(0..REASONS.len())],
             proptest::bool::weighted(0.2), proptest::bool::weighted(0.05)),
            10..60),
        rounds in proptest::collection::vec(proptest::collection::vec(change(), 1..7), 1..4),
    ) {
        let runtime = runtime();
        let mut world = initial_world(&rooms);

        // Fed by imports, on both backends.
        let sqlite = TestSqlite::create();
        let postgres = TestDatabase::create();
        let settings = Settings::load(None).expect("settings");
        let stores: Vec<Arc<dyn Store>> = runtime.block_on(async {
            vec![
                store::open(&sqlite.url, 2).await.expect("open"),
                store::open(&postgres.url, 2).await.expect("open"),
            ]
        });
        // A live source behind views and a read-only role, into a PostgreSQL datamart.
        let live = LiveSource::create();
        let live_datamart = TestDatabase::create();
        let mut live_settings = Settings::load(None).expect("settings");
        live.apply(&mut live_settings);
        live_settings.source.lag_seconds = 60;
        let live_store = runtime.block_on(store::open(&live_datamart.url, 2)).expect("open");

        // The live source's world also loses rows.
        let mut live_world = world.clone();
        for round in 0..=rounds.len() {
            let mut delta = Delta::default();
            if round > 0 {
                for (index, change) in rounds[round - 1].iter().enumerate() {
                    let at = change_time(round, index);
                    if !matches!(change, Change::Delete { .. }) {
                        world.apply(change, at, &mut delta);
                    }
                    live_world.apply(change, at, &mut Delta::default());
                }
            }
            let dir = tempfile::tempdir().expect("dir");
            world.write_import(dir.path(), (round > 0).then_some(&delta));
            live_world.write_chatbot(&live);
            let scope = Scope::Nightly { now: run_at(round) };
            runtime.block_on(async {
                for store in &stores {
                    import_dir(store.as_ref(), dir.path(), false).await.expect("import");
                    run(store, &settings, scope.clone()).await;
                }
                run(&live_store, &live_settings, scope.clone()).await;
            });

            let expected = runtime.block_on(recompute_from_files(&world, scope.clone()));
            for (store, backend) in stores.iter().zip(["SQLite", "PostgreSQL"]) {
                let actual = runtime.block_on(snapshot(store.as_ref()));
                prop_assert_eq!(difference(&actual, &expected), None, "{} after round {}", backend, round);
            }
            let live_expected = runtime.block_on(recompute_from_source(&live_settings, scope.clone()));
            let actual = runtime.block_on(snapshot(live_store.as_ref()));
            prop_assert_eq!(difference(&actual, &live_expected), None, "the live source after round {}", round);
            // Without deletions the live source and the imports hold the same rooms.
            if live_world.rooms.len() == world.rooms.len() {
                prop_assert_eq!(difference(&live_expected, &expected), None, "a full run of the live source");
            }
        }
    }
}

/// Importing the very same files again marks nothing, so the next run restates
/// nothing beyond its recent window; a changed row marks its days.
#[test]
fn an_identical_import_marks_nothing_and_a_change_marks_its_days() {
    let runtime = runtime();
    let world = initial_world(&[
        (0, 1, 0, Some(0), false, false),
        (0, 1, 100, None, false, false),
        (1, 2, 200, Some(1), true, false),
    ]);
    let sqlite = TestSqlite::create();
    let postgres = TestDatabase::create();
    for url in [&sqlite.url, &postgres.url] {
        runtime.block_on(async {
            let store = store::open(url, 2).await.expect("open");
            let dir = tempfile::tempdir().expect("dir");
            world.write_import(dir.path(), None);
            import_dir(store.as_ref(), dir.path(), false)
                .await
                .expect("import");
            assert!(
                store.restatement_marks().await.expect("marks").is_empty(),
                "{url}: an organization never aggregated needs no marks"
            );
            run(
                &store,
                &Settings::load(None).expect("settings"),
                Scope::AllData,
            )
            .await;
            import_dir(store.as_ref(), dir.path(), false)
                .await
                .expect("import");
            assert_eq!(
                store.restatement_marks().await.expect("marks"),
                Vec::new(),
                "{url}: the same files again changed nothing"
            );
            let mut changed = world.clone();
            let mut delta = Delta::default();
            let at = start() + Duration::days(5);
            changed.apply(&Change::LateClose { pick: 1, reason: 0 }, at, &mut delta);
            changed.apply(
                &Change::NewMessages {
                    pick: 2,
                    ai: 1,
                    customer: 0,
                },
                at,
                &mut delta,
            );
            let dir = tempfile::tempdir().expect("dir");
            changed.write_import(dir.path(), Some(&delta));
            import_dir(store.as_ref(), dir.path(), false)
                .await
                .expect("import");
            let marks = store.restatement_marks().await.expect("marks");
            let mut marked: Vec<(String, Option<DateTime<Utc>>)> = marks
                .iter()
                .map(|mark| (mark.organization_id.to_string(), mark.at))
                .collect();
            marked.sort();
            marked.dedup();
            let room = |index: usize| changed.rooms.values().nth(index).expect("room").clone();
            // The closed room's day, the room whose messages changed, and the room
            // the same customer closed in the 48 hours before the first one opened
            // (whether that customer came back is decided by the changed room).
            let mut expected = vec![
                (ORGS[room(0).org].0.to_string(), Some(room(0).created)),
                (ORGS[room(1).org].0.to_string(), Some(room(1).created)),
                (ORGS[room(2).org].0.to_string(), Some(room(2).created)),
            ];
            expected.sort();
            assert_eq!(marked, expected, "{url}");
        });
    }
}

/// A live source loses the room a customer came back with, days later and with no
/// timestamp anywhere: the next nightly run finds the missing room by counting, and
/// the older contained room it had reopened counts as solved again.
#[test]
fn a_deleted_follow_up_makes_the_older_room_solved_again() {
    let runtime = runtime();
    let live = LiveSource::create();
    let datamart = TestDatabase::create();
    let mut settings = Settings::load(None).expect("settings");
    live.apply(&mut settings);
    // Day 1: a room the AI closed on its own; day 2: the same customer again.
    let mut world = initial_world(&[(0, 1, 0, Some(0), false, false)]);
    let first = world.rooms.values().next().expect("room").clone();
    let mut delta = Delta::default();
    world.apply(
        &Change::NewRoom {
            org: 0,
            contact: 1,
            test_chat: false,
            age: 0,
            reason: Some(2),
            agent: true,
        },
        first.created + Duration::hours(30),
        &mut delta,
    );
    let follow_up = delta.rooms[0].clone();
    world.write_chatbot(&live);
    let store = runtime
        .block_on(store::open(&datamart.url, 2))
        .expect("open");
    let reopened = |store: &Arc<dyn Store>| {
        runtime.block_on(async {
            let org = OrgId::parse(ORGS[0].0).expect("id");
            let day = first.created.date_naive();
            let range = DateRange::unbounded(day, day).expect("range");
            store.daily_counters(&org, range).await.expect("rows")[0].reopened
        })
    };
    runtime.block_on(run(&store, &settings, Scope::Nightly { now: run_at(0) }));
    assert_eq!(reopened(&store), 1, "the customer came back");

    world.apply(
        &Change::Delete {
            pick: world
                .rooms
                .keys()
                .position(|id| *id == follow_up)
                .expect("room"),
            test_chats_only: false,
        },
        run_at(0),
        &mut Delta::default(),
    );
    world.write_chatbot(&live);
    runtime.block_on(run(&store, &settings, Scope::Nightly { now: run_at(5) }));
    assert_eq!(reopened(&store), 0, "the room they came back with is gone");
}

/// Retention deletes an organization's first days from the datamart, but its first
/// eligible day and onboarding baseline still rest on the source's rooms of those
/// days. When the source loses its first room long after, a later nightly run
/// (whose census compares only recent days, and each organization's first rooms one
/// night in its rotation) still finds it, by the count of first rooms, and the
/// milestones and baseline equal a fresh full aggregation again.
#[test]
fn a_first_room_deleted_after_retention_moves_the_milestones() {
    let runtime = runtime();
    let live = LiveSource::create();
    let datamart = TestDatabase::create();
    let mut settings = Settings::load(None).expect("settings");
    live.apply(&mut settings);
    // One whole month kept: on 1 November, September goes.
    settings.aggregation.retention_months = 1;
    // A room the AI solved each day for five weeks from 1 September, the first of
    // them alone on its day; the minute is counted on from the room's place (an
    // hour each).
    let rooms: Vec<FirstRoom> = (0..36u32)
        .map(|day| {
            (
                0,
                (day % 3) as u8,
                day * 1380,
                Some((day % 2) as usize),
                false,
                false,
            )
        })
        .collect();
    let mut world = initial_world(&rooms);
    world.write_chatbot(&live);
    let store = runtime
        .block_on(store::open(&datamart.url, 2))
        .expect("open");
    // Two nights, so that each organization's first rooms are counted once (the
    // rotation is two nights with one month kept).
    for night in [21, 22] {
        runtime.block_on(run(
            &store,
            &settings,
            Scope::Nightly { now: run_at(night) },
        ));
    }
    let before = runtime.block_on(snapshot(store.as_ref()));
    assert_eq!(
        before[0].first_eligible_day,
        Some(start().date_naive()),
        "the first room's day"
    );
    assert!(before[0].baseline.is_some(), "a complete baseline");
    assert!(
        before[0]
            .rows
            .iter()
            .all(|row| row.day >= start().date_naive() + Duration::days(30)),
        "retention deleted September: {:?}",
        before[0].rows.first()
    );

    let first = world.rooms.values().next().expect("room").id.clone();
    world.apply(
        &Change::Delete {
            pick: world
                .rooms
                .keys()
                .position(|id| *id == first)
                .expect("room"),
            test_chats_only: false,
        },
        run_at(22),
        &mut Delta::default(),
    );
    world.write_chatbot(&live);
    for night in [23, 24] {
        runtime.block_on(run(
            &store,
            &settings,
            Scope::Nightly { now: run_at(night) },
        ));
    }
    let after = runtime.block_on(snapshot(store.as_ref()));
    let expected = runtime.block_on(recompute_from_source(
        &settings,
        Scope::Nightly { now: run_at(24) },
    ));
    assert_eq!(difference(&after, &expected), None);
    assert_ne!(
        after[0].first_eligible_day, before[0].first_eligible_day,
        "the first eligible day moved"
    );
    assert_ne!(after[0].baseline, before[0].baseline, "the baseline moved");
}

/// The environment that points the binary at a live source through its views.
fn live_env(live: &LiveSource) -> Vec<(&'static str, String)> {
    vec![
        (
            "IMPACT__SOURCE__ORGANIZATIONS",
            "impact_views.organizations".into(),
        ),
        ("IMPACT__SOURCE__ROOMS", "impact_views.rooms".into()),
        ("IMPACT__SOURCE__HISTORIES", "impact_views.histories".into()),
        (
            "IMPACT__SOURCE__ROOM_SUMMARIES",
            "impact_views.room_summaries".into(),
        ),
        ("IMPACT__SOURCE__DATABASE_URL", live.reader_url.clone()),
    ]
}

/// A hot standby cancels a read whose rows its primary's vacuum must remove
/// ("conflict with recovery", SQLSTATE 40001): here the organizations' view
/// cancels every read until a moment set by the test, as a standby does until its
/// replay moves on. A read cancelled for a while is made again and the run
/// succeeds, saying so at WARN; one cancelled every time fails the run after four
/// tries with the source's own words.
#[test]
fn a_read_the_standby_cancels_is_made_again() {
    let live = LiveSource::create();
    let datamart = TestSqlite::create();
    let world = initial_world(&[(0, 1, 0, Some(0), false, false)]);
    world.write_chatbot(&live);
    // The moment until which the standby cancels, kept in a table the view reads.
    live.chatbot(&format!(
        "CREATE TABLE impact_views.cancel_until (deadline timestamptz NOT NULL);
         INSERT INTO impact_views.cancel_until VALUES (now());
         CREATE FUNCTION impact_views.standby_conflict() RETURNS boolean LANGUAGE plpgsql AS $$
         BEGIN
             IF clock_timestamp() < (SELECT deadline FROM impact_views.cancel_until) THEN
                 RAISE EXCEPTION 'canceling statement due to conflict with recovery'
                     USING ERRCODE = '40001';
             END IF;
             RETURN true;
         END $$;
         CREATE VIEW impact_views.organizations_cancelled AS
             SELECT * FROM impact_views.organizations WHERE impact_views.standby_conflict();
         GRANT SELECT ON impact_views.cancel_until, impact_views.organizations_cancelled
             TO {role};",
        role = live.role
    ));
    let cancel_for = |seconds: f64| {
        live.chatbot(&format!(
            "UPDATE impact_views.cancel_until \
             SET deadline = clock_timestamp() + interval '{seconds} seconds'"
        ));
    };
    let mut env = live_env(&live);
    env.push((
        "IMPACT__SOURCE__ORGANIZATIONS",
        "impact_views.organizations_cancelled".into(),
    ));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let impact = |args: &[&str]| {
        let mut env = env.clone();
        env.push(("IMPACT_LOG", "impact=warn"));
        crate::common::impact_with_env(&datamart.url, args, &env)
    };

    // Cancelled for the first 1.5 seconds of each read: the second or third try
    // reads it.
    cancel_for(1.5);
    let run = impact(&["aggregate"]);
    let log = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(run.status.success(), "{log}");
    assert!(
        log.contains("reading it again") && log.contains("40001"),
        "{log}"
    );

    // Cancelled always: the run stops and says why.
    cancel_for(3600.0);
    let run = impact(&["aggregate"]);
    let log = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(!run.status.success(), "{log}");
    assert_eq!(log.matches("reading it again").count(), 3, "{log}");
    assert!(log.contains("conflict with recovery"), "{log}");
}

/// A change that leaves no timestamp (an `UPDATE` that kept them all) is invisible
/// to a nightly run; `impact verify` finds the drifted day and says what differs,
/// exits 3, and with `--repair` writes it again, after which nothing drifts.
#[test]
fn verify_finds_a_drift_made_by_hand_and_repair_removes_it() {
    let live = LiveSource::create();
    let datamart = TestSqlite::create();
    let world = initial_world(&[
        (0, 1, 0, Some(0), false, false),
        (0, 2, 2000, Some(1), false, false),
        (1, 1, 4000, Some(0), true, false),
    ]);
    world.write_chatbot(&live);
    let env = live_env(&live);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let impact = |args: &[&str]| crate::common::impact_with_env(&datamart.url, args, &env);
    let first = impact(&["aggregate"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let clean = impact(&["verify"]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );

    // By hand, in the chatbot's table: the first room becomes spam, every timestamp kept.
    let room = world.rooms.values().next().expect("room").clone();
    live.chatbot(&format!(
        "UPDATE chatbot.conversations SET end_reason = 'SPAM' WHERE conv_id = '{}'",
        room.id
    ));
    let nightly = impact(&["aggregate", "--nightly"]);
    assert!(nightly.status.success());
    let drifted = impact(&["verify", "--format", "json"]);
    assert_eq!(drifted.status.code(), Some(3), "drift exits 3");
    let found: serde_json::Value = serde_json::from_slice(&drifted.stdout).expect("JSON");
    let days = found["drifted"].as_array().expect("drifted days");
    assert_eq!(days.len(), 1, "{found}");
    assert_eq!(days[0]["organization_id"], ORGS[room.org].0);
    assert_eq!(days[0]["day"], room.created.date_naive().to_string());
    let counters: Vec<(String, String, String)> = days[0]["counters"]
        .as_array()
        .expect("counters")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["stored"].as_str().unwrap_or_default().to_string(),
                c["source"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        counters.contains(&("spam".into(), "0".into(), "1".into())),
        "{counters:?}"
    );
    assert!(
        counters.contains(&("eligible".into(), "1".into(), "0".into())),
        "{counters:?}"
    );
    assert_eq!(days[0]["rooms_changed"], serde_json::json!([room.id]));

    let text = impact(&["verify"]);
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(
        text.contains("spam 0 → 1") && text.contains("--repair"),
        "{text}"
    );

    let repaired = impact(&["verify", "--repair"]);
    assert_eq!(repaired.status.code(), Some(3), "the drift was there");
    assert!(String::from_utf8_lossy(&repaired.stdout).contains("written again"));
    let after = impact(&["verify"]);
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&after.stdout)
    );
    let bad = impact(&["verify", "--from", "2026-10-05", "--to", "2026-10-01"]);
    assert_eq!(bad.status.code(), Some(2), "a reversed range is bad input");
}

/// A live source's room ids are bounded (`store::MAX_SOURCE_ROOM_ID_CHARS`, so that
/// every list cursor fits): an id at the bound is aggregated; one over it stops the
/// run with the organization, the id's start and the bound named.
#[test]
fn a_live_source_room_id_over_the_bound_stops_the_run_and_says_why() {
    let bound = impact::store::MAX_SOURCE_ROOM_ID_CHARS;
    let live = LiveSource::create();
    let world = initial_world(&[(0, 1, 0, Some(0), false, false)]);
    world.write_chatbot(&live);
    let room = world.rooms.values().next().expect("room").clone();
    let at_bound = format!("x{}", "\u{1F600}".repeat(bound - 1));
    live.chatbot(&format!(
        "UPDATE chatbot.conversations SET conv_id = '{at_bound}' WHERE conv_id = '{}'",
        room.id
    ));
    let env = live_env(&live);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let datamart = TestSqlite::create();
    let impact = |args: &[&str]| crate::common::impact_with_env(&datamart.url, args, &env);
    let fits = impact(&["aggregate"]);
    assert!(
        fits.status.success(),
        "{}",
        String::from_utf8_lossy(&fits.stderr)
    );

    live.chatbot(&format!(
        "UPDATE chatbot.conversations SET conv_id = conv_id || 'y', touched_at = now() \
         WHERE conv_id = '{at_bound}'"
    ));
    let over = impact(&["aggregate"]);
    assert!(!over.status.success(), "a room id over the bound was taken");
    let stderr = String::from_utf8_lossy(&over.stderr);
    assert!(stderr.contains(ORGS[room.org].0), "{stderr}");
    assert!(stderr.contains(&format!("at most {bound}")), "{stderr}");
    assert!(stderr.contains("x\u{1F600}"), "{stderr}");
    assert!(
        stderr.len() < 2_000,
        "the whole id is not repeated: {stderr}"
    );
}

/// The live source is reached through a role that may only read: it cannot write,
/// and an aggregation creates nothing there.
#[test]
fn the_live_source_is_only_read() {
    let live = LiveSource::create();
    initial_world(&[(0, 1, 0, Some(0), false, false)]).write_chatbot(&live);
    let relations =
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";
    let count_relations = || {
        runtime().block_on(async {
            let (client, connection) =
                tokio_postgres::connect(&live.reader_url, tokio_postgres::NoTls)
                    .await
                    .expect("connect as the reader");
            tokio::spawn(connection);
            let count: i64 = client
                .query_one(relations, &[])
                .await
                .expect("count")
                .get(0);
            let write = client
                .execute(
                    "INSERT INTO chatbot.tenants VALUES ('x', 'x', true, NULL, NULL, NULL)",
                    &[],
                )
                .await;
            assert!(write.is_err(), "the reader must not be able to write");
            let through_view = client.execute("DELETE FROM impact_views.rooms", &[]).await;
            assert!(through_view.is_err(), "nor through a view");
            count
        })
    };
    let before = count_relations();
    let datamart = TestSqlite::create();
    let mut settings = Settings::load(None).expect("settings");
    live.apply(&mut settings);
    runtime().block_on(async {
        let store = store::open(&datamart.url, 1).await.expect("open");
        run(&store, &settings, Scope::AllData).await;
        run(&store, &settings, Scope::Nightly { now: run_at(1) }).await;
    });
    assert_eq!(
        count_relations(),
        before,
        "nothing was created in the source"
    );
}

/// A live source that exposes no summaries (its sentiment lives elsewhere) is read
/// all the same: the runs complete, and no day waits for sentiment that never comes.
#[test]
fn a_live_source_without_summaries_is_read_without_them() {
    let live = LiveSource::create();
    let world = initial_world(&[
        (0, 1, 0, Some(0), false, false),
        (0, 2, 3000, Some(0), false, false),
    ]);
    world.write_chatbot(&live);
    live.chatbot("DROP VIEW impact_views.room_summaries");
    let datamart = TestSqlite::create();
    let mut settings = Settings::load(None).expect("settings");
    live.apply(&mut settings);
    runtime().block_on(async {
        let store = store::open(&datamart.url, 1).await.expect("open");
        run(&store, &settings, Scope::AllData).await;
        run(&store, &settings, Scope::Nightly { now: run_at(1) }).await;
        let rows = snapshot(store.as_ref()).await;
        assert_eq!(rows[0].rows.iter().map(|r| r.eligible).sum::<i64>(), 2);
        assert!(rows[0].rows.iter().all(|r| !r.sentiment_pending));
    });
}

/// A run that stopped early (here: days up to 15 October only, of data to 31
/// October) leaves days the source has rooms for unwritten; `impact verify` checks
/// every day from the first room to the last complete day, written or not, so it
/// exits 3 naming them, and 0 once `--repair` has written them.
#[test]
fn verify_finds_days_a_run_never_wrote() {
    let datamart = TestSqlite::create();
    let case = crate::common::fixtures_dir().join("containment-rules");
    crate::common::impact_ok(
        &datamart.url,
        &["import", "--dir", case.to_str().expect("path")],
    );
    crate::common::impact_ok(
        &datamart.url,
        &["aggregate", "--from", "2026-09-01", "--to", "2026-10-15"],
    );
    let stopped = crate::common::impact(&datamart.url, &["verify", "--format", "json"]);
    assert_eq!(
        stopped.status.code(),
        Some(3),
        "days never written are drift"
    );
    let found: serde_json::Value = serde_json::from_slice(&stopped.stdout).expect("JSON");
    let days: Vec<&str> = found["drifted"]
        .as_array()
        .expect("drifted days")
        .iter()
        .filter_map(|day| day["day"].as_str())
        .collect();
    assert!(
        !days.is_empty() && days.iter().all(|day| *day > "2026-10-15"),
        "{days:?}"
    );
    let repaired = crate::common::impact(&datamart.url, &["verify", "--repair"]);
    assert_eq!(repaired.status.code(), Some(3));
    let after = crate::common::impact(&datamart.url, &["verify"]);
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&after.stdout)
    );
}

/// A stale onboarding baseline or milestone (a run stopped between writes, by an
/// older version) is drift too: `impact verify` names it, exits 3, and `--repair`
/// brings it back to what the source says.
#[test]
fn verify_compares_baselines_and_milestones_and_repair_fixes_them() {
    let datamart = TestSqlite::create();
    let case = crate::common::fixtures_dir().join("containment-rules");
    crate::common::impact_ok(
        &datamart.url,
        &["import", "--dir", case.to_str().expect("path")],
    );
    crate::common::impact_ok(&datamart.url, &["aggregate"]);
    assert_eq!(
        crate::common::impact(&datamart.url, &["verify"])
            .status
            .code(),
        Some(0)
    );
    let runtime = runtime();
    let org = OrgId::parse("org_demo").expect("id");
    let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date");
    runtime.block_on(async {
        let store = store::open(&datamart.url, 1).await.expect("open");
        let truth = store
            .onboarding_baseline(&org)
            .await
            .expect("baseline")
            .expect("a baseline to spoil");
        let stale = Baseline {
            net: truth.net - 1,
            ..truth
        };
        store
            .set_onboarding_baseline(&org, Some(&stale))
            .await
            .expect("spoil the baseline");
        store
            .write_days(&org, &[], Vec::new(), Some(day("2026-09-15")), None)
            .await
            .expect("spoil the first eligible day");
    });
    let found = crate::common::impact(&datamart.url, &["verify", "--format", "json"]);
    assert_eq!(found.status.code(), Some(3));
    let found: serde_json::Value = serde_json::from_slice(&found.stdout).expect("JSON");
    let facts: Vec<&str> = found["drifted_facts"]
        .as_array()
        .expect("facts")
        .iter()
        .filter_map(|fact| fact["fact"].as_str())
        .collect();
    assert!(
        facts.contains(&"onboarding_baseline") && facts.contains(&"first_eligible_day"),
        "{found}"
    );
    let text = crate::common::impact(&datamart.url, &["verify"]);
    assert!(
        String::from_utf8_lossy(&text.stdout)
            .contains("org_demo first_eligible_day: 2026-09-15 → 2026-09-01"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
    assert_eq!(
        crate::common::impact(&datamart.url, &["verify", "--repair"])
            .status
            .code(),
        Some(3)
    );
    let after = crate::common::impact(&datamart.url, &["verify"]);
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&after.stdout)
    );
}
