//! Standard normal samples by the Box–Muller transform, with deterministic math so both
//! backends draw the same values. Recipe (mirrored in `src/data/normal.ts`):
//!
//! ```text
//! u1 = 1 − rng.uniform()      // in (0, 1], so ln(u1) is finite
//! u2 = rng.uniform()
//! r  = sqrt(−2·ln(u1)),  θ = 2π·u2
//! return r·cos(θ), and keep r·sin(θ) for the next call
//! ```
//!
//! Both outputs are used, cos first: every second sample costs no draw.

use crate::detmath::{cos, ln, sin};
use crate::random::Rng;

const TWO_PI: f64 = 2.0 * std::f64::consts::PI;

/// A source of N(0, 1) samples over a caller's [`Rng`] (it holds only the spare sample).
#[derive(Clone, Debug, Default)]
pub struct Normal {
    spare: Option<f64>,
}

impl Normal {
    pub fn new() -> Self {
        Normal { spare: None }
    }

    /// The next standard normal sample, drawing from `rng` on every other call.
    pub fn sample(&mut self, rng: &mut Rng) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let u1 = 1.0 - rng.uniform_f64();
        let u2 = rng.uniform_f64();
        let r = (-2.0 * ln(u1)).sqrt();
        let theta = TWO_PI * u2;
        self.spare = Some(r * sin(theta));
        r * cos(theta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_standard() {
        let mut rng = Rng::new(11);
        let mut normal = Normal::new();
        let n = 100_000;
        let draws: Vec<f64> = (0..n).map(|_| normal.sample(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|z| (z - mean) * (z - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
    }
}
