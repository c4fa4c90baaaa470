//! Gaussian blobs (like scikit-learn's `make_blobs`): `centers` points drawn uniformly in
//! [−10, 10)^features, then row `i` = center `i mod centers` + `std`·N(0, 1) per feature.
//! Centers are drawn first (row-major), then the noise row by row.

use super::normal::Normal;
use super::{at_least, check_size, non_negative, Dataset};
use crate::random::Rng;
use crate::CoreError;

/// Row `i` has label `i mod centers`.
pub fn blobs(samples: usize, features: usize, centers: usize, std: f64, seed: u32) -> Result<Dataset<u32>, CoreError> {
    check_size(samples, features)?;
    at_least("centers", centers, 1)?;
    check_size(centers, features).map_err(|_| CoreError::invalid("centers × features", "at most 2^28"))?;
    non_negative("std", std)?;
    let mut rng = Rng::new(seed);
    let means: Vec<f64> = (0..centers * features).map(|_| 20.0 * rng.uniform_f64() - 10.0).collect();
    let mut normal = Normal::new();
    let mut x = Vec::with_capacity(samples * features);
    let mut y = Vec::with_capacity(samples);
    for i in 0..samples {
        let label = i % centers;
        for f in 0..features {
            x.push(means[label * features + f] + std * normal.sample(&mut rng));
        }
        y.push(label as u32);
    }
    Ok(Dataset { x, features, y })
}
