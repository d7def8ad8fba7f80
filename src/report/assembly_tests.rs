//! A report assembled from datamart rows (`metrics::report::assemble`) and read as
//! its callers read it: the API's JSON (`wire`), the sentences (`words`) and the
//! page's tiles (`presentation`). They live here, above the pure core, so that
//! `metrics` imports nothing but `domain`.

use crate::domain::{BusinessHours, CostAssumption, DateRange, OrgId, Organization};
use crate::i18n::Lang;
use crate::metrics::baseline::Baseline;
use crate::metrics::report::*;
use crate::metrics::uncertainty::Level;
use crate::metrics::{DailyCounters, TileGroup};
use crate::report::{wire, words};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The report as the API sends it, where a test is about what a caller reads.
fn json(report: &Report, lang: Lang) -> serde_json::Value {
    serde_json::to_value(wire::Report::new(report, lang)).unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn organization(with_hours: bool) -> Organization {
    Organization {
        id: OrgId::parse("org_a").unwrap(),
        name: "Toko A".into(),
        ai_addon: true,
        timezone: Organization::parse_timezone("Asia/Jakarta").unwrap(),
        business_hours: with_hours.then(|| {
            BusinessHours::from_json(&serde_json::json!({"mon": ["08:00-17:00"]})).unwrap()
        }),
        holidays: Default::default(),
    }
}

fn row(date: &str, eligible: i64, contained: i64, reopened: i64) -> DailyCounters {
    // Field by field on an empty row, so a new counter needs no line here.
    let mut row = DailyCounters::empty(day(date));
    row.eligible = eligible;
    row.ai_handled = eligible;
    row.contained = contained;
    row.reopened = reopened;
    row.after_hours = 1;
    row.ai_assisted = 1;
    row.escalated = 1;
    row.other = eligible - contained - 2;
    row.contained_customer_messages = contained * 3;
    row.contained_sentiment_sum = 0.5;
    row.contained_sentiment_rooms = 1;
    row.human_sentiment_sum = -0.5;
    row.human_sentiment_rooms = 1;
    row.test_chats = 2;
    row.spam = 3;
    row
}

fn inputs<'a>(
    organization: &'a Organization,
    days: &'a [DailyCounters],
    policy: &'a ReportPolicy,
    from: &str,
    to: &str,
) -> ReportInputs<'a> {
    ReportInputs {
        organization,
        range: DateRange::new(day(from), day(to)).unwrap(),
        days,
        first_eligible_day: Some(day("2026-01-01")),
        data_through: Some(day("2026-10-31")),
        read_until: None,
        cost_assumption: None,
        policy,
        failed_groups: &[],
        baseline: None,
        forecast_history: None,
        days_before: None,
    }
}

#[test]
fn baseline_forming_shows_volume_only() {
    let org = organization(true);
    let days = [row("2026-10-01", 50, 20, 2)];
    let policy = ReportPolicy::default();
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    assert_eq!(report.status, ReportStatus::BaselineForming);
    assert!(report.figures.is_none());
    let json = json(&report, Lang::En);
    for absent in [
        "containment",
        "journey",
        "quality",
        "trend",
        "forecast",
        "verdicts",
    ] {
        assert!(json.get(absent).is_none(), "{absent} must be absent");
    }
    assert_eq!(json["volume"]["eligible"], 50);
    assert!(!words::headline(&report, Lang::En).contains('%'));
}

#[test]
fn net_rate_leaves_out_customers_who_came_back() {
    let org = organization(true);
    let days = [row("2026-10-01", 60, 40, 4), row("2026-10-02", 40, 20, 0)];
    let policy = ReportPolicy::default();
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    let figures = report.figures.clone().unwrap();
    assert_eq!(figures.containment.gross, 60);
    assert_eq!(figures.containment.net, 56);
    assert_eq!(figures.containment.net_rate, Some(0.56));
    assert_eq!(figures.verdicts.net_containment, Some(Verdict::Healthy));
    assert_eq!(figures.quality.unwrap().reopen_rate, Some(4.0 / 60.0));
    assert_eq!(figures.quality.unwrap().turns_avg, Some(3.0));
    let headline = words::headline(&report, Lang::En);
    assert!(headline.contains("56 of 100"), "{headline}");
    assert!(headline.contains("about 6 in 10"), "{headline}");
}

