//! Per-room rules (docs/metrics.md §3–§4.6) and the tally of rooms into daily counters.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::DailyCounters;
use crate::domain::{is_test_channel, ClosedReason, Organization};

/// How long after a contained room closes a new room from the same customer counts
/// as "had to come back" (docs/metrics.md §4.2; exactly 48 h counts).
pub const REOPEN_WINDOW_HOURS: i64 = 48;

/// One source room with what the rules need from its messages and summary.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomFacts {
    pub id: String,
    pub contact_id: String,
    pub channel: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_reason: Option<ClosedReason>,
    /// Whether `assign_channel_agent_id` is set.
    pub agent_attached: bool,
    pub customer_messages: i64,
    pub ai_messages: i64,
    /// Normalised sentiment in [−1, 1], if the room has a usable summary.
    pub sentiment: Option<f64>,
}

/// The journey class of an eligible room (docs/metrics.md §4.5), tested in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyClass {
    AiOnly,
    AiAssisted,
    Escalated,
    Other,
}

/// A room is eligible unless it is the admin's test chat or spam (docs/metrics.md §3).
pub fn is_eligible(channel: &str, closed_reason: Option<&ClosedReason>) -> bool {
    !is_test_channel(channel) && closed_reason != Some(&ClosedReason::Spam)
}

impl RoomFacts {
    pub fn is_eligible(&self) -> bool {
        is_eligible(&self.channel, self.closed_reason.as_ref())
    }

    /// Contained (gross): resolved by the AI, no human attached, and actually closed.
    /// Bare `RESOLVE` is never an AI win.
    pub fn is_contained(&self) -> bool {
        self.closed_reason == Some(ClosedReason::ResolveAi)
            && !self.agent_attached
            && self.closed_at.is_some()
    }

    pub fn is_ai_handled(&self) -> bool {
        self.ai_messages >= 1 || self.closed_reason == Some(ClosedReason::ResolveAi)
    }

    pub fn journey_class(&self) -> JourneyClass {
        if self.is_contained() {
            JourneyClass::AiOnly
        } else if self.ai_messages >= 1 && self.agent_attached {
            JourneyClass::AiAssisted
        } else if self.agent_attached
            || self
                .closed_reason
                .as_ref()
                .is_some_and(ClosedReason::is_handover)
        {
            JourneyClass::Escalated
        } else {
            JourneyClass::Other
        }
    }
}

/// The eligible rooms that could be a contained room's "came back" follow-up,
/// by customer, in time order.
#[derive(Debug, Default)]
pub struct ReopenIndex {
    arrivals_by_contact: HashMap<String, Vec<Arrival>>,
}

/// An eligible room's start, as the reopen rule sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Arrival {
    created_at: DateTime<Utc>,
    room_id: String,
}

impl ReopenIndex {
    /// Builds the index from `(contact_id, room_id, created_at)` of eligible rooms
    /// only. A room listed twice counts once.
    pub fn new(
        eligible_arrivals: impl IntoIterator<Item = (String, String, DateTime<Utc>)>,
    ) -> Self {
        let mut arrivals_by_contact: HashMap<String, Vec<Arrival>> = HashMap::new();
        for (contact, room_id, created_at) in eligible_arrivals {
            arrivals_by_contact
                .entry(contact)
                .or_default()
                .push(Arrival {
                    created_at,
                    room_id,
                });
        }
        for arrivals in arrivals_by_contact.values_mut() {
            arrivals.sort_unstable();
            arrivals.dedup();
        }
        Self {
            arrivals_by_contact,
        }
    }

    /// True when the same customer started another eligible room R2 (R2 ≠ the room
    /// `room_id`) with `closed_at < R2.created_at ≤ closed_at + 48 h`. A room whose
    /// bad source row closes before it opens can have its own start in that window;
    /// it is not its own follow-up (docs/metrics.md §4.2).
    pub fn came_back(&self, room_id: &str, contact_id: &str, closed_at: DateTime<Utc>) -> bool {
        let Some(arrivals) = self.arrivals_by_contact.get(contact_id) else {
            return false;
        };
        let horizon = closed_at + Duration::hours(REOPEN_WINDOW_HOURS);
        let first_after = arrivals.partition_point(|a| a.created_at <= closed_at);
        arrivals[first_after..]
            .iter()
            .take_while(|a| a.created_at <= horizon)
            .any(|a| a.room_id != room_id)
    }
}

