//! The date-range presets of the page's range selector.

use chrono::{Datelike, Duration, NaiveDate};

use crate::i18n::{web as words, Lang, Phrase};

/// A preset of the range selector.
pub struct Preset {
    pub id: &'static str,
    pub label: &'static str,
    pub from: String,
    pub to: String,
    pub selected: bool,
}

/// The presets, computed for the organization's "today".
pub fn presets(today: NaiveDate, lang: Lang, chosen: (NaiveDate, NaiveDate)) -> Vec<Preset> {
    let yesterday = today - Duration::days(1);
    let first_of_month = today.with_day(1).unwrap_or(today);
    let last_month_end = first_of_month - Duration::days(1);
    let last_month_start = last_month_end.with_day(1).unwrap_or(last_month_end);
    let make = |id, phrase: Phrase, from: NaiveDate, to: NaiveDate| Preset {
        id,
        label: phrase.text(lang),
        from: from.to_string(),
        to: to.to_string(),
        selected: (from, to) == chosen,
    };
    vec![
        make(
            "last_7",
            words::LAST_7,
            yesterday - Duration::days(6),
            yesterday,
        ),
        make(
            "last_30",
            words::LAST_30,
            yesterday - Duration::days(29),
            yesterday,
        ),
        make(
            "last_90",
            words::LAST_90,
            yesterday - Duration::days(89),
            yesterday,
        ),
        make(
            "this_month",
            words::THIS_MONTH,
            first_of_month,
            today.max(first_of_month),
        ),
        make(
            "last_month",
            words::LAST_MONTH,
            last_month_start,
            last_month_end,
        ),
    ]
}