fn days(from: &str, to: &str) -> Option<DateRange> {
    Some(DateRange::unbounded(day(from), day(to)).unwrap())
}

#[test]
fn the_ais_cost_is_its_monthly_price_by_calendar_month_in_whole_rupiah() {
    let rate_and_minutes = |price| CostAssumption::with_ai_price(60_000, 1, price).unwrap();
    let cost = |price, counted| work_absorbed(1, Some(rate_and_minutes(Some(price))), counted);
    // 1 net conversation × 1 minute × Rp 60.000/h = Rp 1.000 saved.
    let without = work_absorbed(
        1,
        Some(rate_and_minutes(None)),
        days("2026-11-01", "2026-11-30"),
    );
    assert_eq!((without.ai_cost, without.net_rupiah), (None, None));
    assert_eq!(without.value_ratio, None);
    // A whole calendar month is exactly the monthly price, whatever its length.
    let november = cost(1_500_000, days("2026-11-01", "2026-11-30"));
    assert_eq!(november.ai_cost, Some(1_500_000));
    assert_eq!(november.net_rupiah, Some(1_000 - 1_500_000));
    assert_eq!(
        cost(1_500_000, days("2028-02-01", "2028-02-29")).ai_cost,
        Some(1_500_000)
    );
    // A day of a 30-day month is a thirtieth: 1.000 ÷ 30 = 33,3 → 33, and
    // 1.005 ÷ 30 = 33,5 → 34 (halves up).
    let day_of_november = cost(1_000, days("2026-11-01", "2026-11-01"));
    assert_eq!(
        (day_of_november.ai_cost, day_of_november.net_rupiah),
        (Some(33), Some(967))
    );
    assert_eq!(day_of_november.value_ratio, Some(1_000.0 / 33.0));
    assert_eq!(
        cost(1_005, days("2026-11-30", "2026-11-30")).ai_cost,
        Some(34)
    );
    // Rounded once over the months it touches: 2/31 + 1 + 2/31 of Rp 1.000 is
    // 1.129,03 → 1.129 (each month rounded alone would give 65 + 1.000 + 65).
    assert_eq!(
        cost(1_000, days("2026-01-30", "2026-03-02")).ai_cost,
        Some(1_129)
    );
    // No days with data cost nothing, and have no return to speak of.
    let nothing = cost(1_000, None);
    assert_eq!((nothing.ai_cost, nothing.value_ratio), (Some(0), None));
    // The largest price over a whole leap year is exactly twelve prices.
    let most = cost(1_000_000_000, days("2028-01-01", "2028-12-31"));
    assert_eq!(most.ai_cost, Some(12_000_000_000));
}

#[test]
fn a_range_past_its_data_counts_its_days_with_data_only() {
    let org = organization(true);
    let rows = [row("2026-12-01", 300, 200, 0), row("2026-12-06", 40, 30, 0)];
    let policy = ReportPolicy::default();
    let ratio_to = |to: &str| {
        let mut input = inputs(&org, &rows, &policy, "2026-12-01", to);
        input.data_through = Some(day("2026-12-06"));
        input.cost_assumption =
            Some(CostAssumption::with_ai_price(45_000, 6, Some(1_500_000)).unwrap());
        let report = assemble(&input);
        let work = report.figures.clone().unwrap().work_absorbed;
        (report.counted_through, work.ai_cost, work.value_ratio)
    };
    let (counted, cost, ratio) = ratio_to("2026-12-06");
    assert_eq!(counted, Some(day("2026-12-06")));
    // 1.500.000 × 6 ÷ 31 = 290.322,6 → 290.323.
    assert_eq!(cost, Some(290_323));
    let (counted_past, cost_past, ratio_past) = ratio_to("2026-12-31");
    assert_eq!(counted_past, Some(day("2026-12-06")));
    assert_eq!((cost_past, ratio_past), (cost, ratio));
}

