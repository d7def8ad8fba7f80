//! One conformance suite for both storage backends: the SQL differs, the behaviour
//! must not. Each behaviour is a test of its own on SQLite and on a fresh PostgreSQL
//! database (`store_conformance::sqlite::…`, `store_conformance::postgres::…`), and
//! together they cover every method of `Store`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use impact::domain::{BusinessHours, CostAssumption, DateRange, OrgId, Organization, RawSentiment};
use impact::metrics::rooms::{CameBack, ConversationList, Outcome, RoomOutcome};
use impact::metrics::{ColumnKind, CounterValue, DailyCounters, TileGroup, COLUMNS};
use impact::store::{
    self, ConversationQuery, HistoryRecord, ListPosition, SourceRoom, Store, SummaryRecord,
};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("timestamp")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn org_id(id: &str) -> OrgId {
    OrgId::parse(id).expect("org id")
}

fn organization(id: &str, hours: bool) -> Organization {
    Organization {
        id: org_id(id),
        name: format!("Toko {id}"),
        ai_addon: true,
        timezone: Organization::parse_timezone("Asia/Makassar").expect("tz"),
        business_hours: hours.then(|| {
            BusinessHours::from_json(&serde_json::json!({"mon": ["08:00-12:00", "13:00-17:00"]}))
                .expect("hours")
        }),
        holidays: [day("2026-10-20")].into_iter().collect(),
    }
}

fn room(org: &str, id: &str, created: &str) -> SourceRoom {
    SourceRoom {
        organization_id: org_id(org),
        id: id.to_string(),
        channel: " WhatsApp".to_string(),
        contact_id: format!("c_{id}"),
        created_at: at(created),
        closed_at: Some(at(created) + Duration::minutes(5)),
        closed_reason: Some(" resolve_ai ".to_string()),
        assign_channel_agent_id: None,
        assigned_at: None,
    }
}

fn history(org: &str, room: &str, sender: &str) -> HistoryRecord {
    HistoryRecord {
        organization_id: org_id(org),
        room_id: room.to_string(),
        sender_type: sender.to_string(),
        created_at: at("2026-10-01T10:00:00+08:00"),
    }
}

async fn seed(store: &dyn Store) {
    let mut writer = store.begin_import().await.expect("begin");
    writer
        .organizations(&[organization("org_a", true), organization("org_b", false)])
        .await
        .expect("organizations");
    writer
        .rooms(&[
            room("org_a", "r1", "2026-10-01T09:00:00+08:00"),
            room("org_a", "r2", "2026-10-01T23:59:59.999999+08:00"),
            room("org_a", "r3", "2026-10-02T00:00:00+08:00"),
            room("org_b", "r1", "2026-10-01T09:00:00+08:00"),
        ])
        .await
        .expect("rooms");
    writer
        .histories(&[
            history("org_a", "r1", "customer"),
            history("org_a", "r1", "customer"),
            history("org_a", "r1", "AI"),
            history("org_a", "r1", "ai"),
            history("org_b", "r1", "ai"),
        ])
        .await
        .expect("histories");
    writer
        .summaries(&[SummaryRecord {
            organization_id: org_id("org_a"),
            room_id: "r1".into(),
            sentiment: RawSentiment::Score(0.25),
            created_at: None,
        }])
        .await
        .expect("summaries");
    writer
        .cost_assumptions(&[(
            org_id("org_a"),
            CostAssumption::new(40_000, 6).expect("valid"),
        )])
        .await
        .expect("cost assumptions");
    writer.commit().await.expect("commit");
}

/// The daily rows of `org_a` the datamart tests start from (two writes that
/// replace a day, then an older pending day); returns the range that holds them.
async fn write_sample_days(store: &dyn Store) -> DateRange {
    let a = org_id("org_a");
    let row = sample_row;
    store
        .write_days(
            &a,
            &[row("2026-10-01", 5, false), row("2026-10-02", 6, true)],
            Vec::new(),
            Some(day("2026-10-01")),
            None,
        )
        .await
        .expect("write");
    store
        .write_days(
            &a,
            &[row("2026-10-02", 9, false)],
            Vec::new(),
            Some(day("2026-10-05")),
            None,
        )
        .await
        .expect("rewrite");
    store
        .write_days(
            &a,
            &[row("2026-09-15", 1, true)],
            Vec::new(),
            Some(day("2026-09-15")),
            None,
        )
        .await
        .expect("write");
    DateRange::new(day("2026-09-01"), day("2026-10-31")).expect("range")
}

/// One datamart row of the samples: every column of `COLUMNS` a value of its own
/// (so a column stored or read in another's place is seen, and a new counter is
/// stored and read back with no line here; a sum that binary floating point cannot
/// hold exactly, so sums must come back bit for bit), then the day's volume.
fn sample_row(date: &str, eligible: i64, pending: bool) -> DailyCounters {
    let mut row = DailyCounters::empty(day(date));
    for (index, column) in COLUMNS.iter().enumerate() {
        let value = match column.kind {
            ColumnKind::Count => CounterValue::Count(index as i64 + 1),
            ColumnKind::Sum => CounterValue::Sum(index as f64 + 0.1 + 0.2),
            ColumnKind::Flag => CounterValue::Flag(pending),
        };
        (column.set)(&mut row, value);
    }
    row.eligible = eligible;
    row.ai_handled = eligible - 1;
    row
}

