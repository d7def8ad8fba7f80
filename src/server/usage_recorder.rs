//! The usage recorder: what people do with the report (`crate::usage`'s events),
//! gathered in memory for a moment and written to the usage store as rows per
//! user, kind and day, off the request's path. A full queue drops (and counts) an
//! event rather than slow a request down.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::sync::mpsc;

use crate::domain::OrgId;
use crate::store::UsageStore;
use crate::usage::{UsageEvent, UsageKind, UsageRow, UserHash};

/// How the recorder runs (`[usage]` in the settings).
#[derive(Debug, Clone)]
pub struct RecorderSettings {
    /// Events waiting to be written at most; one more is dropped (and counted).
    pub queue: usize,
    /// How long events gather before they are written together.
    pub flush_every: Duration,
}

/// What the recorder reports about itself (Prometheus counters).
pub trait RecorderOutcome: Send + Sync {
    fn dropped(&self, events: u64);
    fn write_failed(&self, rows: u64);
}

/// Hands events to the background writer without waiting.
#[derive(Clone)]
pub struct Recorder {
    sender: Option<mpsc::Sender<UsageEvent>>,
    outcome: Arc<dyn RecorderOutcome>,
}

/// The day an event is counted on: a function so tests can move the clock.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

impl Recorder {
    /// A recorder that records nothing (`usage.enabled = false`).
    pub fn off(outcome: Arc<dyn RecorderOutcome>) -> Self {
        Self {
            sender: None,
            outcome,
        }
    }

    /// Starts the writer on the current Tokio runtime.
    pub fn start(
        store: Arc<dyn UsageStore>,
        settings: RecorderSettings,
        clock: Clock,
        outcome: Arc<dyn RecorderOutcome>,
    ) -> Self {
        let (sender, receiver) = mpsc::channel(settings.queue.max(1));
        tokio::spawn(write_usage(
            store,
            receiver,
            settings.flush_every,
            clock,
            Arc::clone(&outcome),
        ));
        Self {
            sender: Some(sender),
            outcome,
        }
    }

    /// Queues the event; never waits, never fails the caller.
    pub fn record(&self, event: UsageEvent) {
        let Some(sender) = &self.sender else {
            return;
        };
        if sender.try_send(event).is_err() {
            self.outcome.dropped(1);
        }
    }
}

/// Gathers events for `flush_every` and writes them as one row per key; ends when
/// every sender is gone, after writing what it holds.
async fn write_usage(
    store: Arc<dyn UsageStore>,
    mut receiver: mpsc::Receiver<UsageEvent>,
    flush_every: Duration,
    clock: Clock,
    outcome: Arc<dyn RecorderOutcome>,
) {
    let mut pending: HashMap<(OrgId, NaiveDate, UserHash, UsageKind), UsageRow> = HashMap::new();
    let mut ticks = tokio::time::interval(flush_every.max(Duration::from_millis(1)));
    loop {
        tokio::select! {
            event = receiver.recv() => match event {
                Some(event) => {
                    let row = event.row(clock());
                    let key = (row.org.clone(), row.day, row.user.clone(), row.kind);
                    match pending.get_mut(&key) {
                        Some(existing) => existing.add(&row),
                        None => {
                            pending.insert(key, row);
                        }
                    }
                }
                None => {
                    flush(store.as_ref(), &mut pending, outcome.as_ref()).await;
                    return;
                }
            },
            _ = ticks.tick() => flush(store.as_ref(), &mut pending, outcome.as_ref()).await,
        }
    }
}

