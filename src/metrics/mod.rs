//! The metric rules of METRICS.md, written once, pure (no I/O), and used by both
//! storage backends: `rooms` turns source rooms into per-day counters (the nightly
//! aggregation), `report` turns per-day counters into the report.

pub mod report;
pub mod rooms;

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
