//! Per-room rules (docs/metrics.md §3–§4.6) and the tally of rooms into daily counters.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::DailyCounters;
use crate::domain::{is_test_channel, ClosedReason, Organization};

/// How long after a contained room closes a new room from the same customer counts
/// as "had to come back" (docs/metrics.md §4.2; exactly 48 h counts).
pub(crate) const REOPEN_WINDOW_HOURS: i64 = 48;

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

/// Why a room is left out of the figures, if it is: the admin's test chat, or
/// spam that is not a test chat (docs/metrics.md §3, §4.9).
pub(crate) fn left_out(channel: &str, closed_reason: Option<&ClosedReason>) -> Option<Outcome> {
    if is_test_channel(channel) {
        Some(Outcome::TestChat)
    } else if closed_reason == Some(&ClosedReason::Spam) {
        Some(Outcome::Spam)
    } else {
        None
    }
}

/// A room is eligible unless it is left out (docs/metrics.md §3).
pub(crate) fn is_eligible(channel: &str, closed_reason: Option<&ClosedReason>) -> bool {
    left_out(channel, closed_reason).is_none()
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
pub struct Arrival {
    pub created_at: DateTime<Utc>,
    pub room_id: String,
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

    /// The first other eligible room R2 (R2 ≠ the room `room_id`) the same customer
    /// started with `closed_at < R2.created_at ≤ closed_at + 48 h`, if any: the
    /// customer came back. A room whose bad source row closes before it opens can
    /// have its own start in that window; it is not its own follow-up
    /// (docs/metrics.md §4.2).
    pub fn follow_up(
        &self,
        room_id: &str,
        contact_id: &str,
        closed_at: DateTime<Utc>,
    ) -> Option<&Arrival> {
        let arrivals = self.arrivals_by_contact.get(contact_id)?;
        let horizon = closed_at + Duration::hours(REOPEN_WINDOW_HOURS);
        let first_after = arrivals.partition_point(|a| a.created_at <= closed_at);
        arrivals[first_after..]
            .iter()
            .take_while(|a| a.created_at <= horizon)
            .find(|a| a.room_id != room_id)
    }
}

/// What happened to one room of a day, as the datamart keeps it (`room_outcomes`):
/// the row behind every figure, so that each figure can list its conversations and
/// a day's counters are exactly the tally of its rows (docs/metrics.md §4.9). No
/// message text and no customer identity: the came-back link is resolved here.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomOutcome {
    pub room_id: String,
    /// The organization-local day of `created_at` (docs/metrics.md §2).
    pub day: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub channel: String,
    pub outcome: Outcome,
    pub ai_handled: bool,
    /// Created outside business hours; `None` when the organization has none.
    pub after_hours: Option<bool>,
    /// For a contained room whose customer came back within 48 hours: the first
    /// room they came back with.
    pub came_back: Option<CameBack>,
    pub customer_messages: i64,
    pub ai_messages: i64,
    /// Normalised sentiment, `None` when the room has none or the day's is pending.
    pub sentiment: Option<f64>,
}

/// The room a customer came back with, and when it started.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CameBack {
    pub room_id: String,
    pub created_at: DateTime<Utc>,
}

/// Where a room lands: one of the four journey classes when it is eligible, else
/// the reason it is left out (docs/metrics.md §3, §4.5, §4.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    AiOnly,
    AiAssisted,
    Escalated,
    Other,
    TestChat,
    Spam,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::AiOnly,
        Outcome::AiAssisted,
        Outcome::Escalated,
        Outcome::Other,
        Outcome::TestChat,
        Outcome::Spam,
    ];

    /// The name stored in the datamart.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::AiOnly => "ai_only",
            Outcome::AiAssisted => "ai_assisted",
            Outcome::Escalated => "escalated",
            Outcome::Other => "other",
            Outcome::TestChat => "test_chat",
            Outcome::Spam => "spam",
        }
    }

    pub fn parse(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }

    pub fn is_eligible(self) -> bool {
        !matches!(self, Outcome::TestChat | Outcome::Spam)
    }
}

impl RoomFacts {
    pub fn outcome(&self) -> Outcome {
        left_out(&self.channel, self.closed_reason.as_ref()).unwrap_or_else(|| {
            match self.journey_class() {
                JourneyClass::AiOnly => Outcome::AiOnly,
                JourneyClass::AiAssisted => Outcome::AiAssisted,
                JourneyClass::Escalated => Outcome::Escalated,
                JourneyClass::Other => Outcome::Other,
            }
        })
    }
}

