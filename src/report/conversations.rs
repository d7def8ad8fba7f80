//! The conversations behind a figure, as people and programs read them: one row per
//! room outcome, in the organization's time, with its outcome in words and a link to
//! the conversation in the host's inbox. The API's list, the CSV, the workbook and
//! the page all show these rows.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::i18n::{lists as words, Lang, Phrase};
use crate::metrics::rooms::{ConversationList, Outcome, RoomOutcome, REOPEN_WINDOW_HOURS};

/// A room outcome ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub room_id: String,
    pub day: chrono::NaiveDate,
    pub created_at: DateTime<Tz>,
    pub closed_at: Option<DateTime<Tz>>,
    pub channel: String,
    /// The finest list the room is in: `solved_alone`, `came_back`, `ai_assisted`,
    /// `escalated`, `other`, `test_chat` or `spam`.
    pub outcome: ConversationList,
    pub came_back: Option<CameBackView>,
    pub after_hours: Option<bool>,
    pub customer_messages: i64,
    pub ai_messages: i64,
    pub sentiment: Option<f64>,
    pub inbox_url: Option<String>,
    /// Solved alone, but its customer's 48 hours to come back were not over when
    /// the source was last read: it can still change (METRICS.md §8.4).
    pub provisional: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CameBackView {
    pub room_id: String,
    pub created_at: DateTime<Tz>,
    /// Hours from this room's close to the customer's next room, one decimal.
    pub hours_later: f64,
    pub inbox_url: Option<String>,
}

/// Where a conversation opens in the host's inbox: `server.inbox_url_template` with
/// `{room_id}` replaced by the room id (percent-encoded); no link when unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxLinks {
    template: Option<String>,
}

/// What a room id keeps of itself in a link: RFC 3986's unreserved characters and
/// `@` and `:`, which a path segment and a query value both take as they are (ids
/// like `8f14e45f-ceea…` or `62812@s.whatsapp.net` stay readable); everything else
/// is percent-encoded.
const KEPT_IN_LINKS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@')
    .remove(b':');

impl InboxLinks {
    pub const PLACEHOLDER: &'static str = "{room_id}";

    /// Checks the template: an absolute http(s) URL holding `{room_id}`.
    pub fn new(template: Option<&str>) -> Result<Self, String> {
        let Some(template) = template.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Self::default());
        };
        if let Some(problem) = crate::text::link_problem(template) {
            return Err(format!(
                "server.inbox_url_template {problem}, not '{}'",
                crate::text::excerpt(template)
            ));
        }
        // The id goes in the path or the query, never in the host: `@` and `:` are
        // kept as they are, and right after the host they could name another one.
        let after_scheme = template.split_once("://").map_or("", |(_, rest)| rest);
        if after_scheme
            .find(Self::PLACEHOLDER)
            .is_some_and(|at| !after_scheme[..at].contains('/'))
        {
            return Err(format!(
                "server.inbox_url_template must put {} after the host's first /",
                Self::PLACEHOLDER
            ));
        }
        if !template.contains(Self::PLACEHOLDER) {
            return Err(format!(
                "server.inbox_url_template must contain {}",
                Self::PLACEHOLDER
            ));
        }
        Ok(Self {
            template: Some(template.to_string()),
        })
    }

    pub fn link(&self, room_id: &str) -> Option<String> {
        let encoded = utf8_percent_encode(room_id, KEPT_IN_LINKS).to_string();
        self.template
            .as_ref()
            .map(|template| template.replace(Self::PLACEHOLDER, &encoded))
    }
}

impl Conversation {
    /// The room as people read it; `read_until` is how far the source was read for
    /// the organization (its mark), which says whether its 48 hours are over.
    pub fn new(
        room: &RoomOutcome,
        timezone: Tz,
        links: &InboxLinks,
        read_until: Option<DateTime<Utc>>,
    ) -> Self {
        let local = |instant: DateTime<Utc>| instant.with_timezone(&timezone);
        let outcome = match room.outcome {
            Outcome::AiOnly if room.came_back.is_some() => ConversationList::CameBack,
            Outcome::AiOnly => ConversationList::SolvedAlone,
            Outcome::AiAssisted => ConversationList::AiAssisted,
            Outcome::Escalated => ConversationList::Escalated,
            Outcome::Other => ConversationList::Other,
            Outcome::TestChat => ConversationList::TestChat,
            Outcome::Spam => ConversationList::Spam,
        };
        let came_back = room.came_back.as_ref().map(|back| {
            let seconds = room
                .closed_at
                .map(|closed| (back.created_at - closed).num_seconds())
                .unwrap_or_default();
            CameBackView {
                room_id: back.room_id.clone(),
                created_at: local(back.created_at),
                hours_later: (seconds as f64 / 360.0).round() / 10.0,
                inbox_url: links.link(&back.room_id),
            }
        });
        Conversation {
            room_id: room.room_id.clone(),
            day: room.day,
            created_at: local(room.created_at),
            closed_at: room.closed_at.map(local),
            channel: room.channel.clone(),
            outcome,
            came_back,
            after_hours: room.after_hours,
            customer_messages: room.customer_messages,
            ai_messages: room.ai_messages,
            sentiment: room.sentiment,
            inbox_url: links.link(&room.room_id),
            provisional: outcome == ConversationList::SolvedAlone
                && can_still_come_back(room.closed_at, read_until),
        }
    }

