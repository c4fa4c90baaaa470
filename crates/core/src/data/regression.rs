//! The tutorial's linear-regression data: y = 4 + 3x + ε with x ~ 2·U[0, 1), ε ~ N(0, 1)
//! (NumPy's `X = 2 * np.random.rand(n, 1); y = 4 + 3 * X + np.random.randn(n, 1)`).
//! All x are drawn first, then all ε, as NumPy does.

use super::normal::Normal;
use super::{check_size, Dataset};
use crate::random::Rng;
use crate::CoreError;

/// `samples` rows of one feature; `y[i] = (4 + 3·x[i]) + ε[i]`.
pub fn regression(samples: usize, seed: u32) -> Result<Dataset<f64>, CoreError> {
    check_size(samples, 1)?;
    let mut rng = Rng::new(seed);
    let x: Vec<f64> = (0..samples).map(|_| 2.0 * rng.uniform_f64()).collect();
    let mut normal = Normal::new();
    let y = x.iter().map(|&xi| 4.0 + 3.0 * xi + normal.sample(&mut rng)).collect();
    Ok(Dataset { x, features: 1, y })
}
