//! A live source read again when it cancelled a read. A hot standby (a read
//! replica) cancels a query whose rows the primary's vacuum must remove once it has
//! held back the replay for `max_standby_streaming_delay` (30 s by default):
//! "canceling statement due to conflict with recovery", SQLSTATE 40001. Every read
//! of a source is safe to repeat: it only reads, in a session that cannot write,
//! and its rows are decoded afresh each time. So such a read is made again after
//! a wait, a few times; a read cancelled every time fails the run with the
//! source's own words, and what the run wrote before stays (docs/operations.md,
//! the live source).

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::{ContactVisit, RoomSpan, Source, SourceChange};
use crate::domain::{OrgId, Organization, RawSentiment};
use crate::store::{MessageCount, SourceRoom, StoreError, StoreResult};

/// The waits before each new try of a cancelled read: four tries in all, over
/// some 7 s, long enough for the standby to catch up with the vacuum it waited on.
const WAITS: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

/// `inner`, with each read made again when the source cancelled it.
pub(crate) struct Retrying<S> {
    inner: S,
    waits: &'static [Duration],
}

impl<S: Source> Retrying<S> {
    pub(crate) fn new(inner: S) -> Self {
        Retrying {
            inner,
            waits: &WAITS,
        }
    }

    async fn again<T, F, Fut>(&self, what: &'static str, read: F) -> StoreResult<T>
    where
        F: Fn() -> Fut + Send,
        Fut: Future<Output = StoreResult<T>> + Send,
        T: Send,
    {
        let mut waits = self.waits.iter();
        loop {
            match read().await {
                Err(error) if error.is_cancelled_by_the_source() => match waits.next() {
                    Some(wait) => {
                        tracing::warn!(
                            error = %error,
                            what,
                            wait_ms = wait.as_millis() as u64,
                            "the source cancelled a read (a standby's conflict with recovery); reading it again"
                        );
                        tokio::time::sleep(*wait).await;
                    }
                    None => return Err(error),
                },
                answer => return answer,
            }
        }
    }
}

impl StoreError {
    /// Whether the server cancelled the statement for a reason of its own that a
    /// new try may not meet: a standby's conflict with recovery (or a
    /// serialization failure, which shares its code).
    pub(crate) fn is_cancelled_by_the_source(&self) -> bool {
        match self {
            StoreError::Postgres { source, .. } => {
                source.code() == Some(&tokio_postgres::error::SqlState::T_R_SERIALIZATION_FAILURE)
            }
            _ => false,
        }
    }
}

#[async_trait]
impl<S: Source> Source for Retrying<S> {
    fn identity(&self) -> String {
        self.inner.identity()
    }

    fn read_lag(&self) -> Duration {
        self.inner.read_lag()
    }

    async fn read_organizations(&self) -> StoreResult<Vec<Organization>> {
        self.again("organizations", || self.inner.read_organizations())
            .await
    }

    async fn room_creation_span(
        &self,
        org: &OrgId,
    ) -> StoreResult<Option<(DateTime<Utc>, DateTime<Utc>)>> {
        self.again("room creation span", || self.inner.room_creation_span(org))
            .await
    }

    async fn rooms_in_creation_order(
        &self,
        org: &OrgId,
        after: Option<(DateTime<Utc>, String)>,
        limit: i64,
    ) -> StoreResult<Vec<SourceRoom>> {
        self.again("rooms in creation order", || {
            self.inner
                .rooms_in_creation_order(org, after.clone(), limit)
        })
        .await
    }

    async fn rooms_in_spans(&self, spans: &[RoomSpan]) -> StoreResult<Vec<Vec<SourceRoom>>> {
        self.again("rooms", || self.inner.rooms_in_spans(spans))
            .await
    }

    async fn message_counts_in_spans(
        &self,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Vec<MessageCount>>> {
        self.again("message counts", || {
            self.inner.message_counts_in_spans(spans)
        })
        .await
    }

    async fn summaries_in_spans(
        &self,
        spans: &[RoomSpan],
    ) -> StoreResult<Vec<Vec<(String, RawSentiment)>>> {
        self.again("summaries", || self.inner.summaries_in_spans(spans))
            .await
    }

    async fn rooms_closed_before(
        &self,
        org: &OrgId,
        visits: &[ContactVisit],
    ) -> StoreResult<Vec<SourceRoom>> {
        self.again("rooms closed before a visit", || {
            self.inner.rooms_closed_before(org, visits)
        })
        .await
    }

    async fn count_rooms(&self, spans: &[RoomSpan]) -> StoreResult<Vec<i64>> {
        self.again("room counts", || self.inner.count_rooms(spans))
            .await
    }

    async fn rooms_per_day(
        &self,
        org: &OrgId,
        timezone: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<(NaiveDate, i64)>> {
        self.again("rooms per day", || {
            self.inner.rooms_per_day(org, timezone, start, end)
        })
        .await
    }

    async fn changes_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<SourceChange>>> {
        self.again("changes", || self.inner.changes_between(after, until))
            .await
    }
}