    /// For a conversation solved alone with no customer back (yet): "did not come
    /// back within 2 days", or "can still change" while those 2 days are not over.
    pub fn not_back_words(&self, lang: Lang) -> Option<&'static str> {
        match (&self.came_back, self.outcome, self.provisional) {
            (None, ConversationList::SolvedAlone, false) => {
                Some(words::DID_NOT_COME_BACK.text(lang))
            }
            (None, ConversationList::SolvedAlone, true) => Some(words::CAN_STILL_CHANGE.text(lang)),
            _ => None,
        }
    }

    /// The cells of a download row, in the order of `columns`.
    pub fn cells(&self, lang: Lang) -> Vec<Cell> {
        let text = |phrase: Phrase| Cell::Text(phrase.text(lang).to_string());
        let number = |value: Option<f64>, decimals: usize| {
            value.map_or(Cell::Empty, |value| Cell::Number { value, decimals })
        };
        vec![
            Cell::Text(self.room_id.clone()),
            Cell::Date(self.day),
            Cell::DateTime(self.created_at.naive_local()),
            self.closed_at.as_ref().map_or_else(
                || text(words::STILL_OPEN),
                |at| Cell::DateTime(at.naive_local()),
            ),
            Cell::Worded {
                machine: Box::new(Cell::Text(self.channel.clone())),
                person: crate::i18n::channel_name(&self.channel, lang),
            },
            Cell::Text(words::title(self.outcome, lang).to_string()),
            match (&self.came_back, self.not_back_words(lang)) {
                (Some(back), _) => Cell::Text(back.room_id.clone()),
                // Blank for tools (the last column says whether it can still
                // change); for a person, said where it was looked for.
                (None, Some(words)) => Cell::Worded {
                    machine: Box::new(Cell::Empty),
                    person: words.to_string(),
                },
                (None, None) => Cell::Empty,
            },
            number(self.came_back.as_ref().map(|back| back.hours_later), 1),
            match self.after_hours {
                Some(true) => text(words::YES),
                Some(false) => text(words::NO),
                None => text(words::NOT_SET),
            },
            number(Some(self.customer_messages as f64), 0),
            number(Some(self.ai_messages as f64), 0),
            Cell::Worded {
                machine: Box::new(number(self.sentiment, 2)),
                person: mood_words(self.sentiment, lang),
            },
            self.inbox_url.clone().map_or(Cell::Empty, Cell::Link),
            text(if self.provisional {
                words::YES
            } else {
                words::NO
            }),
        ]
    }
}

/// One cell of a download row: the CSV writes each as text, the workbook writes
/// numbers as numbers a person can sum or sort and links as links.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number {
        value: f64,
        decimals: usize,
    },
    /// A day, and a local date and time: the CSV writes them as ISO text for tools,
    /// the workbook as dates a person can sort and filter.
    Date(chrono::NaiveDate),
    DateTime(chrono::NaiveDateTime),
    Link(String),
    /// A value a tool and a person read differently (a channel's code and its name,
    /// a mood's value and its words): the CSV writes `machine`, the workbook
    /// `person`.
    Worded {
        machine: Box<Cell>,
        person: String,
    },
    Empty,
}

impl Cell {
    /// The cell as CSV text. Numbers in a file for tools use a decimal point,
    /// whatever the language; text that a spreadsheet would run as a formula is
    /// neutralised and invisible characters are shown (`text::spreadsheet_text`).
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(text) => crate::text::spreadsheet_text(text).into_owned(),
            Cell::Link(text) => text.clone(),
            Cell::Number { value, decimals } => format!("{value:.decimals$}"),
            Cell::Date(day) => day.to_string(),
            Cell::DateTime(at) => at.format(LOCAL_TIME).to_string(),
            Cell::Worded { machine, .. } => machine.csv(),
            Cell::Empty => String::new(),
        }
    }
}