/// Applying the schema again is harmless, and the database answers.
async fn migrate_again_and_ping(store: &dyn Store) {
    // Applying the schema again is harmless.
    store.migrate().await.expect("second migrate");
    store.ping().await.expect("ping");
}

/// Organizations come back as they went in.
async fn organizations_come_back_as_they_went_in(store: &dyn Store) {
    seed(store).await;
    // Organizations come back as they went in.
    let organizations = store.organizations().await.expect("organizations");
    assert_eq!(
        organizations,
        vec![organization("org_a", true), organization("org_b", false)]
    );
    assert_eq!(
        store.organization(&org_id("org_b")).await.expect("read"),
        Some(organization("org_b", false))
    );
    assert_eq!(
        store.organization(&org_id("nope")).await.expect("read"),
        None
    );
}

/// A live source's organizations are copied as they are; one already aggregated
/// whose time zone, business hours or holidays changed is marked for a
/// restatement of all its days (a mark without a time), and no other is.
async fn copied_organizations_mark_a_changed_calendar(store: &dyn Store) {
    let (a, b) = (organization("org_a", true), organization("org_b", false));
    store
        .copy_organizations(&[a.clone(), b.clone()])
        .await
        .expect("first copy");
    assert_eq!(
        store.organizations().await.expect("read"),
        vec![a.clone(), b.clone()]
    );
    write_sample_days(store).await;
    // The same rows again, and a new name: nothing the days are counted by.
    let renamed = Organization {
        name: "Toko baru".into(),
        ..a.clone()
    };
    store
        .copy_organizations(&[renamed.clone(), b.clone()])
        .await
        .expect("copy again");
    assert_eq!(store.restatement_marks().await.expect("marks"), vec![]);
    let moved = Organization {
        timezone: Organization::parse_timezone("Asia/Jakarta").expect("tz"),
        ..renamed
    };
    // org_b moves too, but it was never aggregated: its first run computes it all.
    let b_moved = Organization {
        timezone: Organization::parse_timezone("Asia/Jakarta").expect("tz"),
        ..b
    };
    store
        .copy_organizations(&[moved.clone(), b_moved])
        .await
        .expect("copy a new time zone");
    let marks = store.restatement_marks().await.expect("marks");
    assert_eq!(marks.len(), 1, "{marks:?}");
    assert_eq!(marks[0].organization_id, org_id("org_a"));
    assert_eq!(marks[0].at, None);
    assert_eq!(
        store.organization(&org_id("org_a")).await.expect("read"),
        Some(moved)
    );
}

/// Rooms are read by creation time, closed at the start and open at the end.
async fn rooms_are_read_by_a_half_open_creation_window(store: &dyn Store) {
    seed(store).await;
    // Rooms: the window is closed at its start and open at its end, to the microsecond.
    let a = org_id("org_a");
    let start = at("2026-10-01T00:00:00+08:00");
    let end = at("2026-10-02T00:00:00+08:00");
    let mut rooms = store
        .own_source()
        .rooms_created_between(&a, start, end)
        .await
        .expect("rooms");
    rooms.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(
        rooms.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["r1", "r2"]
    );
    assert_eq!(rooms[0], room("org_a", "r1", "2026-10-01T09:00:00+08:00"));
    assert_eq!(rooms[1].created_at, at("2026-10-01T23:59:59.999999+08:00"));
    let span = store
        .own_source()
        .room_creation_span(&a)
        .await
        .expect("span");
    assert_eq!(
        span,
        Some((
            at("2026-10-01T09:00:00+08:00"),
            at("2026-10-02T00:00:00+08:00")
        ))
    );
    assert_eq!(
        store
            .own_source()
            .room_creation_span(&org_id("nope"))
            .await
            .expect("span"),
        None
    );
}

/// Pages of rooms in (created_at, id) order.
async fn rooms_page_in_creation_order(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    // Creation order pages by (created_at, id).
    let first_page = store
        .own_source()
        .rooms_in_creation_order(&a, None, 2)
        .await
        .expect("page");
    assert_eq!(
        first_page.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["r1", "r2"]
    );
    let after = first_page.last().map(|r| (r.created_at, r.id.clone()));
    let second_page = store
        .own_source()
        .rooms_in_creation_order(&a, after, 2)
        .await
        .expect("page");
    assert_eq!(
        second_page
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        ["r3"]
    );
}

