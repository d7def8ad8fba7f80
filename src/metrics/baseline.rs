//! The onboarding baseline (METRICS.md §4.8): net containment over the 30
//! organization-local days starting with the first day that has an AI-handled room.
//! It is "still forming" until those 30 days are all in the data.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::DailyCounters;

pub const BASELINE_DAYS: i64 = 30;

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

/// The baseline, if the organization's first 30 days of AI activity are all in
/// `days` (its datamart rows, any order) and the data reaches `data_through`.
pub fn onboarding_baseline(
    days: &[DailyCounters],
    data_through: Option<NaiveDate>,
) -> Option<Baseline> {
    let first_day = days
        .iter()
        .filter(|row| row.ai_handled > 0)
        .map(|row| row.day)
        .min()?;
    let last_day = first_day + Duration::days(BASELINE_DAYS - 1);
    if data_through? < last_day {
        return None;
    }
    let window = days
        .iter()
        .filter(|row| first_day <= row.day && row.day <= last_day);
    let (eligible, net) = window.fold((0, 0), |(eligible, net), row| {
        (eligible + row.eligible, net + row.contained - row.reopened)
    });
    Some(Baseline {
        first_day,
        last_day,
        eligible,
        net,
    })
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
        let baseline = onboarding_baseline(&days, Some(day("2026-10-01"))).unwrap();
        assert_eq!(
            (baseline.first_day, baseline.last_day),
            (day("2026-09-01"), day("2026-09-30"))
        );
        assert_eq!((baseline.eligible, baseline.net), (20, 8));
        assert_eq!(baseline.net_rate(), Some(0.4));
    }

    #[test]
    fn it_is_still_forming_until_the_30th_day_is_in_the_data() {
        let days = [row("2026-09-01", 10, 4, 3, 1)];
        assert_eq!(onboarding_baseline(&days, Some(day("2026-09-29"))), None);
        assert!(onboarding_baseline(&days, Some(day("2026-09-30"))).is_some());
        assert_eq!(
            onboarding_baseline(&[row("2026-09-01", 3, 0, 0, 0)], Some(day("2026-12-01"))),
            None
        );
        assert_eq!(onboarding_baseline(&days, None), None);
    }
}
