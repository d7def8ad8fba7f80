//! The next period's net containment, projected from an organization's monthly
//! history, and the backtest that justifies the method (docs/forecast.md). Pure.

/// Fewest complete months of history before anything is projected.
pub(crate) const MIN_MONTHS: usize = 4;
/// A projection whose own backtest misses by this much (10 points) is withheld:
/// the same bar as the rollback threshold (docs/forecast.md).
pub(crate) const WITHHOLD_MAE: f64 = 0.10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Next month equals this month.
    LastValue,
    /// The mean of the last three months.
    MeanOfLastThree,
    /// Simple exponential smoothing (α = 0.5).
    Smoothing,
    /// Holt's linear trend, damped (α = 0.5, β = 0.3, φ = 0.8).
    DampedTrend,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::LastValue,
        Method::MeanOfLastThree,
        Method::Smoothing,
        Method::DampedTrend,
    ];

    /// The method the product uses; chosen by the backtest in docs/forecast.md.
    pub const CHOSEN: Method = Method::DampedTrend;

    pub fn name(self) -> &'static str {
        match self {
            Method::LastValue => "last value",
            Method::MeanOfLastThree => "mean of last 3",
            Method::Smoothing => "exponential smoothing",
            Method::DampedTrend => "damped trend",
        }
    }

    /// The projection of the value after `history`, in [0, 1].
    pub fn project(self, history: &[f64]) -> Option<f64> {
        let last = *history.last()?;
        let value = match self {
            Method::LastValue => last,
            Method::MeanOfLastThree => {
                let tail = &history[history.len().saturating_sub(3)..];
                tail.iter().sum::<f64>() / tail.len() as f64
            }
            Method::Smoothing => {
                let alpha = 0.5;
                history[1..]
                    .iter()
                    .fold(history[0], |level, x| alpha * x + (1.0 - alpha) * level)
            }
            Method::DampedTrend => {
                let (alpha, beta, phi) = (0.5, 0.3, 0.8);
                let mut level = history[0];
                let mut trend = history
                    .get(1)
                    .map(|second| second - history[0])
                    .unwrap_or(0.0);
                for x in &history[1..] {
                    let previous = level;
                    level = alpha * x + (1.0 - alpha) * (level + phi * trend);
                    trend = beta * (level - previous) + (1.0 - beta) * phi * trend;
                }
                level + phi * trend
            }
        };
        Some(value.clamp(0.0, 1.0))
    }
}

/// One-step-ahead errors from a rolling origin: each month from the fourth on is
/// projected from the months before it alone.
pub(crate) fn rolling_errors(method: Method, history: &[f64]) -> Vec<f64> {
    (MIN_MONTHS - 1..history.len())
        .filter_map(|t| method.project(&history[..t]).map(|p| p - history[t]))
        .collect()
}

/// Mean absolute error of the rolling-origin backtest, as a fraction.
pub(crate) fn backtest_mae(method: Method, history: &[f64]) -> Option<f64> {
    let errors = rolling_errors(method, history);
    (!errors.is_empty()).then(|| errors.iter().map(|e| e.abs()).sum::<f64>() / errors.len() as f64)
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    pub net_rate: f64,
    /// A band of ± 1.96 × the backtest's root mean square error, within [0, 1].
    pub low: f64,
    pub high: f64,
    pub backtest_mae: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    Ok(Projection),
    /// Fewer than `MIN_MONTHS` complete months.
    NotEnoughHistory {
        months: usize,
    },
    /// The organization's own backtest error is too large for the projection to help.
    Withheld {
        backtest_mae: f64,
    },
}

/// The next month's projection from complete monthly net rates, oldest first.
pub(crate) fn project_next(history: &[f64]) -> Outcome {
    if history.len() < MIN_MONTHS {
        return Outcome::NotEnoughHistory {
            months: history.len(),
        };
    }
    let method = Method::CHOSEN;
    let errors = rolling_errors(method, history);
    let mae = errors.iter().map(|e| e.abs()).sum::<f64>() / errors.len().max(1) as f64;
    if super::threshold::at_least(mae, WITHHOLD_MAE) {
        return Outcome::Withheld { backtest_mae: mae };
    }
    let rmse = (errors.iter().map(|e| e * e).sum::<f64>() / errors.len().max(1) as f64).sqrt();
    let net_rate = method.project(history).unwrap_or(0.0);
    Outcome::Ok(Projection {
        net_rate,
        low: (net_rate - 1.96 * rmse).clamp(0.0, 1.0),
        high: (net_rate + 1.96 * rmse).clamp(0.0, 1.0),
        backtest_mae: mae,
    })
}

