//! `ReportCache`: one bounded cache of report inputs for every organization (moka,
//! weighed in bytes), keyed by organization and generation.

use std::sync::Arc;
use std::time::Duration;

use crate::domain::{DateRange, OrgId};

use crate::metrics::baseline::Baseline;
use crate::metrics::{DailyCounters, TileGroup};
use crate::store::OrgActivity;

/// What a cache entry holds: the rows of a range, fully read.
#[derive(Debug, Clone)]
pub(super) struct Fetched {
    pub(super) rows: Vec<DailyCounters>,
    /// The core rows of the period before the range, for the changes.
    pub(super) rows_before: Vec<DailyCounters>,
    pub(super) activity: OrgActivity,
    pub(super) baseline: Option<Baseline>,
    pub(super) failed_groups: Vec<TileGroup>,
}

impl Fetched {
    /// Roughly the bytes the entry holds, for the cache's weigher.
    fn weight(&self) -> u32 {
        let bytes = std::mem::size_of::<Self>()
            + (self.rows.capacity() + self.rows_before.capacity())
                * std::mem::size_of::<DailyCounters>()
            + self.failed_groups.capacity() * std::mem::size_of::<TileGroup>();
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }
}

/// Whose entry it is and for which range. `generation` changes whenever that
/// organization's data changes (and for every new actor), so its old entries are
/// never read again and age out without a scan of the cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct CacheKey {
    pub(super) org: OrgId,
    pub(super) generation: u64,
    pub(super) range: DateRange,
}

/// One bounded cache of report inputs for every organization.
#[derive(Clone)]
pub struct ReportCache {
    entries: Option<moka::sync::Cache<CacheKey, Arc<Fetched>>>,
}

/// Hands out cache generations, unique for the life of the process.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

pub(super) fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl ReportCache {
    /// At most `max_bytes` of entries (0 turns the cache off), each kept for `ttl`.
    pub fn new(max_bytes: u64, ttl: Duration) -> Self {
        let entries = (max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_: &CacheKey, fetched: &Arc<Fetched>| fetched.weight())
                .time_to_live(ttl)
                .build()
        });
        Self { entries }
    }

    pub(super) fn get(&self, key: &CacheKey) -> Option<Arc<Fetched>> {
        self.entries.as_ref()?.get(key)
    }

    pub(super) fn insert(&self, key: CacheKey, fetched: Arc<Fetched>) {
        if let Some(entries) = &self.entries {
            entries.insert(key, fetched);
        }
    }

    /// Bytes held now; pending work is done first.
    #[cfg(test)]
    fn weighted_size(&self) -> u64 {
        self.entries.as_ref().map_or(0, |entries| {
            entries.run_pending_tasks();
            entries.weighted_size()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn fetched(days: usize) -> Arc<Fetched> {
        let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        Arc::new(Fetched {
            rows: first
                .iter_days()
                .take(days)
                .map(DailyCounters::empty)
                .collect(),
            rows_before: Vec::new(),
            activity: OrgActivity::default(),
            baseline: None,
            failed_groups: Vec::new(),
        })
    }

    fn key(org: &str, generation: u64) -> CacheKey {
        let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        CacheKey {
            org: OrgId::parse(org).unwrap(),
            generation,
            range: DateRange::new(first, first + chrono::Duration::days(29)).unwrap(),
        }
    }

    #[test]
    fn one_cache_for_every_organization_stays_within_its_bytes() {
        let cache = ReportCache::new(1024 * 1024, Duration::from_secs(60));
        for n in 0..2_000 {
            cache.insert(key(&format!("org_{n}"), 1), fetched(30));
        }
        let held = cache.weighted_size();
        assert!(held > 0 && held <= 1024 * 1024, "{held} bytes");
    }

    #[test]
    fn entries_belong_to_an_organization_and_a_generation() {
        let cache = ReportCache::new(1024 * 1024, Duration::from_secs(60));
        cache.insert(key("org_a", 7), fetched(3));
        assert!(cache.get(&key("org_a", 7)).is_some());
        assert!(
            cache.get(&key("org_b", 7)).is_none(),
            "another organization"
        );
        assert!(cache.get(&key("org_a", 8)).is_none(), "after a refresh");
        assert!(next_generation() != next_generation());
        let off = ReportCache::new(0, Duration::from_secs(60));
        off.insert(key("org_a", 7), fetched(3));
        assert!(off.get(&key("org_a", 7)).is_none(), "0 turns the cache off");
    }
}