/// Message counts keep the raw sender type; summaries are read back as stored.
async fn message_counts_and_summaries_stay_in_their_organization(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    let start = at("2026-10-01T00:00:00+08:00");
    let end = at("2026-10-02T00:00:00+08:00");
    // Message counts keep the raw sender type and never mix organizations.
    let mut counts = store
        .own_source()
        .message_counts(&a, start, end)
        .await
        .expect("counts");
    counts.sort_by(|x, y| x.sender_type.cmp(&y.sender_type));
    let counted: Vec<_> = counts
        .iter()
        .map(|c| (c.room_id.as_str(), c.sender_type.as_str(), c.count))
        .collect();
    assert_eq!(
        counted,
        [("r1", "AI", 1), ("r1", "ai", 1), ("r1", "customer", 2)]
    );

    let summaries = store
        .own_source()
        .summaries(&a, start, end)
        .await
        .expect("summaries");
    assert_eq!(
        summaries,
        vec![("r1".to_string(), RawSentiment::Score(0.25))]
    );
    assert!(store
        .own_source()
        .summaries(&org_id("org_b"), start, end)
        .await
        .expect("summaries")
        .is_empty());
}

/// A span that holds every room of its organization may be read as the whole
/// organization at once (PostgreSQL reads one range of each index, with no lookup a
/// room; SQLite always looks rooms up): each of its rooms gets exactly the message
/// counts and summary a lookup gives it, rooms outside the span may come along, and
/// no other organization's rows (a room of the same id) ever do, whatever spans of
/// either kind are read together.
async fn an_organization_read_at_once_gives_each_room_what_a_lookup_gives(store: &dyn Store) {
    use impact::store::source::RoomSpan;
    use impact::store::MessageCount;
    use std::collections::BTreeMap;
    seed(store).await;
    // More rooms in and out of a second window, with the cases a lookup must match:
    // no messages, senders of any case, a label, another organization's room of the
    // same id, and a message and a summary of a room the source does not have.
    let mut writer = store.begin_import().await.expect("begin");
    writer
        .rooms(&[
            room("org_a", "r4", "2026-10-05T08:00:00+08:00"),
            room("org_a", "r5", "2026-10-05T09:00:00+08:00"),
            room("org_b", "r4", "2026-10-05T08:00:00+08:00"),
        ])
        .await
        .expect("rooms");
    writer
        .histories(&[
            history("org_a", "r4", "customer"),
            history("org_a", "r4", " Customer "),
            history("org_a", "r4", "agent"),
            history("org_a", "ghost", "customer"),
            history("org_b", "r4", "customer"),
            history("org_b", "r4", "customer"),
        ])
        .await
        .expect("histories");
    let summary = |org: &str, room: &str, sentiment| SummaryRecord {
        organization_id: org_id(org),
        room_id: room.into(),
        sentiment,
        created_at: None,
    };
    writer
        .summaries(&[
            summary("org_a", "r4", RawSentiment::Label("negative".into())),
            summary("org_a", "ghost", RawSentiment::Score(-1.0)),
            summary("org_b", "r4", RawSentiment::Score(0.9)),
        ])
        .await
        .expect("summaries");
    writer.commit().await.expect("commit");

    let source = store.own_source();
    // Windows of both organizations: the first holds every room, the second only
    // the later ones.
    let all = ("2026-10-01T00:00:00+08:00", "2026-10-06T00:00:00+08:00");
    let later = ("2026-10-05T00:00:00+08:00", "2026-10-06T00:00:00+08:00");
    let span = |org: &str, (start, end): (&str, &str), holds_every_room| RoomSpan {
        organization_id: org_id(org),
        start: at(start),
        end: at(end),
        holds_every_room,
    };
    // Each span's counts and summaries of its own rooms, as the aggregation uses
    // them (looked up by room id).
    type Seen = Vec<(BTreeMap<(String, String), i64>, Vec<(String, RawSentiment)>)>;
    let read = |spans: Vec<RoomSpan>| {
        let source = source.clone();
        async move {
            let rooms = source.rooms_in_spans(&spans).await.expect("rooms");
            let counts: Vec<Vec<MessageCount>> = source
                .message_counts_in_spans(&spans)
                .await
                .expect("counts");
            let summaries = source.summaries_in_spans(&spans).await.expect("summaries");
            let seen: Seen = (0..spans.len())
                .map(|index| {
                    let ids: Vec<&str> = rooms[index].iter().map(|r| r.id.as_str()).collect();
                    let mut tally = BTreeMap::new();
                    for count in &counts[index] {
                        if ids.contains(&count.room_id.as_str()) {
                            *tally
                                .entry((count.room_id.clone(), count.sender_type.clone()))
                                .or_default() += count.count;
                        }
                    }
                    let mut kept: Vec<(String, RawSentiment)> = summaries[index]
                        .iter()
                        .filter(|(room, _)| ids.contains(&room.as_str()))
                        .cloned()
                        .collect();
                    kept.sort_by(|x, y| x.0.cmp(&y.0));
                    (tally, kept)
                })
                .collect();
            (seen, counts, summaries)
        }
    };
    // Read together in an order that mixes both kinds and both organizations, then
    // each room by room.
    let mixed = vec![
        span("org_a", all, true),
        span("org_b", all, false),
        span("org_b", all, true),
        span("org_a", later, false),
        span("org_a", later, true),
    ];
    let by_room = mixed
        .iter()
        .map(|span| RoomSpan {
            holds_every_room: false,
            ..span.clone()
        })
        .collect();
    let (at_once, counts, summaries) = read(mixed).await;
    let (looked_up, _, _) = read(by_room).await;
    assert_eq!(at_once, looked_up);
    // What a lookup gives, as seeded: org_a's r1 four messages and r4 three, r5
    // none, and their summaries; org_b's r1 one and r4 two, and its own summary.
    let total = |index: usize| at_once[index].0.values().sum::<i64>();
    assert_eq!((total(0), total(1), total(3)), (7, 3, 3));
    assert_eq!(
        at_once[0].1,
        vec![
            ("r1".to_string(), RawSentiment::Score(0.25)),
            ("r4".to_string(), RawSentiment::Label("negative".into()))
        ]
    );
    assert_eq!(
        at_once[2].1,
        vec![("r4".to_string(), RawSentiment::Score(0.9))]
    );
    // On PostgreSQL the later window that holds every room was read as the whole
    // organization: it brought r1's and the unknown room's rows, left aside above.
    if store.backend() == "postgres" {
        let rooms_of = |index: usize| -> Vec<&str> {
            let mut ids: Vec<&str> = counts[index].iter().map(|c| c.room_id.as_str()).collect();
            ids.extend(summaries[index].iter().map(|(room, _)| room.as_str()));
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        assert_eq!(rooms_of(4), ["ghost", "r1", "r4"]);
        assert_eq!(rooms_of(3), ["r4"]);
    }
}

/// A run's batch writes commit in order (`WriteTurn`): a write whose batch before it
/// failed writes nothing, and two in flight at once, the later one's day in a month
/// no write has made yet, both commit without waiting on each other for ever.
async fn a_write_commits_only_after_the_one_before_it(store: &dyn Store) {
    use impact::store::{
        BaselineWrite, FinishedRead, OrgWrite, StoreError, StoredMilestones, WriteTurns,
    };
    seed(store).await;
    let write = |org: &str, date: &str| OrgWrite {
        organization_id: org_id(org),
        rows: vec![sample_row(date, 3, false)],
        outcomes: Vec::new(),
        milestones: StoredMilestones::default(),
        finished: Some(FinishedRead {
            read_until: at("2031-02-01T00:00:00Z"),
            read_from: "test".into(),
            marks_through: None,
        }),
        baseline: BaselineWrite::Keep,
    };
    let rows_of = |org: &str| {
        let org = org_id(org);
        async move {
            let range = DateRange::unbounded(day("2026-01-01"), day("2031-12-31")).expect("range");
            store.daily_counters(&org, range).await.expect("rows").len()
        }
    };
    // The write before ended without committing: this one commits nothing.
    let mut turns = WriteTurns::new();
    drop(turns.next_turn());
    let refused = store
        .write_batch(vec![write("org_b", "2026-10-03")], turns.next_turn())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Abandoned(_))),
        "{refused:?}"
    );
    assert_eq!(rows_of("org_b").await, 0);
    // Two in flight at once (PostgreSQL's two connections), one organization's
    // days split between them.
    let mut turns = WriteTurns::new();
    let (first, second) = (turns.next_turn(), turns.next_turn());
    let both = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        tokio::join!(
            store.write_batch(vec![write("org_a", "2031-01-05")], first),
            store.write_batch(vec![write("org_a", "2031-01-06")], second),
        )
    })
    .await
    .expect("two writes in turn end");
    both.0.expect("the first write");
    both.1.expect("the second write");
    assert_eq!(rows_of("org_a").await, 2);
}