async fn flush(
    store: &dyn UsageStore,
    pending: &mut HashMap<(OrgId, NaiveDate, UserHash, UsageKind), UsageRow>,
    outcome: &dyn RecorderOutcome,
) {
    if pending.is_empty() {
        return;
    }
    // One row per key already; the store puts them in key order (`merged`).
    let rows: Vec<UsageRow> = pending.drain().map(|(_, row)| row).collect();
    if let Err(error) = store.record_usage(&rows).await {
        tracing::warn!(error = %error, rows = rows.len(), "usage rows could not be written; they are dropped");
        outcome.write_failed(rows.len() as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{StoreResult, UsageGauges};
    use crate::usage::UserHasher;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Mutex;

    #[derive(Default)]
    struct Rows(Mutex<Vec<UsageRow>>);

    #[async_trait::async_trait]
    impl UsageStore for Rows {
        async fn record_usage(&self, rows: &[UsageRow]) -> StoreResult<()> {
            self.0
                .lock()
                .map_err(|_| crate::store::StoreError::Invalid("lock".into()))?
                .extend_from_slice(rows);
            Ok(())
        }
        async fn usage_between(&self, _: NaiveDate, _: NaiveDate) -> StoreResult<Vec<UsageRow>> {
            Ok(Vec::new())
        }
        async fn usage_gauges(&self, _: NaiveDate) -> StoreResult<UsageGauges> {
            Ok(UsageGauges::default())
        }
    }

    #[derive(Default)]
    struct Losses(AtomicU64);

    impl RecorderOutcome for Losses {
        fn dropped(&self, events: u64) {
            self.0.fetch_add(events, Ordering::SeqCst);
        }
        fn write_failed(&self, _: u64) {}
    }

    #[tokio::test]
    async fn events_become_one_row_per_user_kind_and_day_of_the_clock() {
        let rows = Arc::new(Rows::default());
        // The clock the test controls: the last minute of October, then November.
        let november = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clock: Clock = {
            let november = Arc::clone(&november);
            Arc::new(move || {
                let at = if november.load(Ordering::SeqCst) {
                    "2026-11-01T00:00:00Z"
                } else {
                    "2026-10-31T23:59:59Z"
                };
                at.parse().unwrap_or_default()
            })
        };
        let losses = Arc::new(Losses::default());
        let recorder = Recorder::start(
            Arc::clone(&rows) as Arc<dyn UsageStore>,
            RecorderSettings {
                queue: 100,
                flush_every: Duration::from_millis(20),
            },
            clock,
            Arc::clone(&losses) as Arc<dyn RecorderOutcome>,
        );
        let org = OrgId::parse("org_a").expect("id");
        let user = UserHasher::new(b"key of sixteen chars").hash(&org, "u1");
        let mut slow = UsageEvent::new(org.clone(), user.clone(), "admin", UsageKind::View);
        slow.latency = Duration::from_millis(3_500);
        slow.with_value = true;
        recorder.record(slow);
        recorder.record(UsageEvent::new(
            org.clone(),
            user.clone(),
            "admin",
            UsageKind::View,
        ));
        tokio::time::sleep(Duration::from_millis(60)).await;
        november.store(true, Ordering::SeqCst);
        let mut failed = UsageEvent::new(org.clone(), user.clone(), "admin", UsageKind::Failed);
        failed.reason = Some("timeout");
        recorder.record(failed);
        drop(recorder);
        tokio::time::sleep(Duration::from_millis(60)).await;
        let mut written = rows.0.lock().expect("rows").clone();
        written.sort_by_key(|row| row.day);
        assert_eq!(written.len(), 2, "{written:?}");
        let (october, first) = (&written[0], &written[1]);
        assert_eq!(october.day.to_string(), "2026-10-31");
        assert_eq!(
            (
                october.kind,
                october.events,
                october.slow,
                october.with_value
            ),
            (UsageKind::View, 2, 1, 1)
        );
        assert_eq!(october.latency_ms_max, 3_500);
        assert_eq!(first.day.to_string(), "2026-11-01");
        assert_eq!(
            (first.kind, first.reason.as_deref()),
            (UsageKind::Failed, Some("timeout"))
        );
        assert_eq!(losses.0.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_full_queue_drops_and_counts_instead_of_waiting() {
        let rows = Arc::new(Rows::default());
        let losses = Arc::new(Losses::default());
        let recorder = Recorder::start(
            Arc::clone(&rows) as Arc<dyn UsageStore>,
            RecorderSettings {
                queue: 1,
                flush_every: Duration::from_secs(60),
            },
            Arc::new(Utc::now),
            Arc::clone(&losses) as Arc<dyn RecorderOutcome>,
        );
        let org = OrgId::parse("org_a").expect("id");
        let user = UserHasher::new(b"key of sixteen chars").hash(&org, "u1");
        // The writer has not run yet (this test holds the only thread): the second
        // and third events find the queue of one full.
        for _ in 0..3 {
            recorder.record(UsageEvent::new(
                org.clone(),
                user.clone(),
                "admin",
                UsageKind::View,
            ));
        }
        assert_eq!(losses.0.load(Ordering::SeqCst), 2);
    }
}
