//! Comparing a figure with a verdict threshold as decimals, not floats
//! (docs/metrics.md §5: "a value exactly on a threshold gets the verdict the table gives it").
//!
//! A figure such as a sentiment delta is computed in binary floating point, so the
//! exact decimal 0.4 − 0.3 = 0.10 arrives as 0.10000000000000003 and would read
//! "More positive" against a margin of 0.10. Every verdict and every threshold rule
//! of the program compares through this module: both sides are rounded to
//! `DECIMAL_PLACES` decimal places and compared as integers.
//!
//! Twelve places is far finer than any real difference between two figures (a rate
//! over ten billion conversations still differs from a two-place threshold by more
//! than 1e-12) and far coarser than the error of adding floats (about 1e-16 per
//! addition, relative).

use std::cmp::Ordering;

/// Decimal places a figure is compared at.
pub(crate) const DECIMAL_PLACES: i32 = 12;

/// The figure as a whole number of 10⁻¹² units. Non-finite figures never reach a
/// verdict (a ratio without a denominator is `None`), but map to the ends anyway.
fn fixed_point(value: f64) -> i128 {
    if value.is_nan() {
        return 0;
    }
    // `as` saturates at the ends of i128, which is what an infinite figure means.
    (value * 10f64.powi(DECIMAL_PLACES)).round() as i128
}

/// How `value` compares with `threshold` as decimals.
pub fn compare(value: f64, threshold: f64) -> Ordering {
    fixed_point(value).cmp(&fixed_point(threshold))
}

/// `value ≥ threshold`, in decimals.
pub(crate) fn at_least(value: f64, threshold: f64) -> bool {
    compare(value, threshold) != Ordering::Less
}

/// `value ≤ threshold`, in decimals.
pub(crate) fn at_most(value: f64, threshold: f64) -> bool {
    compare(value, threshold) != Ordering::Greater
}

/// `value > threshold`, in decimals.
pub fn above(value: f64, threshold: f64) -> bool {
    compare(value, threshold) == Ordering::Greater
}

/// `value < threshold`, in decimals.
pub fn below(value: f64, threshold: f64) -> bool {
    compare(value, threshold) == Ordering::Less
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_noise_at_a_boundary_is_the_boundary() {
        let delta = 0.4 - 0.3;
        assert!(delta > 0.1, "the float really is above 0.1");
        assert_eq!(compare(delta, 0.1), Ordering::Equal);
        assert!(!above(delta, 0.1));
        assert!(at_most(delta, 0.1));
        assert_eq!(compare(0.3 - 0.4, -0.1), Ordering::Equal);
        assert!(at_least(0.1 + 0.2, 0.3));
        assert!(at_most(0.1 + 0.2, 0.3));
        assert!(!below(3.0 / 5.0, 0.6));
    }

    #[test]
    fn real_differences_are_kept() {
        assert!(above(0.100_000_001, 0.1));
        assert!(below(0.599_999_999, 0.6));
        // One conversation in ten million below 60 %.
        assert!(below(5_999_999.0 / 10_000_000.0, 0.6));
        assert!(at_least(6_000_001.0 / 10_000_000.0, 0.6));
        assert!(below(-0.100_000_001, -0.1));
    }
}