#[test]
fn work_absorbed_needs_an_assumption_and_rounds_halves_up() {
    let org = organization(true);
    // 7 net × 5 minutes × 1 001 rupiah/hour = 583,916… → Rp 584
    let days = [row("2026-10-01", 100, 7, 0)];
    let policy = ReportPolicy::default();
    let mut input = inputs(&org, &days, &policy, "2026-10-01", "2026-10-31");
    let without = assemble(&input);
    let figures = without.figures.unwrap();
    assert_eq!(figures.work_absorbed.status, TileStatus::AssumptionMissing);
    assert_eq!(figures.work_absorbed.rupiah, None);
    input.cost_assumption = Some(CostAssumption::new(1_001, 5).unwrap());
    let with = assemble(&input).figures.unwrap();
    assert_eq!(with.work_absorbed.rupiah, Some(584));
    // 6 net × 5 minutes × 1 002 = 30 060 / 60 = 501 exactly; 1 × 1 × 1 002 / 60 = 16.7 → 17;
    input.cost_assumption = Some(CostAssumption::new(1_002, 5).unwrap());
    let days = [row("2026-10-01", 100, 6, 0)];
    input.days = &days;
    assert_eq!(
        assemble(&input).figures.unwrap().work_absorbed.rupiah,
        Some(501)
    );
    // 1 net × 1 minute × 1 050 = 17.5 → 18 (half rounded up).
    let days = [row("2026-10-01", 100, 1, 0)];
    input.days = &days;
    input.cost_assumption = Some(CostAssumption::new(1_050, 1).unwrap());
    assert_eq!(
        assemble(&input).figures.unwrap().work_absorbed.rupiah,
        Some(18)
    );
}

#[test]
fn after_hours_is_not_available_without_business_hours() {
    let org = organization(false);
    let days = [row("2026-10-01", 100, 50, 0)];
    let policy = ReportPolicy::default();
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    let json = json(&report, Lang::En);
    assert_eq!(
        json["after_hours"],
        serde_json::json!({"status": "not_available"})
    );
}

#[test]
fn sentiment_is_not_available_when_its_source_never_answered() {
    let org = organization(true);
    let mut pending = row("2026-10-01", 100, 50, 0);
    pending.sentiment_pending = true;
    pending.contained_sentiment_rooms = 0;
    pending.human_sentiment_rooms = 0;
    let days = [pending.clone()];
    let policy = ReportPolicy::default();
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    let figures = report.figures.as_ref().unwrap();
    assert_eq!(
        figures.quality.unwrap().sentiment.status,
        TileStatus::NotAvailable
    );
    // Half the days pending: the figure shows with lower coverage and a note.
    let days = [pending, row("2026-10-02", 100, 50, 0)];
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    let figures = report.figures.as_ref().unwrap();
    assert_eq!(figures.quality.unwrap().sentiment.status, TileStatus::Ok);
    assert_eq!(
        figures.quality.unwrap().sentiment.coverage,
        Some(2.0 / 104.0)
    );
    assert!(figures.verdicts.sentiment_reduced_coverage);
    assert!(words::notes(&report, Lang::En)
        .iter()
        .any(|n| n.contains("still being collected")));
}

#[test]
fn trend_granularity_follows_the_range_length() {
    let org = organization(true);
    let days = [row("2026-10-01", 100, 50, 0)];
    let policy = ReportPolicy::default();
    let daily = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    let trend = daily.figures.unwrap().trend;
    assert_eq!(trend.period, TrendPeriod::Day);
    assert_eq!(trend.points.len(), 31);
    assert_eq!(trend.points[1].net_rate, None);

    // 1 Oct 2026 is a Thursday: the first week is clipped to Thu–Sun.
    let weekly = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-12-31"));
    let trend = weekly.figures.unwrap().trend;
    assert_eq!(trend.period, TrendPeriod::Week);
    assert_eq!(
        (trend.points[0].from, trend.points[0].to),
        (day("2026-10-01"), day("2026-10-04"))
    );
    assert_eq!(trend.points[1].from, day("2026-10-05"));
    assert_eq!(trend.points.last().unwrap().to, day("2026-12-31"));

    let monthly = assemble(&inputs(&org, &days, &policy, "2025-11-15", "2026-10-31"));
    let trend = monthly.figures.unwrap().trend;
    assert_eq!(trend.period, TrendPeriod::Month);
    assert_eq!(trend.points.len(), 12);
    assert_eq!(trend.points[0].to, day("2025-11-30"));
    assert_eq!(trend.points[11].net_rate, Some(0.5));
}

