//! One conformance suite for both storage backends: the SQL differs, the behaviour
//! must not. Each check runs against SQLite and against a fresh PostgreSQL database.

use std::sync::Arc;

use crate::common::{TestDatabase, TestSqlite};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use impact::domain::{BusinessHours, CostAssumption, DateRange, OrgId, Organization, RawSentiment};
use impact::metrics::{DailyCounters, TileGroup};
use impact::store::{self, HistoryRecord, SourceRoom, Store, SummaryRecord};

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

async fn conformance(store: Arc<dyn Store>) {
    let store = store.as_ref();
    // Applying the schema again is harmless.
    store.migrate().await.expect("second migrate");
    store.ping().await.expect("ping");
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

    // Rooms: the window is closed at its start and open at its end, to the microsecond.
    let a = org_id("org_a");
    let start = at("2026-10-01T00:00:00+08:00");
    let end = at("2026-10-02T00:00:00+08:00");
    let mut rooms = store
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
    let span = store.room_creation_span(&a).await.expect("span");
    assert_eq!(
        span,
        Some((
            at("2026-10-01T09:00:00+08:00"),
            at("2026-10-02T00:00:00+08:00")
        ))
    );
    assert_eq!(
        store
            .room_creation_span(&org_id("nope"))
            .await
            .expect("span"),
        None
    );

    // Creation order pages by (created_at, id).
    let first_page = store
        .rooms_in_creation_order(&a, None, 2)
        .await
        .expect("page");
    assert_eq!(
        first_page.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["r1", "r2"]
    );
    let after = first_page.last().map(|r| (r.created_at, r.id.clone()));
    let second_page = store
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

    // Message counts keep the raw sender type and never mix organizations.
    let mut counts = store.message_counts(&a, start, end).await.expect("counts");
    counts.sort_by(|x, y| x.sender_type.cmp(&y.sender_type));
    let counted: Vec<_> = counts
        .iter()
        .map(|c| (c.room_id.as_str(), c.sender_type.as_str(), c.count))
        .collect();
    assert_eq!(
        counted,
        [("r1", "AI", 1), ("r1", "ai", 1), ("r1", "customer", 2)]
    );

    let summaries = store.summaries(&a, start, end).await.expect("summaries");
    assert_eq!(
        summaries,
        vec![("r1".to_string(), RawSentiment::Score(0.25))]
    );
    assert!(store
        .summaries(&org_id("org_b"), start, end)
        .await
        .expect("summaries")
        .is_empty());

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
    let counts = store.message_counts(&a, start, end).await.expect("counts");
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0].count, 1);
    let moved = store
        .rooms_created_between(&a, start, end)
        .await
        .expect("rooms");
    assert!(moved
        .iter()
        .any(|r| r.id == "r1" && r.created_at == at("2026-10-01T09:30:00+08:00")));
    assert_eq!(moved.len(), 2, "an upsert must not duplicate a room");

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
            .rooms_created_between(&a, start, end)
            .await
            .expect("rooms")
            .len(),
        2
    );

    // Daily rows: written whole, replaced whole, read back exactly.
    let row = |date: &str, eligible: i64, pending: bool| DailyCounters {
        day: day(date),
        eligible,
        ai_handled: eligible - 1,
        contained: 3,
        reopened: 1,
        after_hours: 2,
        ai_assisted: 1,
        escalated: 1,
        other: 0,
        contained_customer_messages: 7,
        contained_sentiment_sum: 0.1 + 0.2,
        contained_sentiment_rooms: 2,
        human_sentiment_sum: -0.75,
        human_sentiment_rooms: 1,
        sentiment_pending: pending,
    };
    store
        .write_days(
            &a,
            &[row("2026-10-01", 5, false), row("2026-10-02", 6, true)],
            Some(day("2026-10-01")),
        )
        .await
        .expect("write");
    store
        .write_days(&a, &[row("2026-10-02", 9, false)], Some(day("2026-10-05")))
        .await
        .expect("rewrite");
    let range = DateRange::new(day("2026-09-01"), day("2026-10-31")).expect("range");
    let days = store.daily_counters(&a, range).await.expect("read");
    assert_eq!(
        days,
        vec![row("2026-10-01", 5, false), row("2026-10-02", 9, false)]
    );
    assert!(store
        .daily_counters(&org_id("org_b"), range)
        .await
        .expect("read")
        .is_empty());
    let activity = store.activity(&a).await.expect("activity");
    assert_eq!(
        activity.first_eligible_day,
        Some(day("2026-10-05")),
        "the first eligible day is what the latest run read in the source, later or earlier"
    );
    assert_eq!(activity.data_through, Some(day("2026-10-02")));
    store
        .write_days(&a, &[row("2026-09-15", 1, true)], Some(day("2026-09-15")))
        .await
        .expect("write");
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

    // The onboarding baseline is stored, replaced when its source changed, and removed.
    assert_eq!(store.onboarding_baseline(&a).await.expect("read"), None);
    let baseline = impact::metrics::baseline::Baseline {
        first_day: day("2026-09-01"),
        last_day: day("2026-09-30"),
        eligible: 40,
        net: 13,
    };
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_conforms() {
    let sqlite = TestSqlite::create();
    let store = store::open(&sqlite.url, 2).await.expect("open SQLite");
    assert_eq!(store.backend(), "sqlite");
    conformance(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_conforms() {
    let database = TestDatabase::create();
    let store = store::open(&database.url, 4)
        .await
        .expect("open PostgreSQL");
    assert_eq!(store.backend(), "postgres");
    conformance(store).await;
}

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
