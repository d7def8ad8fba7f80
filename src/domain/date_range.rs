use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// The longest range a report covers: twelve months (README, who sees the report), counted generously
/// as 366 days so that a leap-year "last 12 months" fits.
pub const MAX_RANGE_DAYS: i64 = 366;

/// The earliest date any command or request may name: before any conversation this
/// product could have counted (docs/operations.md, the table of limits). A date of
/// year 0 would otherwise plan hundreds of thousands of empty days.
pub fn earliest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// An inclusive range of organization-local dates (docs/metrics.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateRangeError {
    #[error("'{0}' is not a date in the form YYYY-MM-DD")]
    NotADate(String),
    #[error("the start date {from} is after the end date {to}")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error(
        "the range is {days} days long; at most {MAX_RANGE_DAYS} days (12 months) are allowed"
    )]
    TooLong { days: i64 },
    #[error(
        "{date} is before {}, the earliest date that can be asked for",
        earliest_date()
    )]
    BeforeEarliest { date: NaiveDate },
    #[error("the range ends on {to}, after today ({today}): those days have not happened yet")]
    AfterToday { to: NaiveDate, today: NaiveDate },
}

impl DateRange {
    /// A range of at most twelve months, the rule for everything a user asks for.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, DateRangeError> {
        let range = Self::unbounded(from, to)?;
        let days = range.days();
        if days > MAX_RANGE_DAYS {
            return Err(DateRangeError::TooLong { days });
        }
        Ok(range)
    }

    /// The range, if it lies in the window anyone may ask about: from
    /// `earliest_date()` up to `today` (METRICS.md §8.4: no day after today exists).
    pub fn within(self, today: NaiveDate) -> Result<Self, DateRangeError> {
        if self.from < earliest_date() {
            return Err(DateRangeError::BeforeEarliest { date: self.from });
        }
        if self.to > today {
            return Err(DateRangeError::AfterToday { to: self.to, today });
        }
        Ok(self)
    }

    /// A range of any length, for operator commands such as `impact aggregate`.
    pub fn unbounded(from: NaiveDate, to: NaiveDate) -> Result<Self, DateRangeError> {
        if from > to {
            return Err(DateRangeError::Reversed { from, to });
        }
        Ok(Self { from, to })
    }

    /// Exactly `YYYY-MM-DD` with a four-digit year: chrono alone would take a sign
    /// and any number of digits, and a date at the end of its calendar has no day
    /// after it (the lists' cursor) nor a period before it.
    pub fn parse_date(text: &str) -> Result<NaiveDate, DateRangeError> {
        let trimmed = text.trim();
        let shaped = trimmed.len() == 10
            && trimmed
                .bytes()
                .enumerate()
                .all(|(index, byte)| match index {
                    4 | 7 => byte == b'-',
                    _ => byte.is_ascii_digit(),
                });
        shaped
            .then(|| NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").ok())
            .flatten()
            .ok_or_else(|| DateRangeError::NotADate(text.to_string()))
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Number of days in the range, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The range of the same number of days that ends the day before this one starts
    /// (the "period before" of docs/metrics.md §4.9).
    pub fn before(&self) -> DateRange {
        let length = Duration::days(self.days());
        DateRange {
            from: self.from - length,
            to: self.from - Duration::days(1),
        }
    }

    /// The period before and this range as one span, so that both are read in one
    /// query and split by `contains`.
    pub fn with_before(&self) -> DateRange {
        DateRange {
            from: self.before().from,
            to: self.to,
        }
    }

    /// The part of the range that has data when the data ends on `last_day`: from
    /// `from` to the earlier of `to` and `last_day`, or `None` when the data ends
    /// before the range starts (METRICS.md §4.4). Every figure that depends on the
    /// range's length (the AI's cost, the period before) counts these days only.
    pub fn with_data_through(&self, last_day: Option<NaiveDate>) -> Option<DateRange> {
        let last_day = last_day?;
        (last_day >= self.from).then(|| DateRange {
            from: self.from,
            to: self.to.min(last_day),
        })
    }

    /// The range cut into its calendar months, in order: `(first day, last day)` of
    /// each month the range touches, within the range.
    pub fn calendar_months(&self) -> impl Iterator<Item = DateRange> + '_ {
        let mut start = Some(self.from);
        std::iter::from_fn(move || {
            let from = start.filter(|from| *from <= self.to)?;
            let month_end = last_day_of_month(from);
            let to = month_end.min(self.to);
            start = month_end.succ_opt();
            Some(DateRange { from, to })
        })
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    pub fn iter_days(&self) -> impl Iterator<Item = NaiveDate> {
        let to = self.to;
        self.from.iter_days().take_while(move |day| *day <= to)
    }
}

/// The last day of `day`'s calendar month.
pub fn last_day_of_month(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let first = day.with_day(1).unwrap_or(day);
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// How many days `day`'s calendar month has.
pub fn days_in_month(day: NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(last_day_of_month(day).day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        DateRange::parse_date(text).unwrap()
    }

    #[test]
    fn counts_both_ends() {
        let range = DateRange::new(day("2026-10-01"), day("2026-10-31")).unwrap();
        assert_eq!(range.days(), 31);
        assert_eq!(range.iter_days().count(), 31);
        for bad in [
            "+262142-12-31",
            "-262143-01-01",
            "20261-01-01",
            "2026-1-01",
            "2026/10/01",
        ] {
            assert!(DateRange::parse_date(bad).is_err(), "{bad}");
        }
        assert_eq!(
            DateRange::parse_date(" 9999-12-31 ").map(|d| d.to_string()),
            Ok("9999-12-31".to_string())
        );
    }

    #[test]
    fn the_period_before_has_the_same_length_and_ends_the_day_before() {
        let range = DateRange::new(day("2026-03-01"), day("2026-03-31")).unwrap();
        let before = range.before();
        assert_eq!(
            (before.from(), before.to()),
            (day("2026-01-29"), day("2026-02-28"))
        );
        let both = range.with_before();
        assert_eq!(
            (both.from(), both.to()),
            (day("2026-01-29"), day("2026-03-31"))
        );
        assert_eq!(both.days(), 2 * range.days());
    }

    #[test]
    fn a_range_past_its_data_is_cut_at_the_last_day_with_data() {
        let range = DateRange::new(day("2026-12-01"), day("2026-12-31")).unwrap();
        let cut = range.with_data_through(Some(day("2026-12-06"))).unwrap();
        assert_eq!(
            (cut.from(), cut.to()),
            (day("2026-12-01"), day("2026-12-06"))
        );
        assert_eq!(
            range.with_data_through(Some(day("2027-01-06"))),
            Some(range)
        );
        assert_eq!(range.with_data_through(Some(day("2026-11-30"))), None);
        assert_eq!(range.with_data_through(None), None);
    }

    #[test]
    fn a_range_splits_into_the_calendar_months_it_touches() {
        let range = DateRange::new(day("2026-01-30"), day("2026-03-02")).unwrap();
        let months: Vec<(String, String)> = range
            .calendar_months()
            .map(|month| (month.from().to_string(), month.to().to_string()))
            .collect();
        assert_eq!(
            months,
            [
                ("2026-01-30", "2026-01-31"),
                ("2026-02-01", "2026-02-28"),
                ("2026-03-01", "2026-03-02")
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert_eq!(days_in_month(day("2028-02-10")), 29);
        assert_eq!(days_in_month(day("2026-11-30")), 30);
    }

    #[test]
    fn rejects_reversed_and_too_long_ranges() {
        assert!(matches!(
            DateRange::new(day("2026-10-02"), day("2026-10-01")),
            Err(DateRangeError::Reversed { .. })
        ));
        assert!(DateRange::new(day("2025-11-01"), day("2026-10-31")).is_ok());
        assert!(matches!(
            DateRange::new(day("2025-01-01"), day("2026-10-31")),
            Err(DateRangeError::TooLong { .. })
        ));
        assert!(DateRange::unbounded(day("2025-01-01"), day("2026-10-31")).is_ok());
    }

    #[test]
    fn rejects_text_that_is_not_a_date() {
        assert!(DateRange::parse_date("2026-13-01").is_err());
        assert!(DateRange::parse_date("yesterday").is_err());
    }
}
