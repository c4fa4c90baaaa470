//! Seeded synthetic data sets, identical bit for bit to `src/data/*.ts`: every value is
//! computed in `f64` from descent's PRNG ([`crate::random::Rng`]) with deterministic math
//! ([`crate::detmath`]), so the same seed gives the same data on both backends and every
//! platform. Callers round to `f32` afterwards when they want it (`as f32`, which is
//! `Math.fround`).
//!
//! Labelled sets cycle through the classes: row `i` has label `i mod classes`, so every class
//! has ⌊n/classes⌋ or ⌈n/classes⌉ rows and any contiguous batch mixes them.

pub mod blobs;
pub mod classification;
pub mod moons;
pub mod normal;
pub mod regression;
pub mod spirals;

use crate::CoreError;

/// A generated data set: `x` is row-major `[samples, features]`; `y` holds one target per
/// row (`f64` values for regression, `u32` class labels otherwise).
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<Y> {
    pub x: Vec<f64>,
    pub features: usize,
    pub y: Vec<Y>,
}

/// Upper bound on `samples × features`, so a typo cannot ask for terabytes.
pub const MAX_ELEMENTS: usize = 1 << 28;

/// `Err` unless `value ≥ min`.
fn at_least(argument: &str, value: usize, min: usize) -> Result<(), CoreError> {
    if value >= min {
        Ok(())
    } else {
        Err(CoreError::invalid(argument, format!("an integer >= {min}, got {value}")))
    }
}

/// `Err` unless `value` is finite and ≥ 0.
fn non_negative(argument: &str, value: f64) -> Result<(), CoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(CoreError::invalid(argument, format!("a finite number >= 0, got {value}")))
    }
}

/// `Err` unless `samples ≥ 1` and `samples × features ≤ MAX_ELEMENTS`.
fn check_size(samples: usize, features: usize) -> Result<(), CoreError> {
    at_least("samples", samples, 1)?;
    at_least("features", features, 1)?;
    match samples.checked_mul(features) {
        Some(n) if n <= MAX_ELEMENTS => Ok(()),
        _ => Err(CoreError::invalid("samples × features", format!("at most {MAX_ELEMENTS}"))),
    }
}

/// Position `k` of `m` points spread evenly over [0, 1], like `numpy.linspace(0, 1, m)`
/// (0 when `m` is 1).
fn even_fraction(k: usize, m: usize) -> f64 {
    if m <= 1 {
        0.0
    } else {
        k as f64 / (m - 1) as f64
    }
}

/// How many of rows 0..samples have label `class` when labels cycle through `classes`.
fn rows_of_class(samples: usize, classes: usize, class: usize) -> usize {
    (samples + classes - 1 - class) / classes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each generator once per seed, as (name, x, features, labels as f64).
    fn generate(seed: u32) -> Vec<(&'static str, Vec<f64>, usize, Vec<f64>)> {
        let labelled = |d: Dataset<u32>| (d.x, d.features, d.y.iter().map(|&l| f64::from(l)).collect());
        let r = regression::regression(100, seed).unwrap();
        let sets = [
            ("classification", labelled(classification::classification(50, 20, 3, seed).unwrap())),
            ("blobs", labelled(blobs::blobs(61, 3, 4, 1.5, seed).unwrap())),
            ("moons", labelled(moons::moons(41, 0.1, seed).unwrap())),
            ("spirals", labelled(spirals::spirals(31, 3, 0.2, seed).unwrap())),
        ];
        let mut out = vec![("regression", r.x, r.features, r.y)];
        out.extend(sets.into_iter().map(|(name, (x, f, y))| (name, x, f, y)));
        out
    }

    #[test]
    fn shapes_hold_and_the_seed_decides_everything() {
        for ((name, x, features, y), (_, x2, _, y2)) in generate(5).into_iter().zip(generate(5)) {
            assert_eq!(x.len(), y.len() * features, "{name}");
            assert!(x.iter().chain(&y).all(|v| v.is_finite()), "{name}");
            assert_eq!((&x, &y), (&x2, &y2), "{name} is not reproducible");
        }
        for ((name, x, ..), (_, x2, ..)) in generate(5).into_iter().zip(generate(6)) {
            assert_ne!(x, x2, "{name} ignores the seed");
        }
    }

    #[test]
    fn labelled_sets_cycle_through_the_classes() {
        let d = blobs::blobs(10, 2, 3, 1.0, 0).unwrap();
        assert_eq!(d.y, vec![0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(rows_of_class(10, 3, 0), 4);
        assert_eq!(rows_of_class(10, 3, 2), 3);
    }

    #[test]
    fn bad_sizes_are_rejected_by_name() {
        let cases: [(Result<(), CoreError>, &str); 6] = [
            (regression::regression(0, 1).map(drop), "samples"),
            (classification::classification(10, 0, 3, 1).map(drop), "features"),
            (classification::classification(10, 2, 1, 1).map(drop), "classes"),
            (blobs::blobs(10, 2, 3, -1.0, 1).map(drop), "std"),
            (moons::moons(10, f64::NAN, 1).map(drop), "noise"),
            (classification::classification(1 << 20, 1 << 10, 3, 1).map(drop), "samples × features"),
        ];
        for (result, argument) in cases {
            match result {
                Err(CoreError::Invalid(name, _)) => assert_eq!(name, argument),
                other => panic!("{argument}: {other:?}"),
            }
        }
    }
}
