//! PostgreSQL's monthly partitions of the datamart's large tables (migration 14,
//! docs/operations.md "Monthly partitions"): the months a write needs are made in
//! its own transaction, the nightly run makes this month's and the next ahead, and
//! retention drops whole expired months. SQLite has no partitions; every function
//! here gives it nothing to run.

use chrono::{Datelike, Months, NaiveDate, Utc};

use crate::store::driver::{Statement, Value};
use crate::store::sql::Dialect;

/// The statement that makes sure the month of each of `days` has its partitions,
/// before rows of those days are written. `None` on SQLite, or for no days.
pub(super) fn months_of(
    dialect: Dialect,
    days: impl IntoIterator<Item = NaiveDate>,
) -> Option<Statement> {
    if dialect != Dialect::Postgres {
        return None;
    }
    // One day a month is enough: the function takes any day of its month.
    let mut months: Vec<NaiveDate> = days.into_iter().filter_map(|day| day.with_day(1)).collect();
    months.sort_unstable();
    months.dedup();
    if months.is_empty() {
        return None;
    }
    Some(Statement::new(
        "SELECT impact_month_partitions($1::date[])",
        vec![Value::Array(months.into_iter().map(Value::Day).collect())],
    ))
}

/// This month's partitions and the next month's, made ahead by the nightly run so
/// that the day's first writes (the reports' usage, a run just after midnight)
/// find them.
pub(super) fn ahead(dialect: Dialect) -> Option<Statement> {
    let today = Utc::now().date_naive();
    months_of(
        dialect,
        [
            today,
            today.checked_add_months(Months::new(1)).unwrap_or(today),
        ],
    )
}

/// The statement that drops every month wholly before `cutoff` and answers with
/// the number of daily rows they held. `None` on SQLite.
pub(super) fn drop_months_before(dialect: Dialect, cutoff: NaiveDate) -> Option<Statement> {
    (dialect == Dialect::Postgres).then(|| {
        Statement::new(
            "SELECT impact_drop_months_before($1)",
            vec![Value::Day(cutoff)],
        )
    })
}