/// The outcome row of every room created on one of `days` (org-local); rooms of
/// other days are ignored. `sentiment_pending` leaves every sentiment out.
pub fn room_outcomes(
    organization: &Organization,
    days: &[NaiveDate],
    rooms: &[RoomFacts],
    reopens: &ReopenIndex,
    sentiment_pending: bool,
) -> Vec<RoomOutcome> {
    let wanted: std::collections::BTreeSet<NaiveDate> = days.iter().copied().collect();
    rooms
        .iter()
        .filter_map(|room| {
            let day = organization.local_date(room.created_at);
            if !wanted.contains(&day) {
                return None;
            }
            let outcome = room.outcome();
            let came_back = match (outcome, room.closed_at) {
                (Outcome::AiOnly, Some(closed_at)) => reopens
                    .follow_up(&room.id, &room.contact_id, closed_at)
                    .map(|arrival| CameBack {
                        room_id: arrival.room_id.clone(),
                        created_at: arrival.created_at,
                    }),
                _ => None,
            };
            Some(RoomOutcome {
                room_id: room.id.clone(),
                day,
                created_at: room.created_at,
                closed_at: room.closed_at,
                channel: room.channel.clone(),
                outcome,
                ai_handled: room.is_ai_handled(),
                after_hours: organization.is_after_hours(room.created_at),
                came_back,
                customer_messages: room.customer_messages,
                ai_messages: room.ai_messages,
                sentiment: room.sentiment.filter(|_| !sentiment_pending),
            })
        })
        .collect()
}

impl RoomOutcome {
    /// Counted in the after-hours figure (docs/metrics.md §4.3): eligible,
    /// handled by the AI and created outside business hours.
    pub fn counts_after_hours(&self) -> bool {
        self.outcome.is_eligible() && self.ai_handled && self.after_hours == Some(true)
    }
}

/// The list of conversations behind one figure of the report (docs/metrics.md §4.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConversationList {
    /// The hero: contained and the customer did not come back.
    SolvedAlone,
    /// Contained, but the customer came back within 48 hours.
    CameBack,
    /// Closed by the AI alone (gross containment): both of the above.
    AiOnly,
    AiAssisted,
    Escalated,
    Other,
    AfterHours,
    TestChat,
    Spam,
}

/// What a list's rooms must be beyond the outcome they have (`ListRule::outcomes`):
/// a closed set, which the stores turn into SQL (`store::sql::conversation_filter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Nothing more.
    Any,
    /// The customer did not come back within 48 hours.
    StayedAway,
    /// The customer came back within 48 hours.
    CameBack,
    /// Started outside business hours, with the AI taking part.
    AfterHoursWithTheAi,
}

impl Condition {
    pub fn holds(self, room: &RoomOutcome) -> bool {
        match self {
            Condition::Any => true,
            Condition::StayedAway => room.came_back.is_none(),
            Condition::CameBack => room.came_back.is_some(),
            Condition::AfterHoursWithTheAi => room.ai_handled && room.after_hours == Some(true),
        }
    }
}

/// One list: its name on the API, the figure it stands behind (its count on the
/// counters) and the rule its rooms meet. `LISTS` holds every list once; the
/// stores' SQL and the oracle's rule are both read from it. (Its words are in
/// `report::conversations`, above the pure core, which imports only `domain`.)
pub struct ListRule {
    pub list: ConversationList,
    pub name: &'static str,
    pub count: fn(&DailyCounters) -> i64,
    /// The outcomes the list draws its rooms from.
    pub outcomes: &'static [Outcome],
    pub condition: Condition,
}

/// Every outcome that counts (not a test chat, not spam).
const ELIGIBLE: &[Outcome] = &[
    Outcome::AiOnly,
    Outcome::AiAssisted,
    Outcome::Escalated,
    Outcome::Other,
];

