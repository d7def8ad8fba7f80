//! Every user-visible phrase of the report by name, and the number, money and date
//! formats, each in the reader's language from CLDR (`cldr`: `Rp 1,250,000` and
//! `47.6` in English, `Rp 1.250.000` and `47,6` in Indonesian). The words of both languages are in
//! the Fluent resources `locales/en/impact.ftl` and `locales/id/impact.ftl`
//! (`catalog` reads them; `build.rs` checks them against the names here).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod catalog;
mod cldr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Id,
}

impl Lang {
    /// The language the page offers to switch to.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Id,
            Lang::Id => Lang::En,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "id" => Some(Lang::Id),
            _ => None,
        }
    }

    /// The language for any language tag a host may send (`id`, `id-ID`, `ID`,
    /// `en-US`, …): a tag starting with `id` is Bahasa Indonesia, anything else English.
    pub fn from_tag(tag: &str) -> Self {
        let tag = tag.trim().as_bytes();
        if tag.len() >= 2 && tag[..2].eq_ignore_ascii_case(b"id") {
            Lang::Id
        } else {
            Lang::En
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
        }
    }
}

/// A message without blanks, by its id in the Fluent resources
/// (`locales/en/impact.ftl`, `locales/id/impact.ftl`), where translators keep the
/// words of both languages. The build checks that every id named here exists in
/// both files, and that a `Phrase` has no blanks and a `Template` has some, so a
/// sentence with a blank can never be shown without its value (`build.rs`).
#[derive(Debug, Clone, Copy)]
pub struct Phrase {
    id: &'static str,
}

impl Phrase {
    pub const fn id(id: &'static str) -> Self {
        Self { id }
    }

    /// The message's words.
    pub fn text(&self, lang: Lang) -> &'static str {
        catalog::text(self.id, lang)
    }
}

/// A message with blanks (`{ $name }`), which only `fill` can show.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    id: &'static str,
}

impl Template {
    pub const fn id(id: &'static str) -> Self {
        Self { id }
    }

    /// The message with each blank filled with its value. A value written as a
    /// whole count (`1.250`) also chooses the words that follow a count
    /// (`{ $n -> [one] … *[other] … }`).
    pub fn fill(&self, lang: Lang, values: &[(&str, String)]) -> String {
        catalog::fill(self.id, lang, values)
    }
}

/// Where a message with or without blanks is taken (an error's words, say), a
/// phrase is a template whose blanks are none.
impl From<Phrase> for Template {
    fn from(phrase: Phrase) -> Self {
        Self { id: phrase.id }
    }
}

/// A message whose words follow a count, `$n` ("1 point", "2 points");
/// Indonesian does not inflect, so its file has one form.
#[derive(Debug, Clone, Copy)]
pub struct Plural(Template);

impl Plural {
    pub const fn id(id: &'static str) -> Self {
        Self(Template::id(id))
    }

    /// The form for `n`, with `$n` and each of `values` filled in.
    pub fn fill(&self, lang: Lang, n: i64, values: &[(&str, String)]) -> String {
        let mut all = vec![("n", format_count(n, lang))];
        all.extend(values.iter().cloned());
        self.0.fill(lang, &all)
    }
}

/// Counted units, to fill a phrase's blank with a count and its word.
pub mod units {
    use super::Plural;

    pub const POINTS: Plural = Plural::id("units-points");
    pub const DAYS: Plural = Plural::id("units-days");
}

/// A whole number as the reader's language writes it (CLDR): `1,250,000` in
/// English, `1.250.000` in Indonesian.
pub(crate) fn format_count(value: i64, lang: Lang) -> String {
    cldr::count(value, lang)
}

/// Rupiah as both languages write them, with the language's own digits: `Rp
/// 1,250,000` / `Rp 1.250.000`. The sign is ours: CLDR's English names the currency
/// `IDR`, but our readers write Rp in English too, and no fraction (rupiah have no
/// cents in use).
pub(crate) fn format_rupiah(value: i64, lang: Lang) -> String {
    format!("Rp {}", format_count(value, lang))
}

/// A number with `decimals` decimals, in the reader's language: `1,234.5` /
/// `1.234,5`.
pub(crate) fn format_decimal(value: f64, decimals: usize, lang: Lang) -> String {
    cldr::decimal(value, decimals, lang)
}

/// A rate in [0, 1] as a whole percentage: `48%`. Both languages' CLDR percent
/// pattern is the number followed by `%`, with no space.
pub(crate) fn format_percent(rate: f64, lang: Lang) -> String {
    format_percent_to(rate, 0, lang)
}

/// A rate in [0, 1] as a percentage with `decimals` decimals: `87.5%` / `87,5%`.
pub(crate) fn format_percent_to(rate: f64, decimals: usize, lang: Lang) -> String {
    format!("{}%", format_decimal(rate * 100.0, decimals, lang))
}

/// A rate that is judged against `thresholds` (METRICS.md §4.10): a whole percentage,
/// unless that written figure could stand for rates on both sides of a threshold
/// (`10%` is 9,6 % and 10,4 %, around a threshold of 10 %); then one decimal
/// (`9.8%`, `10.3%`, and `10.0%` for exactly 10 %), and more in the rare case one
/// decimal still straddles it (`9.96%`). So one written figure has one verdict.
pub(crate) fn format_rate(rate: f64, thresholds: &[f64], lang: Lang) -> String {
    format_percent_to(rate, rate_decimals(rate, thresholds), lang)
}

/// How many decimals `format_rate` writes `rate` with.
pub(crate) fn rate_decimals(rate: f64, thresholds: &[f64]) -> usize {
    let percent = rate * 100.0;
    // Written with `decimals`, the figure stands for every rate within half a unit
    // of its last digit; a threshold inside that span (or on its edge) is straddled.
    let straddles = |decimals: i32| {
        let unit = 10f64.powi(-decimals);
        let written = (percent / unit).round() * unit;
        thresholds
            .iter()
            .any(|threshold| (written - threshold * 100.0).abs() <= unit / 2.0 + 1e-9)
    };
    let on_a_threshold = thresholds
        .iter()
        .any(|threshold| crate::metrics::threshold::compare(percent, threshold * 100.0).is_eq());
    if !straddles(0) {
        0
    } else if on_a_threshold {
        // Exactly on it, the figure has the threshold's own verdict: `10,0%`.
        1
    } else {
        (1..=MAX_RATE_DECIMALS)
            .find(|decimals| !straddles(*decimals))
            .unwrap_or(MAX_RATE_DECIMALS) as usize
    }
}