/// The header of a download, in the caller's language.
/// The download's columns, in the order of `Conversation::cells`: each title, and
/// how wide a workbook shows it (in characters) so that its usual content fits.
const COLUMNS: [(Phrase, f64); 14] = [
    (words::COLUMN_ROOM, 26.0),
    (words::COLUMN_DAY, 12.0),
    (words::COLUMN_STARTED, 18.0),
    (words::COLUMN_CLOSED, 18.0),
    (words::COLUMN_CHANNEL, 14.0),
    (words::COLUMN_OUTCOME, 40.0),
    (words::COLUMN_CAME_BACK_WITH, 26.0),
    (words::COLUMN_CAME_BACK_HOURS, 14.0),
    (words::COLUMN_AFTER_HOURS, 14.0),
    (words::COLUMN_CUSTOMER_MESSAGES, 12.0),
    (words::COLUMN_AI_MESSAGES, 12.0),
    (words::COLUMN_MOOD, 16.0),
    (words::COLUMN_LINK, 48.0),
    (words::COLUMN_CAN_STILL_CHANGE, 16.0),
];

/// Whether a conversation closed at `closed_at` may still see its customer come
/// back: its 48 hours were not over at `read_until`, the source's read mark (the
/// server passes the present moment while no run has recorded one).
pub fn can_still_come_back(
    closed_at: Option<DateTime<Utc>>,
    read_until: Option<DateTime<Utc>>,
) -> bool {
    match (closed_at, read_until) {
        (Some(closed), Some(read)) => closed + chrono::Duration::hours(REOPEN_WINDOW_HOURS) > read,
        _ => false,
    }
}

pub fn columns(lang: Lang) -> Vec<&'static str> {
    COLUMNS.iter().map(|(title, _)| title.text(lang)).collect()
}

/// How wide a workbook shows each column, in characters.
pub fn column_widths() -> impl Iterator<Item = f64> {
    COLUMNS.iter().map(|(_, width)| *width)
}

/// A conversation's mood in words, its value beside them: positive from +0,25,
/// negative from −0,25 (a quarter of the scale either way), neutral between, and
/// "no mood recorded" where the source has none (docs/metric-decisions.md).
pub fn mood_words(sentiment: Option<f64>, lang: Lang) -> String {
    let Some(value) = sentiment else {
        return words::MOOD_NONE.text(lang).to_string();
    };
    let phrase = if value >= 0.25 {
        words::MOOD_POSITIVE
    } else if value <= -0.25 {
        words::MOOD_NEGATIVE
    } else {
        words::MOOD_NEUTRAL
    };
    phrase.fill(
        lang,
        &[("value", crate::i18n::format_decimal(value, 2, lang))],
    )
}

