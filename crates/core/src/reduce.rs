//! Reductions in a fixed order, so that thread count never changes a result and the
//! JavaScript backend (`src/backend/reduce.ts`) reproduces it bit for bit: each block of
//! `REDUCE_BLOCK` elements is summed left to right in f64, then the block sums left to right.

use crate::parallel;
use crate::real::Real;

pub const REDUCE_BLOCK: usize = 4096;

/// Reductions shorter than this many elements run on the calling thread.
pub const PARALLEL_MIN: usize = 1 << 15;

/// out[i] ← Σ term(x) over run i of `x` (runs of `run` elements, the last possibly shorter),
/// each left to right in f64. Four runs go side by side, so the CPU overlaps four chains of
/// additions; each run's order is unchanged.
fn sums_of_runs<T: Real>(x: &[T], run: usize, out: &mut [f64], term: &impl Fn(f64) -> f64) {
    let mut i = 0;
    while i + 4 <= out.len() && (i + 4) * run <= x.len() {
        let r = |j: usize| &x[(i + j) * run..(i + j + 1) * run];
        let mut s = [0.0f64; 4];
        for (((&a, &b), &c), &d) in r(0).iter().zip(r(1)).zip(r(2)).zip(r(3)) {
            s[0] += term(a.wide());
            s[1] += term(b.wide());
            s[2] += term(c.wide());
            s[3] += term(d.wide());
        }
        out[i..i + 4].copy_from_slice(&s);
        i += 4;
    }
    for (j, o) in out.iter_mut().enumerate().skip(i) {
        let start = (j * run).min(x.len());
        *o = x[start..(start + run).min(x.len())].iter().fold(0.0f64, |acc, &v| acc + term(v.wide()));
    }
}

/// The blocks of `n` elements: each block's sum from `block_sums(first block, sums)`, in
/// parallel for long inputs, then the block sums left to right.
fn blocked(n: usize, block_sums: impl Fn(usize, &mut [f64]) + Sync) -> f64 {
    let mut partial = vec![0.0f64; n.div_ceil(REDUCE_BLOCK)];
    parallel::fill(&mut partial, PARALLEL_MIN / REDUCE_BLOCK, block_sums);
    partial.iter().fold(0.0, |acc, &s| acc + s)
}

fn blocked_sum<T: Real>(x: &[T], term: impl Fn(f64) -> f64 + Sync) -> f64 {
    blocked(x.len(), |first, sums| sums_of_runs(&x[(first * REDUCE_BLOCK).min(x.len())..], REDUCE_BLOCK, sums, &term))
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

/// Σ term(i) for i in 0..n, in the same blocked order as the slice sums above, for terms
/// computed on the fly from several buffers (LAMB's ‖u‖² without storing u). `term` must be
/// a pure function of i: blocks may run on different threads.
pub fn sum_by_index(n: usize, term: impl Fn(usize) -> f64 + Sync) -> f64 {
    blocked(n, |first, sums| {
        for (j, s) in sums.iter_mut().enumerate() {
            let start = (first + j) * REDUCE_BLOCK;
            *s = (start..(start + REDUCE_BLOCK).min(n)).fold(0.0f64, |acc, i| acc + term(i));
        }
    })
}

/// Σ a[i]·b[i] in the same blocked order as `sum_by_index(n, |i| a[i] * b[i])`, four blocks side
/// by side (as `sums_of_runs`) so the CPU overlaps four chains of additions.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    blocked(n, |first, sums| {
        let block = |j: usize| {
            let start = ((first + j) * REDUCE_BLOCK).min(n);
            let end = (start + REDUCE_BLOCK).min(n);
            (&a[start..end], &b[start..end])
        };
        let mut j = 0;
        while j + 4 <= sums.len() && (first + j + 4) * REDUCE_BLOCK <= n {
            let parts: [(&[f64], &[f64]); 4] = std::array::from_fn(|k| block(j + k));
            let mut s = [0.0f64; 4];
            for i in 0..REDUCE_BLOCK {
                for k in 0..4 {
                    s[k] += parts[k].0[i] * parts[k].1[i];
                }
            }
            sums[j..j + 4].copy_from_slice(&s);
            j += 4;
        }
        for (k, s) in sums.iter_mut().enumerate().skip(j) {
            let (x, y) = block(k);
            *s = x.iter().zip(y).fold(0.0, |acc, (p, q)| acc + p * q);
        }
    })
}

/// Σ term(u) over values u made a block at a time by `fill(start, out)` (u at indices start..),
/// in the same blocked order: Adafactor's Σ U² without storing U, each block's values made in
/// one vectorisable pass.
pub fn sum_of_filled<T: Real>(
    n: usize,
    fill: impl Fn(usize, &mut [T]) + Sync,
    term: impl Fn(f64) -> f64 + Sync,
) -> f64 {
    blocked(n, |first, sums| {
        let mut values = vec![T::zero(); (4 * REDUCE_BLOCK).min(n)];
        for (g, group) in sums.chunks_mut(4).enumerate() {
            let start = (first + 4 * g) * REDUCE_BLOCK;
            let len = (4 * REDUCE_BLOCK).min(n - start);
            fill(start, &mut values[..len]);
            sums_of_runs(&values[..len], REDUCE_BLOCK, group, &term);
        }
    })
}

