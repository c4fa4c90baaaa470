//! Interleaved spirals (CS231n's "spiral data"): class c's k-th point has radius
//! r = k/(m_c − 1) (m_c rows in the class) and angle t = 4c + 4r + `noise`·N(0, 1) radians, at
//! (r·sin t, r·cos t). Row `i` has label `i mod classes`; one normal is drawn per row.
//! `classes` ≤ 10 000 and `noise` ≤ 1000 keep every angle far inside the range where
//! [`crate::detmath::sin`] is exact.

use super::normal::Normal;
use super::{at_least, check_size, even_fraction, non_negative, rows_of_class, Dataset};
use crate::detmath::{cos, sin};
use crate::random::Rng;
use crate::CoreError;

/// Most spiral arms.
pub const MAX_CLASSES: usize = 10_000;
/// Largest angular noise (radians per standard deviation).
pub const MAX_NOISE: f64 = 1000.0;

/// `samples` rows of 2 features in `classes` spiral arms.
pub fn spirals(samples: usize, classes: usize, noise: f64, seed: u32) -> Result<Dataset<u32>, CoreError> {
    check_size(samples, 2)?;
    at_least("classes", classes, 2)?;
    if classes > MAX_CLASSES {
        return Err(CoreError::invalid("classes", format!("at most {MAX_CLASSES}, got {classes}")));
    }
    non_negative("noise", noise)?;
    if noise > MAX_NOISE {
        return Err(CoreError::invalid("noise", format!("at most {MAX_NOISE}, got {noise}")));
    }
    let mut rng = Rng::new(seed);
    let mut normal = Normal::new();
    let mut x = Vec::with_capacity(samples * 2);
    let mut y = Vec::with_capacity(samples);
    for i in 0..samples {
        let label = i % classes;
        let r = even_fraction(i / classes, rows_of_class(samples, classes, label));
        let t = 4.0 * label as f64 + 4.0 * r + noise * normal.sample(&mut rng);
        x.push(r * sin(t));
        x.push(r * cos(t));
        y.push(label as u32);
    }
    Ok(Dataset { x, features: 2, y })
}