#[test]
fn headline_and_verdicts_speak_indonesian() {
    let org = organization(true);
    let days = [row("2026-10-01", 100, 65, 0)];
    let policy = ReportPolicy::default();
    let mut input = inputs(&org, &days, &policy, "2026-10-01", "2026-10-31");
    input.cost_assumption = Some(CostAssumption::new(40_000, 6).unwrap());
    let report = assemble(&input);
    let headline = words::headline(&report, Lang::Id);
    assert!(headline.contains("65 dari 100"), "{headline}");
    assert!(headline.contains("Rp 260.000"), "{headline}");
    assert_eq!(
        json(&report, Lang::Id)["verdicts"]["net_containment"]["label"],
        "Kuat"
    );
}

#[test]
fn a_failed_tile_group_degrades_only_its_own_tiles() {
    let org = organization(true);
    let days = [row("2026-10-01", 100, 50, 5)];
    let policy = ReportPolicy::default();
    let mut input = inputs(&org, &days, &policy, "2026-10-01", "2026-10-31");
    input.failed_groups = &[TileGroup::Journey];
    let journey_failed = json(&assemble(&input), Lang::En);
    assert_eq!(journey_failed["journey"], serde_json::Value::Null);
    assert_eq!(journey_failed["tiles"]["journey"], "unavailable");
    assert_eq!(journey_failed["tiles"]["quality"], "ok");
    assert_eq!(journey_failed["containment"]["net"], 45);
    assert_eq!(journey_failed["quality"]["reopen_rate"], 0.1);

    input.failed_groups = &[TileGroup::Quality];
    let json = json(&assemble(&input), Lang::En);
    assert_eq!(json["quality"], serde_json::Value::Null);
    assert_eq!(json["verdicts"]["reopen_rate"], serde_json::Value::Null);
    assert_eq!(json["journey"]["ai_only"], 50);
    assert_eq!(json["verdicts"]["net_containment"]["level"], "healthy");
}

#[test]
fn the_forecast_exists_only_when_switched_on_and_reads_plainly() {
    let org = organization(true);
    let days = [row("2026-10-01", 100, 60, 0)];
    let policy = ReportPolicy::default();
    let mut input = inputs(&org, &days, &policy, "2026-10-01", "2026-10-31");
    let off = json(&assemble(&input), Lang::En);
    assert_eq!(off["forecast"], serde_json::Value::Null);
    let month = |m: u32| NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
    let history: Vec<(NaiveDate, f64)> = (5..=10)
        .map(|m| (month(m), 0.55 + 0.01 * f64::from(m % 2)))
        .collect();
    input.forecast_history = Some(&history);
    let on = json(&assemble(&input), Lang::En);
    assert_eq!(on["forecast"]["status"], "ok");
    assert_eq!(on["forecast"]["period_from"], "2026-11-01");
    assert_eq!(on["forecast"]["period_to"], "2026-11-30");
    let rate = on["forecast"]["net_rate"].as_f64().unwrap();
    assert!((0.5..0.6).contains(&rate), "{rate}");
    assert!(on["forecast"]["read"]
        .as_str()
        .unwrap()
        .starts_with("If this keeps up, in Nov 2026"));
    let short = &history[..3];
    input.forecast_history = Some(short);
    let too_short = json(&assemble(&input), Lang::En);
    assert_eq!(too_short["forecast"]["status"], "not_enough_history");
    assert_eq!(too_short["forecast"]["months"], 3);

    // Data through 31 October (the test's rows say so) and read on 5 December:
    // a range ending on 31 October reaches the latest complete day, one ending
    // on 30 September is history and has no projection.
    input.forecast_history = Some(&history);
    input.read_until = DateTime::parse_from_rfc3339("2026-12-05T01:00:00Z")
        .ok()
        .map(|at| at.with_timezone(&Utc));
    assert_eq!(
        json(&assemble(&input), Lang::En)["forecast"]["status"],
        "ok"
    );
    let september = inputs(&org, &days, &policy, "2026-09-01", "2026-09-30");
    let past = ReportInputs {
        forecast_history: Some(&history),
        ..september
    };
    assert_eq!(
        json(&assemble(&past), Lang::En)["forecast"],
        serde_json::Value::Null
    );
    // Read on the morning of 1 November, the latest complete day is 31 October
    // and a range ending then still reaches it; read on 31 October, it is 30
    // October, which the range passes too.
    for read in ["2026-11-01T01:00:00Z", "2026-10-31T05:00:00Z"] {
        input.read_until = DateTime::parse_from_rfc3339(read)
            .ok()
            .map(|at| at.with_timezone(&Utc));
        assert_eq!(
            json(&assemble(&input), Lang::En)["forecast"]["status"],
            "ok",
            "{read}"
        );
    }
}

