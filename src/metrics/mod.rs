//! The metric rules of docs/metrics.md, written once, pure (no I/O), and used by both
//! storage backends: `rooms` turns source rooms into room outcomes and per-day
//! counters (the nightly aggregation), `report` turns per-day counters into the report.

pub mod baseline;
pub mod forecast;
pub mod report;
pub mod rooms;
pub mod threshold;
pub mod uncertainty;

use chrono::NaiveDate;
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
    /// Squared normalised sentiment summed over each group's rooms that have one,
    /// so the mood's spread, and the interval of its delta, is exact over any range
    /// (METRICS.md §4.10).
    pub contained_sentiment_squares: f64,
    pub human_sentiment_squares: f64,
    /// True when the sentiment source could not be read for this day; the next
    /// aggregation run fills it in.
    pub sentiment_pending: bool,
    /// Rooms left out of every figure (docs/metrics.md §4.9): the admin's test chats
    /// and spam, so that the ledger adds up to all conversations.
    pub test_chats: i64,
    pub spam: i64,
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

    /// Honest containment (§4.2): contained rooms whose customer did not come back
    /// within 48 hours. The one place the rule is written.
    pub fn net(&self) -> i64 {
        self.contained - self.reopened
    }

    /// Adds another day's counters to these, column by column (`COLUMNS`, so a new
    /// counter is summed without being named here): counts and sums add up, and a
    /// pending flag stays once any day has it. `day` is left as it is.
    pub fn add(&mut self, other: &DailyCounters) {
        for column in COLUMNS {
            let sum = match ((column.get)(self), (column.get)(other)) {
                (CounterValue::Count(mine), CounterValue::Count(theirs)) => {
                    CounterValue::Count(mine + theirs)
                }
                (CounterValue::Sum(mine), CounterValue::Sum(theirs)) => {
                    CounterValue::Sum(mine + theirs)
                }
                (CounterValue::Flag(mine), CounterValue::Flag(theirs)) => {
                    CounterValue::Flag(mine || theirs)
                }
                // A column's getter always gives its own kind.
                (mine, _) => mine,
            };
            (column.set)(self, sum);
        }
    }
}

/// The report's tile groups that are read separately, each with its own time limit,
/// so that one failing degrades only its own tiles (ARCHITECTURE.md, the server).
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

    /// The datamart columns this group reads (besides `day`), in table order.
    pub fn columns(self) -> impl Iterator<Item = &'static Column> {
        COLUMNS
            .iter()
            .filter(move |column| column.groups.contains(&self))
    }
}

/// One column of the datamart's daily row (`ai_activity_logs`, beside its key
/// `organization_id, day`): everything the program knows about it. The stores build
/// their SELECT lists, upserts and row decoders from `COLUMNS`, the server's tile
/// groups read the columns marked with their group, and `merge_groups` puts the
/// groups back together from it; so adding a counter means one field of
/// `DailyCounters`, one line here, and one column in each migration.
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
    /// The tile groups whose read includes this column.
    pub groups: &'static [TileGroup],
    pub get: fn(&DailyCounters) -> CounterValue,
    pub set: fn(&mut DailyCounters, CounterValue),
}

impl std::fmt::Debug for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Writes the table: `field: Kind in [Group, …]`, where the field name is also the
/// column's name and `Kind` names both the `ColumnKind` and the `CounterValue`.
macro_rules! columns {
    ($($field:ident: $kind:ident in [$($group:ident),*]),* $(,)?) => {
        /// The datamart's daily columns, in table order.
        pub const COLUMNS: &[Column] = &[$(
            Column {
                name: stringify!($field),
                kind: ColumnKind::$kind,
                groups: &[$(TileGroup::$group),*],
                get: |row| CounterValue::$kind(row.$field),
                set: |row, value| {
                    if let CounterValue::$kind(value) = value {
                        row.$field = value;
                    }
                },
            },
        )*];
    };
}

