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

/// The presets, computed for the organization's "today". None reaches past
/// yesterday, the latest complete day: "this month" ends yesterday, and is not
/// offered on the first of a month, which has no complete day yet.
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
    let mut presets = vec![
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
            "last_month",
            words::LAST_MONTH,
            last_month_start,
            last_month_end,
        ),
    ];
    if yesterday >= first_of_month {
        let this_month = make("this_month", words::THIS_MONTH, first_of_month, yesterday);
        presets.insert(3, this_month);
    }
    presets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn no_preset_reaches_past_yesterday() {
        let today = day("2026-12-04");
        let none = (today, today);
        for lang in [Lang::En, Lang::Id] {
            let presets = presets(today, lang, none);
            assert!(presets.iter().all(|p| p.to.as_str() <= "2026-12-03"));
            let this_month = presets.iter().find(|p| p.id == "this_month");
            let range = this_month.map(|p| (p.from.as_str(), p.to.as_str()));
            assert_eq!(range, Some(("2026-12-01", "2026-12-03")));
        }
        // The first of a month has no complete day of it yet: no "this month".
        let first = presets(day("2026-12-01"), Lang::En, none);
        assert!(first.iter().all(|p| p.id != "this_month"));
        assert!(first.iter().all(|p| p.to.as_str() <= "2026-11-30"));
        assert_eq!(first.len(), 4);
    }
}
