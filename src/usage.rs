//! What people do with the report, recorded in the datamart so that the launch's
//! own numbers (the product brief's §11.1 review, §12 success metrics and §13 stage
//! gates) can be read by `impact kpis` and Prometheus without a data team.
//!
//! One row per organization, day, user and kind of use (`UsageRow`): every metric
//! of §12 counts organizations or users per month, and the gates count loads per
//! day, so nothing finer is kept (no range, no time of day, no list name). A user
//! is a keyed hash of the token's subject (`UserHasher`), never the id itself. The
//! rows are written by a background task from a bounded queue (`Recorder`): a
//! report never waits for them, and a full queue or a failed write drops usage,
//! never a report.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::domain::OrgId;
use crate::store::UsageStore;

/// What a person did: a closed set, stored as its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UsageKind {
    /// A report was shown (API or page), in any state.
    View,
    /// A report could not be loaded (`reason` says why).
    Failed,
    /// A page of a figure's conversations was shown.
    List,
    /// A download ended (complete or cut off).
    Download,
    /// An owner or admin saved the cost assumption.
    CostSaved,
}

impl UsageKind {
    pub const ALL: [UsageKind; 5] = [
        UsageKind::View,
        UsageKind::Failed,
        UsageKind::List,
        UsageKind::Download,
        UsageKind::CostSaved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UsageKind::View => "view",
            UsageKind::Failed => "failed",
            UsageKind::List => "list",
            UsageKind::Download => "download",
            UsageKind::CostSaved => "cost_saved",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// The first day of `day`'s month.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// A report load slower than this counts against the brief's "p95 render ≤ 3 s":
/// the p95 is within it exactly when at most 5 % of loads are slower.
pub const SLOW_MS: u64 = 3_000;

/// A user as the datamart knows them: the first 128 bits of
/// HMAC-SHA256(key, organization id, 0, subject), in hex. Without the server's key
/// the id cannot be recovered or tested against a guess.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserHash(String);

impl UserHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A hash as stored; `None` for anything but 32 lowercase hex digits.
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 32
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| Self(text.to_string()))
    }
}

/// Hashes the token's subject with the server's key (`usage.user_hash_secret`).
#[derive(Clone)]
pub struct UserHasher {
    key: Arc<[u8]>,
}

/// Never prints the key.
impl std::fmt::Debug for UserHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserHasher(***)")
    }
}