/// Importing a room and its messages again replaces them.
async fn reimporting_a_room_replaces_it_and_its_messages(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    let start = at("2026-10-01T00:00:00+08:00");
    let end = at("2026-10-02T00:00:00+08:00");
    // Importing a room's messages again replaces them instead of adding to them.
    let mut writer = store.begin_import().await.expect("begin");
    writer
        .histories(&[history("org_a", "r1", "customer")])
        .await
        .expect("histories");
    writer
        .rooms(&[room("org_a", "r1", "2026-10-01T09:30:00+08:00")])
        .await
        .expect("rooms");
    writer.commit().await.expect("commit");
    let counts = store
        .own_source()
        .message_counts(&a, start, end)
        .await
        .expect("counts");
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0].count, 1);
    let moved = store
        .own_source()
        .rooms_created_between(&a, start, end)
        .await
        .expect("rooms");
    assert!(moved
        .iter()
        .any(|r| r.id == "r1" && r.created_at == at("2026-10-01T09:30:00+08:00")));
    assert_eq!(moved.len(), 2, "an upsert must not duplicate a room");
}

/// A rolled-back or dropped import leaves nothing behind.
async fn an_abandoned_import_leaves_nothing(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    let start = at("2026-10-01T00:00:00+08:00");
    let end = at("2026-10-02T00:00:00+08:00");
    // A rolled-back import and a dropped one leave nothing behind.
    let mut writer = store.begin_import().await.expect("begin");
    writer
        .organizations(&[organization("org_ghost", true)])
        .await
        .expect("organizations");
    writer
        .rooms(&[room("org_a", "r9", "2026-10-01T10:00:00+08:00")])
        .await
        .expect("rooms");
    writer.rollback().await.expect("rollback");
    let mut writer = store.begin_import().await.expect("begin");
    writer
        .organizations(&[organization("org_ghost", true)])
        .await
        .expect("organizations");
    drop(writer);
    assert!(store
        .organization(&org_id("org_ghost"))
        .await
        .expect("read")
        .is_none());
    assert_eq!(
        store
            .own_source()
            .rooms_created_between(&a, start, end)
            .await
            .expect("rooms")
            .len(),
        2
    );
}