/// A local time as the CSV writes it, the organization's wall-clock time:
/// `2026-10-05 10:00`.
const LOCAL_TIME: &str = "%Y-%m-%d %H:%M";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_links_encode_the_room_id_and_need_a_placeholder() {
        let links = InboxLinks::new(Some("https://admin.example/inbox/{room_id}")).unwrap();
        assert_eq!(
            links.link("r 1/x").as_deref(),
            Some("https://admin.example/inbox/r%201%2Fx")
        );
        assert_eq!(
            links
                .link("8f14e45f-ceea_1.x~y@s.whatsapp.net:9")
                .as_deref(),
            Some("https://admin.example/inbox/8f14e45f-ceea_1.x~y@s.whatsapp.net:9")
        );
        assert_eq!(
            links.link("a&b=c?d#e%").as_deref(),
            Some("https://admin.example/inbox/a%26b%3Dc%3Fd%23e%25")
        );
        assert!(InboxLinks::new(Some("https://admin.example/\"{room_id}")).is_err());
        assert!(InboxLinks::new(Some("https://inbox.example{room_id}")).is_err());
        assert!(InboxLinks::new(Some("https://{room_id}.example/")).is_err());
        assert!(InboxLinks::new(Some("https://inbox.example/?id={room_id}")).is_ok());
        assert_eq!(InboxLinks::new(None).unwrap().link("r1"), None);
        assert!(InboxLinks::new(Some("https://admin.example/inbox")).is_err());
        assert!(InboxLinks::new(Some("javascript:alert(1)//{room_id}")).is_err());
    }

    #[test]
    fn a_download_row_keeps_numbers_as_numbers_and_leaves_missing_cells_empty() {
        use crate::metrics::rooms::CameBack;
        use chrono::{NaiveDate, TimeZone};
        let at =
            |hour: u32, minute: u32| Utc.with_ymd_and_hms(2026, 10, 5, hour, minute, 0).unwrap();
        let room = RoomOutcome {
            room_id: "r1".into(),
            day: NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(),
            created_at: at(2, 0),
            closed_at: Some(at(3, 0)),
            channel: "wa".into(),
            outcome: Outcome::AiOnly,
            ai_handled: true,
            after_hours: None,
            came_back: Some(CameBack {
                room_id: "r2".into(),
                created_at: at(5, 30),
            }),
            customer_messages: 3,
            ai_messages: 2,
            sentiment: Some(0.25),
        };
        let links = InboxLinks::new(Some("https://admin.example/inbox/{room_id}")).unwrap();
        let row = Conversation::new(&room, chrono_tz::Asia::Jakarta, &links, Some(at(9, 0)));
        let cells = row.cells(Lang::Id);
        assert_eq!(cells.len(), columns(Lang::Id).len());
        let csv: Vec<String> = cells.iter().map(Cell::csv).collect();
        assert_eq!(
            csv,
            [
                "r1",
                "2026-10-05",
                "2026-10-05 09:00",
                "2026-10-05 10:00",
                "wa",
                crate::i18n::figures::CAME_BACK.text(Lang::Id),
                "r2",
                "2.5",
                words::NOT_SET.text(Lang::Id),
                "3",
                "2",
                "0.25",
                "https://admin.example/inbox/r1",
                words::NO.text(Lang::Id),
            ]
        );
        assert_eq!(
            cells[7],
            Cell::Number {
                value: 2.5,
                decimals: 1
            }
        );
        assert_eq!(
            cells[12],
            Cell::Link("https://admin.example/inbox/r1".into())
        );
        // A person's workbook says the mood in words; the CSV keeps the value.
        assert_eq!(
            cells[11],
            Cell::Worded {
                machine: Box::new(Cell::Number {
                    value: 0.25,
                    decimals: 2
                }),
                person: "Positif (0,25)".into()
            }
        );
        let unlinked = Conversation::new(
            &room,
            chrono_tz::Asia::Jakarta,
            &InboxLinks::default(),
            None,
        );
        assert_eq!(unlinked.cells(Lang::En)[12], Cell::Empty);
    }

    #[test]
    fn a_conversation_solved_alone_within_its_48_hours_can_still_change() {
        use chrono::{NaiveDate, TimeZone};
        let closed = Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap();
        let room = RoomOutcome {
            room_id: "r1".into(),
            day: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
            created_at: closed - chrono::Duration::minutes(20),
            closed_at: Some(closed),
            channel: "whatsapp".into(),
            outcome: Outcome::AiOnly,
            ai_handled: true,
            after_hours: None,
            came_back: None,
            customer_messages: 2,
            ai_messages: 2,
            sentiment: None,
        };
        let links = InboxLinks::default();
        let column = |conversation: &Conversation, lang| {
            let cells = conversation.cells(lang);
            (cells[6].clone(), cells[13].clone())
        };
        // Read five hours after it closed: the customer may still come back.
        let recent = Conversation::new(
            &room,
            chrono_tz::Asia::Jakarta,
            &links,
            Some(closed + chrono::Duration::hours(5)),
        );
        assert!(recent.provisional);
        for (lang, words_said, yes) in [
            (Lang::En, "can still change", "yes"),
            (Lang::Id, "masih bisa berubah", "ya"),
        ] {
            let (came_back, still) = column(&recent, lang);
            match came_back {
                Cell::Worded { machine, person } => {
                    assert_eq!(*machine, Cell::Empty);
                    assert!(person.starts_with(words_said), "{person}");
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(still, Cell::Text(yes.into()));
        }
        // Exactly 48 hours later it is settled: it did not come back.
        let settled = Conversation::new(
            &room,
            chrono_tz::Asia::Jakarta,
            &links,
            Some(closed + chrono::Duration::hours(48)),
        );
        assert!(!settled.provisional);
        assert_eq!(
            settled.not_back_words(Lang::En),
            Some("did not come back within 2 days")
        );
        // A customer who came back, or another outcome, is never provisional.
        let mut escalated = room.clone();
        escalated.outcome = Outcome::Escalated;
        assert!(
            !Conversation::new(&escalated, chrono_tz::Asia::Jakarta, &links, Some(closed))
                .provisional
        );
    }
}
