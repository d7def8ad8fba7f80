//! The page of a figure's conversations (`/reports/ai-agent-impact/conversations`):
//! the list in plain words and local times, newest first, a page at a time, with
//! the way back to the report and the list's downloads.

use askama::Template;
use chrono::NaiveDate;

use super::{list_url, Words};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use crate::domain::{DateRange, Organization};
use crate::i18n::{self, lists as list_words, web as words, Lang};
use crate::metrics::rooms::{ConversationList, RoomOutcome};
use crate::report::conversations::{self, Conversation, InboxLinks};
use crate::server::paths::REPORT_PATH;
use crate::server::paths::{CONVERSATIONS_CSV, CONVERSATIONS_XLSX};

/// One conversation as a row of the table.
pub struct ListRow {
    pub room_id: String,
    pub started: String,
    pub outcome: &'static str,
    pub channel: String,
    pub came_back: String,
    pub after_hours: &'static str,
    pub messages: String,
    pub mood: String,
    pub inbox_url: Option<String>,
}

#[derive(Template)]
#[template(path = "conversations_page.html")]
pub struct ConversationsPage {
    pub w: Words,
    pub org_name: String,
    pub title: &'static str,
    /// What the list holds, in one sentence.
    pub about: &'static str,
    pub period: String,
    pub page_text: String,
    /// Whether the rows differ in outcome (a list of one outcome has it in its title,
    /// so a column would only repeat it).
    pub show_outcome: bool,
    pub columns: Vec<&'static str>,
    pub rows: Vec<ListRow>,
    pub back: String,
    pub csv: String,
    pub xlsx: String,
    pub other_lang: &'static str,
    pub other_lang_href: String,
    /// Shown on every page but the first.
    pub first_page: Option<String>,
    pub next_page: Option<String>,
}

/// What the page shows: one page of `list` over `range`.
pub struct ListPage<'a> {
    pub organization: &'a Organization,
    pub list: ConversationList,
    pub range: DateRange,
    pub lang: Lang,
    pub rows: &'a [RoomOutcome],
    pub links: &'a InboxLinks,
    /// How far the source was read: rows whose 48 hours are not over can still change.
    pub read_until: Option<chrono::DateTime<chrono::Utc>>,
    /// This page's own cursor (none on the first page) and the next page's.
    pub cursor: Option<&'a str>,
    pub next_cursor: Option<String>,
    /// How many conversations the whole list holds.
    pub total: i64,
}

impl ConversationsPage {
    pub fn new(page: ListPage<'_>) -> Self {
        let ListPage {
            organization,
            list,
            range,
            lang,
            rows,
            links,
            read_until,
            cursor,
            next_cursor,
            total,
        } = page;
        let (from, to) = (range.from(), range.to());
        let here = list_url(from, to, lang, list);
        let show_outcome = matches!(
            list,
            ConversationList::AiOnly | ConversationList::AfterHours
        );
        let with_range = |path: &str| {
            format!(
                "{path}?outcome={}&from={from}&to={to}&lang={}",
                list.name(),
                lang.code()
            )
        };
        let other = lang.other();
        let mut other_lang_href = list_url(from, to, other, list);
        if let Some(cursor) = cursor {
            // The caller's own text: encoded, so that it stays one parameter.
            let cursor = utf8_percent_encode(cursor, NON_ALPHANUMERIC);
            other_lang_href.push_str(&format!("&cursor={cursor}"));
        }
        ConversationsPage {
            w: Words { lang },
            org_name: organization.name.clone(),
            title: crate::i18n::lists::title(list, lang),
            about: crate::i18n::lists::about(list, lang),
            period: words::LIST_PERIOD.fill(
                lang,
                &[
                    ("from", i18n::format_date(from, lang)),
                    ("to", i18n::format_date(to, lang)),
                    ("timezone", i18n::zone_name(organization.timezone.name())),
                ],
            ),
            page_text: words::LIST_COUNT.fill(
                lang,
                total,
                &[("shown", i18n::format_count(rows.len() as i64, lang))],
            ),
            show_outcome,
            columns: [list_words::COLUMN_STARTED]
                .into_iter()
                .chain(show_outcome.then_some(list_words::COLUMN_OUTCOME))
                .chain([
                    list_words::COLUMN_CHANNEL,
                    list_words::COLUMN_CAME_BACK_WITH,
                    list_words::COLUMN_AFTER_HOURS,
                    list_words::COLUMN_MESSAGES,
                    list_words::COLUMN_MOOD,
                    list_words::COLUMN_LINK,
                ])
                .map(|phrase| phrase.text(lang))
                .collect(),
            rows: rows
                .iter()
                .map(|room| {
                    let conversation =
                        Conversation::new(room, organization.timezone, links, read_until);
                    row(&conversation, lang)
                })
                .collect(),
            back: report_url(from, to, lang),
            csv: with_range(CONVERSATIONS_CSV),
            xlsx: with_range(CONVERSATIONS_XLSX),
            other_lang: other.code(),
            other_lang_href,
            first_page: cursor.map(|_| here.clone()),
            next_page: next_cursor.map(|next| format!("{here}&cursor={next}")),
        }
    }
}

/// The report for the same range and language: where "back" goes.
pub(crate) fn report_url(from: NaiveDate, to: NaiveDate, lang: Lang) -> String {
    format!("{REPORT_PATH}?from={from}&to={to}&lang={}", lang.code())
}

fn row(conversation: &Conversation, lang: Lang) -> ListRow {
    let yes_no = |flag: Option<bool>| match flag {
        Some(true) => list_words::YES.text(lang),
        Some(false) => list_words::NO.text(lang),
        None => list_words::NOT_SET.text(lang),
    };
    ListRow {
        room_id: conversation.room_id.clone(),
        started: i18n::format_date_time(conversation.created_at.naive_local(), lang),
        outcome: crate::i18n::lists::title(conversation.outcome, lang),
        channel: i18n::channel_name(&conversation.channel, lang),
        came_back: conversation
            .came_back
            .as_ref()
            .map(|back| {
                words::CAME_BACK_AFTER.fill(
                    lang,
                    &[
                        ("hours", i18n::format_decimal(back.hours_later, 1, lang)),
                        ("room", back.room_id.clone()),
                    ],
                )
            })
            .unwrap_or_else(|| {
                conversation
                    .not_back_words(lang)
                    .unwrap_or_default()
                    .to_string()
            }),
        after_hours: yes_no(conversation.after_hours),
        messages: words::MESSAGES_CELL.fill(
            lang,
            &[
                (
                    "customer",
                    i18n::format_count(conversation.customer_messages, lang),
                ),
                ("ai", i18n::format_count(conversation.ai_messages, lang)),
            ],
        ),
        mood: conversations::mood_words(conversation.sentiment, lang),
        inbox_url: conversation.inbox_url.clone(),
    }
}
