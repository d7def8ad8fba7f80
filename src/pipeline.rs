//! The steps every entry point shares — the CLI, the demo, the server's nightly run,
//! the forecast backtest, the benchmarks and the tests: open the store, pick the
//! sentiment source, aggregate, and tell running servers what changed. Written once
//! here; callers only choose the request and map the errors to their own world.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};

use crate::aggregate::{AggregateError, Aggregator, Request, Summary};
use crate::domain::OrgId;
use crate::sentiment::{MongoSentiment, SentimentError, SentimentSource, StoreSentiment};
use crate::settings::Settings;
use crate::store::source::Source;
use crate::store::source::{Retrying, SqlSource};
use crate::store::{self, Change, CoordinationStore, Store, StoreError};
use crate::verify::{VerifyOutcome, VerifyRequest};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("cannot open the database {url}: {source}")]
    Store {
        url: String,
        #[source]
        source: StoreError,
    },
    /// The configured live source cannot be used (a bad URL or relation name).
    #[error("cannot use the source database {url}: {source}")]
    Source {
        url: String,
        #[source]
        source: StoreError,
    },
    /// The configured sentiment source cannot be used (a bad MongoDB URL).
    #[error("{0}")]
    Sentiment(#[from] SentimentError),
    #[error(transparent)]
    Aggregate(#[from] AggregateError),
}

impl PipelineError {
    /// Whether the cause is the caller's input (a bad URL, an unknown organization)
    /// rather than a failure of the system.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            PipelineError::Sentiment(_)
                | PipelineError::Source { .. }
                | PipelineError::Aggregate(AggregateError::UnknownOrganization(_))
        )
    }
}

/// Opens the configured database and applies the schema.
pub(crate) async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>, PipelineError> {
    let url = settings.database_url();
    store::open(&url, settings.database.pool_size)
        .await
        .map_err(|source| PipelineError::Store {
            url: crate::text::redact(&url),
            source,
        })
}

/// Where conversations are read: the live PostgreSQL source when one is configured
/// (`source.database_url`), else the datamart's own tables.
pub(crate) fn conversation_source(
    settings: &Settings,
    store: &Arc<dyn Store>,
) -> Result<Arc<dyn Source>, PipelineError> {
    match settings.source.live_url() {
        Some(url) => {
            // With MongoDB, summaries come from there: the source's are never read.
            let mut source_settings = settings.source.clone();
            if settings.mongodb_url().is_some() {
                source_settings.room_summaries.clear();
            }
            let source = SqlSource::connect(url, &source_settings).map_err(|source| {
                PipelineError::Source {
                    url: crate::text::redact(url),
                    source,
                }
            })?;
            // A replica may cancel a read under its primary's vacuum: read again.
            Ok(Arc::new(Retrying::new(source)))
        }
        None => Ok(store.own_source()),
    }
}

/// MongoDB when a URL is configured, else the source's own summaries; either way
/// each read has `mongodb.timeout_ms`.
pub(crate) async fn sentiment_source(
    settings: &Settings,
    source: &Arc<dyn Source>,
) -> Result<Box<dyn SentimentSource>, SentimentError> {
    Ok(match settings.mongodb_url() {
        Some(url) => Box::new(MongoSentiment::connect(url, &settings.mongodb).await?),
        None => Box::new(StoreSentiment::new(
            Arc::clone(source),
            Duration::from_millis(settings.mongodb.timeout_ms.max(1)),
        )),
    })
}

/// Aggregates from the configured source with the configured sentiment, then tells
/// every running server which organizations were recomputed, so they drop what
/// they cached.
pub async fn aggregate(
    settings: &Settings,
    store: &Arc<dyn Store>,
    request: &Request,
) -> Result<Summary, PipelineError> {
    let readers = Readers::open(settings, store).await?;
    let summary = readers.aggregator(settings, store).run(request).await?;
    tell_servers(store.as_ref(), &summary.refreshed).await;
    Ok(summary)
}

/// Compares the datamart with a recomputation from the configured source, and with
/// `repair` writes the drifted days again (METRICS.md §8.5).
pub async fn verify(
    settings: &Settings,
    store: &Arc<dyn Store>,
    request: &VerifyRequest,
) -> Result<VerifyOutcome, PipelineError> {
    let readers = Readers::open(settings, store).await?;
    let outcome = readers.aggregator(settings, store).verify(request).await?;
    tell_servers(store.as_ref(), &outcome.refreshed).await;
    // A check of everything is what impact_datamart_drifted_days reports: the days it
    // left drifted (none once repaired).
    if request.days.is_none() && request.organization.is_none() {
        let left = if outcome.repaired {
            0
        } else {
            (outcome.drifted.len() + outcome.drifted_facts.len()) as i64
        };
        if let Err(error) = store.record_verify(request.now, left).await {
            tracing::warn!(error = %error, "could not record the verify run for the drift gauge");
        }
    }
    Ok(outcome)
}

/// What an aggregation reads: the configured source and sentiment.
struct Readers {
    source: Arc<dyn Source>,
    sentiment: Box<dyn SentimentSource>,
}

impl Readers {
    async fn open(settings: &Settings, store: &Arc<dyn Store>) -> Result<Self, PipelineError> {
        let source = conversation_source(settings, store)?;
        let sentiment = sentiment_source(settings, &source).await?;
        Ok(Readers { source, sentiment })
    }

    fn aggregator<'a>(
        &'a self,
        settings: &'a Settings,
        store: &'a Arc<dyn Store>,
    ) -> Aggregator<'a> {
        Aggregator {
            store: store.as_ref(),
            source: self.source.as_ref(),
            reads_own_tables: self.source.identity() == store.own_source().identity(),
            sentiment: self.sentiment.as_ref(),
            settings: &settings.aggregation,
            overlap: settings.source.overlap(),
        }
    }
}

/// Tells every running server that these organizations' figures changed.
async fn tell_servers(store: &dyn CoordinationStore, organizations: &[OrgId]) {
    let changes: Vec<Change> = organizations
        .iter()
        .map(|org| Change::Refreshed {
            org_id: org.to_string(),
        })
        .collect();
    // A missed notice only delays other servers until their cache expires.
    for part in changes.chunks(NOTICES_AT_ONCE) {
        if let Err(error) = store.publish_all(part).await {
            tracing::warn!(error = %error, "could not tell running servers about the new figures");
        }
    }
}

/// Change notices sent in one statement.
const NOTICES_AT_ONCE: usize = 1_000;

/// Yesterday's date where most of our customers are.
pub(crate) fn yesterday_in_jakarta() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Jakarta)
        .date_naive()
        - chrono::Duration::days(1)
}