/// The most decimals a rate is written with: a rate k of n differs from a threshold
/// by at least 1/n, so six places tell apart any rate of up to 100 million
/// conversations.
const MAX_RATE_DECIMALS: i32 = 6;

/// A day as the reader's language writes it (CLDR): `1 Oct 2026` / `1 Okt 2026`.
pub(crate) fn format_date(day: NaiveDate, lang: Lang) -> String {
    cldr::date(day, lang)
}

/// A period of days: one date, or `1 Oct 2026 – 7 Oct 2026`.
pub(crate) fn format_period(from: NaiveDate, to: NaiveDate, lang: Lang) -> String {
    if from == to {
        format_date(from, lang)
    } else {
        format!("{} – {}", format_date(from, lang), format_date(to, lang))
    }
}

/// A local date and time as people write it in each language (CLDR): `3 Dec
/// 2026, 11:43 pm` / `3 Des 2026, 23.43`.
pub(crate) fn format_date_time(at: chrono::NaiveDateTime, lang: Lang) -> String {
    cldr::date_time(at, lang)
}

/// A channel as people name it (`whatsapp`, ` WhatsApp ` → WhatsApp); a channel this
/// list does not know is shown as it was written, trimmed.
pub(crate) fn channel_name(raw: &str, lang: Lang) -> String {
    let key: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let name = match key.as_str() {
        "whatsapp" | "wa" => "WhatsApp",
        "instagram" | "ig" => "Instagram",
        "facebook" | "messenger" | "facebookmessenger" => "Facebook Messenger",
        "livechat" | "web" | "webchat" | "widget" => LIVE_CHAT.text(lang),
        "telegram" => "Telegram",
        "line" => "LINE",
        "email" | "mail" => "Email",
        "tiktok" => "TikTok",
        "botpreview" => TEST_CHAT_CHANNEL.text(lang),
        _ => return raw.trim().to_string(),
    };
    name.to_string()
}

const LIVE_CHAT: Phrase = Phrase::id("live-chat");
const TEST_CHAT_CHANNEL: Phrase = Phrase::id("test-chat-channel");

/// `Dec 2026` / `Des 2026`.
pub(crate) fn format_month(day: NaiveDate, lang: Lang) -> String {
    cldr::month(day, lang)
}

/// A time zone as people write it: WIB, WITA and WIT for Indonesia's three zones,
/// the place's name for any other (`Asia/Singapore` → `Singapore`), as the IANA name
/// ends. The same in both languages (Indonesians write WIB in English too).
pub(crate) fn zone_name(iana: &str) -> String {
    match iana {
        "Asia/Jakarta" | "Asia/Pontianak" => "WIB".to_string(),
        "Asia/Makassar" | "Asia/Ujung_Pandang" => "WITA".to_string(),
        "Asia/Jayapura" => "WIT".to_string(),
        other => other.rsplit('/').next().unwrap_or(other).replace('_', " "),
    }
}

/// "about 5 in 10", the way the admin repeats the hero figure to her boss.
pub(crate) fn in_ten(rate: f64, lang: Lang) -> String {
    let tenths = (rate * 10.0).round() as i64;
    if rate > 0.0 && tenths == 0 {
        return FEWER_THAN_ONE_IN_TEN.text(lang).to_string();
    }
    if rate < 1.0 && tenths >= 10 {
        return NEARLY_ALL.text(lang).to_string();
    }
    ABOUT_IN_TEN.fill(lang, &[("n", tenths.to_string())])
}

const ABOUT_IN_TEN: Template = Template::id("about-in-ten");
const FEWER_THAN_ONE_IN_TEN: Phrase = Phrase::id("fewer-than-one-in-ten");
const NEARLY_ALL: Phrase = Phrase::id("nearly-all");

/// The report's words.
pub mod report {
    use super::{Phrase, Template};

    pub const HEADLINE_OK: Template = Template::id("report-headline-ok");
    pub const HEADLINE_SAVED: Template = Template::id("report-headline-saved");
    pub const MONEY_SUM: Template = Template::id("report-money-sum");
    /// What the AI cost against what it saved (docs/metrics.md §4.4), when the
    /// organization gave its price: the same sentence in the headline and the tile.
    pub const RETURN_GAIN: Template = Template::id("report-return-gain");
    pub const RETURN_LOSS: Template = Template::id("report-return-loss");
    /// How far the organization has come since its first 30 days with the AI.
    pub const SINCE_BASELINE_UP: Template = Template::id("report-since-baseline-up");
    pub const SINCE_BASELINE_DOWN: Template = Template::id("report-since-baseline-down");
    pub const SINCE_BASELINE_ABOUT_SAME: Template =
        Template::id("report-since-baseline-about-same");
    /// Where a rate most likely lies (its 95 % interval), under the hero, in the
    /// terminal and in the forecast's read: one vocabulary for ranges.
    pub const LIKELY_BETWEEN: Template = Template::id("report-likely-between");
    pub const HEADLINE_NO_CONVERSATIONS: Template =
        Template::id("report-headline-no-conversations");
    pub const HEADLINE_BASELINE_FORMING: Template =
        Template::id("report-headline-baseline-forming");

    pub const NOTE_OWN_ESTIMATE: Phrase = Phrase::id("report-note-own-estimate");
    pub const NOTE_COUNTED_THROUGH: Template = Template::id("report-note-counted-through");
    pub const NOTE_SET_ASSUMPTION: Phrase = Phrase::id("report-note-set-assumption");
    pub const NOTE_REDUCED_COVERAGE: Template = Template::id("report-note-reduced-coverage");
    pub const NOTE_PROVISIONAL: Template = Template::id("report-note-provisional");
    pub const TREND_PROVISIONAL: Phrase = Phrase::id("report-trend-provisional");
    pub const TREND_BAND: Phrase = Phrase::id("report-trend-band");
    pub const NOTE_SENTIMENT_PENDING: Phrase = Phrase::id("report-note-sentiment-pending");
    pub const NOTE_NO_BUSINESS_HOURS: Phrase = Phrase::id("report-note-no-business-hours");
    pub const NOTE_CAME_BACK: Phrase = Phrase::id("report-note-came-back");