/// Histories of several shapes for the backtest, the same for the same seed.
pub(crate) fn backtest_shapes(seed: u64, months: usize) -> Vec<(&'static str, Vec<f64>)> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut noise = move |scale: f64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2.0 * scale
    };
    let series = |f: &mut dyn FnMut(usize) -> f64| -> Vec<f64> {
        (0..months).map(|m| f(m).clamp(0.0, 1.0)).collect()
    };
    vec![
        (
            "improving",
            series(&mut |m| 0.25 + 0.4 * (1.0 - (-(m as f64) / 3.0).exp()) + noise(0.02)),
        ),
        ("flat", series(&mut |_| 0.5 + noise(0.02))),
        ("noisy", series(&mut |_| 0.45 + noise(0.08))),
        (
            "seasonal",
            series(&mut |m| {
                0.5 + 0.08 * (std::f64::consts::TAU * m as f64 / 6.0).sin() + noise(0.02)
            }),
        ),
        (
            "sudden drop",
            series(&mut |m| if m < months * 2 / 3 { 0.6 } else { 0.35 } + noise(0.02)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projections_stay_between_zero_and_one() {
        for method in Method::ALL {
            for history in [
                vec![0.0, 0.0, 0.0, 0.0],
                vec![1.0, 1.0, 1.0, 1.0],
                vec![0.1, 0.4, 0.7, 1.0],
                vec![0.9, 0.6, 0.3, 0.0],
            ] {
                let value = method.project(&history).unwrap();
                assert!(
                    (0.0..=1.0).contains(&value),
                    "{method:?} {history:?} → {value}"
                );
            }
        }
        if let Outcome::Ok(p) = project_next(&[0.97, 0.98, 0.99, 1.0, 1.0]) {
            assert!(p.low >= 0.0 && p.high <= 1.0 && p.low <= p.net_rate && p.net_rate <= p.high);
        } else {
            panic!("a steady history is projected");
        }
    }

    #[test]
    fn too_little_history_and_large_errors_withhold_the_projection() {
        assert_eq!(
            project_next(&[0.5, 0.5, 0.5]),
            Outcome::NotEnoughHistory { months: 3 }
        );
        assert!(matches!(
            project_next(&[0.1, 0.9, 0.1, 0.9, 0.1, 0.9]),
            Outcome::Withheld { .. }
        ));
        assert!(matches!(
            project_next(&[0.5, 0.51, 0.49, 0.5, 0.52]),
            Outcome::Ok(_)
        ));
    }

    #[test]
    fn the_backtest_projects_each_month_from_earlier_months_only() {
        // Last value on 0.2, 0.4, 0.6, 0.8, 1.0: months 4 and 5 are missed by 0.2 each.
        let errors = rolling_errors(Method::LastValue, &[0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(errors.len(), 2);
        assert!(errors.iter().all(|e| (e + 0.2).abs() < 1e-12));
        assert!(
            (backtest_mae(Method::LastValue, &[0.2, 0.4, 0.6, 0.8, 1.0]).unwrap() - 0.2).abs()
                < 1e-12
        );
    }
}

/// Fewest conversations a month needs to count as a point of the history.
pub(crate) const MIN_MONTH_CONVERSATIONS: i64 = 30;

/// Net containment per complete calendar month up to `through`, oldest first.
/// Months with too few conversations to mean anything are left out.
pub(crate) fn monthly_net_rates(
    days: &[super::DailyCounters],
    through: chrono::NaiveDate,
) -> Vec<(chrono::NaiveDate, f64)> {
    use chrono::Datelike;
    let mut months: std::collections::BTreeMap<chrono::NaiveDate, (i64, i64)> = Default::default();
    for row in days {
        let Some(start) = row.day.with_day(1) else {
            continue;
        };
        let entry = months.entry(start).or_default();
        entry.0 += row.eligible;
        entry.1 += row.net();
    }
    months
        .into_iter()
        .filter(|(start, _)| super::last_day_of_month(*start) <= through)
        .filter(|(_, (eligible, _))| *eligible >= MIN_MONTH_CONVERSATIONS)
        .map(|(start, (eligible, net))| (start, net as f64 / eligible as f64))
        .collect()
}

/// A projection as it was shown, to be compared later with what happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub period_from: chrono::NaiveDate,
    pub period_to: chrono::NaiveDate,
    pub projected: f64,
    pub low: f64,
    pub high: f64,
}

/// One account's forecast record for the docs/forecast.md review.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountAudit {
    pub periods: usize,
    /// Mean absolute error over the last two realised periods, as a fraction.
    pub recent_mae: Option<f64>,
    pub roll_back: bool,
}

/// Periods a rollback decision looks at (docs/forecast.md: "over 2 periods").
pub(crate) const AUDIT_PERIODS: usize = 2;

/// Compares projections with realised net containment, oldest first, each pair
/// `(projected, realised)`; an account whose last two periods miss by 10 points
/// or more on average should have its forecast switched off.
pub fn audit(pairs: &[(f64, f64)]) -> AccountAudit {
    let recent = &pairs[pairs.len().saturating_sub(AUDIT_PERIODS)..];
    let recent_mae = (recent.len() == AUDIT_PERIODS)
        .then(|| recent.iter().map(|(p, r)| (p - r).abs()).sum::<f64>() / recent.len() as f64);
    AccountAudit {
        periods: pairs.len(),
        recent_mae,
        roll_back: recent_mae.is_some_and(|mae| super::threshold::at_least(mae, WITHHOLD_MAE)),
    }
}

#[cfg(test)]
mod audit_tests {
    use super::*;

    #[test]
    fn the_audit_uses_the_last_two_realised_periods() {
        // Misses of 4, 12 and 9 points: the last two average 10.5 → roll back.
        let account = audit(&[(0.50, 0.54), (0.60, 0.48), (0.55, 0.64)]);
        assert_eq!(account.periods, 3);
        assert!((account.recent_mae.unwrap() - 0.105).abs() < 1e-12);
        assert!(account.roll_back);
        // Exactly 10 points is at the threshold: roll back.
        assert!(audit(&[(0.5, 0.4), (0.5, 0.6)]).roll_back);
        // 9,5 points is not; one period is not enough to judge.
        assert!(!audit(&[(0.5, 0.41), (0.5, 0.6)]).roll_back);
        assert_eq!(audit(&[(0.5, 0.9)]).recent_mae, None);
        assert!(!audit(&[]).roll_back);
    }
}
