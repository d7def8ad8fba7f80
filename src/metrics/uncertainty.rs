//! How sure a rate is, and whether a difference is more than chance (METRICS.md
//! §4.10). Pure arithmetic over counts, no I/O.
//!
//! - A rate `k / n` carries its 95 % Wilson score interval. Unlike the textbook
//!   `p ± z·√(p(1−p)/n)`, it never leaves [0, 1], is not a single point at 0 of n
//!   or n of n, and covers close to 95 % even for a few dozen conversations.
//! - A change between two disjoint sets of conversations carries Newcombe's hybrid
//!   score interval of the difference, built from the two Wilson intervals (Newcombe
//!   1998, method 10). A change is called `up` or `down` only when that interval
//!   leaves out 0; otherwise it is `about_the_same`.
//! - A difference of two means (the mood) carries the normal-approximation interval
//!   with each group's own variance (Welch's standard error).
//!
//! docs/metric-decisions.md says why these and not a bare z-test.

use serde::Serialize;

/// The normal quantile for a two-sided 95 % interval, as METRICS.md §4.10 gives it.
pub const Z_95: f64 = 1.959964;

/// A closed interval `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// `[low, high]`, the shape the API writes every interval in.
    pub fn pair(self) -> [f64; 2] {
        [self.low, self.high]
    }
}

/// Whether a change is more than chance explains (METRICS.md §4.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Up,
    Down,
    AboutTheSame,
}

impl Level {
    /// `up` when the whole interval of the difference is above 0, `down` when it is
    /// below, otherwise `about_the_same` (a move chance alone makes often enough).
    pub fn of(difference: Interval) -> Self {
        if difference.low > 0.0 {
            Level::Up
        } else if difference.high < 0.0 {
            Level::Down
        } else {
            Level::AboutTheSame
        }
    }
}

/// The 95 % Wilson score interval of `successes / trials`; `None` without trials.
pub fn wilson(successes: i64, trials: i64) -> Option<Interval> {
    if trials <= 0 {
        return None;
    }
    let n = trials as f64;
    let p = (successes.clamp(0, trials)) as f64 / n;
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z_95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 of n (or n of n) the lower (upper) end is 0 (1) exactly; rounding must
    // not move it past the rate itself.
    Some(Interval {
        low: (centre - half).clamp(0.0, p),
        high: (centre + half).clamp(p, 1.0),
    })
}

/// A rate as counts: `successes` of `trials`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proportion {
    pub successes: i64,
    pub trials: i64,
}

impl Proportion {
    pub fn new(successes: i64, trials: i64) -> Self {
        Self { successes, trials }
    }

    fn rate(self) -> Option<f64> {
        (self.trials > 0).then(|| self.successes as f64 / self.trials as f64)
    }
}

/// The 95 % interval of `now − then` by Newcombe's hybrid score method (METRICS.md
/// §4.10); `None` when either side has no trials.
pub fn newcombe(now: Proportion, then: Proportion) -> Option<Interval> {
    let (p_now, p_then) = (now.rate()?, then.rate()?);
    let (w_now, w_then) = (
        wilson(now.successes, now.trials)?,
        wilson(then.successes, then.trials)?,
    );
    let difference = p_now - p_then;
    Some(Interval {
        low: difference - ((p_now - w_now.low).powi(2) + (w_then.high - p_then).powi(2)).sqrt(),
        high: difference + ((w_now.high - p_now).powi(2) + (p_then - w_then.low).powi(2)).sqrt(),
    })
}

/// The level of `now` against `then` (`None` when either has no trials).
pub fn change_level(now: Proportion, then: Proportion) -> Option<(Level, Interval)> {
    newcombe(now, then).map(|interval| (Level::of(interval), interval))
}

/// A group of values by their count, sum and sum of squares (the datamart's
/// counters), enough for its mean and sample variance over any range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub count: i64,
    pub sum: f64,
    pub sum_of_squares: f64,
}

