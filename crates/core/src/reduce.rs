//! Reductions in a fixed order, so that thread count never changes a result and the
//! JavaScript backend (`src/backend/js/reduce.ts`) reproduces it bit for bit: each block of
//! `REDUCE_BLOCK` elements is summed left to right in f64, then the block sums left to right.

use crate::elementwise::PARALLEL_MIN;
use crate::real::Real;
use rayon::prelude::*;

pub const REDUCE_BLOCK: usize = 4096;

fn blocked_sum<T: Real>(x: &[T], term: impl Fn(f64) -> f64 + Sync) -> f64 {
    let block = |chunk: &[T]| chunk.iter().fold(0.0f64, |acc, &v| acc + term(v.wide()));
    if x.len() >= PARALLEL_MIN {
        let partial: Vec<f64> = x.par_chunks(REDUCE_BLOCK).map(block).collect();
        partial.iter().fold(0.0, |acc, &s| acc + s)
    } else {
        x.chunks(REDUCE_BLOCK).fold(0.0, |acc, chunk| acc + block(chunk))
    }
}

/// Σ x², accumulated in f64 (exact squares for f32 input).
pub fn sum_of_squares<T: Real>(x: &[T]) -> f64 {
    blocked_sum(x, |v| v * v)
}

/// Σ |x|.
pub fn sum_of_abs<T: Real>(x: &[T]) -> f64 {
    blocked_sum(x, f64::abs)
}

/// max |x|, 0 for an empty slice; NaN if any element is NaN (as torch's inf-norm).
pub fn max_abs<T: Real>(x: &[T]) -> f64 {
    x.iter().fold(0.0f64, |acc, &v| {
        let a = v.wide().abs();
        if a.is_nan() || acc.is_nan() {
            f64::NAN
        } else if a > acc {
            a
        } else {
            acc
        }
    })
}

/// √(Σx²/n): the root mean square used by Adafactor. 0 for an empty slice.
pub fn rms<T: Real>(x: &[T]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        (sum_of_squares(x) / x.len() as f64).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_match_a_plain_loop_on_small_input() {
        let x = [1.0f32, -2.0, 3.0];
        assert_eq!(sum_of_squares(&x), 14.0);
        assert_eq!(sum_of_abs(&x), 6.0);
        assert_eq!(max_abs(&x), 3.0);
        assert_eq!(rms::<f64>(&[]), 0.0);
    }

    #[test]
    fn parallel_and_serial_blocking_agree_bit_for_bit() {
        let x: Vec<f32> = (0..(PARALLEL_MIN * 3 + 17)).map(|i| ((i * 7919) % 1000) as f32 * 1e-3 - 0.5).collect();
        let serial = x.chunks(REDUCE_BLOCK).fold(0.0f64, |acc, c| {
            acc + c.iter().fold(0.0f64, |a, &v| a + (v as f64) * (v as f64))
        });
        assert_eq!(sum_of_squares(&x).to_bits(), serial.to_bits());
    }

    #[test]
    fn max_abs_propagates_nan() {
        assert!(max_abs(&[1.0f64, f64::NAN, 2.0]).is_nan());
    }
}
