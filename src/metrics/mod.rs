//! The metric rules of METRICS.md, written once, pure (no I/O), and used by both
//! storage backends: `rooms` turns source rooms into per-day counters (the nightly
//! aggregation), `report` turns per-day counters into the report.

pub mod baseline;
pub mod forecast;
pub mod report;
pub mod rooms;
pub mod threshold;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// One organization-local day of the datamart (`ai_activity_logs`). Only sums and
/// counts, never ratios, so that any range is a plain sum of days.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DailyCounters {
    pub day: NaiveDate,
    /// Eligible rooms (§3).
    pub eligible: i64,
    /// Eligible rooms the AI took part in (§4.1).
    pub ai_handled: i64,
    /// Contained (gross) rooms, which are also the `ai_only` journey class (§4.2, §4.5).
    pub contained: i64,
    /// Contained rooms whose customer came back within 48 hours (§4.2).
    pub reopened: i64,
    /// AI-handled rooms created outside business hours (§4.3); 0 without business hours.
    pub after_hours: i64,
    pub ai_assisted: i64,
    pub escalated: i64,
    pub other: i64,
    /// Customer messages summed over contained rooms, for the turns average (§4.6).
    pub contained_customer_messages: i64,
    /// Normalised sentiment summed over contained rooms that have one, and their count.
    pub contained_sentiment_sum: f64,
    pub contained_sentiment_rooms: i64,
    /// The same over rooms a human touched (`ai_assisted` ∪ `escalated`).
    pub human_sentiment_sum: f64,
    pub human_sentiment_rooms: i64,
    /// True when the sentiment source could not be read for this day; the next
    /// aggregation run fills it in.
    pub sentiment_pending: bool,
}

impl DailyCounters {
    pub fn empty(day: NaiveDate) -> Self {
        Self {
            day,
            ..Self::default()
        }
    }

    /// Rooms in the three journey classes that the bar and sentiment coverage use.
    pub fn journey_rooms(&self) -> i64 {
        self.contained + self.ai_assisted + self.escalated
    }
}

/// The report's tile groups that are read separately, each with its own time limit,
/// so that one failing degrades only its own tiles (DESIGN.md, fetchers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TileGroup {
    /// Volume, containment, after hours, work absorbed and the trend. Without it
    /// there is no report.
    Core,
    /// The AI + human journey bar.
    Journey,
    /// Customers who came back, mood and messages to solve.
    Quality,
}

/// A datamart value of one column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CounterValue {
    Count(i64),
    Sum(f64),
    Flag(bool),
}

/// How a datamart column is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Count,
    Sum,
    Flag,
}

impl TileGroup {
    pub const ALL: [TileGroup; 3] = [TileGroup::Core, TileGroup::Journey, TileGroup::Quality];

    pub fn name(self) -> &'static str {
        match self {
            TileGroup::Core => "core",
            TileGroup::Journey => "journey",
            TileGroup::Quality => "quality",
        }
    }

    /// The `ai_activity_logs` columns this group reads (besides `day`).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            TileGroup::Core => &[
                "eligible",
                "ai_handled",
                "contained",
                "reopened",
                "after_hours",
            ],
            TileGroup::Journey => &["ai_assisted", "escalated", "other"],
            // Mood coverage is over the three journey classes, so quality reads the
            // two human classes itself and never depends on the journey read.
            TileGroup::Quality => &[
                "ai_assisted",
                "escalated",
                "contained_customer_messages",
                "contained_sentiment_sum",
                "contained_sentiment_rooms",
                "human_sentiment_sum",
                "human_sentiment_rooms",
                "sentiment_pending",
            ],
        }
    }
}

impl DailyCounters {
    pub fn column_kind(column: &str) -> ColumnKind {
        match column {
            "contained_sentiment_sum" | "human_sentiment_sum" => ColumnKind::Sum,
            "sentiment_pending" => ColumnKind::Flag,
            _ => ColumnKind::Count,
        }
    }

    /// Sets one datamart column; unknown names are ignored.
    pub fn set(&mut self, column: &str, value: CounterValue) {
        let count = match value {
            CounterValue::Count(n) => n,
            _ => 0,
        };
        match (column, value) {
            ("contained_sentiment_sum", CounterValue::Sum(sum)) => {
                self.contained_sentiment_sum = sum
            }
            ("human_sentiment_sum", CounterValue::Sum(sum)) => self.human_sentiment_sum = sum,
            ("sentiment_pending", CounterValue::Flag(flag)) => self.sentiment_pending = flag,
            ("eligible", _) => self.eligible = count,
            ("ai_handled", _) => self.ai_handled = count,
            ("contained", _) => self.contained = count,
            ("reopened", _) => self.reopened = count,
            ("after_hours", _) => self.after_hours = count,
            ("ai_assisted", _) => self.ai_assisted = count,
            ("escalated", _) => self.escalated = count,
            ("other", _) => self.other = count,
            ("contained_customer_messages", _) => self.contained_customer_messages = count,
            ("contained_sentiment_rooms", _) => self.contained_sentiment_rooms = count,
            ("human_sentiment_rooms", _) => self.human_sentiment_rooms = count,
            _ => {}
        }
    }
}