/// Daily rows are written whole, replaced whole and read back exactly.
async fn daily_rows_are_replaced_whole_and_read_back_exactly(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    let range = write_sample_days(store).await;
    let row = sample_row;
    let days = store.daily_counters(&a, range).await.expect("read");
    assert_eq!(
        days,
        vec![
            row("2026-09-15", 1, true),
            row("2026-10-01", 5, false),
            row("2026-10-02", 9, false)
        ]
    );
    assert!(store
        .daily_counters(&org_id("org_b"), range)
        .await
        .expect("read")
        .is_empty());
    let activity = store.activity(&a).await.expect("activity");
    assert_eq!(activity.data_through, Some(day("2026-10-02")));
    assert_eq!(
        store
            .activity(&a)
            .await
            .expect("activity")
            .first_eligible_day,
        Some(day("2026-09-15"))
    );
    assert_eq!(
        store.pending_sentiment_days(&a).await.expect("pending"),
        vec![day("2026-09-15")]
    );
    assert_eq!(
        store.activity(&org_id("org_b")).await.expect("activity"),
        Default::default()
    );
}

/// The first eligible day is what the latest run read in the source, later or
/// earlier: each write sets it.
async fn first_eligible_day_follows_each_write(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    let row = sample_row;
    store
        .write_days(
            &a,
            &[row("2026-10-01", 5, false)],
            Vec::new(),
            Some(day("2026-10-01")),
            None,
        )
        .await
        .expect("write");
    store
        .write_days(
            &a,
            &[row("2026-10-02", 9, false)],
            Vec::new(),
            Some(day("2026-10-05")),
            None,
        )
        .await
        .expect("rewrite");
    assert_eq!(
        store
            .activity(&a)
            .await
            .expect("activity")
            .first_eligible_day,
        Some(day("2026-10-05")),
        "the first eligible day is what the latest run read in the source, later or earlier"
    );
    store
        .write_days(&a, &[row("2026-09-15", 1, true)], Vec::new(), None, None)
        .await
        .expect("write");
    assert_eq!(
        store
            .activity(&a)
            .await
            .expect("activity")
            .first_eligible_day,
        None
    );
}

/// Reading the tile groups apart and merging them gives the whole rows back.
async fn tile_groups_read_their_own_columns_and_merge_back(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    let range = write_sample_days(store).await;
    // Reading the tile groups apart and merging them gives the whole rows back.
    let core = store
        .daily_group(&a, range, TileGroup::Core)
        .await
        .expect("core");
    let journey = store
        .daily_group(&a, range, TileGroup::Journey)
        .await
        .expect("journey");
    let quality = store
        .daily_group(&a, range, TileGroup::Quality)
        .await
        .expect("quality");
    assert_eq!(core[0].ai_assisted, 0, "a group reads only its own columns");
    assert_eq!(
        impact::metrics::merge_groups(core, Some(&journey), Some(&quality)),
        store.daily_counters(&a, range).await.expect("read")
    );
}

/// An onboarding baseline of September 2026.
fn sample_baseline() -> impact::metrics::baseline::Baseline {
    impact::metrics::baseline::Baseline {
        first_day: day("2026-09-01"),
        last_day: day("2026-09-30"),
        eligible: 40,
        net: 13,
    }
}

/// The onboarding baseline is stored, replaced and removed.
async fn onboarding_baselines_are_set_replaced_and_removed(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    // The onboarding baseline is stored, replaced when its source changed, and removed.
    assert_eq!(store.onboarding_baseline(&a).await.expect("read"), None);
    let baseline = sample_baseline();
    store
        .set_onboarding_baseline(&a, Some(&baseline))
        .await
        .expect("save");
    assert_eq!(
        store.onboarding_baseline(&a).await.expect("read"),
        Some(baseline)
    );
    let earlier = impact::metrics::baseline::Baseline {
        first_day: day("2026-08-01"),
        last_day: day("2026-08-30"),
        net: 39,
        ..baseline
    };
    store
        .set_onboarding_baseline(&a, Some(&earlier))
        .await
        .expect("replace");
    assert_eq!(
        store.onboarding_baseline(&a).await.expect("read"),
        Some(earlier)
    );
    assert_eq!(
        store
            .onboarding_baseline(&org_id("org_b"))
            .await
            .expect("read"),
        None
    );
    store
        .set_onboarding_baseline(&a, None)
        .await
        .expect("remove");
    assert_eq!(store.onboarding_baseline(&a).await.expect("read"), None);
    store
        .set_onboarding_baseline(&a, Some(&baseline))
        .await
        .expect("save again");
}