columns! {
    eligible: Count in [Core],
    ai_handled: Count in [Core],
    contained: Count in [Core],
    reopened: Count in [Core],
    after_hours: Count in [Core],
    // Mood coverage is over the three journey classes, so quality reads the two
    // human classes itself and never depends on the journey read.
    ai_assisted: Count in [Journey, Quality],
    escalated: Count in [Journey, Quality],
    other: Count in [Journey],
    contained_customer_messages: Count in [Quality],
    contained_sentiment_sum: Sum in [Quality],
    contained_sentiment_rooms: Count in [Quality],
    human_sentiment_sum: Sum in [Quality],
    human_sentiment_rooms: Count in [Quality],
    sentiment_pending: Flag in [Quality],
    test_chats: Count in [Core],
    spam: Count in [Core],
    contained_sentiment_squares: Sum in [Quality],
    human_sentiment_squares: Sum in [Quality],
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
    let others = [
        (TileGroup::Quality, by_day(quality)),
        (TileGroup::Journey, by_day(journey)),
    ];
    core.into_iter()
        .map(|mut row| {
            for (group, rows) in &others {
                if let Some(read) = rows.get(&row.day) {
                    for column in group.columns() {
                        (column.set)(&mut row, (column.get)(read));
                    }
                }
            }
            row
        })
        .collect()
}

/// The last day of a calendar month, where dates are kept (`domain`).
pub use crate::domain::last_day_of_month;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_reads_and_writes_its_own_field() {
        let mut names = std::collections::HashSet::new();
        for column in COLUMNS {
            assert!(names.insert(column.name), "{} twice", column.name);
            assert!(
                !column.groups.is_empty(),
                "{} is read by no group",
                column.name
            );
            let mut row = DailyCounters::default();
            let value = match column.kind {
                ColumnKind::Count => CounterValue::Count(7),
                ColumnKind::Sum => CounterValue::Sum(0.5),
                ColumnKind::Flag => CounterValue::Flag(true),
            };
            (column.set)(&mut row, value);
            assert_ne!(row, DailyCounters::default(), "{} was not set", column.name);
            assert_eq!((column.get)(&row), value, "{}", column.name);
        }
        // Every field of the row but `day` is a column.
        let fields = serde_json::to_value(DailyCounters::default()).unwrap();
        assert_eq!(fields.as_object().unwrap().len(), COLUMNS.len() + 1);
    }

    #[test]
    fn adding_days_sums_every_column_and_keeps_a_pending_day() {
        let mut day = DailyCounters::default();
        for column in COLUMNS {
            let value = match column.kind {
                ColumnKind::Count => CounterValue::Count(3),
                ColumnKind::Sum => CounterValue::Sum(0.25),
                ColumnKind::Flag => CounterValue::Flag(true),
            };
            (column.set)(&mut day, value);
        }
        let mut total = DailyCounters::default();
        total.add(&day);
        total.add(&DailyCounters::default());
        total.add(&day);
        for column in COLUMNS {
            let expected = match column.kind {
                ColumnKind::Count => CounterValue::Count(6),
                ColumnKind::Sum => CounterValue::Sum(0.5),
                ColumnKind::Flag => CounterValue::Flag(true),
            };
            assert_eq!((column.get)(&total), expected, "{}", column.name);
        }
        assert_eq!(total.net(), total.contained - total.reopened);
    }

    #[test]
    fn merging_the_groups_gives_back_the_whole_rows() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        // Every column a value of its own, so a column merged from the wrong group
        // (or not at all) is seen.
        let mut whole = DailyCounters::empty(day);
        for (index, column) in COLUMNS.iter().enumerate() {
            let value = match column.kind {
                ColumnKind::Count => CounterValue::Count(index as i64 + 1),
                ColumnKind::Sum => CounterValue::Sum(index as f64 + 0.5),
                ColumnKind::Flag => CounterValue::Flag(true),
            };
            (column.set)(&mut whole, value);
        }
        let only = |group: TileGroup| {
            let mut row = DailyCounters::empty(day);
            for column in group.columns() {
                (column.set)(&mut row, (column.get)(&whole));
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
