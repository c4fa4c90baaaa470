//! A matrix product whose every element is summed in one fixed order — k ascending from zero,
//! each product and each sum rounded in the element type, no fused multiply-add — so that a
//! plain JavaScript triple loop gives the same bits. Muon's Newton–Schulz iteration runs on it:
//! the layers' GEMM (`nn::dense`, the `gemm` crate) fuses and sums in blocks that no JavaScript
//! loop can reproduce, and a rule must agree bit for bit across backends.
//!
//! It is still a real GEMM: B is packed into panels as wide as a cache line, a register tile of
//! MR × NR accumulators runs over a block of k, compiled for the widest SIMD the CPU has, and
//! row blocks go to the step pool's threads. Blocking over k keeps each element's order: the
//! partial sum waits in `c`, in the element type, exactly as it would in a register.

use crate::elementwise::{with_best_simd, SimdJob};
use crate::parallel;
use crate::real::Real;

/// Rows of the register tile.
const MR: usize = 6;
/// Rows of k per block: a tile's strip of A (MR · KC) and B panel (KC · NR) stay in L1/L2.
const KC: usize = 256;
/// Products smaller than this many multiply-adds run on the calling thread.
const PARALLEL_MIN_WORK: usize = 1 << 18;

/// c [m, n] = a [m, k] · b [k, n], all row-major. With `symmetric` (the caller knows the product
/// is symmetric, as X·Xᵀ and A·A for symmetric A are bit for bit), only tiles on or above the
/// diagonal are computed and the rest is mirrored: element (j, i) sums the same products in the
/// same order as (i, j), so the mirror is exact.
pub fn matmul<T: Real>(a: &[T], b: &[T], m: usize, k: usize, n: usize, symmetric: bool) -> Vec<T> {
    product_of(a, (b, false), m, k, n, symmetric)
}

/// c [m, n] = a [m, k] · bᵀ with `b_rows` [n, k] row-major (X·Xᵀ with b_rows = X), in the same
/// order as `matmul(a, transpose(b_rows))`: the transpose happens while packing, for free.
pub fn matmul_transposed<T: Real>(a: &[T], b_rows: &[T], m: usize, k: usize, n: usize, symmetric: bool) -> Vec<T> {
    product_of(a, (b_rows, true), m, k, n, symmetric)
}

fn product_of<T: Real>(
    a: &[T],
    (b, transposed): (&[T], bool),
    m: usize,
    k: usize,
    n: usize,
    symmetric: bool,
) -> Vec<T> {
    assert!(a.len() == m * k && b.len() == k * n, "ordered matmul: operand sizes");
    assert!(!symmetric || m == n, "ordered matmul: a symmetric product is square");
    let mut c = vec![T::zero(); m * n];
    if m == 0 || n == 0 || k == 0 {
        return c;
    }
    if std::mem::size_of::<T>() == 4 {
        product::<T, 16>(a, (b, transposed), m, k, n, symmetric, &mut c);
    } else {
        product::<T, 8>(a, (b, transposed), m, k, n, symmetric, &mut c);
    }
    if symmetric {
        // In square blocks, so that reading down columns stays in cache.
        const BLOCK: usize = 64;
        for i0 in (0..m).step_by(BLOCK) {
            for j0 in (0..=i0).step_by(BLOCK) {
                for i in i0..(i0 + BLOCK).min(m) {
                    for j in j0..(j0 + BLOCK).min(i) {
                        c[i * n + j] = c[j * n + i];
                    }
                }
            }
        }
    }
    c
}

fn product<T: Real, const NR: usize>(
    a: &[T],
    (b, transposed): (&[T], bool),
    m: usize,
    k: usize,
    n: usize,
    symmetric: bool,
    c: &mut [T],
) {
    let panels = n.div_ceil(NR);
    // B as column panels of width NR, row by row, zero-padded past n (the padding's sums are
    // computed and dropped). A transposed B is read along its rows, its panel's columns.
    let mut packed = vec![T::zero(); panels * k * NR];
    for (p, panel) in packed.chunks_exact_mut(k * NR).enumerate() {
        let width = NR.min(n - p * NR);
        if transposed {
            for j in 0..width {
                let source = &b[(p * NR + j) * k..(p * NR + j + 1) * k];
                for (l, &v) in source.iter().enumerate() {
                    panel[l * NR + j] = v;
                }
            }
        } else {
            for (l, row) in panel.chunks_exact_mut(NR).enumerate() {
                row[..width].copy_from_slice(&b[l * n + p * NR..l * n + p * NR + width]);
            }
        }
    }
    let shape = Shape { m, k, n, symmetric };
    let min_rows = (PARALLEL_MIN_WORK / (k * n).max(1)).max(MR).next_multiple_of(MR);
    let mut blocks: Vec<&mut [T]> = c.chunks_mut(MR * n).collect();
    parallel::fill(&mut blocks, min_rows / MR, |first, rows| {
        with_best_simd(Blocks::<T, NR> { a, packed: &packed, shape, first_block: first, rows });
    });
}

#[derive(Clone, Copy)]
struct Shape {
    m: usize,
    k: usize,
    n: usize,
    symmetric: bool,
}

/// Consecutive MR-row blocks of c, from block `first_block` on.
struct Blocks<'a, 'c, T, const NR: usize> {
    a: &'a [T],
    packed: &'a [T],
    shape: Shape,
    first_block: usize,
    rows: &'a mut [&'c mut [T]],
}