/// A report's reads together give what each read gives alone, and nothing for an
/// organization the datamart does not know.
async fn a_reports_reads_together_match_each_read(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    let range = write_sample_days(store).await;
    let baseline = sample_baseline();
    store
        .set_onboarding_baseline(&a, Some(&baseline))
        .await
        .expect("save the baseline");
    let reads = store
        .report_reads(&a, range)
        .await
        .expect("the report's reads");
    assert_eq!(
        reads.organization,
        store.organization(&a).await.expect("organization")
    );
    assert!(reads.organization.is_some());
    assert!(!reads.days.is_empty());
    assert_eq!(
        reads.days,
        store.daily_counters(&a, range).await.expect("days")
    );
    assert_eq!(reads.activity, store.activity(&a).await.expect("activity"));
    assert!(
        reads.activity.data_through.is_some(),
        "{:?}",
        reads.activity
    );
    assert_eq!(
        reads.cost_assumption,
        Some(CostAssumption::new(40_000, 6).expect("valid"))
    );
    assert_eq!(reads.baseline, Some(baseline));

    let unknown = store
        .report_reads(&org_id("org_nobody"), range)
        .await
        .expect("an unknown organization's reads");
    assert_eq!(unknown.organization, None);
    assert!(unknown.days.is_empty());
    assert_eq!(unknown.activity, Default::default());
    assert_eq!((unknown.cost_assumption, unknown.baseline), (None, None));
}

/// Retention removes old daily rows only.
async fn retention_removes_old_rows_only(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    let range = write_sample_days(store).await;
    // Retention removes old rows only.
    assert_eq!(
        store
            .delete_days_before(day("2026-10-01"))
            .await
            .expect("delete"),
        1
    );
    assert_eq!(
        store.daily_counters(&a, range).await.expect("read").len(),
        2
    );
}

/// A room outcome of org-day `date` (Asia/Makassar), started at `hh:mm` local time.
fn outcome_row(id: &str, date: &str, time: &str, outcome: Outcome) -> RoomOutcome {
    let created_at = at(&format!("{date}T{time}:00+08:00"));
    RoomOutcome {
        room_id: id.to_string(),
        day: day(date),
        created_at,
        closed_at: Some(created_at + Duration::minutes(30)),
        channel: "whatsapp".into(),
        outcome,
        ai_handled: outcome != Outcome::Escalated,
        after_hours: Some(time < "08:00"),
        came_back: None,
        customer_messages: 3,
        ai_messages: 2,
        sentiment: Some(-0.5),
    }
}

/// Every row of one list over a range, paged `limit` at a time.
async fn whole_list(
    store: &dyn Store,
    org: &OrgId,
    list: ConversationList,
    range: DateRange,
    limit: usize,
) -> Vec<RoomOutcome> {
    let mut query = ConversationQuery::first_page(list, range, limit);
    let mut rows = Vec::new();
    loop {
        let page = store.conversations(org, &query).await.expect("page");
        let full = page.len() == limit;
        if let Some(last) = page.last() {
            query.after = Some(ListPosition::of(last));
        }
        rows.extend(page);
        if !full {
            return rows;
        }
    }
}