    pub const FORECAST_OK: Template = Template::id("report-forecast-ok");
    pub const FORECAST_WITHHELD: Phrase = Phrase::id("report-forecast-withheld");
    pub const FORECAST_NOT_ENOUGH_HISTORY: Template =
        Template::id("report-forecast-not-enough-history");

    pub const NET_STRONG: Phrase = Phrase::id("report-net-strong");
    pub const NET_HEALTHY: Phrase = Phrase::id("report-net-healthy");
    pub const NET_ROOM_TO_GROW: Phrase = Phrase::id("report-net-room-to-grow");
    pub const NET_NEEDS_ATTENTION: Phrase = Phrase::id("report-net-needs-attention");
    pub const REOPEN_LOW: Phrase = Phrase::id("report-reopen-low");
    pub const REOPEN_MODERATE: Phrase = Phrase::id("report-reopen-moderate");
    pub const REOPEN_HIGH: Phrase = Phrase::id("report-reopen-high");
    pub const TURNS_QUICK: Phrase = Phrase::id("report-turns-quick");
    pub const TURNS_TYPICAL: Phrase = Phrase::id("report-turns-typical");
    pub const TURNS_LONG: Phrase = Phrase::id("report-turns-long");
    pub const AFTER_HOURS_ALWAYS_ON: Phrase = Phrase::id("report-after-hours-always-on");
    pub const AFTER_HOURS_OFFICE: Phrase = Phrase::id("report-after-hours-office");
    pub const MOOD_MORE_POSITIVE: Phrase = Phrase::id("report-mood-more-positive");
    pub const MOOD_LESS_POSITIVE: Phrase = Phrase::id("report-mood-less-positive");
    pub const MOOD_ABOUT_SAME: Phrase = Phrase::id("report-mood-about-same");

    pub const LEDGER: Template = Template::id("report-ledger");
    pub const LEDGER_SPLIT: Template = Template::id("report-ledger-split");
    pub const CHANGE_POINTS_UP: Template = Template::id("report-change-points-up");
    pub const CHANGE_POINTS_DOWN: Template = Template::id("report-change-points-down");
    pub const CHANGE_MORE: Template = Template::id("report-change-more");
    pub const CHANGE_FEWER: Template = Template::id("report-change-fewer");
    pub const CHANGE_HOURS_MORE: Template = Template::id("report-change-hours-more");
    pub const CHANGE_HOURS_FEWER: Template = Template::id("report-change-hours-fewer");
    pub const CHANGE_SAME: Template = Template::id("report-change-same");
    pub const CHANGE_SLIGHTLY_UP: Template = Template::id("report-change-slightly-up");
    pub const CHANGE_SLIGHTLY_DOWN: Template = Template::id("report-change-slightly-down");
    pub const CHANGE_ABOUT_SAME: Template = Template::id("report-change-about-same");
    pub const CHANGE_ABOUT_SAME_MOVE: Template = Template::id("report-change-about-same-move");
    pub const CHANGE_BEFORE_FIRST: Template = Template::id("report-change-before-first");
    pub const MOOD_TOO_FEW: Template = Template::id("report-mood-too-few");
    pub const HEADLINE_FEW_CONVERSATIONS: Template =
        Template::id("report-headline-few-conversations");
    pub const CHANGE_INCOMPLETE: Template = Template::id("report-change-incomplete");
    pub const CHANGE_NONE: Template = Template::id("report-change-none");
    pub const CHANGE_STILL_FORMING: Template = Template::id("report-change-still-forming");
}

/// The names of the report's figures and of its sections: one phrase per concept,
/// the same on the page and in the terminal report (`report::presentation`).
pub mod figures {
    use super::Phrase;

    pub const WHAT_YOUR_AI_DID: Phrase = Phrase::id("figures-what-your-ai-did");
    pub const SOLVED_ALONE: Phrase = Phrase::id("figures-solved-alone");
    pub const CONVERSATIONS: Phrase = Phrase::id("figures-conversations");
    pub const AFTER_HOURS: Phrase = Phrase::id("figures-after-hours");
    pub const TIME_SAVED: Phrase = Phrase::id("figures-time-saved");
    pub const TOGETHER: Phrase = Phrase::id("figures-together");
    /// Every conversation the AI closed with no one from the team (gross
    /// containment): solved on its own and came back together.
    pub const CLOSED_ALONE: Phrase = Phrase::id("figures-closed-alone");
    /// The rest of the AI's solo closes: the customer came back within 2 days, so
    /// they do not count as solved.
    pub const CAME_BACK: Phrase = Phrase::id("figures-came-back");
    pub const AI_ASSISTED: Phrase = Phrase::id("figures-ai-assisted");
    pub const ESCALATED: Phrase = Phrase::id("figures-escalated");
    pub const OTHER: Phrase = Phrase::id("figures-other");
    pub const TEST_CHATS: Phrase = Phrase::id("figures-test-chats");
    pub const SPAM: Phrase = Phrase::id("figures-spam");
    pub const GOOD_JOB: Phrase = Phrase::id("figures-good-job");
    /// The reopen rate: its name says its base (the AI's solo closes), unlike
    /// `CAME_BACK`, a share of all counted conversations.
    pub const REOPEN_RATE: Phrase = Phrase::id("figures-reopen-rate");
    pub const MOOD: Phrase = Phrase::id("figures-mood");
    pub const MESSAGES_TO_SOLVE: Phrase = Phrase::id("figures-messages-to-solve");
    pub const TREND: Phrase = Phrase::id("figures-trend");
    /// Said in a figure's place when it cannot be worked out.
    pub const NOT_AVAILABLE: Phrase = Phrase::id("figures-not-available");
}

/// How the terminal report lays the figures out (`impact report --format text`).
pub mod text_report {
    use super::{Phrase, Template};