/// Σ term(x) along each row of a row-major matrix with `cols` columns (each run of `cols`
/// consecutive elements), every row left to right in f64: Adafactor's row means of g². Rows
/// are independent, so long inputs split across threads without changing a bit.
pub fn row_sums<T: Real>(x: &[T], cols: usize, term: impl Fn(f64) -> f64 + Sync) -> Vec<f64> {
    if cols == 0 {
        return Vec::new();
    }
    let mut sums = vec![0.0f64; x.len() / cols];
    parallel::fill(&mut sums, (PARALLEL_MIN / cols).max(1), |first, out| {
        sums_of_runs(&x[first * cols..], cols, out, &term)
    });
    sums
}

/// Σ term(x) down each column of one row-major matrix with `cols` columns, every column top
/// to bottom in f64: Adafactor's column means of g². It walks the rows in memory order, adding
/// each row into the column sums; long inputs split the columns across threads.
pub fn column_sums<T: Real>(x: &[T], cols: usize, term: impl Fn(f64) -> f64 + Sync) -> Vec<f64> {
    let mut sums = vec![0.0f64; cols];
    if cols == 0 {
        return sums;
    }
    let rows = x.len() / cols;
    parallel::fill(&mut sums, (PARALLEL_MIN / rows.max(1)).max(64), |first, out| {
        for row in x.chunks_exact(cols) {
            for (s, &v) in out.iter_mut().zip(&row[first..]) {
                *s += term(v.wide());
            }
        }
    });
    sums
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_and_column_sums_run_in_order_along_each_line() {
        let x = [1.0f32, -2.0, 3.0, 0.5, 0.25, -4.0];
        assert_eq!(row_sums(&x, 3, |v| v * v), vec![14.0, 16.3125]);
        assert_eq!(column_sums(&x, 3, |v| v * v), vec![1.25, 4.0625, 25.0]);
        assert_eq!(column_sums(&x, 3, |v| v + 1.0), vec![3.5, 0.25, 1.0]);
        assert!(row_sums::<f64>(&[], 0, |v| v).is_empty());
        let long: Vec<f64> = (0..(PARALLEL_MIN * 3 + 7 * 5)).map(|i| ((i * 7919) % 1000) as f64 * 1e-3 - 0.5).collect();
        let serial: Vec<f64> = long.chunks(7).map(|r| r.iter().fold(0.0, |a, &v| a + v * v)).collect();
        let parallel = row_sums(&long, 7, |v| v * v);
        assert!(serial.iter().zip(&parallel).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

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
        let serial = x
            .chunks(REDUCE_BLOCK)
            .fold(0.0f64, |acc, c| acc + c.iter().fold(0.0f64, |a, &v| a + (v as f64) * (v as f64)));
        assert_eq!(sum_of_squares(&x).to_bits(), serial.to_bits());
    }

    #[test]
    fn sum_by_index_blocks_like_the_slice_sums() {
        for len in [0, 5, REDUCE_BLOCK + 1, PARALLEL_MIN + 3 * REDUCE_BLOCK + 5] {
            let x: Vec<f64> = (0..len).map(|i| ((i * 7919) % 1000) as f64 * 1e-3 - 0.5).collect();
            let by_index = sum_by_index(len, |i| x[i] * x[i]);
            assert_eq!(by_index.to_bits(), sum_of_squares(&x).to_bits(), "len {len}");
        }
    }

    #[test]
    fn column_sums_and_filled_sums_split_without_changing_a_bit() {
        let cols = 300;
        let x: Vec<f32> = (0..cols * 400).map(|i| ((i * 7919) % 1000) as f32 * 1e-3 - 0.5).collect();
        let mut serial = vec![0.0f64; cols];
        for row in x.chunks(cols) {
            for (s, &v) in serial.iter_mut().zip(row) {
                *s += (v as f64) * (v as f64);
            }
        }
        let parallel = column_sums(&x, cols, |v| v * v);
        assert!(serial.iter().zip(&parallel).all(|(a, b)| a.to_bits() == b.to_bits()));
        let filled = sum_of_filled(
            x.len(),
            |start, out: &mut [f32]| out.copy_from_slice(&x[start..start + out.len()]),
            |v| v * v,
        );
        assert_eq!(filled.to_bits(), sum_of_squares(&x).to_bits());
        let by_index = sum_by_index(x.len(), |i| (x[i] as f64) * (x[i] as f64));
        assert_eq!(by_index.to_bits(), filled.to_bits());
    }

    #[test]
    fn max_abs_propagates_nan() {
        assert!(max_abs(&[1.0f64, f64::NAN, 2.0]).is_nan());
    }
}