/// Room outcomes come back exactly as written, newest first, page by page; a day
/// written again replaces its rooms whole; retention takes them with their day;
/// another organization's rooms never show.
async fn room_outcomes_are_replaced_by_day_and_paged_newest_first(store: &dyn Store) {
    seed(store).await;
    let (a, b) = (org_id("org_a"), org_id("org_b"));
    let first = day("2026-10-01");
    let second = day("2026-10-02");
    let mut came_back = outcome_row("r1", "2026-10-01", "09:00", Outcome::AiOnly);
    came_back.came_back = Some(CameBack {
        room_id: "r9".into(),
        created_at: at("2026-10-02T09:00:00+08:00"),
    });
    came_back.sentiment = None;
    came_back.after_hours = None;
    // Same start, ids decide the order; one room at the first instant of the day.
    let rows = vec![
        came_back.clone(),
        outcome_row("r2", "2026-10-01", "10:00", Outcome::AiOnly),
        outcome_row("r3", "2026-10-01", "10:00", Outcome::AiOnly),
        outcome_row("r4", "2026-10-01", "00:00", Outcome::Escalated),
        outcome_row("t1", "2026-10-01", "05:00", Outcome::TestChat),
        outcome_row("s1", "2026-10-02", "23:59", Outcome::Spam),
        outcome_row("r5", "2026-10-02", "06:00", Outcome::AiOnly),
    ];
    store
        .write_days(
            &a,
            &[DailyCounters::empty(first), DailyCounters::empty(second)],
            rows,
            Some(first),
            None,
        )
        .await
        .expect("write");
    store
        .write_days(
            &b,
            &[DailyCounters::empty(first)],
            vec![outcome_row("b1", "2026-10-01", "09:00", Outcome::AiOnly)],
            Some(first),
            None,
        )
        .await
        .expect("write b");
    store.refresh_statistics().await.expect("statistics");
    let october = DateRange::new(first, day("2026-10-31")).expect("range");
    let ai_only = whole_list(store, &a, ConversationList::AiOnly, october, 2).await;
    let ids: Vec<&str> = ai_only.iter().map(|r| r.room_id.as_str()).collect();
    assert_eq!(
        ids,
        ["r5", "r3", "r2", "r1"],
        "newest first, then room id, descending"
    );
    assert_eq!(ai_only[3], came_back, "a row reads back exactly as written");
    let solved: Vec<String> = whole_list(store, &a, ConversationList::SolvedAlone, october, 10)
        .await
        .into_iter()
        .map(|r| r.room_id)
        .collect();
    assert_eq!(solved, ["r5", "r3", "r2"]);
    let back = whole_list(store, &a, ConversationList::CameBack, october, 10).await;
    assert_eq!(back.len(), 1);
    // After hours: AI-handled, eligible, outside business hours (r5 at 06:00; r4 is
    // not AI-handled, t1 is a test chat).
    let night: Vec<String> = whole_list(store, &a, ConversationList::AfterHours, october, 10)
        .await
        .into_iter()
        .map(|r| r.room_id)
        .collect();
    assert_eq!(night, ["r5"]);
    let first_day = DateRange::new(first, first).expect("range");
    let escalated = whole_list(store, &a, ConversationList::Escalated, first_day, 10).await;
    assert_eq!(
        escalated.len(),
        1,
        "a room at the day's first instant is on that day"
    );
    assert_eq!(
        whole_list(store, &a, ConversationList::Spam, first_day, 10)
            .await
            .len(),
        0,
        "the range's end is exclusive of the next day"
    );

    // Day 1 written again with one room: its other rooms go, day 2 stays.
    store
        .write_days(
            &a,
            &[DailyCounters::empty(first)],
            vec![outcome_row("r7", "2026-10-01", "11:00", Outcome::Other)],
            Some(first),
            None,
        )
        .await
        .expect("rewrite");
    let mut everything = Vec::new();
    for list in [
        ConversationList::AiOnly,
        ConversationList::AiAssisted,
        ConversationList::Escalated,
        ConversationList::Other,
        ConversationList::TestChat,
        ConversationList::Spam,
    ] {
        everything.extend(
            whole_list(store, &a, list, october, 3)
                .await
                .into_iter()
                .map(|r| r.room_id),
        );
    }
    everything.sort();
    assert_eq!(everything, ["r5", "r7", "s1"]);
    let theirs = whole_list(store, &b, ConversationList::AiOnly, october, 10).await;
    assert_eq!(theirs.len(), 1, "org_b keeps its own room, and only it");

    // Retention removes a day's rooms with its counters.
    store.delete_days_before(second).await.expect("delete");
    let left = whole_list(store, &a, ConversationList::Other, october, 10).await;
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(
        whole_list(store, &a, ConversationList::Spam, october, 10)
            .await
            .len(),
        1
    );
}

/// Cost assumptions: one per organization, overwritten on save.
async fn cost_assumptions_are_one_per_organization(store: &dyn Store) {
    seed(store).await;
    let a = org_id("org_a");
    // Cost assumptions: one per organization, overwritten on save.
    assert_eq!(
        store.cost_assumption(&a).await.expect("read"),
        Some(CostAssumption::new(40_000, 6).expect("valid"))
    );
    let b = org_id("org_b");
    assert_eq!(store.cost_assumption(&b).await.expect("read"), None);
    store
        .save_cost_assumption(&b, CostAssumption::new(1_000, 480).expect("valid"))
        .await
        .expect("save");
    store
        .save_cost_assumption(&b, CostAssumption::new(10_000_000, 1).expect("valid"))
        .await
        .expect("save");
    assert_eq!(
        store.cost_assumption(&b).await.expect("read"),
        Some(CostAssumption::new(10_000_000, 1).expect("valid"))
    );
}

/// Once a day per job: one holder at a time, renewed while it works; a claim left
/// to run out undone is taken over; a job done stays done.
async fn a_job_is_claimed_once_a_day(store: &dyn Store) {
    use impact::store::Claim;
    use std::time::Duration;
    let night = day("2026-10-01");
    let lease = Duration::from_secs(2);
    let claim = |who: &'static str, night| async move {
        store
            .claim_job("nightly", night, who, lease)
            .await
            .expect("claim")
    };
    assert_eq!(claim("one", night).await, Claim::Mine);
    assert_eq!(claim("two", night).await, Claim::HeldByAnother);
    assert_eq!(
        claim("one", night).await,
        Claim::Mine,
        "the holder may claim again"
    );
    assert_eq!(claim("two", day("2026-10-02")).await, Claim::Mine);
    assert_eq!(
        store
            .claim_job("other", night, "two", lease)
            .await
            .expect("claim"),
        Claim::Mine
    );
    // Renewed within its lease, the claim stays the holder's.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(store
        .renew_job("nightly", night, "one")
        .await
        .expect("renew"));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(claim("two", night).await, Claim::HeldByAnother);
    // Not renewed for a whole lease (its holder died): taken over.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(claim("two", night).await, Claim::Mine);
    assert!(
        !store
            .renew_job("nightly", night, "one")
            .await
            .expect("renew"),
        "one lost it"
    );
    store
        .finish_job("nightly", night, "two")
        .await
        .expect("finish");
    assert_eq!(claim("one", night).await, Claim::Done);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(
        claim("three", night).await,
        Claim::Done,
        "a night done stays done"
    );
}

