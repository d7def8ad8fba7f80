//! The onboarding baseline (docs/metrics.md §4.8): net containment over the 30
//! organization-local days starting with the first day that has an AI-handled room.
//! It is "still forming" until those 30 days are all in the data.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::DailyCounters;

pub(crate) const BASELINE_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub eligible: i64,
    pub net: i64,
}

impl Baseline {
    pub fn net_rate(&self) -> Option<f64> {
        (self.eligible > 0).then(|| self.net as f64 / self.eligible as f64)
    }
}

/// The 30 organization-local days of the baseline, first and last, when the
/// organization's first AI-handled room is on `first_ai_day`.
pub fn window(first_ai_day: NaiveDate) -> (NaiveDate, NaiveDate) {
    (
        first_ai_day,
        first_ai_day + Duration::days(BASELINE_DAYS - 1),
    )
}

/// Whether the window's last day is in the data: until then the baseline is forming.
pub(crate) fn is_complete(
    (_, last_day): (NaiveDate, NaiveDate),
    data_through: Option<NaiveDate>,
) -> bool {
    data_through.is_some_and(|through| through >= last_day)
}

/// The baseline over the window starting on `first_ai_day`, from daily rows in any
/// order (rows outside the window are ignored; missing days count as zero).
pub fn onboarding_baseline(first_ai_day: NaiveDate, days: &[DailyCounters]) -> Baseline {
    let (first_day, last_day) = window(first_ai_day);
    let (eligible, net) = days
        .iter()
        .filter(|row| first_day <= row.day && row.day <= last_day)
        .fold((0, 0), |(eligible, net), row| {
            (eligible + row.eligible, net + row.net())
        });
    Baseline {
        first_day,
        last_day,
        eligible,
        net,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        day: &str,
        eligible: i64,
        ai_handled: i64,
        contained: i64,
        reopened: i64,
    ) -> DailyCounters {
        DailyCounters {
            day: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
            eligible,
            ai_handled,
            contained,
            reopened,
            ..Default::default()
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_baseline_covers_30_days_from_the_first_ai_day() {
        let days = [
            row("2026-08-30", 5, 0, 0, 0),
            row("2026-09-01", 10, 4, 3, 1),
            row("2026-09-30", 10, 10, 6, 0),
            row("2026-10-01", 100, 100, 100, 0),
        ];
        let baseline = onboarding_baseline(day("2026-09-01"), &days);
        assert_eq!(
            (baseline.first_day, baseline.last_day),
            (day("2026-09-01"), day("2026-09-30"))
        );
        assert_eq!((baseline.eligible, baseline.net), (20, 8));
        assert_eq!(baseline.net_rate(), Some(0.4));
    }

    #[test]
    fn it_is_still_forming_until_the_30th_day_is_in_the_data() {
        let days = window(day("2026-09-01"));
        assert!(!is_complete(days, Some(day("2026-09-29"))));
        assert!(is_complete(days, Some(day("2026-09-30"))));
        assert!(!is_complete(days, None));
    }
}
