//! Two interleaving half circles (scikit-learn's `make_moons` geometry): class 0 on
//! (cos t, sin t), class 1 on (1 − cos t, 1 − sin t − 0.5), t spread evenly over [0, π] within
//! each class, plus `noise`·N(0, 1) on each coordinate (x then y, row by row). Row `i` has
//! label `i mod 2`, so class 0 has ⌈n/2⌉ rows.

use super::normal::Normal;
use super::{check_size, even_fraction, non_negative, rows_of_class, Dataset};
use crate::detmath::{cos, sin};
use crate::random::Rng;
use crate::CoreError;
use std::f64::consts::PI;

/// `samples` rows of 2 features.
pub fn moons(samples: usize, noise: f64, seed: u32) -> Result<Dataset<u32>, CoreError> {
    check_size(samples, 2)?;
    non_negative("noise", noise)?;
    let mut rng = Rng::new(seed);
    let mut normal = Normal::new();
    let mut x = Vec::with_capacity(samples * 2);
    let mut y = Vec::with_capacity(samples);
    for i in 0..samples {
        let label = i % 2;
        let t = PI * even_fraction(i / 2, rows_of_class(samples, 2, label));
        let (a, b) = if label == 0 { (cos(t), sin(t)) } else { (1.0 - cos(t), 1.0 - sin(t) - 0.5) };
        x.push(a + noise * normal.sample(&mut rng));
        x.push(b + noise * normal.sample(&mut rng));
        y.push(label as u32);
    }
    Ok(Dataset { x, features: 2, y })
}