#[test]
fn the_period_before_is_compared_only_when_whole_and_formed() {
    let org = organization(true);
    let policy = ReportPolicy {
        min_conversations: 10,
        ..ReportPolicy::default()
    };
    let days = [row("2026-10-01", 100, 60, 0)];
    let mut input = inputs(&org, &days, &policy, "2026-10-01", "2026-10-31");
    // The 31 days before: 31 Aug – 30 Sep 2026 (first eligible day: 1 Jan).
    let september: Vec<DailyCounters> = std::iter::once("2026-08-31".to_string())
        .chain((1..=30).map(|d| format!("2026-09-{d:02}")))
        .map(|date| row(&date, 10, 5, 1))
        .collect();
    input.days_before = Some(&september);
    let whole = assemble(&input).figures.unwrap().period_before.unwrap();
    assert_eq!(whole.range.from(), day("2026-08-31"));
    let then = whole
        .comparison
        .expect("a whole, formed period is compared");
    assert_eq!((then.figures.eligible, then.figures.net), (310, 124));
    // 60 of 100 against 124 of 310 is beyond chance; the reopen rate (0 of 60
    // against 31 of 155) is too.
    assert_eq!(then.net_rate.map(|(level, _)| level), Some(Level::Up));
    assert_eq!(then.reopen_rate.map(|(level, _)| level), Some(Level::Down));
    let ok = json(&assemble(&input), Lang::En);
    assert_eq!(ok["period_before"]["status"], "ok");
    assert_eq!(ok["period_before"]["levels"]["net_rate"], "up");
    assert_eq!(
        ok["period_before"]["intervals"]["net_rate"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    // Retention took its first days: no comparison, and it says why.
    let late = &september[10..];
    input.days_before = Some(late);
    let cut = assemble(&input).figures.unwrap().period_before.unwrap();
    assert_eq!(cut.comparison, Err(NotComparable::OutsideRetention));
    let reads = words::changes(&assemble(&input), Lang::En).unwrap();
    assert!(reads.none.unwrap().contains("no longer kept in full"));
    let cut_json = json(&assemble(&input), Lang::En);
    assert_eq!(cut_json["period_before"]["status"], "not_comparable");
    assert_eq!(cut_json["period_before"]["reason"], "outside_retention");
    assert!(cut_json["period_before"].get("levels").is_none());
    // Too few conversations then: no change.
    let quiet = [row("2026-08-31", 5, 1, 0)];
    input.days_before = Some(&quiet);
    let forming = assemble(&input).figures.unwrap().period_before.unwrap();
    assert_eq!(forming.comparison, Err(NotComparable::TooFewConversations));
    // A busy period before that falls in the first 30 days is still forming,
    // and is not said to hold too few conversations.
    let late_october = [row("2026-10-25", 100, 60, 0)];
    let mut input = inputs(&org, &late_october, &policy, "2026-10-20", "2026-10-31");
    input.first_eligible_day = Some(day("2026-10-01"));
    let early = [row("2026-10-08", 500, 200, 0)];
    input.days_before = Some(&early);
    let report = assemble(&input);
    let before = report.figures.as_ref().unwrap().period_before.unwrap();
    assert_eq!(before.comparison, Err(NotComparable::StillForming));
    let reads = words::changes(&report, Lang::En).unwrap();
    assert!(reads.none.unwrap().contains("still forming"));
    assert_eq!(
        json(&report, Lang::En)["period_before"]["reason"],
        "baseline_forming"
    );
}

#[test]
fn a_period_before_the_first_conversation_is_not_compared() {
    // A year whose period before holds only its last 35 days of data.
    let org = organization(true);
    let policy = ReportPolicy::default();
    let days: Vec<DailyCounters> = (0..365)
        .map(|offset| day("2025-11-01") + Duration::days(offset))
        .map(|date| row(&date.to_string(), 120, 60, 5))
        .collect();
    let before: Vec<DailyCounters> = (0..35)
        .map(|offset| day("2025-09-27") + Duration::days(offset))
        .map(|date| row(&date.to_string(), 120, 30, 5))
        .collect();
    let mut input = inputs(&org, &days, &policy, "2025-11-01", "2026-10-31");
    input.first_eligible_day = Some(day("2025-09-27"));
    input.days_before = Some(&before);
    let report = assemble(&input);
    let period = report.figures.as_ref().unwrap().period_before.unwrap();
    assert_eq!(
        period.comparison,
        Err(NotComparable::BeforeFirstConversation(day("2025-09-27")))
    );
    let reads = words::changes(&report, Lang::En).unwrap();
    assert_eq!(
        reads.none.as_deref(),
        Some("No comparison with the 365 days before: they include days before your first conversation on 27 Sept 2025.")
    );
    assert_eq!(reads.eligible, None, "no count is compared either");
    let json = json(&report, Lang::Id);
    assert_eq!(json["period_before"]["reason"], "before_first_conversation");
    assert_eq!(json["period_before"]["first_day"], "2025-09-27");
}

#[test]
fn a_move_chance_explains_is_about_the_same_and_says_so() {
    let org = organization(true);
    let policy = ReportPolicy::default();
    // 40,2 % of 522 now against 43,5 % of 522 then: a 3-point move.
    let now = [row("2026-10-01", 522, 210, 0)];
    let then = [row("2026-08-31", 522, 227, 0)];
    let mut input = inputs(&org, &now, &policy, "2026-10-01", "2026-10-31");
    input.days_before = Some(&then);
    let report = assemble(&input);
    let reads = words::changes(&report, Lang::En).unwrap();
    assert_eq!(
        reads.net_rate.as_deref(),
        Some("about the same as the 31 days before: a move of 3 points is normal at this volume")
    );
    let id = words::changes(&report, Lang::Id).unwrap();
    assert!(id
        .net_rate
        .unwrap()
        .starts_with("kurang lebih sama dengan 31 hari sebelumnya"));
    // Counts are facts, not estimates: 0 more is the same.
    assert_eq!(
        reads.eligible.as_deref(),
        Some("the same as the 31 days before")
    );
    assert_eq!(
        json(&report, Lang::En)["period_before"]["levels"]["net_rate"],
        "about_the_same"
    );
    // The same 3 points over 20 times the conversations is a change.
    let now = [row("2026-10-01", 10_440, 4_190, 0)];
    let then = [row("2026-08-31", 10_440, 4_540, 0)];
    let mut input = inputs(&org, &now, &policy, "2026-10-01", "2026-10-31");
    input.days_before = Some(&then);
    let reads = words::changes(&assemble(&input), Lang::En).unwrap();
    assert_eq!(
        reads.net_rate.as_deref(),
        Some("down 3 points from the 31 days before")
    );
}

#[test]
fn the_first_30_days_are_compared_only_apart_from_the_range_and_beyond_chance() {
    let org = organization(true);
    let policy = ReportPolicy::default();
    let days = [row("2026-10-01", 400, 180, 10)];
    let mut input = inputs(&org, &days, &policy, "2026-10-01", "2026-10-31");
    let stored = |eligible, net| Baseline {
        first_day: day("2026-01-01"),
        last_day: day("2026-01-30"),
        eligible,
        net,
    };
    // 170 of 400 now against 104 of 400 then: up, and said so.
    input.baseline = Some(stored(400, 104));
    let report = assemble(&input);
    let baseline = report.figures.as_ref().unwrap().trend.baseline;
    assert_eq!(baseline.comparison.map(|(level, _)| level), Some(Level::Up));
    assert!(
        words::headline(&report, Lang::En).contains("That is up from 26% in your first 30 days")
    );
    let up = json(&report, Lang::En);
    assert_eq!(up["trend"]["baseline"]["level"], "up");
    assert_eq!(up["trend"]["baseline"]["eligible"], 400);
    assert_eq!(up["trend"]["baseline"]["net"], 104);
    // 172 of 400 then (43 %): about the same, never "down 1 point".
    input.baseline = Some(stored(400, 172));
    let report = assemble(&input);
    let headline = words::headline(&report, Lang::En);
    assert!(
        headline.contains("That is about the same as in your first 30 days with the AI (43%)."),
        "{headline}"
    );
    assert!(!headline.contains("down from"), "{headline}");
    // A range that overlaps those 30 days is not compared with them at all.
    let mut input = inputs(&org, &days, &policy, "2026-01-15", "2026-10-31");
    input.baseline = Some(stored(400, 104));
    let report = assemble(&input);
    assert_eq!(
        report.figures.as_ref().unwrap().trend.baseline.comparison,
        None
    );
    assert!(!words::headline(&report, Lang::En).contains("first 30 days"));
    assert!(json(&report, Lang::En)["trend"]["baseline"]
        .get("level")
        .is_none());
}

#[test]
fn every_rate_carries_its_range_and_the_hero_says_it() {
    let org = organization(true);
    let policy = ReportPolicy::default();
    let days = [row("2026-10-01", 500, 210, 10)];
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    let json = json(&report, Lang::En);
    let pair = |value: &serde_json::Value| {
        let pair = value.as_array().expect("an interval");
        (pair[0].as_f64().unwrap(), pair[1].as_f64().unwrap())
    };
    let (low, high) = pair(&json["containment"]["net_rate_interval"]);
    assert!(low < 0.4 && 0.4 < high && high - low < 0.1, "{low} {high}");
    let (low, high) = pair(&json["quality"]["reopen_rate_interval"]);
    assert!(low < 10.0 / 210.0 && 10.0 / 210.0 < high);
    pair(&json["after_hours"]["share_interval"]);
    for point in json["trend"]["points"].as_array().unwrap() {
        if point["eligible"].as_i64() > Some(0) {
            pair(&point["net_rate_interval"]);
        } else {
            assert!(point["net_rate_interval"].is_null());
        }
    }
    // 200 of 500 is exactly on the Healthy threshold: written with its decimal.
    let presented = crate::report::presentation::Presentation::new(&report, Lang::En);
    let crate::report::presentation::PresentedState::Ok(tiles) = presented.state else {
        panic!("an ok report");
    };
    assert_eq!(
        tiles.solved_alone.net.map(|n| n.percent).as_deref(),
        Some("40.0%")
    );
    assert_eq!(
        tiles.solved_alone.range.as_deref(),
        Some("Most likely between 36% and 44%.")
    );
}

#[test]
fn the_mood_is_judged_only_beyond_chance_and_on_enough_conversations() {
    let org = organization(true);
    let policy = ReportPolicy::default();
    let mut day_row = row("2026-10-01", 500, 210, 10);
    // 45 moods each side, delta 0,101 but spread wide: not beyond chance.
    day_row.contained_sentiment_rooms = 45;
    day_row.contained_sentiment_sum = 45.0 * 0.101;
    day_row.contained_sentiment_squares = 45.0 * 0.9;
    day_row.human_sentiment_rooms = 45;
    day_row.human_sentiment_sum = 0.0;
    day_row.human_sentiment_squares = 45.0 * 0.9;
    let days = [day_row.clone()];
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    let figures = report.figures.as_ref().unwrap();
    assert_eq!(figures.verdicts.sentiment, Some(Verdict::AboutTheSame));
    let json = json(&report, Lang::En);
    assert_eq!(
        json["quality"]["sentiment"]["rooms_with_mood"]["contained"],
        45
    );
    assert!(json["quality"]["sentiment"]["delta_interval"][0].as_f64() < Some(0.0));
    // The same delta with little spread is more positive.
    let mut tight = day_row.clone();
    tight.contained_sentiment_sum = 45.0 * 0.6;
    tight.contained_sentiment_squares = 45.0 * 0.37;
    tight.human_sentiment_sum = 45.0 * 0.4;
    tight.human_sentiment_squares = 45.0 * 0.17;
    let days = [tight];
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    assert_eq!(
        report.figures.unwrap().verdicts.sentiment,
        Some(Verdict::MorePositive)
    );
    // Too few moods on one side: no verdict, and the tile says why.
    let mut few = day_row;
    few.human_sentiment_rooms = 12;
    few.human_sentiment_sum = -6.0;
    few.human_sentiment_squares = 10.0;
    let days = [few];
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    let verdicts = report.figures.as_ref().unwrap().verdicts;
    assert_eq!(verdicts.sentiment, None);
    assert!(verdicts.sentiment_too_few);
    assert_eq!(
        words::mood_too_few(&report, Lang::En).as_deref(),
        Some("Too few conversations with a recorded mood to compare: 45 solved by the AI alone and 12 with your team (at least 30 of each are needed).")
    );
    // None at all on one side: the same, not a bare "not available".
    let mut one_sided = row("2026-10-01", 500, 210, 10);
    one_sided.contained_sentiment_rooms = 45;
    one_sided.contained_sentiment_sum = 20.0;
    one_sided.contained_sentiment_squares = 30.0;
    one_sided.human_sentiment_rooms = 0;
    one_sided.human_sentiment_sum = 0.0;
    let days = [one_sided];
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-01", "2026-10-31"));
    assert!(report.figures.as_ref().unwrap().verdicts.sentiment_too_few);
    assert!(words::mood_too_few(&report, Lang::Id)
        .unwrap()
        .contains("45 diselesaikan AI sendiri dan 0 bersama tim Anda"));
}

#[test]
fn a_mature_organizations_short_range_is_not_called_new() {
    let org = organization(true);
    let policy = ReportPolicy::default();
    let days = [row("2026-10-31", 40, 20, 0)];
    let report = assemble(&inputs(&org, &days, &policy, "2026-10-31", "2026-10-31"));
    assert_eq!(
        report.baseline_forming.map(|b| b.reason),
        Some(FormingReason::FewConversations)
    );
    assert_eq!(
        json(&report, Lang::En)["baseline_forming_reason"],
        "few_conversations"
    );
    let headline = words::headline(&report, Lang::En);
    assert!(headline.contains("choose a longer range"), "{headline}");
    assert!(!headline.contains("So far"), "{headline}");
    // A young organization is new, whatever its range holds.
    let mut input = inputs(&org, &days, &policy, "2026-10-31", "2026-10-31");
    input.first_eligible_day = Some(day("2026-10-20"));
    let report = assemble(&input);
    assert_eq!(
        json(&report, Lang::En)["baseline_forming_reason"],
        "new_organization"
    );
}

#[test]
fn days_of_data_counts_from_the_first_eligible_room() {
    assert_eq!(days_of_data(Some(day("2026-09-01")), day("2026-10-31")), 61);
    assert_eq!(days_of_data(Some(day("2026-10-03")), day("2026-11-01")), 30);
    assert_eq!(days_of_data(None, day("2026-11-01")), 0);
    assert_eq!(days_of_data(Some(day("2026-12-01")), day("2026-11-01")), 0);
}

#[test]
fn days_stay_provisional_until_their_customers_48_hours_are_over() {
    let org = Organization {
        id: crate::domain::OrgId::parse("org_p").unwrap(),
        name: "P".into(),
        ai_addon: true,
        timezone: chrono_tz::Asia::Jakarta,
        business_hours: None,
        holidays: Default::default(),
    };
    // Read up to 4 Dec 09:00 in Jakarta: 2 Dec 09:00 is 48 hours before.
    let read = DateTime::parse_from_rfc3339("2026-12-04T09:00:00+07:00")
        .unwrap()
        .with_timezone(&Utc);
    let range = |from: &str, to: &str| DateRange::new(day(from), day(to)).unwrap();
    assert_eq!(
        provisional_from(Some(read), &org, range("2026-11-05", "2026-12-03")),
        Some(day("2026-12-02"))
    );
    assert_eq!(
        provisional_from(Some(read), &org, range("2026-11-01", "2026-12-01")),
        None,
        "a range that ends before is settled"
    );
    assert_eq!(
        provisional_from(Some(read), &org, range("2026-12-03", "2026-12-03")),
        Some(day("2026-12-03")),
        "never before the range starts"
    );
    assert_eq!(
        provisional_from(None, &org, range("2026-11-05", "2026-12-03")),
        None
    );
}
