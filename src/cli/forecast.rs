//! `impact forecast-backtest`: the table of docs/forecast.md; and
//! `impact forecast-audit`: recorded forecasts against what was realised.
//!
//! The backtest: Every method is
//! backtested (rolling origin, one month ahead) on generated histories of several
//! shapes and on the demo's organizations; the same seed prints the same table.

use chrono::NaiveDate;

use crate::aggregate::{Request, Scope};
use crate::domain::DateRange;
use crate::generate::{generate, GenerateOptions};
use crate::import::import_dir;
use crate::kpis::ShownForecast;
use crate::metrics::forecast::{audit, backtest_mae, backtest_shapes, monthly_net_rates, Method};
use crate::metrics::DailyCounters;
use crate::settings::Settings;
use crate::store::Store;

/// Months of history per generated shape: thirteen, as retention keeps.
const MONTHS: usize = 13;

pub async fn table(seed: u64) -> anyhow::Result<String> {
    let mut rows: Vec<(String, Vec<Option<f64>>)> = backtest_shapes(seed, MONTHS)
        .into_iter()
        .map(|(shape, history)| {
            let errors = Method::ALL
                .iter()
                .map(|m| backtest_mae(*m, &history))
                .collect();
            (shape.to_string(), errors)
        })
        .collect();
    let demo = demo_histories().await?;
    let mut demo_errors = Vec::new();
    for method in Method::ALL {
        let maes: Vec<f64> = demo
            .iter()
            .filter_map(|h| backtest_mae(method, h))
            .collect();
        demo_errors.push((!maes.is_empty()).then(|| maes.iter().sum::<f64>() / maes.len() as f64));
    }
    rows.push((
        format!("demo data ({} organizations)", demo.len()),
        demo_errors,
    ));

    let mut out = String::from("| history |");
    for method in Method::ALL {
        out.push_str(&format!(" {} |", method.name()));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Method::ALL.len()));
    out.push('\n');
    let mut totals = vec![0.0; Method::ALL.len()];
    for (name, errors) in &rows {
        out.push_str(&format!("| {name} |"));
        for (index, error) in errors.iter().enumerate() {
            let points = error.unwrap_or(f64::NAN) * 100.0;
            totals[index] += points;
            out.push_str(&format!(" {points:.2} |"));
        }
        out.push('\n');
    }
    out.push_str("| **mean** |");
    for total in totals {
        out.push_str(&format!(" **{:.2}** |", total / rows.len() as f64));
    }
    out.push('\n');
    Ok(out)
}

/// The monthly net containment of every demo organization with the add-on.
async fn demo_histories() -> anyhow::Result<Vec<Vec<f64>>> {
    let work = std::env::temp_dir().join(format!("impact-backtest-{}", std::process::id()));
    let end = NaiveDate::from_ymd_opt(2026, 10, 31).ok_or_else(|| anyhow::anyhow!("date"))?;
    generate(&GenerateOptions {
        out: work.join("input"),
        organizations: super::demo::DEMO_ORGANIZATIONS,
        days: super::demo::DEMO_DAYS,
        seed: super::demo::DEMO_SEED,
        end,
        scale: 1.0,
    })?;
    let mut settings = Settings::load(None)?;
    settings.database.url = format!("sqlite://{}", work.join("impact.sqlite").display());
    settings.mongodb.url = String::new();
    let store = crate::pipeline::open_store(&settings).await?;
    import_dir(store.as_ref(), &work.join("input"), false).await?;
    let request = Request {
        scope: Scope::AllData,
        organization: None,
        shard: None,
        show_progress: false,
    };
    crate::pipeline::aggregate(&settings, &store, &request).await?;
    let mut histories = Vec::new();
    for organization in store.organizations().await? {
        if !organization.ai_addon {
            continue;
        }
        let range = DateRange::unbounded(end - chrono::Duration::days(500), end)?;
        let days = store.daily_counters(&organization.id, range).await?;
        let history: Vec<f64> = monthly_net_rates(&days, end)
            .into_iter()
            .map(|(_, rate)| rate)
            .collect();
        if history.len() >= crate::metrics::forecast::MIN_MONTHS {
            histories.push(history);
        }
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&work);
    Ok(histories)
}

/// Every forecast a page showed (recorded once per organization and month), with
/// the net containment its month realised once the month is in the data.
pub(crate) async fn shown_forecasts(store: &dyn Store) -> anyhow::Result<Vec<ShownForecast>> {
    let mut shown = Vec::new();
    for (org, snapshot) in store.forecast_snapshots().await? {
        let through = store.activity(&org).await?.data_through;
        // Until its month has ended in the data, a forecast is not realised.
        let realised = if through.is_some_and(|through| through >= snapshot.period_to) {
            let range = DateRange::unbounded(snapshot.period_from, snapshot.period_to)?;
            let days = store.daily_counters(&org, range).await?;
            let eligible: i64 = days.iter().map(|d| d.eligible).sum();
            let net: i64 = days.iter().map(DailyCounters::net).sum();
            (eligible > 0).then(|| net as f64 / eligible as f64)
        } else {
            None
        };
        shown.push(ShownForecast {
            org,
            month: snapshot.period_from,
            projected: snapshot.projected,
            realised,
        });
    }
    Ok(shown)
}

/// The audit of docs/forecast.md: each recorded projection against the net containment
/// realised in its month (from the datamart), the mean absolute error of each
/// account's last two realised months, and the exact flags-file change for every
/// account at or beyond 10 points.
pub(crate) async fn audit_report(store: &dyn Store) -> anyhow::Result<String> {
    let shown = shown_forecasts(store).await?;
    let mut by_org: std::collections::BTreeMap<String, Vec<(f64, f64)>> = Default::default();
    for forecast in &shown {
        if let Some(realised) = forecast.realised {
            by_org
                .entry(forecast.org.to_string())
                .or_default()
                .push((forecast.projected, realised));
        }
    }
    let mut out = format!(
        "{} recorded forecasts; {} accounts with realised months.\n\n| account | realised months | error, last 2 months (points) | decision |\n|---|---|---|---|\n",
        shown.len(),
        by_org.len()
    );
    let mut roll_back = Vec::new();
    for (org, pairs) in &by_org {
        let account = audit(pairs);
        let error = account
            .recent_mae
            .map(|mae| format!("{:.1}", mae * 100.0))
            .unwrap_or_else(|| "not yet (needs 2)".into());
        let decision = if account.roll_back {
            "ROLL BACK"
        } else {
            "keep"
        };
        out.push_str(&format!(
            "| {org} | {} | {error} | {decision} |\n",
            account.periods
        ));
        if account.roll_back {
            roll_back.push(org.clone());
        }
    }
    if roll_back.is_empty() {
        out.push_str(
            "\nNo account is at or beyond the rollback threshold (10 points over 2 months).\n",
        );
    } else {
        out.push_str("\nAt or beyond the rollback threshold (10 points over 2 months). In the flags file:\n\n");
        for org in roll_back {
            out.push_str(&format!(
                "[accounts.{org}]\nai_agent_impact_report_forecast = false\n\n"
            ));
        }
    }
    Ok(out)
}