    pub const TITLE: Phrase = Phrase::id("text-report-title");
    pub const PERIOD: Phrase = Phrase::id("text-report-period");
    pub const DATA_THROUGH: Phrase = Phrase::id("text-report-data-through");
    pub const NO_DATA_YET: Phrase = Phrase::id("text-report-no-data-yet");
    pub const CONVERSATIONS_VALUE: Template = Template::id("text-report-conversations-value");
    pub const HOURS_VALUE: Template = Template::id("text-report-hours-value");
    pub const MOOD_VALUE: Template = Template::id("text-report-mood-value");
    pub const MESSAGES_VALUE: Template = Template::id("text-report-messages-value");
    pub const NOTES: Phrase = Phrase::id("text-report-notes");
}

/// `impact kpis`: the launch's own numbers, for the people who launch the report.
pub mod kpis {
    use super::{Phrase, Template};

    pub const TITLE: Template = Template::id("kpis-title");
    pub const ADOPTION: Template = Template::id("kpis-adoption");
    pub const REPEAT: Template = Template::id("kpis-repeat");
    pub const RELIABILITY: Template = Template::id("kpis-reliability");
    pub const VALUE: Template = Template::id("kpis-value");
    pub const FORECAST: Template = Template::id("kpis-forecast");
    pub const REVIEW: Template = Template::id("kpis-review");
    pub const GATES: Template = Template::id("kpis-gates");
    pub const MAE: Template = Template::id("kpis-mae");
    pub const STAGE_ALPHA: Phrase = Phrase::id("kpis-stage-alpha");
    pub const STAGE_CLOSED_BETA: Phrase = Phrase::id("kpis-stage-closed-beta");
    pub const STAGE_OPEN_BETA: Phrase = Phrase::id("kpis-stage-open-beta");
    pub const STAGE_GA: Phrase = Phrase::id("kpis-stage-ga");
    pub const MET: Phrase = Phrase::id("kpis-met");
    pub const NOT_MET: Phrase = Phrase::id("kpis-not-met");
    pub const NO_DATA: Phrase = Phrase::id("kpis-no-data");
    pub const PASS: Phrase = Phrase::id("kpis-pass");
    pub const FAIL: Phrase = Phrase::id("kpis-fail");
    pub const RUNNING: Template = Template::id("kpis-running");
    pub const NO_USAGE: Phrase = Phrase::id("kpis-no-usage");
    pub const NO_USAGE_SHORT: Phrase = Phrase::id("kpis-no-usage-short");
    pub const GATE_LINE: Template = Template::id("kpis-gate-line");
    pub const AT_LEAST: Template = Template::id("kpis-at-least");
    pub const AT_MOST: Template = Template::id("kpis-at-most");
    pub const BELOW: Template = Template::id("kpis-below");
    pub const GATE_LOAD_FAILURES: Phrase = Phrase::id("kpis-gate-load-failures");
    pub const GATE_LOADS_OVER_3S: Phrase = Phrase::id("kpis-gate-loads-over-3s");
    pub const GATE_ADMINS_VIEWING: Phrase = Phrase::id("kpis-gate-admins-viewing");
    pub const GATE_RELIABILITY: Phrase = Phrase::id("kpis-gate-reliability");
    pub const GATE_FORECAST_ERROR: Phrase = Phrase::id("kpis-gate-forecast-error");
    pub const GATE_RELIABILITY_DAYS: Template = Template::id("kpis-gate-reliability-days");
    pub const GATE_TRACKING_LIVE: Phrase = Phrase::id("kpis-gate-tracking-live");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_its_title_and_sentence_in_both_languages() {
        use crate::metrics::rooms::ConversationList;
        for list in ConversationList::ALL {
            for lang in [Lang::En, Lang::Id] {
                assert!(!lists::title(list, lang).is_empty(), "{list:?} {lang:?}");
                assert!(!lists::about(list, lang).is_empty(), "{list:?} {lang:?}");
            }
        }
        // A title is the name of the figure the list stands behind.
        assert_eq!(
            lists::title(ConversationList::AiOnly, Lang::Id),
            figures::CLOSED_ALONE.text(Lang::Id)
        );
        assert_eq!(
            lists::about(ConversationList::Spam, Lang::En),
            "Left out of every figure."
        );
    }

    #[test]
    fn rupiah_is_written_each_languages_way() {
        let lang = Lang::Id;
        assert_eq!(format_rupiah(1_250_000, lang), "Rp 1.250.000");
        assert_eq!(format_rupiah(40_000, lang), "Rp 40.000");
        assert_eq!(format_rupiah(999, lang), "Rp 999");
        assert_eq!(format_rupiah(0, lang), "Rp 0");
        assert_eq!(format_count(-1234, lang), "-1.234");
        assert_eq!(format_rupiah(1_250_000, Lang::En), "Rp 1,250,000");
    }

    #[test]
    fn a_rate_beside_a_threshold_gets_the_decimal_that_keeps_its_verdict_apart() {
        let lang = Lang::Id;
        let reopen = [0.10, 0.20];
        assert_eq!(format_rate(0.48, &reopen, lang), "48%");
        assert_eq!(format_rate(0.103, &reopen, lang), "10,3%");
        assert_eq!(format_rate(0.098, &reopen, lang), "9,8%");
        assert_eq!(format_rate(0.10, &reopen, lang), "10,0%");
        assert_eq!(format_rate(0.0996, &reopen, lang), "9,96%");
        assert_eq!(format_rate(0.1004, &reopen, lang), "10,04%");
        assert_eq!(format_rate(0.099_96, &reopen, lang), "9,996%");
        assert_eq!(format_rate(0.100_04, &reopen, lang), "10,004%");
        assert_eq!(format_rate(0.204, &reopen, lang), "20,4%");
        // 10,6 % is written 11%, which no threshold shares.
        assert_eq!(format_rate(0.106, &reopen, lang), "11%");
        let net = [0.60, 0.40, 0.20];
        assert_eq!(format_rate(0.396, &net, lang), "39,6%");
        assert_eq!(format_rate(0.40, &net, lang), "40,0%");
        assert_eq!(format_rate(0.4049, &net, lang), "40,5%");
        assert_eq!(format_rate(0.41, &net, lang), "41%");
        // A threshold between whole percentages: both whole figures beside it
        // take a decimal (which side 12,5 % itself rounds to is not worth trusting).
        assert_eq!(format_rate(0.126, &[0.125], lang), "12,6%");
        assert_eq!(format_rate(0.121, &[0.125], lang), "12,1%");
        assert_eq!(format_rate(0.114, &[0.125], lang), "11%");
        assert_eq!(format_rate(0.0996, &reopen, Lang::En), "9.96%");
    }

