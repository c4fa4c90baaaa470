//! The tutorial's random classification data: x ~ N(0, 1) and labels drawn uniformly,
//! independently of x (NumPy's `X = np.random.randn(n, d); y = np.random.randint(0, k, n)`).
//! Because the labels do not depend on x, no model can beat chance (1/classes) on unseen
//! rows; it is a speed benchmark, not a learning task. All x are drawn first, then the labels.

use super::normal::Normal;
use super::{at_least, check_size, Dataset};
use crate::random::Rng;
use crate::CoreError;

/// `samples` rows of `features` standard normals with labels uniform in 0..classes.
pub fn classification(samples: usize, features: usize, classes: usize, seed: u32) -> Result<Dataset<u32>, CoreError> {
    check_size(samples, features)?;
    at_least("classes", classes, 2)?;
    let classes = u32::try_from(classes).map_err(|_| CoreError::invalid("classes", "at most 2^32 - 1"))?;
    let mut rng = Rng::new(seed);
    let mut normal = Normal::new();
    let x = (0..samples * features).map(|_| normal.sample(&mut rng)).collect();
    let y = (0..samples).map(|_| rng.below(classes)).collect();
    Ok(Dataset { x, features, y })
}
