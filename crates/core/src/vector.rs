//! Vector work over flat f64 buffers for L-BFGS (its control flow stays in TypeScript): a dot
//! product in the fixed block order of `reduce`, and y ← y + α·x into a buffer of either element
//! type. The JavaScript mirror (`src/backend/js.ts`) gives the same bits.

use crate::elementwise::run;
use crate::real::Real;

pub use crate::reduce::dot;

/// y[i] ← y[i] + α·x[i], the sum formed in f64 and rounded to y's element type once (as a
/// JavaScript typed-array store rounds it).
pub fn add_scaled<T: Real>(y: &mut [T], alpha: f64, x: &[f64]) {
    let x = &x[..y.len()];
    run((y, x), &|v: &mut T, &d: &f64| *v = T::of(v.wide() + alpha * d));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_sums_blocks_left_to_right() {
        let a: Vec<f64> = (0..100_000).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..100_000).map(|i| (i as f64 * 0.11).cos()).collect();
        let blocks: Vec<f64> = a
            .chunks(crate::reduce::REDUCE_BLOCK)
            .zip(b.chunks(crate::reduce::REDUCE_BLOCK))
            .map(|(x, y)| x.iter().zip(y).fold(0.0, |s, (p, q)| s + p * q))
            .collect();
        assert_eq!(dot(&a, &b).to_bits(), blocks.iter().fold(0.0f64, |s, v| s + v).to_bits());
    }

    #[test]
    fn add_scaled_rounds_once_to_the_element_type() {
        let mut y = vec![1.0f32; 100_000];
        let x = vec![1e-8f64; 100_000];
        add_scaled(&mut y, 3.0, &x);
        assert!(y.iter().all(|&v| v == (1.0f64 + 3.0 * 1e-8) as f32));
    }
}