/// Every list, in `ConversationList`'s order.
pub const LISTS: [ListRule; 9] = [
    ListRule {
        list: ConversationList::SolvedAlone,
        name: "solved_alone",
        count: DailyCounters::net,
        outcomes: &[Outcome::AiOnly],
        condition: Condition::StayedAway,
    },
    ListRule {
        list: ConversationList::CameBack,
        name: "came_back",
        count: |c| c.reopened,
        outcomes: &[Outcome::AiOnly],
        condition: Condition::CameBack,
    },
    ListRule {
        list: ConversationList::AiOnly,
        name: "ai_only",
        count: |c| c.contained,
        outcomes: &[Outcome::AiOnly],
        condition: Condition::Any,
    },
    ListRule {
        list: ConversationList::AiAssisted,
        name: "ai_assisted",
        count: |c| c.ai_assisted,
        outcomes: &[Outcome::AiAssisted],
        condition: Condition::Any,
    },
    ListRule {
        list: ConversationList::Escalated,
        name: "escalated",
        count: |c| c.escalated,
        outcomes: &[Outcome::Escalated],
        condition: Condition::Any,
    },
    ListRule {
        list: ConversationList::Other,
        name: "other",
        count: |c| c.other,
        outcomes: &[Outcome::Other],
        condition: Condition::Any,
    },
    ListRule {
        list: ConversationList::AfterHours,
        name: "after_hours",
        count: |c| c.after_hours,
        outcomes: ELIGIBLE,
        condition: Condition::AfterHoursWithTheAi,
    },
    ListRule {
        list: ConversationList::TestChat,
        name: "test_chat",
        count: |c| c.test_chats,
        outcomes: &[Outcome::TestChat],
        condition: Condition::Any,
    },
    ListRule {
        list: ConversationList::Spam,
        name: "spam",
        count: |c| c.spam,
        outcomes: &[Outcome::Spam],
        condition: Condition::Any,
    },
];

impl ConversationList {
    pub const ALL: [ConversationList; 9] = [
        ConversationList::SolvedAlone,
        ConversationList::CameBack,
        ConversationList::AiOnly,
        ConversationList::AiAssisted,
        ConversationList::Escalated,
        ConversationList::Other,
        ConversationList::AfterHours,
        ConversationList::TestChat,
        ConversationList::Spam,
    ];

    /// The list's row of `LISTS`.
    pub fn rule(self) -> &'static ListRule {
        &LISTS[self as usize]
    }

    /// The name callers use (`outcome=` on the API).
    pub fn name(self) -> &'static str {
        self.rule().name
    }

    pub fn parse(name: &str) -> Option<ConversationList> {
        LISTS
            .iter()
            .find(|rule| rule.name == name)
            .map(|rule| rule.list)
    }

    /// The figure of this list on a day's (or a range's summed) counters: how many
    /// rooms the list holds, since a list holds exactly its figure's rooms.
    pub fn count(self, counters: &DailyCounters) -> i64 {
        (self.rule().count)(counters)
    }

    /// Whether the figure of this list counts `room`. The stores select the same
    /// rooms in SQL from the same rule; tests hold the two together.
    pub fn includes(self, room: &RoomOutcome) -> bool {
        let rule = self.rule();
        rule.outcomes.contains(&room.outcome) && rule.condition.holds(room)
    }
}

/// A fingerprint of each day's room outcomes (of `days`, in that order; a day
/// without rooms has one too). The stores keep it beside the rows, so a run that
/// recomputes a day to the very same rooms leaves them in place instead of deleting
/// and writing them again: a full re-aggregation of unchanged data writes nothing.
pub(crate) fn day_fingerprints(
    days: &[NaiveDate],
    outcomes: &[RoomOutcome],
) -> Vec<(NaiveDate, i64)> {
    use std::hash::{Hash, Hasher};
    let mut by_day: BTreeMap<NaiveDate, Vec<&RoomOutcome>> =
        days.iter().map(|day| (*day, Vec::new())).collect();
    for room in outcomes {
        if let Some(rooms) = by_day.get_mut(&room.day) {
            rooms.push(room);
        }
    }
    days.iter()
        .map(|day| {
            let mut rooms = by_day.remove(day).unwrap_or_default();
            rooms.sort_by(|a, b| a.room_id.cmp(&b.room_id));
            // SipHash with fixed keys: the same on every run of the same build.
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            for room in rooms {
                // Every field by name, none with `..`: a field added to the row does
                // not compile until it is hashed here, so a room whose new field
                // changed is never taken for unchanged and left unwritten.
                let RoomOutcome {
                    day: _,
                    room_id,
                    created_at,
                    closed_at,
                    channel,
                    outcome,
                    ai_handled,
                    after_hours,
                    came_back,
                    customer_messages,
                    ai_messages,
                    sentiment,
                } = room;
                room_id.hash(&mut hasher);
                created_at.hash(&mut hasher);
                closed_at.hash(&mut hasher);
                channel.hash(&mut hasher);
                outcome.hash(&mut hasher);
                ai_handled.hash(&mut hasher);
                after_hours.hash(&mut hasher);
                came_back.hash(&mut hasher);
                customer_messages.hash(&mut hasher);
                ai_messages.hash(&mut hasher);
                sentiment.map(f64::to_bits).hash(&mut hasher);
            }
            (*day, hasher.finish() as i64)
        })
        .collect()
}