impl<T: Real, const NR: usize> SimdJob for Blocks<'_, '_, T, NR> {
    #[inline(always)]
    fn run(self) {
        let Shape { m, k, n, symmetric } = self.shape;
        for (offset, block) in self.rows.iter_mut().enumerate() {
            let row0 = (self.first_block + offset) * MR;
            let height = MR.min(m - row0);
            // Tiles wholly below the diagonal are mirrored later.
            let first_panel = if symmetric { row0 / NR } else { 0 };
            for k0 in (0..k).step_by(KC) {
                let depth = KC.min(k - k0);
                let strips: [&[T]; MR] = std::array::from_fn(|r| {
                    let row = row0 + r.min(height - 1);
                    &self.a[row * k + k0..row * k + k0 + depth]
                });
                for p in first_panel..n.div_ceil(NR) {
                    let panel = &self.packed[(p * k + k0) * NR..(p * k + k0 + depth) * NR];
                    let width = NR.min(n - p * NR);
                    let mut acc = [[T::zero(); NR]; MR];
                    if k0 > 0 {
                        for (r, acc_row) in acc.iter_mut().enumerate().take(height) {
                            acc_row[..width].copy_from_slice(&block[r * n + p * NR..r * n + p * NR + width]);
                        }
                    }
                    tile(&strips, panel, &mut acc);
                    for (r, acc_row) in acc.iter().enumerate().take(height) {
                        block[r * n + p * NR..r * n + p * NR + width].copy_from_slice(&acc_row[..width]);
                    }
                }
            }
        }
    }
}

/// acc[r][j] += Σ_l strips[r][l] · panel[l][j], l ascending: one rounding per product and sum.
#[inline(always)]
fn tile<T: Real, const NR: usize>(strips: &[&[T]; MR], panel: &[T], acc: &mut [[T; NR]; MR]) {
    let depth = strips[0].len();
    let strips: [&[T]; MR] = std::array::from_fn(|r| &strips[r][..depth]);
    for (l, b) in panel.chunks_exact(NR).enumerate().take(depth) {
        let b: &[T; NR] = b.try_into().expect("panel rows are NR wide");
        for r in 0..MR {
            let x = strips[r][l];
            for j in 0..NR {
                acc[r][j] = acc[r][j] + x * b[j];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JavaScript mirror's loop.
    fn naive<T: Real>(a: &[T], b: &[T], m: usize, k: usize, n: usize) -> Vec<T> {
        let mut c = vec![T::zero(); m * n];
        for i in 0..m {
            for j in 0..n {
                let mut sum = T::zero();
                for l in 0..k {
                    sum = sum + a[i * k + l] * b[l * n + j];
                }
                c[i * n + j] = sum;
            }
        }
        c
    }

    fn values<T: Real>(len: usize, seed: u64) -> Vec<T> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                T::of(((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 4.0)
            })
            .collect()
    }

    fn transpose<T: Real>(x: &[T], rows: usize, cols: usize) -> Vec<T> {
        let mut t = vec![T::zero(); x.len()];
        for i in 0..rows {
            for j in 0..cols {
                t[j * rows + i] = x[i * cols + j];
            }
        }
        t
    }

    fn same_bits<T: Real>() {
        // Shapes around the tile (6 × NR), the k block (256) and the parallel threshold.
        for &(m, k, n) in &[(1, 1, 1), (5, 3, 7), (6, 16, 16), (13, 257, 17), (7, 600, 33), (70, 300, 90), (2, 513, 40)]
        {
            let a = values::<T>(m * k, 1 + m as u64);
            let b = values::<T>(k * n, 2 + n as u64);
            let want = naive(&a, &b, m, k, n);
            let got = matmul(&a, &b, m, k, n, false);
            assert!(want.iter().zip(&got).all(|(w, g)| w.to_bits_u64() == g.to_bits_u64()), "{m}×{k}×{n}");
        }
        for &(m, k) in &[(1, 4), (9, 20), (40, 300), (100, 700)] {
            let x = values::<T>(m * k, 7 + k as u64);
            let xt = transpose(&x, m, k);
            let want = naive(&x, &xt, m, k, m);
            let got = matmul(&x, &xt, m, k, m, true);
            assert!(want.iter().zip(&got).all(|(w, g)| w.to_bits_u64() == g.to_bits_u64()), "gram {m}×{k}");
            let packed_transposed = matmul_transposed(&x, &x, m, k, m, true);
            assert!(want.iter().zip(&packed_transposed).all(|(w, g)| w.to_bits_u64() == g.to_bits_u64()));
            let y = values::<T>(3 * k, 11);
            let plain = naive(&x, &transpose(&y, 3, k), m, k, 3);
            let through = matmul_transposed(&x, &y, m, k, 3, false);
            assert!(plain.iter().zip(&through).all(|(w, g)| w.to_bits_u64() == g.to_bits_u64()), "x·yᵀ {m}×{k}");
        }
    }

    trait Bits {
        fn to_bits_u64(&self) -> u64;
    }
    impl<T: Real> Bits for T {
        fn to_bits_u64(&self) -> u64 {
            self.wide().to_bits()
        }
    }

    #[test]
    fn the_same_bits_at_any_thread_count() {
        let (m, k, n) = (90, 700, 130);
        let a = values::<f32>(m * k, 3);
        let b = values::<f32>(k * n, 4);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let (plain, gram) =
                pool.install(|| (matmul(&a, &b, m, k, n, false), matmul_transposed(&a, &a, m, k, m, true)));
            plain.iter().chain(&gram).map(|v| v.to_bits()).collect::<Vec<u32>>()
        };
        let one = run(1);
        for threads in [2, 3, 5] {
            assert_eq!(run(threads), one, "{threads} threads");
        }
    }

    #[test]
    fn every_element_equals_the_plain_loop_bit_for_bit_in_f64() {
        same_bits::<f64>();
    }

    #[test]
    fn every_element_equals_the_plain_loop_bit_for_bit_in_f32() {
        same_bits::<f32>();
    }
}
