//! Claims of change are calibrated (METRICS.md §4.10): on organizations whose
//! conversations are drawn from fixed probabilities, where nothing changed at all,
//! the report calls about 5 % of its comparisons `up` or `down` (a few thousand
//! comparisons, pooled over many organizations, at most 7 %); on organizations whose
//! net containment gains 10 points at 500 conversations a month, it calls at least
//! 80 % of the comparisons that span the gain `up`. The days are written to the
//! datamart of both backends and every report is read back through the product's
//! own report path; the two backends must agree on every level. Seeded, so the
//! figures are the same on every run.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use impact::domain::{DateRange, OrgId, Organization};
use impact::metrics::baseline::onboarding_baseline;
use impact::metrics::report::ReportPolicy;
use impact::metrics::DailyCounters;
use impact::report::load_report;
use impact::store::{self, Store};
use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};

use crate::common::{TestDatabase, TestSqlite};

/// The first day of every synthetic organization's 13 months.
fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 1).unwrap_or_default()
}

const MONTHS: u32 = 13;

/// A uniform draw in [0, 1) from the seeded generator.
fn uniform(rng: &mut TestRng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// How many of `trials` independent draws succeed with probability `p`.
fn binomial(rng: &mut TestRng, trials: i64, p: f64) -> i64 {
    (0..trials).filter(|_| uniform(rng) < p).count() as i64
}

/// One synthetic organization: its conversations a month, the chance the AI closes
/// one alone, the chance a customer comes back, and (for the shifted ones) the
/// month from which the first chance is 10 points higher.
struct Synthetic {
    id: OrgId,
    per_month: f64,
    contained: f64,
    reopened: f64,
    shift_from_month: Option<u32>,
}

impl Synthetic {
    fn days(&self, rng: &mut TestRng) -> Vec<DailyCounters> {
        let end = first_day() + Months::new(MONTHS);
        let mut rows = Vec::new();
        let mut day = first_day();
        while day < end {
            let month = months_between(first_day(), day);
            let shifted = self.shift_from_month.is_some_and(|from| month >= from);
            let contained_chance = self.contained + if shifted { 0.10 } else { 0.0 };
            // About a 30th of the month each day, some days busier than others.
            let eligible = binomial(rng, (self.per_month / 15.0).round() as i64, 0.5);
            let contained = binomial(rng, eligible, contained_chance);
            let reopened = binomial(rng, contained, self.reopened);
            let mut row = DailyCounters::empty(day);
            row.eligible = eligible;
            row.ai_handled = eligible;
            row.contained = contained;
            row.reopened = reopened;
            row.other = eligible - contained;
            rows.push(row);
            day = day.succ_opt().unwrap_or(day);
        }
        rows
    }

    fn organization(&self) -> Organization {
        Organization {
            id: self.id.clone(),
            name: format!("Synthetic {}", self.id),
            ai_addon: true,
            timezone: Organization::parse_timezone("Asia/Jakarta").unwrap_or(chrono_tz::UTC),
            business_hours: None,
            holidays: Default::default(),
        }
    }
}

fn months_between(from: NaiveDate, to: NaiveDate) -> u32 {
    ((to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32).max(0) as u32
}

/// Organizations of every size from 150 to 3 000 conversations a month (spread
/// evenly on a log scale), with fixed chances; then, when `shifted`, 500 a month
/// gaining 10 points in one of the middle months.
fn fleet(rng: &mut TestRng, unchanged: usize, shifted: usize) -> Vec<Synthetic> {
    let mut fleet = Vec::new();
    for index in 0..unchanged {
        let size = 150.0 * 20f64.powf(uniform(rng));
        fleet.push(Synthetic {
            id: OrgId::parse(&format!("fixed_{index:03}")).expect("id"),
            per_month: size,
            contained: 0.2 + 0.5 * uniform(rng),
            reopened: 0.03 + 0.17 * uniform(rng),
            shift_from_month: None,
        });
    }
    for index in 0..shifted {
        fleet.push(Synthetic {
            id: OrgId::parse(&format!("shift_{index:03}")).expect("id"),
            per_month: 500.0,
            contained: 0.3 + 0.2 * uniform(rng),
            reopened: 0.1,
            shift_from_month: Some(4 + (index % 6) as u32),
        });
    }
    fleet
}

/// Every level of every comparison the report makes for each calendar month of
/// each organization, keyed by (organization, month, which comparison).
type Levels = BTreeMap<(String, u32, &'static str), String>;

async fn levels(store: &dyn Store, fleet: &[Synthetic]) -> Levels {
    let policy = ReportPolicy::default();
    let mut levels = Levels::new();
    for synthetic in fleet {
        for month in 0..MONTHS {
            let from = first_day() + Months::new(month);
            let to = from + Months::new(1) - chrono::Duration::days(1);
            let range = DateRange::new(from, to).expect("range");
            let report = load_report(store, &synthetic.id, range, &policy)
                .await
                .expect("report");
            let json = serde_json::to_value(impact::report::wire::Report::new(
                &report,
                Default::default(),
            ))
            .expect("JSON");
            let found = [
                ("before_net", &json["period_before"]["levels"]["net_rate"]),
                (
                    "before_reopen",
                    &json["period_before"]["levels"]["reopen_rate"],
                ),
                ("baseline_net", &json["trend"]["baseline"]["level"]),
            ];
            for (comparison, level) in found {
                if let Some(level) = level.as_str() {
                    levels.insert(
                        (synthetic.id.to_string(), month, comparison),
                        level.to_string(),
                    );
                }
            }
        }
    }
    levels
}

async fn write(store: &dyn Store, fleet: &[Synthetic], days: &[Vec<DailyCounters>]) {
    let organizations: Vec<Organization> = fleet.iter().map(Synthetic::organization).collect();
    store
        .copy_organizations(&organizations)
        .await
        .expect("organizations");
    for (synthetic, rows) in fleet.iter().zip(days) {
        store
            .write_days(&synthetic.id, rows, Vec::new(), Some(first_day()), None)
            .await
            .expect("days");
        let baseline = onboarding_baseline(first_day(), rows);
        store
            .set_onboarding_baseline(&synthetic.id, Some(&baseline))
            .await
            .expect("baseline");
    }
}

#[test]
fn claims_of_change_are_wrong_about_5_percent_of_the_time_and_find_a_real_gain() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[27; 32]);
    let fleet = fleet(&mut rng, 120, 40);
    let days: Vec<Vec<DailyCounters>> = fleet.iter().map(|org| org.days(&mut rng)).collect();

    let sqlite = TestSqlite::create();
    let postgres = TestDatabase::create();
    let mut by_backend = Vec::new();
    for url in [&sqlite.url, &postgres.url] {
        let found = runtime.block_on(async {
            let store: Arc<dyn Store> = store::open(url, 4).await.expect("open store");
            write(store.as_ref(), &fleet, &days).await;
            levels(store.as_ref(), &fleet).await
        });
        by_backend.push(found);
    }
    assert_eq!(
        by_backend[0], by_backend[1],
        "both backends call every comparison alike"
    );
    let levels = &by_backend[0];

    // Nothing changed: the share of comparisons called a change.
    let unchanged: Vec<&String> = levels
        .iter()
        .filter(|((org, _, _), _)| org.starts_with("fixed_"))
        .map(|(_, level)| level)
        .collect();
    let called = unchanged
        .iter()
        .filter(|level| level.as_str() != "about_the_same")
        .count();
    let share = called as f64 / unchanged.len() as f64;
    println!(
        "unchanged organizations: {called} of {} comparisons called up or down ({:.1} %)",
        unchanged.len(),
        share * 100.0
    );
    assert!(unchanged.len() >= 3_000, "{} comparisons", unchanged.len());
    assert!(
        share <= 0.07,
        "{:.1} % of unchanged comparisons called a change",
        share * 100.0
    );
    assert!(
        share >= 0.01,
        "{:.1} %: the test would not see a miscalibration",
        share * 100.0
    );

    // A real gain of 10 points: each comparison of net containment whose two sides
    // lie either side of the shift (the month after it against the period before,
    // and every later month against the first 30 days).
    let mut spanning = 0;
    let mut up = 0;
    for synthetic in fleet.iter().filter(|org| org.shift_from_month.is_some()) {
        let shift = synthetic.shift_from_month.unwrap_or_default();
        for ((org, month, comparison), level) in levels {
            if org != synthetic.id.as_str() {
                continue;
            }
            let spans = match *comparison {
                "before_net" => *month == shift,
                "baseline_net" => *month >= shift,
                _ => false,
            };
            if spans {
                spanning += 1;
                up += usize::from(level == "up");
            }
        }
    }
    let power = up as f64 / spanning as f64;
    println!(
        "organizations gaining 10 points at 500 a month: {up} of {spanning} spanning comparisons called up ({:.1} %)",
        power * 100.0
    );
    assert!(spanning >= 200, "{spanning} spanning comparisons");
    assert!(
        power >= 0.80,
        "only {:.1} % of real gains called up",
        power * 100.0
    );
}
