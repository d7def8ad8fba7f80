//! SQL written once for both backends. Each statement is built for a `Dialect`,
//! which only decides how a parameter is written (`?1` or `$1`) and how "now" is
//! given; the datamart's column lists come from `metrics::COLUMNS`, so a new counter
//! changes no SQL here.

use chrono::NaiveDate;

use crate::metrics::{Column, ColumnKind, CounterValue, DailyCounters, COLUMNS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The `n`-th parameter (from 1).
    pub(crate) fn parameter(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }
}

/// The daily rows of one organization and range (parameters: organization, first
/// day, last day), `day` first and then `columns`, oldest first.
pub(crate) fn select_days(dialect: Dialect, columns: &[&Column]) -> String {
    let names: Vec<&str> = columns.iter().map(|column| column.name).collect();
    format!(
        "SELECT day, {} FROM ai_activity_logs \
         WHERE organization_id = {} AND day >= {} AND day <= {} ORDER BY day",
        names.join(", "),
        dialect.parameter(1),
        dialect.parameter(2),
        dialect.parameter(3)
    )
}

/// Every datamart column, in table order.
pub(crate) fn all_columns() -> Vec<&'static Column> {
    COLUMNS.iter().collect()
}

/// Replaces one daily row. Parameters: organization, day, the value of every column
/// of `COLUMNS` in order, then the time it was computed.
pub(crate) fn upsert_day(dialect: Dialect) -> String {
    let names: Vec<&str> = COLUMNS.iter().map(|column| column.name).collect();
    let values: Vec<String> = (1..=names.len() + 3)
        .map(|n| dialect.parameter(n))
        .collect();
    let updates: Vec<String> = names
        .iter()
        .chain(std::iter::once(&"computed_at"))
        .map(|name| format!("{name} = excluded.{name}"))
        .collect();
    format!(
        "INSERT INTO ai_activity_logs (organization_id, day, {}, computed_at) VALUES ({}) \
         ON CONFLICT (organization_id, day) DO UPDATE SET {}",
        names.join(", "),
        values.join(", "),
        updates.join(", ")
    )
}

/// A daily row from its day and the values of `columns`, read by position (the
/// first column is at index 1, after `day`) with the backend's own reader.
pub(crate) fn decode_day<E>(
    day: NaiveDate,
    columns: &[&Column],
    mut value: impl FnMut(usize, ColumnKind) -> Result<CounterValue, E>,
) -> Result<DailyCounters, E> {
    let mut row = DailyCounters::empty(day);
    for (index, column) in columns.iter().enumerate() {
        (column.set)(&mut row, value(index + 1, column.kind)?);
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upsert_names_every_column_once_with_a_parameter_each() {
        let sql = upsert_day(Dialect::Postgres);
        for column in COLUMNS {
            assert_eq!(
                sql.matches(&format!("{} = excluded.", column.name)).count(),
                1
            );
        }
        assert!(sql.contains(&format!("${}", COLUMNS.len() + 3)));
        assert!(!sql.contains(&format!("${}", COLUMNS.len() + 4)));
        assert!(upsert_day(Dialect::Sqlite).contains("?1, ?2"));
    }
}