impl Moments {
    fn mean(self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// The sample variance (n − 1 in the denominator); never below 0, which float
    /// cancellation could otherwise give for values that are all the same.
    fn variance(self) -> Option<f64> {
        (self.count > 1).then(|| {
            let n = self.count as f64;
            ((self.sum_of_squares - self.sum * self.sum / n) / (n - 1.0)).max(0.0)
        })
    }
}

/// The 95 % interval of `mean(a) − mean(b)`, each group with its own variance and
/// the normal approximation; `None` unless both groups hold at least two values.
pub fn mean_difference(a: Moments, b: Moments) -> Option<Interval> {
    let difference = a.mean()? - b.mean()?;
    let standard_error = (a.variance()? / a.count as f64 + b.variance()? / b.count as f64).sqrt();
    Some(Interval {
        low: difference - Z_95 * standard_error,
        high: difference + Z_95 * standard_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: Option<Interval>, low: f64, high: f64) {
        let actual = actual.expect("an interval");
        // Published values are given to four decimals (with z = 1.96).
        assert!(
            (actual.low - low).abs() < 6e-5 && (actual.high - high).abs() < 6e-5,
            "{actual:?} is not [{low}, {high}]"
        );
    }

    #[test]
    fn wilson_matches_newcombes_table_i() {
        // Newcombe (1998), "Two-sided confidence intervals for the single
        // proportion", Table I, method 3 (score without continuity correction).
        close(wilson(81, 263), 0.2553, 0.3662);
        close(wilson(15, 148), 0.0624, 0.1605);
        close(wilson(0, 20), 0.0, 0.1611);
        close(wilson(1, 29), 0.0061, 0.1718);
    }

    #[test]
    fn newcombe_matches_table_ii() {
        // Newcombe (1998), "Interval estimation for the difference between
        // independent proportions", Table II, method 10.
        let cases = [
            ((56, 70), (48, 80), 0.0524, 0.3339),
            ((9, 10), (3, 10), 0.1705, 0.8090),
            ((5, 56), (0, 29), -0.0381, 0.1926),
            ((0, 10), (0, 20), -0.1611, 0.2775),
            ((0, 10), (0, 10), -0.2775, 0.2775),
            ((10, 10), (0, 20), 0.6791, 1.0),
            ((10, 10), (0, 10), 0.6075, 1.0),
        ];
        for ((a, m), (b, n), low, high) in cases {
            let interval = newcombe(Proportion::new(a, m), Proportion::new(b, n));
            close(interval, low, high);
        }
    }

    #[test]
    fn wilson_stays_inside_zero_and_one_at_the_edges() {
        let none = wilson(0, 0);
        assert_eq!(none, None);
        let zero = wilson(0, 1).expect("an interval");
        assert_eq!(zero.low, 0.0);
        assert!((zero.high - 0.7935).abs() < 1e-4, "{zero:?}");
        let all = wilson(1, 1).expect("an interval");
        assert_eq!(all.high, 1.0);
        assert!((all.low - 0.2065).abs() < 1e-4, "{all:?}");
        let many = wilson(1_000_000, 1_000_000).expect("an interval");
        assert_eq!(many.high, 1.0);
        assert!(many.low > 0.99999 && many.low < 1.0);
        // More successes than trials cannot happen; if a row said so, the rate is 1.
        assert_eq!(wilson(5, 3).map(|i| i.high), Some(1.0));
    }

    #[test]
    fn a_level_is_a_change_only_when_the_interval_leaves_out_zero() {
        assert_eq!(
            Level::of(Interval {
                low: 0.001,
                high: 0.2
            }),
            Level::Up
        );
        assert_eq!(
            Level::of(Interval {
                low: -0.2,
                high: -0.001
            }),
            Level::Down
        );
        assert_eq!(
            Level::of(Interval {
                low: 0.0,
                high: 0.2
            }),
            Level::AboutTheSame
        );
        assert_eq!(
            Level::of(Interval {
                low: -0.1,
                high: 0.1
            }),
            Level::AboutTheSame
        );
        // A 3-point move at about 500 conversations each is within chance…
        let small = change_level(Proportion::new(200, 520), Proportion::new(214, 522));
        assert_eq!(small.map(|(level, _)| level), Some(Level::AboutTheSame));
        // …and a 10-point move is not.
        let large = change_level(Proportion::new(260, 520), Proportion::new(209, 522));
        assert_eq!(large.map(|(level, _)| level), Some(Level::Up));
        assert_eq!(
            change_level(Proportion::new(1, 0), Proportion::new(1, 5)),
            None
        );
    }

    #[test]
    fn the_mean_difference_uses_each_groups_own_variance() {
        // Group a: 1, 1, 0, 0 (mean 0.5, variance 1/3); group b: −1, −1, −1, −1
        // (mean −1, variance 0): 1.5 ± 1.96 × √(1/12).
        let a = Moments {
            count: 4,
            sum: 2.0,
            sum_of_squares: 2.0,
        };
        let b = Moments {
            count: 4,
            sum: -4.0,
            sum_of_squares: 4.0,
        };
        let interval = mean_difference(a, b).expect("an interval");
        let half = Z_95 * (1.0f64 / 12.0).sqrt();
        assert!((interval.low - (1.5 - half)).abs() < 1e-12, "{interval:?}");
        assert!((interval.high - (1.5 + half)).abs() < 1e-12, "{interval:?}");
        // One value says nothing of its spread.
        let one = Moments {
            count: 1,
            sum: 1.0,
            sum_of_squares: 1.0,
        };
        assert_eq!(mean_difference(one, b), None);
    }
}