impl UserHasher {
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.into() }
    }

    /// A key of this process's own, for when nothing is recorded.
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(Self::new(&key))
    }

    /// A key of its own derived from the HS256 secret, so the usage rows' hashes
    /// cannot be used to sign or check tokens.
    pub fn derived_from(secret: &str) -> Self {
        let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
            Ok(mac) => mac,
            Err(_) => return Self::new(secret.as_bytes()),
        };
        mac.update(b"impact usage user hash v1");
        Self::new(&mac.finalize().into_bytes())
    }

    pub fn hash(&self, org: &OrgId, subject: &str) -> UserHash {
        // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => return UserHash(String::new()),
        };
        mac.update(org.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(subject.as_bytes());
        let digest = mac.finalize().into_bytes();
        UserHash(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// One organization's use of one kind by one user on one (UTC) day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub org: OrgId,
    pub day: NaiveDate,
    pub user: UserHash,
    pub kind: UsageKind,
    /// The role of the latest event (`owner`, `admin`, `supervisor`).
    pub role: String,
    pub events: i64,
    /// Views shown while a new organization's baseline was forming
    /// (`baseline_forming_reason` `new_organization`; a mature organization's short
    /// range is not counted).
    pub forming: i64,
    /// Views that showed the team's time saved (a cost assumption was set).
    pub with_value: i64,
    /// Views that drew next month's projection.
    pub with_forecast: i64,
    /// Events that took longer than `SLOW_MS`.
    pub slow: i64,
    pub latency_ms_sum: i64,
    pub latency_ms_max: i64,
    /// Why the latest failed load failed (`timeout`, `error`); `None` otherwise.
    pub reason: Option<String>,
}

/// `rows` with the rows of one key added into one, in key order: what the store
/// writes, since one statement may not touch a key twice (PostgreSQL refuses it).
pub fn merged(rows: &[UsageRow]) -> Vec<UsageRow> {
    let mut by_key: std::collections::BTreeMap<
        (&OrgId, NaiveDate, &UserHash, UsageKind),
        UsageRow,
    > = std::collections::BTreeMap::new();
    for row in rows {
        match by_key.get_mut(&(&row.org, row.day, &row.user, row.kind)) {
            Some(existing) => existing.add(row),
            None => {
                by_key.insert((&row.org, row.day, &row.user, row.kind), row.clone());
            }
        }
    }
    by_key.into_values().collect()
}

impl UsageRow {
    /// Adds another row of the same key (the store does the same on conflict).
    fn add(&mut self, other: &UsageRow) {
        self.role.clone_from(&other.role);
        self.events += other.events;
        self.forming += other.forming;
        self.with_value += other.with_value;
        self.with_forecast += other.with_forecast;
        self.slow += other.slow;
        self.latency_ms_sum += other.latency_ms_sum;
        self.latency_ms_max = self.latency_ms_max.max(other.latency_ms_max);
        if other.reason.is_some() {
            self.reason.clone_from(&other.reason);
        }
    }
}

/// One thing a person did, as a handler reports it.
#[derive(Debug, Clone)]
pub struct UsageEvent {
    pub org: OrgId,
    pub user: UserHash,
    pub role: &'static str,
    pub kind: UsageKind,
    pub latency: Duration,
    pub forming: bool,
    pub with_value: bool,
    pub with_forecast: bool,
    pub reason: Option<&'static str>,
}

impl UsageEvent {
    pub fn new(org: OrgId, user: UserHash, role: &'static str, kind: UsageKind) -> Self {
        Self {
            org,
            user,
            role,
            kind,
            latency: Duration::ZERO,
            forming: false,
            with_value: false,
            with_forecast: false,
            reason: None,
        }
    }

    fn row(&self, at: DateTime<Utc>) -> UsageRow {
        let latency_ms = i64::try_from(self.latency.as_millis()).unwrap_or(i64::MAX);
        UsageRow {
            org: self.org.clone(),
            day: at.date_naive(),
            user: self.user.clone(),
            kind: self.kind,
            role: self.role.to_string(),
            events: 1,
            forming: i64::from(self.forming),
            with_value: i64::from(self.with_value),
            with_forecast: i64::from(self.with_forecast),
            slow: i64::from(self.latency.as_millis() > u128::from(SLOW_MS)),
            latency_ms_sum: latency_ms,
            latency_ms_max: latency_ms,
            reason: self.reason.map(str::to_string),
        }
    }
}

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

    #[test]
    fn a_user_hash_is_keyed_and_never_shows_the_id() {
        let org = OrgId::parse("org_a").expect("id");
        let hasher = UserHasher::new(b"a server secret of some length");
        let hash = hasher.hash(&org, "user-42");
        assert_eq!(hash.as_str().len(), 32);
        assert!(!hash.as_str().contains("user-42"));
        assert_eq!(
            hash,
            hasher.hash(&org, "user-42"),
            "the same user is one hash"
        );
        assert_ne!(hash, hasher.hash(&org, "user-43"));
        assert_ne!(hash, UserHasher::new(b"another key").hash(&org, "user-42"));
        let other_org = OrgId::parse("org_b").expect("id");
        assert_ne!(hash, hasher.hash(&other_org, "user-42"));
        assert_eq!(UserHash::parse(hash.as_str()), Some(hash));
        assert_eq!(UserHash::parse("user-42"), None);
    }
}
