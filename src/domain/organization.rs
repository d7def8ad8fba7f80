use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub const DEFAULT_TIMEZONE: &str = "Asia/Jakarta";

/// A tenant key. Every metric is scoped to exactly one organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgIdError {
    #[error("an organization id must not be empty")]
    Empty,
    #[error("an organization id must be at most 128 characters")]
    TooLong,
    #[error("an organization id must not contain control characters")]
    ControlCharacter,
}

impl OrgId {
    pub fn parse(text: &str) -> Result<Self, OrgIdError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(OrgIdError::Empty);
        }
        if text.chars().count() > 128 {
            return Err(OrgIdError::TooLong);
        }
        if text.chars().any(char::is_control) {
            return Err(OrgIdError::ControlCharacter);
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrgId {
    type Error = OrgIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OrgId> for String {
    fn from(value: OrgId) -> Self {
        value.0
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One opening interval of a day, in seconds after local midnight, closed at its
/// start and open at its end (docs/metrics.md §4.3: 08:00 is inside 08:00–17:00, 17:00 is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    start_second: u32,
    end_second: u32,
}

impl Interval {
    fn parse(text: &str) -> Result<Self, String> {
        let (start, end) = text
            .split_once('-')
            .ok_or_else(|| format!("'{text}' is not an interval like 08:00-17:00"))?;
        let start_second = parse_clock(start.trim(), false)
            .ok_or_else(|| format!("'{start}' is not a time like 08:00"))?;
        let end_second = parse_clock(end.trim(), true)
            .ok_or_else(|| format!("'{end}' is not a time like 17:00"))?;
        if end_second <= start_second {
            return Err(format!(
                "interval '{text}' ends before it starts; split an overnight interval at midnight"
            ));
        }
        Ok(Self {
            start_second,
            end_second,
        })
    }

    fn contains(&self, second_of_day: u32) -> bool {
        self.start_second <= second_of_day && second_of_day < self.end_second
    }

    fn render(&self) -> String {
        let clock = |s: u32| format!("{:02}:{:02}", s / 3600, (s % 3600) / 60);
        format!("{}-{}", clock(self.start_second), clock(self.end_second))
    }
}

/// Parses `HH:MM`; `24:00` is allowed only as the end of an interval.
fn parse_clock(text: &str, is_end: bool) -> Option<u32> {
    let (hours, minutes) = text.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: u32 = hours.parse().ok()?;
    let minutes: u32 = minutes.parse().ok()?;
    if minutes > 59 {
        return None;
    }
    match hours {
        0..=23 => Some(hours * 3600 + minutes * 60),
        24 if is_end && minutes == 0 => Some(24 * 3600),
        _ => None,
    }
}

const WEEKDAY_KEYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// A weekly opening schedule. A weekday that is missing is closed all day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BusinessHours {
    by_weekday: [Vec<Interval>; 7],
}

impl BusinessHours {
    /// Parses the import format `{"mon":["08:00-17:00"],…,"sun":[]}`.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        let object = value
            .as_object()
            .ok_or("business_hours must be an object like {\"mon\":[\"08:00-17:00\"]}")?;
        let mut hours = BusinessHours::default();
        for (key, intervals) in object {
            let (_, weekday) = WEEKDAY_KEYS
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(key.trim()))
                .ok_or_else(|| format!("'{key}' is not a weekday (use mon, tue, … sun)"))?;
            let list = intervals
                .as_array()
                .ok_or_else(|| format!("business_hours.{key} must be a list of intervals"))?;
            let slot = &mut hours.by_weekday[weekday.num_days_from_monday() as usize];
            for interval in list {
                let text = interval.as_str().ok_or_else(|| {
                    format!("business_hours.{key} must hold text like \"08:00-17:00\"")
                })?;
                slot.push(Interval::parse(text).map_err(|e| format!("business_hours.{key}: {e}"))?);
            }
            slot.sort_by_key(|i| i.start_second);
        }
        Ok(hours)
    }

    pub fn to_json(&self) -> serde_json::Value {
        let map: BTreeMap<&str, Vec<String>> = WEEKDAY_KEYS
            .iter()
            .map(|(name, weekday)| {
                let intervals = &self.by_weekday[weekday.num_days_from_monday() as usize];
                (*name, intervals.iter().map(Interval::render).collect())
            })
            .collect();
        serde_json::json!(map)
    }

    fn is_open(&self, weekday: Weekday, second_of_day: u32) -> bool {
        self.by_weekday[weekday.num_days_from_monday() as usize]
            .iter()
            .any(|interval| interval.contains(second_of_day))
    }
}

/// An organization as the report needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    pub id: OrgId,
    pub name: String,
    pub ai_addon: bool,
    pub timezone: Tz,
    /// `None` means "not configured": the after-hours figure is then not available.
    pub business_hours: Option<BusinessHours>,
    pub holidays: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganizationError {
    #[error("'{0}' is not an IANA time zone name such as Asia/Jakarta")]
    UnknownTimezone(String),
}

impl Organization {
    pub fn parse_timezone(name: &str) -> Result<Tz, OrganizationError> {
        name.trim()
            .parse::<Tz>()
            .map_err(|_| OrganizationError::UnknownTimezone(name.to_string()))
    }

