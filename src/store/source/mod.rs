//! Where the aggregation reads conversations (METRICS.md §8.1): the datamart's own
//! tables, filled by `impact import` (the embedded default), or a live PostgreSQL
//! database of the chatbot's, typically a read replica, read with `SELECT` only
//! through relations (tables or views) named in the settings. The report path never
//! reads a source: it reads what the aggregation wrote into the datamart.
//!
//! A source also says how its changes are found (§8.3): the datamart's own tables are
//! written only by the import, which marks the days it changed; a live source is
//! written by the chatbot, so its changes are found from their timestamps.

use std::time::Duration;

mod read;
mod retry;
pub(crate) use read::SqlSource;
pub(crate) use retry::Retrying;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::{MessageCount, SourceRoom, StoreResult};
use crate::domain::{OrgId, Organization, RawSentiment};

/// A room that changed in a live source within a window of time: its new values as
/// the source has them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceChange {
    pub organization_id: OrgId,
    pub room_id: String,
    pub created_at: DateTime<Utc>,
    /// The room's customer when the room itself changed (the 48-hour rule may make a
    /// contained room of that customer's come back or not); `None` when only a
    /// message or summary of the room is new, which changes only the room's own day.
    pub contact_id: Option<String>,
}

/// The rooms of one organization created in `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSpan {
    pub organization_id: OrgId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// A hint of cost: the span should hold all or nearly all of its
    /// organization's rooms (all the days of a run that reads the whole history,
    /// which fit one batch). A source may then read the message counts and
    /// summaries of all the organization's rooms at once, one range of each index,
    /// instead of looking each room up. The caller looks up the span's own rooms by
    /// id and never counts or walks the rows, so the rows of other rooms change
    /// nothing; the answer never depends on this flag. It assumes the source's room
    /// ids join as identical text (no `citext` or case-insensitive collation on
    /// them) and that a room has one summary (the key docs/operations.md names).
    pub holds_every_room: bool,
}

/// A customer's visit that may have reopened a contained room: the rooms of
/// `contact_id` closed in the 48 hours before `at` (§4.2 read backwards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactVisit {
    pub contact_id: String,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait Source: Send + Sync {
    /// Names the source in logs and messages (never with a password), and tells a
    /// high-water mark read from this source from one read from another.
    fn identity(&self) -> String;

    /// How long rows may take to appear after their timestamps (a replica's delay,
    /// long transactions): a run reads up to now minus this (§8.3, `lag_seconds`).
    fn read_lag(&self) -> Duration;

    /// The organizations, with their add-on, time zone, business hours and holidays.
    async fn read_organizations(&self) -> StoreResult<Vec<Organization>>;
    /// The first and last `created_at` among the organization's rooms.
    async fn room_creation_span(
        &self,
        org: &OrgId,
    ) -> StoreResult<Option<(DateTime<Utc>, DateTime<Utc>)>>;
    /// Rooms in `(created_at, id)` order, after the given position, at most `limit`.
    async fn rooms_in_creation_order(
        &self,
        org: &OrgId,
        after: Option<(DateTime<Utc>, String)>,
        limit: i64,
    ) -> StoreResult<Vec<SourceRoom>>;
    /// The rooms of each span, in the order of the spans: one read for all of them,
    /// so a run over thousands of small organizations waits on a few statements, not
    /// on thousands of round trips.
    async fn rooms_in_spans(&self, spans: &[RoomSpan]) -> StoreResult<Vec<Vec<SourceRoom>>>;
    /// Message counts by raw sender type of each span's rooms, in the order of the
    /// spans. A span that holds every room may come back with any other room of
    /// its organization too, which the caller leaves aside.
    async fn message_counts_in_spans(
        &self,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Vec<MessageCount>>>;
    /// Summaries of each span's rooms, in the order of the spans, from the source's
    /// own summaries relation (none when the source has none configured). As for
    /// the message counts, a span that holds every room may bring others too.
    async fn summaries_in_spans(
        &self,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Vec<(String, RawSentiment)>>>;

    /// Rooms with `start ≤ created_at < end`.
    async fn rooms_created_between(
        &self,
        org: &OrgId,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<SourceRoom>> {
        let span = RoomSpan {
            organization_id: org.clone(),
            start,
            end,
            holds_every_room: false,
        };
        Ok(self
            .rooms_in_spans(std::slice::from_ref(&span))
            .await?
            .pop()
            .unwrap_or_default())
    }
    /// Message counts by raw sender type for rooms with `start ≤ created_at < end`.
    async fn message_counts(
        &self,
        org: &OrgId,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<MessageCount>> {
        let span = RoomSpan {
            organization_id: org.clone(),
            start,
            end,
            holds_every_room: false,
        };
        Ok(self
            .message_counts_in_spans(std::slice::from_ref(&span))
            .await?
            .pop()
            .unwrap_or_default())
    }
    /// Summaries of rooms with `start ≤ created_at < end`.
    async fn summaries(
        &self,
        org: &OrgId,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, RawSentiment)>> {
        let span = RoomSpan {
            organization_id: org.clone(),
            start,
            end,
            holds_every_room: false,
        };
        Ok(self
            .summaries_in_spans(std::slice::from_ref(&span))
            .await?
            .pop()
            .unwrap_or_default())
    }
    /// The organization's rooms of each visit's customer closed at or after
    /// `at − 48 h` and before `at`: the rooms whose "came back" a visit can decide.
    async fn rooms_closed_before(
        &self,
        org: &OrgId,
        visits: &[ContactVisit],
    ) -> StoreResult<Vec<SourceRoom>>;
    /// How many rooms each span holds (`start ≤ created_at < end` of its
    /// organization), in one pass for the whole fleet: what a run weighs before it
    /// reads, and, on a live source, how a deleted room shows (it leaves no
    /// timestamp, only a count that differs from the datamart's).
    async fn count_rooms(&self, spans: &[RoomSpan]) -> StoreResult<Vec<i64>>;
    /// The organization's rooms per local day of `timezone` in `[start, end)`.
    async fn rooms_per_day(
        &self,
        org: &OrgId,
        timezone: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<(NaiveDate, i64)>>;
    /// Every room, of every organization, with a timestamp in `(after, until]`
    /// (§8.3): `None` for the datamart's own tables, whose writer (the import) marks
    /// what it changed instead.
    async fn changes_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<SourceChange>>>;
}
