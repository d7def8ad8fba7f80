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

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::OrgId;

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
    pub(crate) fn add(&mut self, other: &UsageRow) {
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

    /// The event as a usage row of the day of `at` (UTC).
    pub(crate) fn row(&self, at: DateTime<Utc>) -> UsageRow {
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

#[cfg(test)]
mod tests {
    use super::*;

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
