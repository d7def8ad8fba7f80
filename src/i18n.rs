//! Every user-visible word of the report in English and Bahasa Indonesia, and the
//! number formats Indonesians use (`Rp 1.250.000`, `47,6`), in one place.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

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

/// One piece of text in both languages. Templates name their blanks `{like_this}`.
#[derive(Debug, Clone, Copy)]
pub struct Phrase {
    pub en: &'static str,
    pub id: &'static str,
}

impl Phrase {
    pub const fn new(en: &'static str, id: &'static str) -> Self {
        Self { en, id }
    }

    pub fn text(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Id => self.id,
        }
    }

    /// The phrase with each `{name}` replaced by its value.
    pub fn fill(&self, lang: Lang, values: &[(&str, String)]) -> String {
        let mut text = self.text(lang).to_string();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

/// A phrase whose English words follow a count ("1 point", "2 points"; "1 other
/// conversation has", "2 other conversations have"); Indonesian does not inflect, so
/// both of its forms are the same. `{n}` is the count.
#[derive(Debug, Clone, Copy)]
pub struct Plural {
    pub one: Phrase,
    pub other: Phrase,
}

impl Plural {
    pub const fn new(one: Phrase, other: Phrase) -> Self {
        Self { one, other }
    }

    /// The form for `n`, with `{n}` and each of `values` filled in.
    pub fn fill(&self, lang: Lang, n: i64, values: &[(&str, String)]) -> String {
        let form = if n.abs() == 1 { self.one } else { self.other };
        let mut all = vec![("n", format_count(n))];
        all.extend(values.iter().cloned());
        form.fill(lang, &all)
    }
}

/// Counted units, to fill a phrase's blank with a count and its word.
pub mod units {
    use super::{Phrase, Plural};

    pub const POINTS: Plural = Plural::new(
        Phrase::new("{n} point", "{n} poin"),
        Phrase::new("{n} points", "{n} poin"),
    );
    pub const DAYS: Plural = Plural::new(
        Phrase::new("{n} day", "{n} hari"),
        Phrase::new("{n} days", "{n} hari"),
    );
}

/// Groups thousands with dots, as Indonesians write numbers: 1.250.000.
pub(crate) fn format_count(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    if value < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// `Rp 1.250.000`.
pub(crate) fn format_rupiah(value: i64) -> String {
    format!("Rp {}", format_count(value))
}

/// A number with a decimal comma and grouped thousands: `1.234,5`.
pub(crate) fn format_decimal(value: f64, decimals: usize) -> String {
    let scale = 10f64.powi(decimals as i32);
    let scaled = (value.abs() * scale).round() as i64;
    let whole = scaled / scale as i64;
    let fraction = scaled % scale as i64;
    let sign = if value < 0.0 && scaled != 0 { "-" } else { "" };
    if decimals == 0 {
        format!("{sign}{}", format_count(whole))
    } else {
        format!(
            "{sign}{},{:0width$}",
            format_count(whole),
            fraction,
            width = decimals
        )
    }
}

/// A rate in [0, 1] as a whole percentage: `48%`.
pub(crate) fn format_percent(rate: f64) -> String {
    format!("{}%", format_decimal(rate * 100.0, 0))
}

const MONTHS: [Phrase; 12] = [
    Phrase::new("Jan", "Jan"),
    Phrase::new("Feb", "Feb"),
    Phrase::new("Mar", "Mar"),
    Phrase::new("Apr", "Apr"),
    Phrase::new("May", "Mei"),
    Phrase::new("Jun", "Jun"),
    Phrase::new("Jul", "Jul"),
    Phrase::new("Aug", "Agu"),
    Phrase::new("Sep", "Sep"),
    Phrase::new("Oct", "Okt"),
    Phrase::new("Nov", "Nov"),
    Phrase::new("Dec", "Des"),
];

/// `1 Oct 2026` / `1 Okt 2026`.
pub(crate) fn format_date(day: NaiveDate, lang: Lang) -> String {
    format!(
        "{} {} {}",
        day.day(),
        MONTHS[day.month0() as usize].text(lang),
        day.year()
    )
}

/// A period of days: one date, or `1 Oct 2026 – 7 Oct 2026`.
pub(crate) fn format_period(from: NaiveDate, to: NaiveDate, lang: Lang) -> String {
    if from == to {
        format_date(from, lang)
    } else {
        format!("{} – {}", format_date(from, lang), format_date(to, lang))
    }
}

/// `3 Dec 2026 23:43` / `3 Des 2026 23.43`: a local date and time as people write
/// it in each language.
pub(crate) fn format_date_time(at: chrono::NaiveDateTime, lang: Lang) -> String {
    let time = match lang {
        Lang::En => at.format("%H:%M"),
        Lang::Id => at.format("%H.%M"),
    };
    format!("{} {time}", format_date(at.date(), lang))
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

const LIVE_CHAT: Phrase = Phrase::new("Live chat", "Live chat");
const TEST_CHAT_CHANNEL: Phrase = Phrase::new("Test chat", "Chat uji coba");

/// `Dec 2026` / `Des 2026`.
pub(crate) fn format_month(day: NaiveDate, lang: Lang) -> String {
    format!(
        "{} {}",
        MONTHS[day.month0() as usize].text(lang),
        day.year()
    )
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

const ABOUT_IN_TEN: Phrase = Phrase::new("about {n} in 10", "sekitar {n} dari 10");
const FEWER_THAN_ONE_IN_TEN: Phrase = Phrase::new("fewer than 1 in 10", "kurang dari 1 dari 10");
const NEARLY_ALL: Phrase = Phrase::new("nearly all", "hampir semua");

/// The report's words.
pub mod report {
    use super::Phrase;

    pub const HEADLINE_OK: Phrase = Phrase::new(
        "From {from} to {to}, your AI solved {net} of {eligible} conversations on its own ({in_ten}), with no one from your team and no customer having to ask again within 2 days.",
        "Dari {from} sampai {to}, AI Anda menyelesaikan {net} dari {eligible} percakapan sendiri ({in_ten}), tanpa bantuan tim dan tanpa pelanggan yang perlu bertanya lagi dalam 2 hari.",
    );
    pub const HEADLINE_SAVED: Phrase = Phrase::new(
        " By your own estimate, those conversations saved your team about {hours} hours of work (≈ {rupiah}).",
        " Menurut perkiraan Anda sendiri, percakapan itu menghemat sekitar {hours} jam kerja tim (≈ {rupiah}).",
    );
    /// What the AI cost against what it saved (docs/metrics.md §4.4), when the
    /// organization gave its price: the same sentence in the headline and the tile.
    pub const RETURN_GAIN: Phrase = Phrase::new(
        "The AI costs you {price} a month, or {ai_cost} for this period: the time it saved is worth about {times} times what it cost.",
        "Biaya AI Anda {price} per bulan, atau {ai_cost} untuk periode ini: waktu yang dihemat bernilai sekitar {times} kali biayanya.",
    );
    pub const RETURN_LOSS: Phrase = Phrase::new(
        "The AI costs you {price} a month, or {ai_cost} for this period: {loss} more than the time it saved is worth.",
        "Biaya AI Anda {price} per bulan, atau {ai_cost} untuk periode ini: {loss} lebih besar dari nilai waktu yang dihemat.",
    );
    /// How far the organization has come since its first 30 days with the AI.
    pub const SINCE_BASELINE_UP: Phrase = Phrase::new(
        " That is up from {baseline} in your first 30 days with the AI.",
        " Itu naik dari {baseline} pada 30 hari pertama Anda dengan AI.",
    );
    pub const SINCE_BASELINE_DOWN: Phrase = Phrase::new(
        " That is down from {baseline} in your first 30 days with the AI.",
        " Itu turun dari {baseline} pada 30 hari pertama Anda dengan AI.",
    );
    pub const SINCE_BASELINE_SAME: Phrase = Phrase::new(
        " That is the same as in your first 30 days with the AI ({baseline}).",
        " Itu sama dengan 30 hari pertama Anda dengan AI ({baseline}).",
    );
    pub const HEADLINE_NO_CONVERSATIONS: Phrase = Phrase::new(
        "From {from} to {to} there were no conversations to report on.",
        "Dari {from} sampai {to} belum ada percakapan untuk dilaporkan.",
    );
    pub const HEADLINE_BASELINE_FORMING: Phrase = Phrase::new(
        "So far your AI has taken part in {ai_handled} of {eligible} conversations from {from} to {to}. We show how well it does once there are at least {min_days} days and {min_conversations} conversations of data, so the figures are fair.",
        "Sejauh ini AI Anda ikut menangani {ai_handled} dari {eligible} percakapan dari {from} sampai {to}. Penilaian kinerjanya muncul setelah ada data minimal {min_days} hari dan {min_conversations} percakapan, supaya angkanya adil.",
    );

    pub const NOTE_OWN_ESTIMATE: Phrase = Phrase::new(
        "Money and time figures use your own cost assumption; they are an estimate, not an audited figure.",
        "Angka uang dan waktu memakai asumsi biaya Anda sendiri; ini perkiraan, bukan angka yang diaudit.",
    );
    pub const NOTE_SET_ASSUMPTION: Phrase = Phrase::new(
        "Set your cost assumption to see the hours and money your AI saved.",
        "Atur asumsi biaya Anda untuk melihat jam kerja dan uang yang dihemat AI.",
    );
    pub const NOTE_REDUCED_COVERAGE: Phrase = Phrase::new(
        "Customer mood is based on only {coverage} of conversations, so treat it as a rough sign.",
        "Suasana hati pelanggan hanya berdasarkan {coverage} percakapan, jadi anggap sebagai gambaran kasar.",
    );
    pub const NOTE_PROVISIONAL: Phrase = Phrase::new(
        "Conversations were read up to {read_day}, {read_time}. Figures from {day} on can still change: a customer has 48 hours to come back.",
        "Percakapan dibaca hingga {read_day}, pukul {read_time}. Angka sejak {day} masih bisa berubah: pelanggan punya waktu 48 jam untuk kembali.",
    );
    pub const TREND_PROVISIONAL: Phrase = Phrase::new(
        "hollow points can still change",
        "titik berongga masih bisa berubah",
    );
    pub const NOTE_SENTIMENT_PENDING: Phrase = Phrase::new(
        "Customer mood for some days is still being collected.",
        "Suasana hati pelanggan untuk beberapa hari masih dikumpulkan.",
    );
    pub const NOTE_NO_BUSINESS_HOURS: Phrase = Phrase::new(
        "Set your business hours to see how much your AI handled while your team was offline.",
        "Atur jam kerja Anda untuk melihat berapa banyak yang ditangani AI saat tim sedang tidak bertugas.",
    );
    pub const NOTE_CAME_BACK: Phrase = Phrase::new(
        "Leaves out customers who came back within 2 days.",
        "Tidak termasuk pelanggan yang kembali bertanya dalam 2 hari.",
    );

    pub const FORECAST_OK: Phrase = Phrase::new(
        "If this keeps up, in {month} your AI will solve {in_ten} conversations on its own (probably between {low} and {high}).",
        "Jika terus seperti ini, pada {month} AI Anda akan menyelesaikan {in_ten} percakapan sendiri (kemungkinan antara {low} dan {high}).",
    );
    pub const FORECAST_WITHHELD: Phrase = Phrase::new(
        "No projection for now: your results have moved around too much from month to month to predict them honestly.",
        "Belum ada proyeksi: hasil Anda naik-turun terlalu banyak dari bulan ke bulan untuk diperkirakan dengan jujur.",
    );
    pub const FORECAST_NOT_ENOUGH_HISTORY: Phrase = Phrase::new(
        "A projection appears once there are {min} complete months of data (so far: {months}).",
        "Proyeksi muncul setelah ada {min} bulan data lengkap (sejauh ini: {months}).",
    );

    pub const NET_STRONG: Phrase = Phrase::new("Strong", "Kuat");
    pub const NET_HEALTHY: Phrase = Phrase::new("Healthy", "Sehat");
    pub const NET_ROOM_TO_GROW: Phrase = Phrase::new("Room to grow", "Masih bisa berkembang");
    pub const NET_NEEDS_ATTENTION: Phrase = Phrase::new("Needs attention", "Perlu perhatian");
    pub const REOPEN_LOW: Phrase = Phrase::new("Low — good", "Rendah — bagus");
    pub const REOPEN_MODERATE: Phrase = Phrase::new("Moderate", "Sedang");
    pub const REOPEN_HIGH: Phrase =
        Phrase::new("High — check answers", "Tinggi — periksa jawaban AI");
    pub const TURNS_QUICK: Phrase = Phrase::new("Quick", "Cepat");
    pub const TURNS_TYPICAL: Phrase = Phrase::new("Typical", "Wajar");
    pub const TURNS_LONG: Phrase = Phrase::new("Long", "Panjang");
    pub const AFTER_HOURS_ALWAYS_ON: Phrase = Phrase::new("Always-on", "Selalu siaga");
    pub const AFTER_HOURS_OFFICE: Phrase =
        Phrase::new("Mostly in office hours", "Sebagian besar di jam kerja");
    pub const MOOD_MORE_POSITIVE: Phrase = Phrase::new("More positive", "Lebih positif");
    pub const MOOD_LESS_POSITIVE: Phrase = Phrase::new("Less positive", "Kurang positif");
    pub const MOOD_ABOUT_SAME: Phrase = Phrase::new("About the same", "Kurang lebih sama");

    pub const LEDGER: Phrase = Phrase::new(
        "{all} conversations in all: {counted} counted; {test_chats} test chats and {spam} spam left out.",
        "Semuanya {all} percakapan: {counted} dihitung; {test_chats} chat uji coba dan {spam} spam tidak dihitung.",
    );
    pub const LEDGER_SPLIT: Phrase = Phrase::new(
        "Of the {counted} counted: {parts}.",
        "Dari {counted} yang dihitung: {parts}.",
    );
    pub const CHANGE_POINTS_UP: Phrase = Phrase::new(
        "up {points} from the {days} before",
        "naik {points} dari {days} sebelumnya",
    );
    pub const CHANGE_POINTS_DOWN: Phrase = Phrase::new(
        "down {points} from the {days} before",
        "turun {points} dari {days} sebelumnya",
    );
    pub const CHANGE_MORE: Phrase = Phrase::new(
        "{count} more than the {days} before",
        "{count} lebih banyak dari {days} sebelumnya",
    );
    pub const CHANGE_FEWER: Phrase = Phrase::new(
        "{count} fewer than the {days} before",
        "{count} lebih sedikit dari {days} sebelumnya",
    );
    pub const CHANGE_HOURS_MORE: Phrase = Phrase::new(
        "{hours} hours more than the {days} before",
        "{hours} jam lebih banyak dari {days} sebelumnya",
    );
    pub const CHANGE_HOURS_FEWER: Phrase = Phrase::new(
        "{hours} hours fewer than the {days} before",
        "{hours} jam lebih sedikit dari {days} sebelumnya",
    );
    pub const CHANGE_SAME: Phrase = Phrase::new(
        "the same as the {days} before",
        "sama dengan {days} sebelumnya",
    );
    pub const CHANGE_INCOMPLETE: Phrase = Phrase::new(
        "No comparison with the {days} before: their data is no longer kept in full.",
        "Belum ada perbandingan dengan {days} sebelumnya: datanya sudah tidak tersimpan lengkap.",
    );
    pub const CHANGE_NONE: Phrase = Phrase::new(
        "No comparison with the {days} before: they were still forming a baseline.",
        "Belum ada perbandingan dengan {days} sebelumnya: data saat itu masih terbentuk.",
    );
}

/// The names of the report's figures and of its sections: one phrase per concept,
/// the same on the page and in the terminal report (`report::presentation`).
pub mod figures {
    use super::Phrase;

    pub const WHAT_YOUR_AI_DID: Phrase = Phrase::new("What your AI did", "Yang dikerjakan AI Anda");
    pub const SOLVED_ALONE: Phrase = Phrase::new("Solved on its own", "Diselesaikan sendiri");
    pub const CONVERSATIONS: Phrase = Phrase::new("Conversations", "Percakapan");
    pub const AFTER_HOURS: Phrase = Phrase::new(
        "While your team was offline",
        "Saat tim sedang tidak bertugas",
    );
    pub const TIME_SAVED: Phrase = Phrase::new("Team time saved", "Waktu tim yang dihemat");
    pub const TOGETHER: Phrase =
        Phrase::new("AI and your team together", "AI dan tim Anda bersama");
    /// Every conversation the AI closed with no one from the team (gross
    /// containment): solved on its own and came back together.
    pub const CLOSED_ALONE: Phrase = Phrase::new("Closed by the AI alone", "Ditutup AI sendiri");
    /// The rest of the AI's solo closes: the customer came back within 2 days, so
    /// they do not count as solved.
    pub const CAME_BACK: Phrase = Phrase::new(
        "Closed by the AI, but the customer came back",
        "Ditutup AI, tapi pelanggan kembali",
    );
    pub const AI_ASSISTED: Phrase = Phrase::new(
        "AI helped, your team finished",
        "AI membantu, tim Anda menyelesaikan",
    );
    pub const ESCALATED: Phrase = Phrase::new("Handed to your team", "Dialihkan ke tim Anda");
    pub const OTHER: Phrase = Phrase::new("No clear outcome yet", "Belum jelas hasilnya");
    pub const TEST_CHATS: Phrase = Phrase::new("Test chats", "Chat uji coba");
    pub const SPAM: Phrase = Phrase::new("Spam", "Spam");
    pub const GOOD_JOB: Phrase = Phrase::new(
        "Is your AI doing a good job?",
        "Apakah AI Anda bekerja dengan baik?",
    );
    /// The reopen rate: its name says its base (the AI's solo closes), unlike
    /// `CAME_BACK`, a share of all counted conversations.
    pub const REOPEN_RATE: Phrase = Phrase::new(
        "Came back within 2 days, of those the AI closed alone",
        "Kembali dalam 2 hari, dari yang ditutup AI sendiri",
    );
    pub const MOOD: Phrase = Phrase::new("Customer mood", "Suasana hati pelanggan");
    pub const MESSAGES_TO_SOLVE: Phrase = Phrase::new("Messages to solve", "Pesan sampai selesai");
    pub const TREND: Phrase = Phrase::new(
        "Solved on its own, over time",
        "Diselesaikan sendiri, dari waktu ke waktu",
    );
    /// Said in a figure's place when it cannot be worked out.
    pub const NOT_AVAILABLE: Phrase = Phrase::new("Not available", "Tidak tersedia");
}

/// How the terminal report lays the figures out (`impact report --format text`).
pub mod text_report {
    use super::Phrase;

    pub const TITLE: Phrase = Phrase::new("AI Agent Impact Report", "Laporan Dampak Agen AI");
    pub const PERIOD: Phrase = Phrase::new("Period", "Periode");
    pub const DATA_THROUGH: Phrase = Phrase::new("Data up to", "Data sampai");
    pub const NO_DATA_YET: Phrase = Phrase::new("no data yet", "belum ada data");
    pub const CONVERSATIONS_VALUE: Phrase = Phrase::new(
        "{eligible} in total, the AI took part in {ai_handled}",
        "{eligible} total, AI ikut menangani {ai_handled}",
    );
    pub const HOURS_VALUE: Phrase =
        Phrase::new("{hours} hours ≈ {rupiah}", "{hours} jam ≈ {rupiah}");
    pub const MOOD_VALUE: Phrase = Phrase::new(
        "{verdict} when the AI solved it alone than when your team stepped in",
        "{verdict} saat AI menyelesaikan sendiri dibanding saat tim turun tangan",
    );
    pub const MESSAGES_VALUE: Phrase = Phrase::new("{turns} on average", "rata-rata {turns}");
    pub const NOTES: Phrase = Phrase::new("Notes", "Catatan");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_is_written_the_indonesian_way() {
        assert_eq!(format_rupiah(1_250_000), "Rp 1.250.000");
        assert_eq!(format_rupiah(40_000), "Rp 40.000");
        assert_eq!(format_rupiah(999), "Rp 999");
        assert_eq!(format_rupiah(0), "Rp 0");
        assert_eq!(format_count(-1234), "-1.234");
    }

    #[test]
    fn decimals_use_a_comma() {
        assert_eq!(format_decimal(1.727, 1), "1,7");
        assert_eq!(format_decimal(1234.56, 1), "1.234,6");
        assert_eq!(format_decimal(-0.25, 2), "-0,25");
        assert_eq!(format_percent(0.47619), "48%");
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
        assert_eq!(units::DAYS.fill(Lang::En, 1_000, &[]), "1.000 days");
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
        assert_eq!(format_date_time(at, Lang::Id), "3 Des 2026 23.43");
        assert_eq!(format_date_time(at, Lang::En), "3 Dec 2026 23:43");
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
    use super::Phrase;

    pub const UNAUTHORIZED: Phrase = Phrase::new(
        "Please sign in again: your session is missing, expired or not valid.",
        "Silakan masuk lagi: sesi Anda tidak ada, sudah kedaluwarsa, atau tidak valid.",
    );
    pub const NOT_FOUND: Phrase =
        Phrase::new("This page does not exist.", "Halaman ini tidak ada.");
    pub const FORBIDDEN_ASSUMPTION: Phrase = Phrase::new(
        "Only an owner or admin can change the cost assumption.",
        "Hanya pemilik atau admin yang dapat mengubah asumsi biaya.",
    );
    pub const CROSS_SITE: Phrase = Phrase::new(
        "This change must be made from the report page itself. Reload the page and try again.",
        "Perubahan ini harus dilakukan dari halaman laporan. Muat ulang halaman lalu coba lagi.",
    );
    pub const UNAVAILABLE: Phrase = Phrase::new(
        "We couldn't load your report. Try again.",
        "Kami tidak dapat memuat laporan Anda. Coba lagi.",
    );
    pub const BUSY_DOWNLOADS: Phrase = Phrase::new(
        "Several downloads are being prepared right now. Try again in a few seconds.",
        "Beberapa unduhan sedang disiapkan saat ini. Coba lagi dalam beberapa detik.",
    );
    pub const INTERNAL: Phrase = Phrase::new(
        "Something went wrong on our side. Try again in a moment.",
        "Terjadi kesalahan di sistem kami. Coba lagi sebentar lagi.",
    );
    pub const INVALID_FIELDS: Phrase = Phrase::new(
        "Some values are not valid; nothing was saved.",
        "Ada nilai yang tidak valid; tidak ada yang disimpan.",
    );
    pub const BAD_DATE: Phrase = Phrase::new(
        "'{value}' is not a date; use YYYY-MM-DD.",
        "'{value}' bukan tanggal; gunakan YYYY-MM-DD.",
    );
    pub const REVERSED_RANGE: Phrase = Phrase::new(
        "The start date must not be after the end date.",
        "Tanggal mulai tidak boleh setelah tanggal akhir.",
    );
    pub const RANGE_TOO_LONG: Phrase = Phrase::new(
        "Choose a range of at most 12 months.",
        "Pilih rentang paling lama 12 bulan.",
    );
    pub const HALF_RANGE: Phrase = Phrase::new(
        "Give both 'from' and 'to', or neither for the last 30 days.",
        "Isi 'from' dan 'to' sekaligus, atau kosongkan keduanya untuk 30 hari terakhir.",
    );
    pub const BAD_LANG: Phrase =
        Phrase::new("'lang' must be en or id.", "'lang' harus en atau id.");
    pub const BAD_BODY: Phrase = Phrase::new(
        "The request body must be JSON like {\"agent_hour_rate\": 40000, \"minutes_per_conversation\": 6}.",
        "Isi permintaan harus JSON seperti {\"agent_hour_rate\": 40000, \"minutes_per_conversation\": 6}.",
    );
    pub const RATE_BOUNDS: Phrase = Phrase::new(
        "Enter a whole number of rupiah from 1.000 to 10.000.000.",
        "Masukkan bilangan bulat rupiah dari 1.000 sampai 10.000.000.",
    );
    pub const MINUTES_BOUNDS: Phrase = Phrase::new(
        "Enter a whole number of minutes from 1 to 480.",
        "Masukkan bilangan bulat menit dari 1 sampai 480.",
    );
    pub const AI_PRICE_BOUNDS: Phrase = Phrase::new(
        "Leave it empty, or enter a whole number of rupiah from 1.000 to 1.000.000.000.",
        "Kosongkan, atau masukkan bilangan bulat rupiah dari 1.000 sampai 1.000.000.000.",
    );
    pub const NOT_A_WHOLE_NUMBER: Phrase = Phrase::new(
        "Enter a positive whole number.",
        "Masukkan bilangan bulat positif.",
    );
    pub const MISSING_FIELD: Phrase =
        Phrase::new("This field is required.", "Kolom ini wajib diisi.");
    pub const BAD_REQUEST: Phrase = Phrase::new(
        "This request is not valid: check its address, parameters and body.",
        "Permintaan ini tidak valid: periksa alamat, parameter, dan isinya.",
    );
    pub const METHOD_NOT_ALLOWED: Phrase = Phrase::new(
        "This address does not accept that kind of request; see the Allow header.",
        "Alamat ini tidak menerima jenis permintaan itu; lihat header Allow.",
    );
    pub const BODY_TIMEOUT: Phrase = Phrase::new(
        "The request body took too long to arrive. Send it again.",
        "Isi permintaan terlalu lama diterima. Kirim lagi.",
    );
    pub const TOO_LARGE: Phrase =
        Phrase::new("The request is too large.", "Permintaan terlalu besar.");
    pub const UNSUPPORTED_MEDIA: Phrase = Phrase::new(
        "Send the body as application/json.",
        "Kirim isi permintaan sebagai application/json.",
    );
    pub const BAD_OUTCOME: Phrase = Phrase::new(
        "outcome must be one of: {allowed}.",
        "outcome harus salah satu dari: {allowed}.",
    );
    pub const BAD_CURSOR: Phrase = Phrase::new(
        "This cursor does not belong to this list. Start again from the first page.",
        "Cursor ini bukan milik daftar ini. Mulai lagi dari halaman pertama.",
    );
    pub const BAD_LIMIT: Phrase = Phrase::new(
        "limit must be a whole number from 1 to {max}.",
        "limit harus bilangan bulat dari 1 sampai {max}.",
    );
}

/// The words of the web page and the Reports area.
pub mod page {
    use super::Phrase;

    pub const REPORT_TITLE: Phrase = Phrase::new("AI agent impact", "Dampak agen AI");
    pub const REPORT_DESCRIPTION: Phrase = Phrase::new(
        "How much your AI handled on its own, how well, and what it saved.",
        "Seberapa banyak yang ditangani AI sendiri, seberapa baik, dan berapa yang dihemat.",
    );
}

/// The words of the demo sign-in page.
pub mod demo {
    use super::Phrase;

    pub const TITLE: Phrase = Phrase::new("Demo sign-in", "Masuk demo");
    pub const INTRO: Phrase = Phrase::new(
        "This page exists only in the demo. Pick a person to see the AI agent impact report as they would. In a real installation, people arrive signed in from the web admin.",
        "Halaman ini hanya ada di demo. Pilih seseorang untuk melihat laporan dampak agen AI seperti yang mereka lihat. Pada pemasangan sebenarnya, pengguna datang dari admin web dalam keadaan sudah masuk.",
    );
    pub const ORGANIZATION: Phrase = Phrase::new("Organization", "Organisasi");
    pub const WHAT_TO_EXPECT: Phrase = Phrase::new("What to expect", "Yang akan terlihat");
    pub const SIGN_IN_AS: Phrase = Phrase::new("Sign in as", "Masuk sebagai");
    pub const MATURE: Phrase = Phrase::new(
        "AI add-on, report switched on, a year of data.",
        "Add-on AI, laporan aktif, data setahun.",
    );
    pub const MATURE_FORECAST: Phrase = Phrase::new(
        "AI add-on, report and forecast switched on, a year of data.",
        "Add-on AI, laporan dan prakiraan aktif, data setahun.",
    );
    pub const NO_BUSINESS_HOURS: Phrase = Phrase::new(
        "AI add-on, report on, no business hours set.",
        "Add-on AI, laporan aktif, jam kerja belum diatur.",
    );
    pub const BRAND_NEW: Phrase = Phrase::new(
        "AI add-on, report on, only 12 days old: the baseline is still forming.",
        "Add-on AI, laporan aktif, baru 12 hari: data dasar masih terbentuk.",
    );
    pub const FLAG_OFF: Phrase = Phrase::new(
        "AI add-on, but the report is switched off for this account.",
        "Add-on AI, tetapi laporan dinonaktifkan untuk akun ini.",
    );
    pub const NO_ADDON: Phrase = Phrase::new(
        "No AI add-on: the report does not exist here.",
        "Tanpa add-on AI: laporan tidak ada di sini.",
    );
    pub const EASTERN: Phrase = Phrase::new(
        "AI add-on, report on, in Jayapura (WIT), no cost numbers set yet.",
        "Add-on AI, laporan aktif, di Jayapura (WIT), angka biaya belum diisi.",
    );
    pub const EVENING_HOURS: Phrase = Phrase::new(
        "AI add-on, report on, open into the evening, cost numbers set.",
        "Add-on AI, laporan aktif, buka sampai malam, angka biaya sudah diisi.",
    );
    pub const OTHER_LANGUAGE: Phrase = Phrase::new("Bahasa Indonesia", "English");
}

/// The words of the report page: plain, no jargon, as a supervisor would say them.
pub mod web {
    use super::Phrase;

    pub const PAGE_TITLE: Phrase =
        Phrase::new("What your AI agent did", "Hasil kerja agen AI Anda");
    pub const REPORTS: Phrase = Phrase::new("Reports", "Laporan");
    pub const RANGE: Phrase = Phrase::new("Period", "Periode");
    pub const LAST_7: Phrase = Phrase::new("Last 7 days", "7 hari terakhir");
    pub const LAST_30: Phrase = Phrase::new("Last 30 days", "30 hari terakhir");
    pub const LAST_90: Phrase = Phrase::new("Last 90 days", "90 hari terakhir");
    pub const THIS_MONTH: Phrase = Phrase::new("This month", "Bulan ini");
    pub const LAST_MONTH: Phrase = Phrase::new("Last month", "Bulan lalu");
    pub const CUSTOM: Phrase = Phrase::new("Custom dates", "Tanggal pilihan");
    pub const FROM: Phrase = Phrase::new("From", "Dari");
    pub const TO: Phrase = Phrase::new("To", "Sampai");
    pub const SHOW: Phrase = Phrase::new("Show", "Tampilkan");
    pub const RANGE_INVALID: Phrase = Phrase::new(
        "Choose a start date on or before the end date, at most 12 months apart.",
        "Pilih tanggal mulai yang tidak setelah tanggal akhir, paling lama 12 bulan.",
    );
    pub const SWITCH_LANGUAGE: Phrase = Phrase::new("Bahasa Indonesia", "English");
    pub const OPENING_REPORT: Phrase = Phrase::new("Opening your report…", "Membuka laporan Anda…");
    pub const CONTINUE: Phrase = Phrase::new("Continue", "Lanjutkan");
    pub const SIGN_OUT: Phrase = Phrase::new("Sign out", "Keluar");
    pub const SIGNED_OUT_TITLE: Phrase = Phrase::new("You are signed out", "Anda sudah keluar");
    pub const SIGNED_OUT: Phrase = Phrase::new(
        "To see the report again, open it from your admin panel.",
        "Untuk melihat laporan lagi, bukalah dari panel admin Anda.",
    );
    pub const COST_SETTINGS: Phrase = Phrase::new("Your cost numbers", "Angka biaya Anda");

    pub const HERO_BASE: Phrase = Phrase::new(
        "{count} of the {counted} counted conversations",
        "{count} dari {counted} percakapan yang dihitung",
    );
    pub const CAME_BACK_LINE: Phrase = Phrase::new(
        "Leaves out customers who came back within 2 days.",
        "Tidak termasuk pelanggan yang kembali dalam 2 hari.",
    );
    pub const BEFORE_ADJUSTMENT: Phrase = Phrase::new(
        "Counting those customers too",
        "Jika pelanggan itu ikut dihitung",
    );
    /// What a percentage beside a figure's name is a share of.
    pub const OF_COUNTED: Phrase = Phrase::new(
        "of all counted conversations ({count})",
        "dari semua percakapan yang dihitung ({count})",
    );
    pub const BAR_CAPTION: Phrase = Phrase::new(
        "Each part is a share of all {counted} counted conversations.",
        "Tiap bagian adalah persentase dari semua {counted} percakapan yang dihitung.",
    );
    pub const CONVERSATIONS_TEXT: Phrase = Phrase::new(
        "The AI took part in {ai_handled} of them.",
        "AI ikut menangani {ai_handled} di antaranya.",
    );
    pub const AFTER_HOURS_TEXT: Phrase = Phrase::new(
        "{share} of the conversations the AI handled",
        "{share} dari percakapan yang ditangani AI",
    );
    pub const HOURS: Phrase = Phrase::new("{hours} hours", "{hours} jam");
    pub const OWN_ESTIMATE: Phrase = Phrase::new(
        "≈ {rupiah}, by your own cost numbers",
        "≈ {rupiah}, menurut angka biaya Anda sendiri",
    );
    pub const SET_ASSUMPTION: Phrase = Phrase::new(
        "Set your cost numbers to see the hours and money your AI saved.",
        "Isi angka biaya Anda untuk melihat jam dan uang yang dihemat AI.",
    );
    pub const SET_ASSUMPTION_BUTTON: Phrase = Phrase::new("Set cost numbers", "Isi angka biaya");
    pub const ASK_ADMIN: Phrase = Phrase::new(
        "An owner or admin can set them.",
        "Pemilik atau admin dapat mengisinya.",
    );
    pub const NO_BUSINESS_HOURS: Phrase = Phrase::new(
        "Set your business hours in your admin panel's settings to see this.",
        "Atur jam kerja di pengaturan panel admin Anda untuk melihat ini.",
    );

    pub const NOT_ENOUGH_DATA: Phrase = Phrase::new(
        "Not enough conversations yet to show this.",
        "Belum cukup percakapan untuk menampilkan ini.",
    );
    pub const TILE_FAILED: Phrase = Phrase::new(
        "We couldn't load this part right now. The rest of your report is up to date.",
        "Bagian ini belum bisa dimuat. Bagian lain laporan Anda tetap terbaru.",
    );

    pub const MOOD_TEXT: Phrase = Phrase::new(
        "when the AI solved it alone, compared with when your team stepped in",
        "saat AI menyelesaikan sendiri, dibanding saat tim turun tangan",
    );
    pub const MESSAGES_TEXT: Phrase = Phrase::new(
        "messages from the customer, on average",
        "pesan dari pelanggan, rata-rata",
    );

    pub const BASELINE_LINE: Phrase = Phrase::new(
        "Your first 30 days with the AI ({from} – {to}): {rate}",
        "30 hari pertama Anda dengan AI ({from} – {to}): {rate}",
    );
    pub const BASELINE_FORMING: Phrase = Phrase::new(
        "The comparison with your first 30 days with the AI appears once those days are complete.",
        "Perbandingan dengan 30 hari pertama Anda bersama AI muncul setelah hari-hari itu lengkap.",
    );
    pub const TREND_LABEL: Phrase = Phrase::new(
        "Line chart of the share of conversations your AI solved on its own, from {from} to {to}.",
        "Grafik garis porsi percakapan yang diselesaikan AI sendiri, dari {from} sampai {to}.",
    );

    /// Above a printed report, where the page's range form is not printed.
    pub const PRINT_PERIOD: Phrase = Phrase::new(
        "Period: {from} to {to} ({timezone})",
        "Periode: {from} sampai {to} ({timezone})",
    );
    pub const PRINT: Phrase = Phrase::new("Print or save as PDF", "Cetak atau simpan sebagai PDF");
    pub const FRESHNESS: Phrase = Phrase::new(
        "Figures include conversations up to {day} ({timezone}). Money figures are your own estimate, not an audited amount.",
        "Angka mencakup percakapan sampai {day} ({timezone}). Angka uang adalah perkiraan Anda sendiri, bukan angka yang diaudit.",
    );
    pub const NO_DATA_YET: Phrase = Phrase::new(
        "No conversations have been counted yet.",
        "Belum ada percakapan yang dihitung.",
    );

    pub const FORMING_TITLE: Phrase = Phrase::new(
        "Your report is getting ready",
        "Laporan Anda sedang disiapkan",
    );
    pub const FORMING_TEXT: Phrase = Phrase::new(
        "We need at least {min_days} days and {min_conversations} conversations before we judge how well your AI does, so the figures are fair. So far: {days}.",
        "Kami perlu minimal {min_days} hari dan {min_conversations} percakapan sebelum menilai kinerja AI Anda, supaya angkanya adil. Sejauh ini: {days}.",
    );
    pub const FORMING_READY_ON: Phrase = Phrase::new(
        " Your full report will be ready from {day}.",
        " Laporan lengkap Anda siap mulai {day}.",
    );
    pub const FORMING_DEPENDS_ON_VOLUME: Phrase = Phrase::new(
        " When it is ready depends on how many conversations come in: {eligible} of the {min_conversations} needed so far in this period.",
        " Kapan siapnya bergantung pada jumlah percakapan yang masuk: sejauh ini {eligible} dari {min_conversations} yang diperlukan pada periode ini.",
    );

    pub const ERROR_TITLE: Phrase = Phrase::new(
        "We couldn't load your report.",
        "Kami tidak dapat memuat laporan Anda.",
    );
    pub const ERROR_TEXT: Phrase = Phrase::new(
        "Please try again in a moment.",
        "Silakan coba lagi sebentar lagi.",
    );
    pub const RETRY: Phrase = Phrase::new("Try again", "Coba lagi");
    pub const LOADING: Phrase = Phrase::new("Loading your report…", "Memuat laporan Anda…");

    pub const MODAL_TITLE: Phrase = Phrase::new("Your cost numbers", "Angka biaya Anda");
    pub const MODAL_WHY: Phrase = Phrase::new(
        "With these two numbers we estimate the time and money your AI saved your team.",
        "Dengan dua angka ini kami memperkirakan waktu dan uang yang dihemat AI untuk tim Anda.",
    );
    pub const MODAL_HELPER: Phrase = Phrase::new(
        "We use your own numbers — we never guess your costs.",
        "Kami memakai angka Anda sendiri — kami tidak pernah menebak biaya Anda.",
    );
    pub const RATE_LABEL: Phrase = Phrase::new(
        "Cost of one team member per hour (Rp)",
        "Biaya satu anggota tim per jam (Rp)",
    );
    pub const MINUTES_LABEL: Phrase = Phrase::new(
        "Average minutes per conversation",
        "Rata-rata menit per percakapan",
    );
    pub const AI_PRICE_LABEL: Phrase = Phrase::new(
        "What you pay for the AI each month (Rp, optional)",
        "Yang Anda bayar untuk AI setiap bulan (Rp, opsional)",
    );
    pub const AI_PRICE_HELP: Phrase = Phrase::new(
        "With it, the report compares what the AI saved with what it cost you.",
        "Dengan angka ini, laporan membandingkan penghematan AI dengan biayanya bagi Anda.",
    );
    pub const SAVE: Phrase = Phrase::new("Save", "Simpan");
    pub const SAVING: Phrase = Phrase::new("Saving…", "Menyimpan…");
    pub const CANCEL: Phrase = Phrase::new("Cancel", "Batal");
    pub const SAVE_FAILED: Phrase = Phrase::new(
        "We couldn't save. Check your connection and try again.",
        "Gagal menyimpan. Periksa koneksi lalu coba lagi.",
    );

    pub const SIGN_IN_AGAIN: Phrase = Phrase::new(
        "Please open this report again from your admin panel to sign in.",
        "Silakan buka laporan ini lagi dari panel admin Anda untuk masuk.",
    );
    pub const NOTHING_HERE: Phrase = Phrase::new(
        "There is no report for you here.",
        "Tidak ada laporan untuk Anda di sini.",
    );
    pub const NO_REPORTS: Phrase = Phrase::new(
        "There are no reports you can open.",
        "Tidak ada laporan yang dapat Anda buka.",
    );
    /// Said to an owner or admin of an organization without the AI add-on.
    pub const NEEDS_ADDON: Phrase = Phrase::new(
        "The AI Agent Impact Report comes with the AI Agent add-on, which your organization does not have. Once it is switched on, the report shows here.",
        "Laporan Dampak Agen AI tersedia bersama add-on Agen AI, yang belum dimiliki organisasi Anda. Setelah add-on diaktifkan, laporan akan tampil di sini.",
    );
    pub const YOUR_REPORTS: Phrase = Phrase::new("Your reports", "Laporan Anda");
    pub const YOUR_REPORTS_TEXT: Phrase = Phrase::new(
        "Every report you can open.",
        "Semua laporan yang dapat Anda buka.",
    );
    pub const PAGE_NOT_FOUND_TITLE: Phrase =
        Phrase::new("Page not found", "Halaman tidak ditemukan");
    pub const PAGE_NOT_FOUND: Phrase = Phrase::new(
        "There is nothing at this address. Open the report again from your admin panel.",
        "Tidak ada apa pun di alamat ini. Buka laporan lagi dari panel admin Anda.",
    );
    pub const REQUEST_PROBLEM_TITLE: Phrase = Phrase::new(
        "This request cannot be answered",
        "Permintaan ini tidak dapat dijawab",
    );
    pub const REQUEST_PROBLEM: Phrase = Phrase::new(
        "Go back and try again. If it keeps happening, open the report again from your admin panel.",
        "Kembali lalu coba lagi. Jika terus terjadi, buka laporan lagi dari panel admin Anda.",
    );

    pub const LEDGER_TITLE: Phrase =
        Phrase::new("Where every conversation went", "Ke mana setiap percakapan");
    pub const SEE_TEST_CHATS: Phrase = Phrase::new(
        "See the test chats ({count})",
        "Lihat chat uji coba ({count})",
    );
    pub const SEE_SPAM: Phrase = Phrase::new("See the spam ({count})", "Lihat spam ({count})");
    pub const DOWNLOADS_TITLE: Phrase = Phrase::new("Download", "Unduh");
    pub const DOWNLOAD_DAILY_XLSX: Phrase =
        Phrase::new("Daily figures (Excel)", "Angka harian (Excel)");
    pub const DOWNLOAD_DAILY_CSV: Phrase = Phrase::new(
        "Daily figures (CSV, for other tools)",
        "Angka harian (CSV, untuk aplikasi lain)",
    );
    pub const DOWNLOADS_HINT: Phrase = Phrase::new(
        "Click any figure to see its conversations; each list can be downloaded too.",
        "Klik angka mana pun untuk melihat percakapannya; setiap daftar juga bisa diunduh.",
    );
    pub const BACK_TO_REPORT: Phrase = Phrase::new("Back to the report", "Kembali ke laporan");
    pub const LIST_PERIOD: Phrase = Phrase::new(
        "{from} to {to}, newest first, times in {timezone}.",
        "{from} sampai {to}, terbaru di atas, waktu {timezone}.",
    );
    pub const LIST_EMPTY: Phrase = Phrase::new(
        "No conversations in this list for this period.",
        "Tidak ada percakapan di daftar ini untuk periode ini.",
    );
    /// How many conversations the list holds (`{n}`, its figure) and this page shows.
    pub const LIST_COUNT: super::Plural = super::Plural::new(
        Phrase::new(
            "{n} conversation in all; {shown} on this page.",
            "Semuanya {n} percakapan; {shown} di halaman ini.",
        ),
        Phrase::new(
            "{n} conversations in all; {shown} on this page.",
            "Semuanya {n} percakapan; {shown} di halaman ini.",
        ),
    );
    pub const OLDER: Phrase = Phrase::new("Older conversations", "Percakapan lebih lama");
    pub const FIRST_PAGE: Phrase = Phrase::new("Back to the newest", "Kembali ke yang terbaru");
    pub const DOWNLOAD_LIST_XLSX: Phrase =
        Phrase::new("Download this list (Excel)", "Unduh daftar ini (Excel)");
    pub const DOWNLOAD_LIST_CSV: Phrase =
        Phrase::new("Download this list (CSV)", "Unduh daftar ini (CSV)");
    pub const LIST_TABLE: Phrase = Phrase::new("Conversations", "Percakapan");
    pub const OPEN_IN_INBOX: Phrase = Phrase::new("Open", "Buka");
    pub const CAME_BACK_AFTER: Phrase =
        Phrase::new("{hours} h later ({room})", "{hours} jam kemudian ({room})");
    pub const MESSAGES_CELL: Phrase = Phrase::new(
        "{customer} from customer, {ai} from AI",
        "{customer} dari pelanggan, {ai} dari AI",
    );
    pub const LIST_NOT_FOUND: Phrase = Phrase::new(
        "This list does not exist. Choose a figure on the report to see its conversations.",
        "Daftar ini tidak ada. Pilih angka di laporan untuk melihat percakapannya.",
    );
}

/// The words of the conversation lists and the downloads (page, CSV, workbook).
pub mod lists {
    use super::Phrase;

    // A list's title is its figure's name (`figures`); these say what is in it.
    pub const ABOUT_SOLVED_ALONE: Phrase = Phrase::new(
        "The AI closed them with no one from your team, and the customer did not start another conversation within 2 days.",
        "AI menutupnya tanpa anggota tim, dan pelanggan tidak memulai percakapan lain dalam 2 hari.",
    );
    pub const ABOUT_CAME_BACK: Phrase = Phrase::new(
        "The AI closed them alone, but the same customer started another conversation within 2 days, so they are not counted as solved.",
        "AI menutupnya sendiri, tetapi pelanggan yang sama memulai percakapan lain dalam 2 hari, jadi tidak dihitung selesai.",
    );
    pub const ABOUT_AI_ONLY: Phrase = Phrase::new(
        "Every conversation the AI closed with no one from your team, whether or not the customer came back.",
        "Semua percakapan yang ditutup AI tanpa anggota tim, baik pelanggan kembali maupun tidak.",
    );
    pub const ABOUT_AI_ASSISTED: Phrase = Phrase::new(
        "The AI answered, then someone from your team joined and finished.",
        "AI menjawab, lalu anggota tim Anda ikut dan menyelesaikan.",
    );
    pub const ABOUT_ESCALATED: Phrase = Phrase::new(
        "Someone from your team took over, or the conversation was passed to your team.",
        "Anggota tim Anda mengambil alih, atau percakapan diteruskan ke tim Anda.",
    );
    pub const ABOUT_OTHER: Phrase = Phrase::new(
        "Closed by a person or a timeout, still open, or closed for an unknown reason.",
        "Ditutup orang atau otomatis, masih terbuka, atau ditutup dengan alasan yang tidak diketahui.",
    );
    pub const ABOUT_AFTER_HOURS: Phrase = Phrase::new(
        "Conversations the AI took part in that started outside your business hours.",
        "Percakapan yang ditangani AI dan dimulai di luar jam kerja Anda.",
    );
    pub const ABOUT_LEFT_OUT: Phrase = Phrase::new(
        "Left out of every figure.",
        "Tidak dihitung di angka mana pun.",
    );

    pub const COLUMN_ROOM: Phrase = Phrase::new("Conversation", "Percakapan");
    pub const COLUMN_DAY: Phrase = Phrase::new("Day", "Tanggal");
    pub const COLUMN_STARTED: Phrase =
        Phrase::new("Started (local time)", "Mulai (waktu setempat)");
    pub const COLUMN_CLOSED: Phrase =
        Phrase::new("Closed (local time)", "Ditutup (waktu setempat)");
    pub const COLUMN_CHANNEL: Phrase = Phrase::new("Channel", "Kanal");
    pub const COLUMN_OUTCOME: Phrase = Phrase::new("Outcome", "Hasil");
    pub const COLUMN_CAME_BACK_WITH: Phrase =
        Phrase::new("Came back with", "Kembali lewat percakapan");
    pub const COLUMN_CAME_BACK_HOURS: Phrase =
        Phrase::new("Came back after (hours)", "Kembali setelah (jam)");
    pub const COLUMN_AFTER_HOURS: Phrase =
        Phrase::new("Outside business hours", "Di luar jam kerja");
    pub const COLUMN_CUSTOMER_MESSAGES: Phrase =
        Phrase::new("Customer messages", "Pesan pelanggan");
    pub const COLUMN_AI_MESSAGES: Phrase = Phrase::new("AI messages", "Pesan AI");
    pub const COLUMN_MESSAGES: Phrase = Phrase::new("Messages", "Pesan");
    pub const COLUMN_MOOD: Phrase = Phrase::new(
        "Customer mood (−1 to 1)",
        "Suasana hati pelanggan (−1 sampai 1)",
    );
    pub const COLUMN_LINK: Phrase = Phrase::new("Open in inbox", "Buka di kotak masuk");
    pub const YES: Phrase = Phrase::new("yes", "ya");
    pub const NO: Phrase = Phrase::new("no", "tidak");
    pub const NOT_SET: Phrase = Phrase::new("not set", "belum diatur");
    pub const STILL_OPEN: Phrase = Phrase::new("still open", "masih terbuka");
    pub const MOOD_POSITIVE: Phrase = Phrase::new("Positive ({value})", "Positif ({value})");
    pub const MOOD_NEUTRAL: Phrase = Phrase::new("Neutral ({value})", "Netral ({value})");
    pub const MOOD_NEGATIVE: Phrase = Phrase::new("Negative ({value})", "Negatif ({value})");
    pub const DID_NOT_COME_BACK: Phrase = Phrase::new(
        "did not come back within 2 days",
        "tidak kembali dalam 2 hari",
    );
    pub const MOOD_NONE: Phrase = Phrase::new("no mood recorded", "suasana hati tidak tercatat");

    pub const DAILY_DAY: Phrase = Phrase::new("Day", "Tanggal");
    pub const DAILY_ALL: Phrase = Phrase::new("All conversations", "Semua percakapan");
    pub const DAILY_COUNTED: Phrase = Phrase::new("Counted", "Dihitung");
    pub const DAILY_AI_HANDLED: Phrase = Phrase::new("AI took part", "AI ikut menangani");
    pub const DAILY_NET_RATE: Phrase = Phrase::new(
        "Solved on its own, share of counted",
        "Diselesaikan sendiri, bagian dari yang dihitung",
    );
    pub const DAILY_TOTAL: Phrase = Phrase::new("Whole period", "Seluruh periode");
    pub const DAILY_HOURS_SAVED: Phrase = Phrase::new("Team hours saved", "Jam tim yang dihemat");
    pub const DAILY_RUPIAH_SAVED: Phrase = Phrase::new(
        "Team time saved, your own estimate (Rp)",
        "Waktu tim yang dihemat, perkiraan Anda sendiri (Rp)",
    );
    pub const DAILY_AI_COST: Phrase = Phrase::new(
        "What the AI cost, by your monthly price (Rp)",
        "Biaya AI, menurut harga bulanan Anda (Rp)",
    );

    pub const SHEET_DAILY: Phrase = Phrase::new("Daily", "Harian");
    pub const SHEET_CONVERSATIONS: Phrase = Phrase::new("Conversations", "Percakapan");
    pub const SHEET_ABOUT: Phrase = Phrase::new("What this means", "Penjelasan");
    pub const ABOUT_TITLE: Phrase = Phrase::new(
        "AI Agent Impact Report — {org}, {from} to {to} ({timezone})",
        "Laporan Dampak Agen AI — {org}, {from} sampai {to} ({timezone})",
    );
    pub const ABOUT_LINES: [Phrase; 7] = [
        Phrase::new(
            "Each conversation is counted on the day it started, in your organization's time zone.",
            "Setiap percakapan dihitung pada hari dimulainya, menurut zona waktu organisasi Anda.",
        ),
        Phrase::new(
            "Counted = all conversations except your own test chats and spam, which are left out of every figure.",
            "Dihitung = semua percakapan kecuali chat uji coba Anda dan spam, yang tidak dihitung di angka mana pun.",
        ),
        Phrase::new(
            "Solved on its own = the AI closed it, no one from your team joined, and the customer did not start another conversation within 48 hours after it closed.",
            "Diselesaikan sendiri = AI menutupnya, tidak ada anggota tim yang ikut, dan pelanggan tidak memulai percakapan lain dalam 48 jam setelah ditutup.",
        ),
        Phrase::new(
            "Closed by the AI, but the customer came back = the AI closed it alone, but the same customer started another conversation within 48 hours; these are not counted as solved.",
            "Ditutup AI, tapi pelanggan kembali = AI menutupnya sendiri, tapi pelanggan yang sama memulai percakapan lain dalam 48 jam; ini tidak dihitung sebagai selesai.",
        ),
        Phrase::new(
            "AI helped, your team finished = the AI answered and a team member joined; Handed to your team = a team member took over or it was passed to the team; No clear outcome yet = closed by a person or a timeout, still open, or an unknown reason.",
            "AI membantu, tim Anda menyelesaikan = AI menjawab dan anggota tim ikut; Dialihkan ke tim Anda = anggota tim mengambil alih atau percakapan diteruskan ke tim; Belum jelas hasilnya = ditutup orang atau otomatis, masih terbuka, atau alasan tidak diketahui.",
        ),
        Phrase::new(
            "Team hours saved, time saved (Rp) and what the AI cost come from your own cost numbers, and are empty without them; the AI's cost of a day is its monthly price × 12 ÷ 365.",
            "Jam tim yang dihemat, waktu yang dihemat (Rp) dan biaya AI berasal dari angka biaya Anda sendiri, dan kosong tanpanya; biaya AI sehari adalah harga bulanannya × 12 ÷ 365.",
        ),
        Phrase::new(
            "The figures are the same as on the report page for this period; the whole-period row equals the report's totals.",
            "Angkanya sama dengan halaman laporan untuk periode ini; baris seluruh periode sama dengan total di laporan.",
        ),
    ];
    pub const MORE_THAN_FITS: Phrase = Phrase::new(
        "This workbook holds the newest {rows} conversations; download the CSV file for all of them.",
        "Buku kerja ini berisi {rows} percakapan terbaru; unduh berkas CSV untuk semuanya.",
    );
}