    #[test]
    fn decimals_use_the_languages_separator() {
        let lang = Lang::Id;
        assert_eq!(format_decimal(1.727, 1, lang), "1,7");
        assert_eq!(format_decimal(1234.56, 1, lang), "1.234,6");
        assert_eq!(format_decimal(-0.25, 2, lang), "-0,25");
        assert_eq!(format_percent(0.47619, lang), "48%");
        assert_eq!(format_decimal(1234.56, 1, Lang::En), "1,234.6");
    }

    #[test]
    fn in_ten_reads_naturally_at_the_edges() {
        assert_eq!(in_ten(0.476, Lang::En), "about 5 in 10");
        assert_eq!(in_ten(0.476, Lang::Id), "sekitar 5 dari 10");
        assert_eq!(in_ten(0.02, Lang::En), "fewer than 1 in 10");
        assert_eq!(in_ten(0.97, Lang::En), "nearly all");
        assert_eq!(in_ten(1.0, Lang::En), "about 10 in 10");
        assert_eq!(in_ten(0.0, Lang::En), "about 0 in 10");
    }

    #[test]
    fn english_counts_agree_with_their_number_and_indonesian_does_not_inflect() {
        assert_eq!(units::POINTS.fill(Lang::En, 1, &[]), "1 point");
        assert_eq!(units::POINTS.fill(Lang::En, 2, &[]), "2 points");
        assert_eq!(units::POINTS.fill(Lang::En, 0, &[]), "0 points");
        assert_eq!(units::DAYS.fill(Lang::En, 1_000, &[]), "1,000 days");
        assert_eq!(units::DAYS.fill(Lang::Id, 1_000, &[]), "1.000 hari");
        assert_eq!(units::DAYS.fill(Lang::Id, 1, &[]), "1 hari");
        assert_eq!(units::DAYS.fill(Lang::Id, 31, &[]), "31 hari");
        let change = |points: i64| {
            report::CHANGE_POINTS_UP.fill(
                Lang::En,
                &[
                    ("points", units::POINTS.fill(Lang::En, points, &[])),
                    ("days", units::DAYS.fill(Lang::En, 1, &[])),
                ],
            )
        };
        assert_eq!(change(1), "up 1 point from the 1 day before");
        assert_eq!(change(6), "up 6 points from the 1 day before");
    }

    #[test]
    fn a_count_of_one_takes_the_singular_in_english_sentences() {
        let ledger = |lang, all: &str| {
            report::LEDGER.fill(
                lang,
                &[
                    ("all", all.to_string()),
                    ("counted", "1".to_string()),
                    ("test_chats", "1".to_string()),
                    ("spam", "0".to_string()),
                ],
            )
        };
        assert_eq!(
            ledger(Lang::En, "1"),
            "1 conversation in all: 1 counted; 1 test chat and 0 spam left out."
        );
        assert!(ledger(Lang::En, "1.000").starts_with("1.000 conversations in all"));
        assert!(ledger(Lang::Id, "1").starts_with("Semuanya 1 percakapan"));
        let forming = web::FORMING_TEXT.fill(
            Lang::En,
            &[
                ("min_days", "30".to_string()),
                ("min_conversations", "1".to_string()),
                ("days", units::DAYS.fill(Lang::En, 29, &[])),
            ],
        );
        assert!(
            forming.contains("at least 30 days and 1 conversation before"),
            "{forming}"
        );
        // A blank that only looks like a count stays as it came.
        let back = web::CAME_BACK_AFTER.fill(
            Lang::En,
            &[("hours", "2,5".to_string()), ("room", "1234".to_string())],
        );
        assert_eq!(back, "2,5 h later (1234)");
    }

    #[test]
    fn indonesian_zones_are_written_as_people_write_them() {
        assert_eq!(zone_name("Asia/Jakarta"), "WIB");
        assert_eq!(zone_name("Asia/Pontianak"), "WIB");
        assert_eq!(zone_name("Asia/Makassar"), "WITA");
        assert_eq!(zone_name("Asia/Jayapura"), "WIT");
        assert_eq!(zone_name("Asia/Singapore"), "Singapore");
        assert_eq!(zone_name("America/Argentina/Buenos_Aires"), "Buenos Aires");
        assert_eq!(zone_name("UTC"), "UTC");
    }

    #[test]
    fn times_and_channels_read_as_people_write_them() {
        let at = NaiveDate::from_ymd_opt(2026, 12, 3)
            .and_then(|day| day.and_hms_opt(23, 43, 0))
            .unwrap();
        assert_eq!(format_date_time(at, Lang::Id), "3 Des 2026, 23.43");
        assert_eq!(
            format_date_time(at, Lang::En),
            "3 Dec 2026, 11:43\u{202f}pm"
        );
        assert_eq!(channel_name("whatsapp", Lang::En), "WhatsApp");
        assert_eq!(channel_name(" WhatsApp ", Lang::Id), "WhatsApp");
        assert_eq!(channel_name("live_chat", Lang::En), "Live chat");
        assert_eq!(channel_name("bot_preview", Lang::Id), "Chat uji coba");
        assert_eq!(channel_name(" Kios Pasar ", Lang::En), "Kios Pasar");
    }

    #[test]
    fn dates_name_the_month_in_each_language() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        assert_eq!(format_date(day, Lang::En), "1 Oct 2026");
        assert_eq!(format_date(day, Lang::Id), "1 Okt 2026");
    }
}

/// The words of the API's error messages.
pub mod api {
    use super::{Phrase, Template};