    /// The organization-local date of an instant (docs/metrics.md §2).
    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.timezone).date_naive()
    }

    /// The instant the organization-local day begins. Where a time-zone change skips
    /// midnight, the day begins at the first local time that exists.
    pub fn day_start(&self, day: NaiveDate) -> DateTime<Utc> {
        let mut local = day.and_time(chrono::NaiveTime::MIN);
        for _ in 0..48 {
            if let Some(start) = self.timezone.from_local_datetime(&local).earliest() {
                return start.with_timezone(&Utc);
            }
            local += chrono::Duration::minutes(30);
        }
        // No zone in the database skips a whole day; fall back to UTC midnight.
        day.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// Whether an instant falls outside business hours (docs/metrics.md §4.3). `None` when
    /// the organization has no business hours configured.
    pub fn is_after_hours(&self, instant: DateTime<Utc>) -> Option<bool> {
        let hours = self.business_hours.as_ref()?;
        let local = instant.with_timezone(&self.timezone);
        if self.holidays.contains(&local.date_naive()) {
            return Some(true);
        }
        Some(!hours.is_open(local.weekday(), local.num_seconds_from_midnight()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(hours: serde_json::Value, holidays: &[&str]) -> Organization {
        Organization {
            id: OrgId::parse("org_test").unwrap(),
            name: "Test".into(),
            ai_addon: true,
            timezone: Organization::parse_timezone("Asia/Jakarta").unwrap(),
            business_hours: Some(BusinessHours::from_json(&hours).unwrap()),
            holidays: holidays
                .iter()
                .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap())
                .collect(),
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn opening_time_is_inside_and_closing_time_is_outside() {
        let org = org(serde_json::json!({"mon": ["08:00-17:00"]}), &[]);
        assert_eq!(
            org.is_after_hours(at("2026-10-19T08:00:00+07:00")),
            Some(false)
        );
        assert_eq!(
            org.is_after_hours(at("2026-10-19T16:59:59+07:00")),
            Some(false)
        );
        assert_eq!(
            org.is_after_hours(at("2026-10-19T17:00:00+07:00")),
            Some(true)
        );
        assert_eq!(
            org.is_after_hours(at("2026-10-19T07:59:59+07:00")),
            Some(true)
        );
        // Tuesday is missing from the schedule, so it is closed all day.
        assert_eq!(
            org.is_after_hours(at("2026-10-20T10:00:00+07:00")),
            Some(true)
        );
    }

    #[test]
    fn converts_to_local_time_before_judging() {
        let org = org(serde_json::json!({"mon": ["08:00-17:00"]}), &[]);
        // 01:30 UTC on Monday is 08:30 in Jakarta.
        assert_eq!(org.is_after_hours(at("2026-10-19T01:30:00Z")), Some(false));
    }

    #[test]
    fn a_holiday_is_entirely_outside_and_split_days_work() {
        let org = org(
            serde_json::json!({"wed": ["08:00-12:00", "13:00-24:00"]}),
            &["2026-10-28"],
        );
        assert_eq!(
            org.is_after_hours(at("2026-10-21T12:30:00+07:00")),
            Some(true)
        );
        assert_eq!(
            org.is_after_hours(at("2026-10-21T23:59:59+07:00")),
            Some(false)
        );
        assert_eq!(
            org.is_after_hours(at("2026-10-28T09:00:00+07:00")),
            Some(true)
        );
    }

    #[test]
    fn rejects_malformed_schedules() {
        for bad in [
            serde_json::json!({"mon": ["8-17"]}),
            serde_json::json!({"mon": ["17:00-08:00"]}),
            serde_json::json!({"funday": ["08:00-17:00"]}),
            serde_json::json!({"mon": "08:00-17:00"}),
            serde_json::json!(["08:00-17:00"]),
            serde_json::json!({"mon": ["24:00-24:30"]}),
        ] {
            assert!(
                BusinessHours::from_json(&bad).is_err(),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn round_trips_through_json() {
        let hours = BusinessHours::from_json(&serde_json::json!({
            "mon": ["08:00-17:00"], "sat": ["09:00-13:00", "14:00-24:00"]
        }))
        .unwrap();
        assert_eq!(BusinessHours::from_json(&hours.to_json()).unwrap(), hours);
    }

    #[test]
    fn local_dates_follow_the_organization_timezone() {
        let mut org = org(serde_json::json!({}), &[]);
        let instant = at("2026-10-31T17:30:00Z");
        assert_eq!(org.local_date(instant).to_string(), "2026-11-01");
        org.timezone = Organization::parse_timezone("UTC").unwrap();
        assert_eq!(org.local_date(instant).to_string(), "2026-10-31");
        let jakarta = Organization::parse_timezone("Asia/Jakarta").unwrap();
        org.timezone = jakarta;
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(org.day_start(day), at("2026-10-31T17:00:00Z"));
    }

    #[test]
    fn org_ids_are_trimmed_and_checked() {
        assert_eq!(OrgId::parse(" org_1 ").unwrap().as_str(), "org_1");
        assert_eq!(OrgId::parse("  "), Err(OrgIdError::Empty));
        assert_eq!(OrgId::parse("a\u{7}b"), Err(OrgIdError::ControlCharacter));
    }
}
