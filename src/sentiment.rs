//! Where room sentiment comes from: the `room_summaries` table of the store (the
//! embedded default) or MongoDB's `omnichannel_room_summaries` in production. Either
//! way the read has a time limit; a failure marks the days pending instead of
//! failing the aggregation.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};

use crate::domain::{OrgId, RawSentiment};
use crate::settings::MongoSettings;
use crate::store::source::{RoomSpan, Source};

#[derive(Debug, thiserror::Error)]
pub enum SentimentError {
    #[error("the sentiment source did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the sentiment source failed: {0}")]
    Failed(String),
}

/// The rooms whose sentiment is wanted: ids plus the creation window they come from.
pub struct SentimentRequest<'a> {
    pub organization: &'a OrgId,
    pub room_ids: &'a [String],
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The window holds every room of the organization (`RoomSpan::holds_every_room`).
    pub holds_every_room: bool,
}

#[async_trait]
pub trait SentimentSource: Send + Sync {
    fn name(&self) -> &'static str;
    /// Whether a request's window alone decides what is read (its `room_ids` are
    /// not needed), so the read may start before the rooms are known.
    fn reads_by_span(&self) -> bool {
        false
    }
    /// The sentiment of each request's rooms, in the order of the requests, read
    /// together: a failure fails them all (their days are marked pending). A map
    /// may hold other rooms too (a window that holds every room is read as the
    /// whole organization), so it is looked up by room id, never counted.
    async fn sentiments(
        &self,
        requests: &[SentimentRequest<'_>],
    ) -> Result<Vec<HashMap<String, RawSentiment>>, SentimentError>;
    /// The rooms (organization, room id) whose summary was created in
    /// `(after, until]`, so their days are restated (METRICS.md §8.3). `None` where
    /// the conversation source already finds them (its own summaries relation).
    async fn changed_rooms(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<Vec<(OrgId, String)>>, SentimentError>;
}

/// Sentiment from the source's own summaries (`room_summaries`, or the relation
/// `source.room_summaries` names).
pub(crate) struct StoreSentiment {
    source: Arc<dyn Source>,
    timeout: Duration,
}

impl StoreSentiment {
    pub fn new(source: Arc<dyn Source>, timeout: Duration) -> Self {
        Self { source, timeout }
    }
}

#[async_trait]
impl SentimentSource for StoreSentiment {
    fn name(&self) -> &'static str {
        "room_summaries table"
    }

    fn reads_by_span(&self) -> bool {
        true
    }

    async fn sentiments(
        &self,
        requests: &[SentimentRequest<'_>],
    ) -> Result<Vec<HashMap<String, RawSentiment>>, SentimentError> {
        let spans: Vec<RoomSpan> = requests
            .iter()
            .map(|request| RoomSpan {
                organization_id: request.organization.clone(),
                start: request.start,
                end: request.end,
                holds_every_room: request.holds_every_room,
            })
            .collect();
        let read = self.source.summaries_in_spans(&spans);
        match tokio::time::timeout(self.timeout, read).await {
            Ok(Ok(found)) => Ok(found
                .into_iter()
                .map(|rows| rows.into_iter().collect())
                .collect()),
            Ok(Err(error)) => Err(SentimentError::Failed(error.to_string())),
            Err(_) => Err(SentimentError::Timeout(self.timeout)),
        }
    }

    async fn changed_rooms(
        &self,
        _after: DateTime<Utc>,
        _until: DateTime<Utc>,
    ) -> Result<Option<Vec<(OrgId, String)>>, SentimentError> {
        // The source's own change search covers its summaries relation, and the
        // import marks the summaries it changes.
        Ok(None)
    }
}

/// Sentiment from MongoDB's `omnichannel_room_summaries`, one document per room.
pub(crate) struct MongoSentiment {
    collection: mongodb::Collection<Document>,
    timeout: Duration,
}

/// Room ids sent to MongoDB in one `$in` query.
const MONGO_BATCH: usize = 5_000;

impl MongoSentiment {
    /// Prepares the client; it connects lazily, so an unreachable server shows up
    /// as a failed (and timed) read, never as a failure to start.
    pub async fn connect(url: &str, settings: &MongoSettings) -> Result<Self, SentimentError> {
        let timeout = Duration::from_millis(settings.timeout_ms.max(1));
        let mut options = mongodb::options::ClientOptions::parse(url)
            .await
            .map_err(|e| SentimentError::Failed(format!("the MongoDB URL is not valid: {e}")))?;
        options.server_selection_timeout.get_or_insert(timeout);
        options.connect_timeout.get_or_insert(timeout);
        options.app_name.get_or_insert_with(|| "impact".to_string());
        let client = mongodb::Client::with_options(options)
            .map_err(|e| SentimentError::Failed(e.to_string()))?;
        Ok(Self {
            collection: client
                .database(&settings.database)
                .collection(&settings.collection),
            timeout,
        })
    }

    /// One `$in` query per `MONGO_BATCH` rooms for every request at once; a document
    /// counts only for the request of its own organization and room.
    async fn read(
        &self,
        requests: &[SentimentRequest<'_>],
    ) -> Result<Vec<HashMap<String, RawSentiment>>, mongodb::error::Error> {
        let mut wanted: HashMap<(&str, &str), usize> = HashMap::new();
        for (index, request) in requests.iter().enumerate() {
            for room in request.room_ids {
                wanted.insert((request.organization.as_str(), room.as_str()), index);
            }
        }
        let mut found = vec![HashMap::new(); requests.len()];
        let pairs: Vec<(&str, &str)> = wanted.keys().copied().collect();
        for batch in pairs.chunks(MONGO_BATCH) {
            let mut organizations: Vec<&str> = batch.iter().map(|(org, _)| *org).collect();
            organizations.sort_unstable();
            organizations.dedup();
            let rooms: Vec<&str> = batch.iter().map(|(_, room)| *room).collect();
            let filter = doc! {
                "organization_id": { "$in": organizations },
                "room_id": { "$in": rooms },
            };
            let mut cursor = self
                .collection
                .find(filter)
                .projection(doc! { "organization_id": 1, "room_id": 1, "sentiment": 1, "_id": 0 })
                .await?;
            while let Some(document) = cursor.try_next().await? {
                let (Ok(org), Ok(room_id)) = (
                    document.get_str("organization_id"),
                    document.get_str("room_id"),
                ) else {
                    continue;
                };
                if let Some(index) = wanted.get(&(org, room_id)) {
                    let sentiment = document
                        .get("sentiment")
                        .map(sentiment_from_bson)
                        .unwrap_or(RawSentiment::Missing);
                    found[*index].insert(room_id.to_string(), sentiment);
                }
            }
        }
        Ok(found)
    }
}

impl MongoSentiment {
    /// The rooms of documents created in `(after, until]` (an index on `created_at`
    /// keeps this a range scan; docs/operations.md).
    async fn created_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<(OrgId, String)>, mongodb::error::Error> {
        let filter = doc! {
            "created_at": {
                "$gt": mongodb::bson::DateTime::from_millis(after.timestamp_millis()),
                "$lte": mongodb::bson::DateTime::from_millis(until.timestamp_millis()),
            },
        };
        let mut cursor = self
            .collection
            .find(filter)
            .projection(doc! { "organization_id": 1, "room_id": 1, "_id": 0 })
            .await?;
        let mut found = Vec::new();
        while let Some(document) = cursor.try_next().await? {
            let (Ok(org), Ok(room)) = (
                document.get_str("organization_id"),
                document.get_str("room_id"),
            ) else {
                continue;
            };
            if let Ok(org) = OrgId::parse(org) {
                found.push((org, room.to_string()));
            }
        }
        Ok(found)
    }
}

fn sentiment_from_bson(value: &Bson) -> RawSentiment {
    match value {
        Bson::String(label) => RawSentiment::Label(label.clone()),
        Bson::Double(score) => RawSentiment::Score(*score),
        Bson::Int32(score) => RawSentiment::Score(f64::from(*score)),
        Bson::Int64(score) => RawSentiment::Score(*score as f64),
        Bson::Decimal128(score) => score
            .to_string()
            .parse()
            .map(RawSentiment::Score)
            .unwrap_or(RawSentiment::Missing),
        _ => RawSentiment::Missing,
    }
}

#[async_trait]
impl SentimentSource for MongoSentiment {
    fn name(&self) -> &'static str {
        "MongoDB"
    }

    async fn sentiments(
        &self,
        requests: &[SentimentRequest<'_>],
    ) -> Result<Vec<HashMap<String, RawSentiment>>, SentimentError> {
        match tokio::time::timeout(self.timeout, self.read(requests)).await {
            Ok(Ok(found)) => Ok(found),
            Ok(Err(error)) => Err(SentimentError::Failed(error.to_string())),
            Err(_) => Err(SentimentError::Timeout(self.timeout)),
        }
    }

    async fn changed_rooms(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<Vec<(OrgId, String)>>, SentimentError> {
        match tokio::time::timeout(self.timeout, self.created_between(after, until)).await {
            Ok(Ok(found)) => Ok(Some(found)),
            Ok(Err(error)) => Err(SentimentError::Failed(error.to_string())),
            Err(_) => Err(SentimentError::Timeout(self.timeout)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bson_values_normalise_like_json_ones() {
        assert_eq!(
            sentiment_from_bson(&Bson::String("Positive".into())).normalised(),
            Some(1.0)
        );
        assert_eq!(
            sentiment_from_bson(&Bson::Int32(-4)).normalised(),
            Some(-1.0)
        );
        assert_eq!(
            sentiment_from_bson(&Bson::Double(0.25)).normalised(),
            Some(0.25)
        );
        assert_eq!(sentiment_from_bson(&Bson::Null).normalised(), None);
        assert_eq!(sentiment_from_bson(&Bson::Boolean(true)).normalised(), None);
    }
}
