//! Numbers and dates as each language writes them, from the Unicode CLDR data
//! compiled into the binary by ICU4X (the Unicode project's own implementation):
//! English `2,052 · 205.2 · 6 Dec 2026`, Indonesian `2.052 · 205,2 · 6 Des 2026`.
//! Nothing here knows a language's habits; it only picks the locale.
//!
//! English is CLDR's international English (`en-001`): its numbers are English's
//! own, and its dates put the day first (`6 Dec 2026`), as our readers in Indonesia
//! write them in both languages.

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use icu_datetime::fieldsets;
use icu_datetime::input::{Date, DateTime, Time};
use icu_datetime::options::TimePrecision;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_decimal::input::Decimal;
use icu_decimal::DecimalFormatter;
use icu_locale_core::{locale, Locale};

use super::Lang;

/// One language's formatters, made once: making one reads its CLDR data.
struct Formatters {
    decimal: DecimalFormatter,
    date: FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, fieldsets::YMD>,
    month: FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, fieldsets::YM>,
    date_time: FixedCalendarDateTimeFormatter<icu_calendar::Gregorian, fieldsets::YMDT>,
}

fn locale_of(lang: Lang) -> Locale {
    match lang {
        Lang::En => locale!("en-001"),
        Lang::Id => locale!("id"),
    }
}

impl Formatters {
    fn new(lang: Lang) -> Result<Self, String> {
        let locale = locale_of(lang);
        let error = |what: &str, error: &dyn std::fmt::Display| {
            format!("the {what} formatter of {}: {error}", lang.code())
        };
        Ok(Self {
            decimal: DecimalFormatter::try_new((&locale).into(), Default::default())
                .map_err(|e| error("number", &e))?,
            date: FixedCalendarDateTimeFormatter::try_new(
                (&locale).into(),
                fieldsets::YMD::medium(),
            )
            .map_err(|e| error("date", &e))?,
            month: FixedCalendarDateTimeFormatter::try_new(
                (&locale).into(),
                fieldsets::YM::medium(),
            )
            .map_err(|e| error("month", &e))?,
            date_time: FixedCalendarDateTimeFormatter::try_new(
                (&locale).into(),
                fieldsets::YMDT::medium().with_time_precision(TimePrecision::Minute),
            )
            .map_err(|e| error("date and time", &e))?,
        })
    }
}

/// The formatters of `lang`, or `None` if its data could not be loaded (it is
/// compiled in, so only a broken build gets there; then numbers and dates are
/// written plainly, `2052` and `2026-12-06`, rather than not at all).
fn formatters(lang: Lang) -> Option<&'static Formatters> {
    static ALL: OnceLock<[Option<Formatters>; 2]> = OnceLock::new();
    let [en, id] = ALL.get_or_init(|| {
        [Lang::En, Lang::Id].map(|lang| {
            Formatters::new(lang)
                .map_err(|error| tracing::error!(%error, "CLDR data is missing"))
                .ok()
        })
    });
    match lang {
        Lang::En => en.as_ref(),
        Lang::Id => id.as_ref(),
    }
}

/// A whole number with the language's grouping: `1,250,000` / `1.250.000`.
pub(super) fn count(value: i64, lang: Lang) -> String {
    match formatters(lang) {
        Some(f) => f.decimal.format(&Decimal::from(value)).to_string(),
        None => value.to_string(),
    }
}

/// A number with exactly `decimals` decimals (halves rounded away from zero) and
/// the language's separators: `1,234.5` / `1.234,5`.
pub(super) fn decimal(value: f64, decimals: usize, lang: Lang) -> String {
    let decimals = decimals.min(9);
    let scaled = (value * 10f64.powi(decimals as i32)).round();
    // Beyond what an i64 holds a figure is no longer a count of anything real.
    let scaled = if scaled.is_finite() {
        scaled.clamp(i64::MIN as f64, i64::MAX as f64) as i64
    } else {
        0
    };
    let mut number = Decimal::from(scaled);
    number.multiply_pow10(-(decimals as i16));
    match formatters(lang) {
        Some(f) => f.decimal.format(&number).to_string(),
        None => number.to_string(),
    }
}

fn icu_date(day: NaiveDate) -> Option<Date<icu_calendar::Gregorian>> {
    let month = u8::try_from(day.month()).ok()?;
    let of_month = u8::try_from(day.day()).ok()?;
    Date::try_new_gregorian(day.year(), month, of_month).ok()
}

/// A day: `6 Dec 2026` / `6 Des 2026`.
pub(super) fn date(day: NaiveDate, lang: Lang) -> String {
    match (formatters(lang), icu_date(day)) {
        (Some(f), Some(date)) => f.date.format(&date).to_string(),
        _ => day.to_string(),
    }
}

/// A month: `Dec 2026` / `Des 2026`.
pub(super) fn month(day: NaiveDate, lang: Lang) -> String {
    match (formatters(lang), icu_date(day)) {
        (Some(f), Some(date)) => f.month.format(&date).to_string(),
        _ => day.format("%Y-%m").to_string(),
    }
}

/// A local date and time to the minute: `6 Dec 2026, 11:43 pm` / `6 Des 2026,
/// 23.43`.
pub(super) fn date_time(at: NaiveDateTime, lang: Lang) -> String {
    let time = Time::try_new(at.hour() as u8, at.minute() as u8, 0, 0).ok();
    match (formatters(lang), icu_date(at.date()), time) {
        (Some(f), Some(date), Some(time)) => {
            f.date_time.format(&DateTime { date, time }).to_string()
        }
        _ => at.format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn each_language_writes_numbers_its_own_way() {
        assert!(formatters(Lang::En).is_some() && formatters(Lang::Id).is_some());
        assert_eq!(count(2_052, Lang::En), "2,052");
        assert_eq!(count(2_052, Lang::Id), "2.052");
        assert_eq!(count(-1_500_000, Lang::En), "-1,500,000");
        assert_eq!(count(7, Lang::Id), "7");
        assert_eq!(decimal(205.2, 1, Lang::En), "205.2");
        assert_eq!(decimal(205.2, 1, Lang::Id), "205,2");
        assert_eq!(
            decimal(205.0, 1, Lang::En),
            "205.0",
            "the decimals asked for"
        );
        assert_eq!(decimal(0.25, 1, Lang::En), "0.3", "halves away from zero");
        assert_eq!(decimal(-0.04, 1, Lang::Id), "0,0", "no minus on a zero");
        assert_eq!(decimal(1_234.56, 0, Lang::Id), "1.235");
        assert_eq!(decimal(f64::NAN, 1, Lang::En), "0.0");
    }

    #[test]
    fn each_language_writes_dates_its_own_way() {
        assert_eq!(date(day("2026-12-06"), Lang::En), "6 Dec 2026");
        assert_eq!(date(day("2026-12-06"), Lang::Id), "6 Des 2026");
        assert_eq!(month(day("2026-08-06"), Lang::Id), "Agu 2026");
        let evening = day("2026-12-03").and_hms_opt(23, 43, 10).unwrap();
        assert_eq!(date_time(evening, Lang::Id), "3 Des 2026, 23.43");
        // CLDR puts a narrow no-break space before "pm", so it never wraps alone.
        assert_eq!(date_time(evening, Lang::En), "3 Dec 2026, 11:43\u{202f}pm");
    }
}