    pub const UNAUTHORIZED: Phrase = Phrase::id("api-unauthorized");
    pub const NOT_FOUND: Phrase = Phrase::id("api-not-found");
    pub const FORBIDDEN_ASSUMPTION: Phrase = Phrase::id("api-forbidden-assumption");
    pub const CROSS_SITE: Phrase = Phrase::id("api-cross-site");
    pub const UNAVAILABLE: Phrase = Phrase::id("api-unavailable");
    pub const BUSY_DOWNLOADS: Phrase = Phrase::id("api-busy-downloads");
    pub const INTERNAL: Phrase = Phrase::id("api-internal");
    pub const INVALID_FIELDS: Phrase = Phrase::id("api-invalid-fields");
    pub const BAD_DATE: Template = Template::id("api-bad-date");
    pub const REVERSED_RANGE: Phrase = Phrase::id("api-reversed-range");
    pub const RANGE_TOO_LONG: Phrase = Phrase::id("api-range-too-long");
    pub const RANGE_BEFORE_EARLIEST: Template = Template::id("api-range-before-earliest");
    pub const RANGE_AFTER_TODAY: Template = Template::id("api-range-after-today");
    pub const HALF_RANGE: Phrase = Phrase::id("api-half-range");
    pub const BAD_LANG: Phrase = Phrase::id("api-bad-lang");
    pub const BAD_BODY: Phrase = Phrase::id("api-bad-body");
    pub const RATE_BOUNDS: Template = Template::id("api-rate-bounds");
    pub const MINUTES_BOUNDS: Template = Template::id("api-minutes-bounds");
    pub const AI_PRICE_BOUNDS: Template = Template::id("api-ai-price-bounds");
    pub const NOT_A_WHOLE_NUMBER: Phrase = Phrase::id("api-not-a-whole-number");
    pub const MISSING_FIELD: Phrase = Phrase::id("api-missing-field");
    pub const BAD_REQUEST: Phrase = Phrase::id("api-bad-request");
    pub const METHOD_NOT_ALLOWED: Phrase = Phrase::id("api-method-not-allowed");
    pub const BODY_TIMEOUT: Phrase = Phrase::id("api-body-timeout");
    pub const TOO_LARGE: Phrase = Phrase::id("api-too-large");
    pub const UNSUPPORTED_MEDIA: Phrase = Phrase::id("api-unsupported-media");
    pub const BAD_OUTCOME: Template = Template::id("api-bad-outcome");
    pub const BAD_CURSOR: Phrase = Phrase::id("api-bad-cursor");
    pub const BAD_LIMIT: Template = Template::id("api-bad-limit");
}

/// The words of the web page and the Reports area.
pub mod page {
    use super::Phrase;

    pub const REPORT_TITLE: Phrase = Phrase::id("page-report-title");
    pub const REPORT_DESCRIPTION: Phrase = Phrase::id("page-report-description");
}

/// The words of the demo sign-in page.
pub mod demo {
    use super::Phrase;

    pub const TITLE: Phrase = Phrase::id("demo-title");
    pub const INTRO: Phrase = Phrase::id("demo-intro");
    pub const ORGANIZATION: Phrase = Phrase::id("demo-organization");
    pub const WHAT_TO_EXPECT: Phrase = Phrase::id("demo-what-to-expect");
    pub const SIGN_IN_AS: Phrase = Phrase::id("demo-sign-in-as");
    pub const MATURE: Phrase = Phrase::id("demo-mature");
    pub const MATURE_FORECAST: Phrase = Phrase::id("demo-mature-forecast");
    pub const NO_BUSINESS_HOURS: Phrase = Phrase::id("demo-no-business-hours");
    pub const BRAND_NEW: Phrase = Phrase::id("demo-brand-new");
    pub const FLAG_OFF: Phrase = Phrase::id("demo-flag-off");
    pub const NO_ADDON: Phrase = Phrase::id("demo-no-addon");
    pub const EASTERN: Phrase = Phrase::id("demo-eastern");
    pub const EVENING_HOURS: Phrase = Phrase::id("demo-evening-hours");
    pub const OTHER_LANGUAGE: Phrase = Phrase::id("demo-other-language");
}

/// The words of the report page: plain, no jargon, as a supervisor would say them.
pub mod web {
    use super::{Phrase, Template};

    pub const PAGE_TITLE: Phrase = Phrase::id("web-page-title");
    pub const REPORTS: Phrase = Phrase::id("web-reports");
    pub const RANGE: Phrase = Phrase::id("web-range");
    pub const LAST_7: Phrase = Phrase::id("web-last-7");
    pub const LAST_30: Phrase = Phrase::id("web-last-30");
    pub const LAST_90: Phrase = Phrase::id("web-last-90");
    pub const THIS_MONTH: Phrase = Phrase::id("web-this-month");
    pub const LAST_MONTH: Phrase = Phrase::id("web-last-month");
    pub const CUSTOM: Phrase = Phrase::id("web-custom");
    pub const FROM: Phrase = Phrase::id("web-from");
    pub const TO: Phrase = Phrase::id("web-to");
    pub const SHOW: Phrase = Phrase::id("web-show");
    pub const RANGE_INVALID: Phrase = Phrase::id("web-range-invalid");
    pub const SWITCH_LANGUAGE: Phrase = Phrase::id("web-switch-language");
    pub const OPENING_REPORT: Phrase = Phrase::id("web-opening-report");
    pub const CONTINUE: Phrase = Phrase::id("web-continue");
    pub const SIGN_OUT: Phrase = Phrase::id("web-sign-out");
    pub const SIGNED_OUT_TITLE: Phrase = Phrase::id("web-signed-out-title");
    pub const SIGNED_OUT: Phrase = Phrase::id("web-signed-out");
    pub const COST_SETTINGS: Phrase = Phrase::id("web-cost-settings");