/// One counter row per day of `days` (rows for days without rooms are zero), the
/// tally of the outcome rows: a day's counters are, by construction, the counts over
/// its rows. `sentiment_pending` marks days whose sentiment source could not be read.
pub(crate) fn tally_days(
    days: &[NaiveDate],
    outcomes: &[RoomOutcome],
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
    for room in outcomes {
        let Some(row) = by_day.get_mut(&room.day) else {
            continue;
        };
        match room.outcome {
            Outcome::TestChat => {
                row.test_chats += 1;
                continue;
            }
            Outcome::Spam => {
                row.spam += 1;
                continue;
            }
            _ => {}
        }
        row.eligible += 1;
        if room.ai_handled {
            row.ai_handled += 1;
        }
        if room.counts_after_hours() {
            row.after_hours += 1;
        }
        match room.outcome {
            Outcome::AiOnly => {
                row.contained += 1;
                row.contained_customer_messages += room.customer_messages;
                if room.came_back.is_some() {
                    row.reopened += 1;
                }
                if let Some(value) = room.sentiment {
                    row.contained_sentiment_sum += value;
                    row.contained_sentiment_squares += value * value;
                    row.contained_sentiment_rooms += 1;
                }
            }
            Outcome::AiAssisted | Outcome::Escalated => {
                if room.outcome == Outcome::AiAssisted {
                    row.ai_assisted += 1;
                } else {
                    row.escalated += 1;
                }
                if let Some(value) = room.sentiment {
                    row.human_sentiment_sum += value;
                    row.human_sentiment_squares += value * value;
                    row.human_sentiment_rooms += 1;
                }
            }
            Outcome::Other => row.other += 1,
            Outcome::TestChat | Outcome::Spam => {}
        }
    }
    by_day.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_one_rule_in_its_own_place() {
        for (index, list) in ConversationList::ALL.into_iter().enumerate() {
            assert_eq!(LISTS[index].list, list, "LISTS is in the enum's order");
            assert_eq!(ConversationList::parse(list.name()), Some(list));
        }
        let names: std::collections::BTreeSet<&str> = LISTS.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), LISTS.len(), "every name once");
        assert_eq!(ConversationList::parse("solved"), None);
    }
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
        assert!(index.follow_up("r", "exact", closed).is_some());
        assert!(index.follow_up("r", "late", closed).is_none());
        assert!(index.follow_up("r", "during", closed).is_none());
        assert!(index.follow_up("r", "same_instant", closed).is_none());
        assert!(index.follow_up("r", "nobody", closed).is_none());
    }

    #[test]
    fn a_room_is_never_its_own_follow_up() {
        // A bad row: closed an hour before it was created, so its own start lies in
        // its 48-hour window.
        let created = at("2026-10-02T10:00:00+07:00");
        let closed = created - Duration::hours(1);
        let alone = ReopenIndex::new([("c".to_string(), "r".to_string(), created)]);
        assert!(alone.follow_up("r", "c", closed).is_none());
        let with_another = ReopenIndex::new([
            ("c".to_string(), "r".to_string(), created),
            (
                "c".to_string(),
                "r2".to_string(),
                created + Duration::hours(1),
            ),
        ]);
        assert!(with_another.follow_up("r", "c", closed).is_some());
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
        let rooms = [contained, late_evening_utc, spam];
        let outcomes = room_outcomes(&organization, &[day], &rooms, &reopens, false);
        assert_eq!(outcomes.len(), 3);
        assert_eq!(
            outcomes[0].came_back.as_ref().map(|c| c.room_id.as_str()),
            Some("r2")
        );
        assert_eq!(outcomes[2].outcome, Outcome::Spam);
        let rows = tally_days(&[day], &outcomes, false);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!((row.eligible, row.ai_handled, row.contained), (2, 1, 1));
        assert_eq!((row.reopened, row.escalated, row.after_hours), (1, 1, 0));
        assert_eq!((row.test_chats, row.spam), (0, 1));
        assert_eq!(row.contained_sentiment_rooms, 1);
        assert_eq!(row.contained_customer_messages, 2);

        let pending_rooms = [room(Some("RESOLVE_AI"), false, 1)];
        let pending = tally_days(
            &[day],
            &room_outcomes(&organization, &[day], &pending_rooms, &reopens, true),
            true,
        );
        assert!(pending[0].sentiment_pending);
        assert_eq!(pending[0].contained_sentiment_rooms, 0);
    }
}