/// Puts the rows of separately read tile groups back together, day by day. Days
/// are those of the core rows; a group that was not read leaves its fields zero.
pub fn merge_groups(
    core: Vec<DailyCounters>,
    journey: Option<&[DailyCounters]>,
    quality: Option<&[DailyCounters]>,
) -> Vec<DailyCounters> {
    let by_day =
        |rows: Option<&[DailyCounters]>| -> std::collections::HashMap<NaiveDate, DailyCounters> {
            rows.unwrap_or_default()
                .iter()
                .map(|row| (row.day, row.clone()))
                .collect()
        };
    let journey = by_day(journey);
    let quality = by_day(quality);
    core.into_iter()
        .map(|mut row| {
            if let Some(q) = quality.get(&row.day) {
                row.ai_assisted = q.ai_assisted;
                row.escalated = q.escalated;
                row.contained_customer_messages = q.contained_customer_messages;
                row.contained_sentiment_sum = q.contained_sentiment_sum;
                row.contained_sentiment_rooms = q.contained_sentiment_rooms;
                row.human_sentiment_sum = q.human_sentiment_sum;
                row.human_sentiment_rooms = q.human_sentiment_rooms;
                row.sentiment_pending = q.sentiment_pending;
            }
            if let Some(j) = journey.get(&row.day) {
                row.ai_assisted = j.ai_assisted;
                row.escalated = j.escalated;
                row.other = j.other;
            }
            row
        })
        .collect()
}

/// The last day of the calendar month a day falls in.
pub fn last_day_of_month(day: NaiveDate) -> NaiveDate {
    let (year, month) = if day.month() == 12 {
        (day.year() + 1, 1)
    } else {
        (day.year(), day.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_every_group_can_be_set() {
        for group in TileGroup::ALL {
            for column in group.columns() {
                let mut row = DailyCounters::default();
                let value = match DailyCounters::column_kind(column) {
                    ColumnKind::Count => CounterValue::Count(7),
                    ColumnKind::Sum => CounterValue::Sum(0.5),
                    ColumnKind::Flag => CounterValue::Flag(true),
                };
                row.set(column, value);
                assert_ne!(row, DailyCounters::default(), "{column} was not set");
            }
        }
    }

    #[test]
    fn merging_the_groups_gives_back_the_whole_rows() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let whole = DailyCounters {
            day,
            eligible: 10,
            ai_handled: 9,
            contained: 5,
            reopened: 1,
            after_hours: 2,
            ai_assisted: 2,
            escalated: 1,
            other: 2,
            contained_customer_messages: 11,
            contained_sentiment_sum: 1.5,
            contained_sentiment_rooms: 2,
            human_sentiment_sum: -1.0,
            human_sentiment_rooms: 1,
            sentiment_pending: true,
        };
        let only = |group: TileGroup| {
            let mut row = DailyCounters::empty(day);
            for column in group.columns() {
                let value = match DailyCounters::column_kind(column) {
                    ColumnKind::Count => CounterValue::Count(match *column {
                        "eligible" => whole.eligible,
                        "ai_handled" => whole.ai_handled,
                        "contained" => whole.contained,
                        "reopened" => whole.reopened,
                        "after_hours" => whole.after_hours,
                        "ai_assisted" => whole.ai_assisted,
                        "escalated" => whole.escalated,
                        "other" => whole.other,
                        "contained_customer_messages" => whole.contained_customer_messages,
                        "contained_sentiment_rooms" => whole.contained_sentiment_rooms,
                        _ => whole.human_sentiment_rooms,
                    }),
                    ColumnKind::Sum if column.starts_with("contained") => {
                        CounterValue::Sum(whole.contained_sentiment_sum)
                    }
                    ColumnKind::Sum => CounterValue::Sum(whole.human_sentiment_sum),
                    ColumnKind::Flag => CounterValue::Flag(whole.sentiment_pending),
                };
                row.set(column, value);
            }
            row
        };
        let merged = merge_groups(
            vec![only(TileGroup::Core)],
            Some(&[only(TileGroup::Journey)]),
            Some(&[only(TileGroup::Quality)]),
        );
        assert_eq!(merged, vec![whole]);
    }
}