    pub const HERO_BASE: Template = Template::id("web-hero-base");
    pub const CAME_BACK_LINE: Phrase = Phrase::id("web-came-back-line");
    pub const BEFORE_ADJUSTMENT: Phrase = Phrase::id("web-before-adjustment");
    /// What a percentage beside a figure's name is a share of.
    pub const OF_COUNTED: Template = Template::id("web-of-counted");
    pub const BAR_CAPTION: Template = Template::id("web-bar-caption");
    pub const CONVERSATIONS_TEXT: Template = Template::id("web-conversations-text");
    pub const AFTER_HOURS_TEXT: Template = Template::id("web-after-hours-text");
    pub const HOURS: Template = Template::id("web-hours");
    pub const OWN_ESTIMATE: Template = Template::id("web-own-estimate");
    pub const SET_ASSUMPTION: Phrase = Phrase::id("web-set-assumption");
    pub const SET_ASSUMPTION_BUTTON: Phrase = Phrase::id("web-set-assumption-button");
    pub const ASK_ADMIN: Phrase = Phrase::id("web-ask-admin");
    pub const NO_BUSINESS_HOURS: Phrase = Phrase::id("web-no-business-hours");

    pub const NOT_ENOUGH_DATA: Phrase = Phrase::id("web-not-enough-data");
    pub const TILE_FAILED: Phrase = Phrase::id("web-tile-failed");

    pub const MOOD_TEXT: Phrase = Phrase::id("web-mood-text");
    pub const MESSAGES_TEXT: Phrase = Phrase::id("web-messages-text");

    pub const BASELINE_LINE: Template = Template::id("web-baseline-line");
    pub const BASELINE_FORMING: Phrase = Phrase::id("web-baseline-forming");
    pub const TREND_LABEL: Template = Template::id("web-trend-label");

    /// Above a printed report, where the page's range form is not printed.
    pub const PRINT_PERIOD: Template = Template::id("web-print-period");
    pub const PRINT: Phrase = Phrase::id("web-print");
    pub const FRESHNESS: Template = Template::id("web-freshness");
    pub const NO_DATA_YET: Phrase = Phrase::id("web-no-data-yet");

    pub const FORMING_TITLE: Phrase = Phrase::id("web-forming-title");
    pub const FORMING_FEW_TITLE: Phrase = Phrase::id("web-forming-few-title");
    pub const FORMING_FEW_TEXT: Template = Template::id("web-forming-few-text");
    pub const MOOD_COUNTS: Template = Template::id("web-mood-counts");
    pub const CAME_BACK_BASE: Template = Template::id("web-came-back-base");
    pub const POINT_TITLE: Template = Template::id("web-point-title");
    pub const FORMING_TEXT: Template = Template::id("web-forming-text");
    pub const FORMING_READY_ON: Template = Template::id("web-forming-ready-on");
    pub const FORMING_DEPENDS_ON_VOLUME: Template = Template::id("web-forming-depends-on-volume");

    pub const ERROR_TITLE: Phrase = Phrase::id("web-error-title");
    pub const ERROR_TEXT: Phrase = Phrase::id("web-error-text");
    pub const RETRY: Phrase = Phrase::id("web-retry");
    pub const LOADING: Phrase = Phrase::id("web-loading");

    pub const MODAL_TITLE: Phrase = Phrase::id("web-modal-title");
    pub const MODAL_WHY: Phrase = Phrase::id("web-modal-why");
    pub const MODAL_HELPER: Phrase = Phrase::id("web-modal-helper");
    pub const RATE_LABEL: Phrase = Phrase::id("web-rate-label");
    pub const MINUTES_LABEL: Phrase = Phrase::id("web-minutes-label");
    pub const AI_PRICE_LABEL: Phrase = Phrase::id("web-ai-price-label");
    pub const AI_PRICE_HELP: Phrase = Phrase::id("web-ai-price-help");
    pub const SAVE: Phrase = Phrase::id("web-save");
    pub const SAVING: Phrase = Phrase::id("web-saving");
    pub const CANCEL: Phrase = Phrase::id("web-cancel");
    pub const SAVE_FAILED: Phrase = Phrase::id("web-save-failed");

    pub const SIGN_IN_AGAIN: Phrase = Phrase::id("web-sign-in-again");
    pub const NOTHING_HERE: Phrase = Phrase::id("web-nothing-here");
    pub const NO_REPORTS: Phrase = Phrase::id("web-no-reports");
    /// Said to an owner or admin of an organization without the AI add-on.
    pub const NEEDS_ADDON: Phrase = Phrase::id("web-needs-addon");
    pub const YOUR_REPORTS: Phrase = Phrase::id("web-your-reports");
    pub const YOUR_REPORTS_TEXT: Phrase = Phrase::id("web-your-reports-text");
    pub const PAGE_NOT_FOUND_TITLE: Phrase = Phrase::id("web-page-not-found-title");
    pub const PAGE_NOT_FOUND: Phrase = Phrase::id("web-page-not-found");
    pub const REQUEST_PROBLEM_TITLE: Phrase = Phrase::id("web-request-problem-title");
    pub const REQUEST_PROBLEM: Phrase = Phrase::id("web-request-problem");

    pub const LEDGER_TITLE: Phrase = Phrase::id("web-ledger-title");
    pub const SEE_TEST_CHATS: Template = Template::id("web-see-test-chats");
    pub const SEE_SPAM: Template = Template::id("web-see-spam");
    pub const DOWNLOADS_TITLE: Phrase = Phrase::id("web-downloads-title");
    pub const DOWNLOAD_DAILY_XLSX: Phrase = Phrase::id("web-download-daily-xlsx");
    pub const DOWNLOAD_DAILY_CSV: Phrase = Phrase::id("web-download-daily-csv");
    pub const DOWNLOADS_HINT: Phrase = Phrase::id("web-downloads-hint");
    pub const BACK_TO_REPORT: Phrase = Phrase::id("web-back-to-report");
    pub const LIST_PERIOD: Template = Template::id("web-list-period");
    pub const LIST_EMPTY: Phrase = Phrase::id("web-list-empty");
    /// How many conversations the list holds (`{n}`, its figure) and this page shows.
    pub const LIST_COUNT: super::Plural = super::Plural::id("web-list-count");
    pub const OLDER: Phrase = Phrase::id("web-older");
    pub const FIRST_PAGE: Phrase = Phrase::id("web-first-page");
    pub const DOWNLOAD_LIST_XLSX: Phrase = Phrase::id("web-download-list-xlsx");
    pub const DOWNLOAD_LIST_CSV: Phrase = Phrase::id("web-download-list-csv");
    pub const LIST_TABLE: Phrase = Phrase::id("web-list-table");
    pub const OPEN_IN_INBOX: Phrase = Phrase::id("web-open-in-inbox");
    pub const CAME_BACK_AFTER: Template = Template::id("web-came-back-after");
    pub const MESSAGES_CELL: Template = Template::id("web-messages-cell");
    pub const LIST_NOT_FOUND: Phrase = Phrase::id("web-list-not-found");
}