/// Tallies rooms into one counter row per day of `days` (rows for days without
/// rooms are zero). Rooms outside `days` and ineligible rooms are ignored.
/// `sentiment_pending` marks days whose sentiment source could not be read.
pub fn tally_days(
    organization: &Organization,
    days: &[NaiveDate],
    rooms: &[RoomFacts],
    reopens: &ReopenIndex,
    sentiment_pending: bool,
) -> Vec<DailyCounters> {
    let mut by_day: BTreeMap<NaiveDate, DailyCounters> = days
        .iter()
        .map(|day| {
            let mut row = DailyCounters::empty(*day);
            row.sentiment_pending = sentiment_pending;
            (*day, row)
        })
        .collect();
    for room in rooms.iter().filter(|room| room.is_eligible()) {
        let Some(row) = by_day.get_mut(&organization.local_date(room.created_at)) else {
            continue;
        };
        row.eligible += 1;
        if room.is_ai_handled() {
            row.ai_handled += 1;
            if organization.is_after_hours(room.created_at) == Some(true) {
                row.after_hours += 1;
            }
        }
        let sentiment = if sentiment_pending {
            None
        } else {
            room.sentiment
        };
        match room.journey_class() {
            JourneyClass::AiOnly => {
                row.contained += 1;
                row.contained_customer_messages += room.customer_messages;
                let came_back = room.closed_at.is_some_and(|closed_at| {
                    reopens.came_back(&room.id, &room.contact_id, closed_at)
                });
                if came_back {
                    row.reopened += 1;
                }
                if let Some(value) = sentiment {
                    row.contained_sentiment_sum += value;
                    row.contained_sentiment_rooms += 1;
                }
            }
            class @ (JourneyClass::AiAssisted | JourneyClass::Escalated) => {
                if class == JourneyClass::AiAssisted {
                    row.ai_assisted += 1;
                } else {
                    row.escalated += 1;
                }
                if let Some(value) = sentiment {
                    row.human_sentiment_sum += value;
                    row.human_sentiment_rooms += 1;
                }
            }
            JourneyClass::Other => row.other += 1,
        }
    }
    by_day.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BusinessHours, OrgId};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn room(reason: Option<&str>, agent: bool, ai_messages: i64) -> RoomFacts {
        RoomFacts {
            id: "r".into(),
            contact_id: "c".into(),
            channel: "whatsapp".into(),
            created_at: at("2026-10-05T10:00:00+07:00"),
            closed_at: Some(at("2026-10-05T10:10:00+07:00")),
            closed_reason: ClosedReason::parse(reason),
            agent_attached: agent,
            customer_messages: 2,
            ai_messages,
            sentiment: None,
        }
    }

    #[test]
    fn journey_classes_follow_the_order_of_the_rules() {
        assert_eq!(
            room(Some("RESOLVE_AI"), false, 1).journey_class(),
            JourneyClass::AiOnly
        );
        assert_eq!(
            room(Some("RESOLVE_AI"), true, 1).journey_class(),
            JourneyClass::AiAssisted
        );
        assert_eq!(
            room(Some("RESOLVE"), true, 0).journey_class(),
            JourneyClass::Escalated
        );
        assert_eq!(
            room(Some("ASSIGN_AGENT"), false, 2).journey_class(),
            JourneyClass::Escalated
        );
        assert_eq!(
            room(Some("RESOLVE"), false, 3).journey_class(),
            JourneyClass::Other
        );
        assert_eq!(room(None, false, 0).journey_class(), JourneyClass::Other);
        assert_eq!(
            room(Some("IDLE"), false, 1).journey_class(),
            JourneyClass::Other
        );
        let mut open = room(Some("RESOLVE_AI"), false, 1);
        open.closed_at = None;
        assert!(!open.is_contained());
        assert_eq!(open.journey_class(), JourneyClass::Other);
    }

    #[test]
    fn ai_handled_counts_an_ai_message_or_an_ai_resolution() {
        assert!(room(Some("RESOLVE_AI"), false, 0).is_ai_handled());
        assert!(room(Some("ASSIGN_AGENT"), false, 1).is_ai_handled());
        assert!(!room(Some("RESOLVE"), true, 0).is_ai_handled());
    }

    #[test]
    fn spam_and_test_chats_are_not_eligible() {
        assert!(!room(Some(" spam "), false, 0).is_eligible());
        let mut preview = room(Some("RESOLVE_AI"), false, 1);
        preview.channel = " Bot_Preview ".into();
        assert!(!preview.is_eligible());
        assert!(room(Some("RESOLVE"), false, 0).is_eligible());
    }

    #[test]
    fn came_back_within_48_hours_inclusive_and_strictly_after_close() {
        let closed = at("2026-10-02T20:03:00+07:00");
        let arrival =
            |contact: &str, at: DateTime<Utc>| (contact.to_string(), format!("{contact}-2"), at);
        let index = ReopenIndex::new([
            arrival("exact", closed + Duration::hours(48)),
            arrival("late", closed + Duration::hours(48) + Duration::seconds(1)),
            arrival("during", closed - Duration::minutes(5)),
            arrival("same_instant", closed),
        ]);
        assert!(index.came_back("r", "exact", closed));
        assert!(!index.came_back("r", "late", closed));
        assert!(!index.came_back("r", "during", closed));
        assert!(!index.came_back("r", "same_instant", closed));
        assert!(!index.came_back("r", "nobody", closed));
    }

    #[test]
    fn a_room_is_never_its_own_follow_up() {
        // A bad row: closed an hour before it was created, so its own start lies in
        // its 48-hour window.
        let created = at("2026-10-02T10:00:00+07:00");
        let closed = created - Duration::hours(1);
        let alone = ReopenIndex::new([("c".to_string(), "r".to_string(), created)]);
        assert!(!alone.came_back("r", "c", closed));
        let with_another = ReopenIndex::new([
            ("c".to_string(), "r".to_string(), created),
            (
                "c".to_string(),
                "r2".to_string(),
                created + Duration::hours(1),
            ),
        ]);
        assert!(with_another.came_back("r", "c", closed));
    }

    #[test]
    fn tally_puts_rooms_on_their_local_day_and_skips_ineligible_ones() {
        let organization = Organization {
            id: OrgId::parse("org").unwrap(),
            name: "Org".into(),
            ai_addon: true,
            timezone: Organization::parse_timezone("Asia/Jakarta").unwrap(),
            business_hours: Some(
                BusinessHours::from_json(&serde_json::json!({"mon": ["08:00-17:00"]})).unwrap(),
            ),
            holidays: Default::default(),
        };
        let day = NaiveDate::from_ymd_opt(2026, 10, 5).unwrap();
        let mut contained = room(Some("RESOLVE_AI"), false, 1);
        contained.sentiment = Some(0.5);
        let mut late_evening_utc = room(Some("RESOLVE"), true, 0);
        // 17:30 UTC on 4 Oct is 00:30 on 5 Oct in Jakarta.
        late_evening_utc.created_at = at("2026-10-04T17:30:00Z");
        let spam = room(Some("SPAM"), false, 0);
        let reopens = ReopenIndex::new([(
            "c".to_string(),
            "r2".to_string(),
            at("2026-10-06T10:00:00+07:00"),
        )]);
        let rows = tally_days(
            &organization,
            &[day],
            &[contained, late_evening_utc, spam],
            &reopens,
            false,
        );
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!((row.eligible, row.ai_handled, row.contained), (2, 1, 1));
        assert_eq!((row.reopened, row.escalated, row.after_hours), (1, 1, 0));
        assert_eq!(row.contained_sentiment_rooms, 1);
        assert_eq!(row.contained_customer_messages, 2);

        let pending = tally_days(
            &organization,
            &[day],
            &[room(Some("RESOLVE_AI"), false, 1)],
            &reopens,
            true,
        );
        assert!(pending[0].sentiment_pending);
        assert_eq!(pending[0].contained_sentiment_rooms, 0);
    }
}