/// A shown forecast is recorded once per organization and month, oldest first.
async fn forecasts_are_recorded_once_per_month(store: &dyn Store) {
    let snapshot = |month: u32, projected: f64| impact::metrics::forecast::Snapshot {
        period_from: NaiveDate::from_ymd_opt(2026, month, 1).expect("date"),
        period_to: impact::metrics::last_day_of_month(
            NaiveDate::from_ymd_opt(2026, month, 1).expect("date"),
        ),
        projected,
        low: projected - 0.05,
        high: projected + 0.05,
    };
    let (a, b) = (org_id("org_a"), org_id("org_b"));
    store
        .save_forecast_snapshot(&a, &snapshot(11, 0.5))
        .await
        .expect("save");
    store
        .save_forecast_snapshot(&a, &snapshot(11, 0.9))
        .await
        .expect("save again");
    store
        .save_forecast_snapshot(&a, &snapshot(10, 0.4))
        .await
        .expect("save");
    store
        .save_forecast_snapshot(&b, &snapshot(11, 0.25))
        .await
        .expect("save");
    let recorded = store.forecast_snapshots().await.expect("read");
    assert_eq!(
        recorded,
        vec![
            (a.clone(), snapshot(10, 0.4)),
            (a, snapshot(11, 0.5)),
            (b, snapshot(11, 0.25)),
        ]
    );
}

/// A published change reaches the subscribers of another connection (PostgreSQL);
/// SQLite, one process, has no channel and says so.
async fn changes_reach_subscribers(store: &dyn Store) {
    let change = impact::store::Change::AssumptionSaved {
        org_id: "org_a".into(),
    };
    match store.subscribe().await.expect("subscribe") {
        None => {
            assert_eq!(store.backend(), "sqlite");
            store.publish(&change).await.expect("publish is harmless");
        }
        Some(mut changes) => {
            // Give the listener its connection before publishing.
            let mut received = None;
            for _ in 0..50 {
                store.publish(&change).await.expect("publish");
                if let Ok(Some(got)) =
                    tokio::time::timeout(std::time::Duration::from_millis(200), changes.recv())
                        .await
                {
                    received = Some(got);
                    break;
                }
            }
            assert_eq!(received, Some(change));
        }
    }
}

/// The datamart's health: when it was last written and its oldest pending day.
async fn the_datamart_tells_its_freshness(store: &dyn Store) {
    assert_eq!(
        store.datamart_health().await.expect("health"),
        impact::store::DatamartHealth::default()
    );
    seed(store).await;
    let before = chrono::Utc::now() - Duration::seconds(1);
    write_sample_days(store).await;
    let health = store.datamart_health().await.expect("health");
    assert!(
        health.last_written.is_some_and(|at| at >= before),
        "{health:?}"
    );
    assert_eq!(health.oldest_pending_sentiment_day, Some(day("2026-09-15")));
}

/// Each behaviour above, as one test per backend: a failure names the behaviour and
/// the backend, and hides nothing else.
macro_rules! conformance {
    ($($behaviour:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $behaviour() {
                    let sqlite = crate::common::TestSqlite::create();
                    let store = impact::store::open(&sqlite.url, 2).await.expect("open SQLite");
                    assert_eq!(store.backend(), "sqlite");
                    super::$behaviour(store.as_ref()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $behaviour() {
                    let database = crate::common::TestDatabase::create();
                    let store = impact::store::open(&database.url, 4).await.expect("open PostgreSQL");
                    assert_eq!(store.backend(), "postgres");
                    super::$behaviour(store.as_ref()).await;
                }
            )*
        }
    };
}

conformance!(
    migrate_again_and_ping,
    organizations_come_back_as_they_went_in,
    copied_organizations_mark_a_changed_calendar,
    rooms_are_read_by_a_half_open_creation_window,
    rooms_page_in_creation_order,
    message_counts_and_summaries_stay_in_their_organization,
    an_organization_read_at_once_gives_each_room_what_a_lookup_gives,
    a_write_commits_only_after_the_one_before_it,
    reimporting_a_room_replaces_it_and_its_messages,
    an_abandoned_import_leaves_nothing,
    daily_rows_are_replaced_whole_and_read_back_exactly,
    first_eligible_day_follows_each_write,
    tile_groups_read_their_own_columns_and_merge_back,
    onboarding_baselines_are_set_replaced_and_removed,
    a_reports_reads_together_match_each_read,
    retention_removes_old_rows_only,
    room_outcomes_are_replaced_by_day_and_paged_newest_first,
    cost_assumptions_are_one_per_organization,
    a_job_is_claimed_once_a_day,
    forecasts_are_recorded_once_per_month,
    changes_reach_subscribers,
    the_datamart_tells_its_freshness,
);

#[tokio::test]
async fn unreachable_postgres_is_a_clear_error() {
    let result = store::open("postgres://postgres:secret@127.0.0.1:1/none", 1).await;
    let message = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains("could not get a PostgreSQL connection"),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");
}