/// The words of the conversation lists and the downloads (page, CSV, workbook).
pub mod lists {
    use super::{catalog, Lang, Phrase, Template};
    use crate::metrics::rooms::ConversationList;

    /// A list's title: the name of the figure it stands behind, as the report says
    /// it (`lists-title-<name>` in the word files, a reference to that name).
    pub fn title(list: ConversationList, lang: Lang) -> &'static str {
        by_name("title", list, lang)
    }

    /// What a list holds, in one sentence under its title (`lists-about-<name>`).
    pub fn about(list: ConversationList, lang: Lang) -> &'static str {
        by_name("about", list, lang)
    }

    /// A list's words are found by its name in `metrics::rooms::LISTS`, so a new
    /// list adds its two messages to the word files and no code; `build.rs` holds
    /// every list of `LISTS` to having both, in both languages. Were one missing
    /// all the same, the list's name on the API is shown, never a blank.
    fn by_name(kind: &str, list: ConversationList, lang: Lang) -> &'static str {
        let id = format!("lists-{kind}-{}", list.name().replace('_', "-"));
        catalog::find(&id, lang).unwrap_or_else(|| {
            tracing::error!(id, lang = lang.code(), "a list has no words");
            list.name()
        })
    }

    pub const COLUMN_ROOM: Phrase = Phrase::id("lists-column-room");
    pub const COLUMN_DAY: Phrase = Phrase::id("lists-column-day");
    pub const COLUMN_STARTED: Phrase = Phrase::id("lists-column-started");
    pub const COLUMN_CLOSED: Phrase = Phrase::id("lists-column-closed");
    pub const COLUMN_CHANNEL: Phrase = Phrase::id("lists-column-channel");
    pub const COLUMN_OUTCOME: Phrase = Phrase::id("lists-column-outcome");
    pub const COLUMN_CAME_BACK_WITH: Phrase = Phrase::id("lists-column-came-back-with");
    pub const COLUMN_CAME_BACK_HOURS: Phrase = Phrase::id("lists-column-came-back-hours");
    pub const COLUMN_AFTER_HOURS: Phrase = Phrase::id("lists-column-after-hours");
    pub const COLUMN_CUSTOMER_MESSAGES: Phrase = Phrase::id("lists-column-customer-messages");
    pub const COLUMN_AI_MESSAGES: Phrase = Phrase::id("lists-column-ai-messages");
    pub const COLUMN_MESSAGES: Phrase = Phrase::id("lists-column-messages");
    pub const COLUMN_MOOD: Phrase = Phrase::id("lists-column-mood");
    pub const COLUMN_LINK: Phrase = Phrase::id("lists-column-link");
    pub const COLUMN_CAN_STILL_CHANGE: Phrase = Phrase::id("lists-column-can-still-change");
    pub const YES: Phrase = Phrase::id("lists-yes");
    pub const NO: Phrase = Phrase::id("lists-no");
    pub const NOT_SET: Phrase = Phrase::id("lists-not-set");
    pub const STILL_OPEN: Phrase = Phrase::id("lists-still-open");
    pub const MOOD_POSITIVE: Template = Template::id("lists-mood-positive");
    pub const MOOD_NEUTRAL: Template = Template::id("lists-mood-neutral");
    pub const MOOD_NEGATIVE: Template = Template::id("lists-mood-negative");
    pub const DID_NOT_COME_BACK: Phrase = Phrase::id("lists-did-not-come-back");
    pub const CAN_STILL_CHANGE: Phrase = Phrase::id("lists-can-still-change");
    pub const MOOD_NONE: Phrase = Phrase::id("lists-mood-none");

    pub const DAILY_DAY: Phrase = Phrase::id("lists-daily-day");
    pub const DAILY_ALL: Phrase = Phrase::id("lists-daily-all");
    pub const DAILY_COUNTED: Phrase = Phrase::id("lists-daily-counted");
    pub const DAILY_AI_HANDLED: Phrase = Phrase::id("lists-daily-ai-handled");
    pub const DAILY_NET_RATE: Phrase = Phrase::id("lists-daily-net-rate");
    pub const DAILY_TOTAL: Phrase = Phrase::id("lists-daily-total");
    pub const DAILY_HOURS_SAVED: Phrase = Phrase::id("lists-daily-hours-saved");
    pub const DAILY_RUPIAH_SAVED: Phrase = Phrase::id("lists-daily-rupiah-saved");
    pub const DAILY_AI_COST: Phrase = Phrase::id("lists-daily-ai-cost");

    pub const SHEET_DAILY: Phrase = Phrase::id("lists-sheet-daily");
    pub const SHEET_CONVERSATIONS: Phrase = Phrase::id("lists-sheet-conversations");
    pub const SHEET_ABOUT: Phrase = Phrase::id("lists-sheet-about");
    pub const ABOUT_TITLE: Template = Template::id("lists-about-title");
    pub const ABOUT_MONEY: Template = Template::id("lists-about-money");
    pub const ABOUT_PRICE: Template = Template::id("lists-about-price");
    pub const ABOUT_LINES: [Phrase; 8] = [
        Phrase::id("lists-about-lines-1"),
        Phrase::id("lists-about-lines-2"),
        Phrase::id("lists-about-lines-3"),
        Phrase::id("lists-about-lines-4"),
        Phrase::id("lists-about-lines-5"),
        Phrase::id("lists-about-lines-6"),
        Phrase::id("lists-about-lines-7"),
        Phrase::id("lists-about-lines-8"),
    ];
    pub const MORE_THAN_FITS: Template = Template::id("lists-more-than-fits");
}
