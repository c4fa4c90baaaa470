//! A fully connected layer in PyTorch's layout: weight [out, in], bias [out], y = x·Wᵀ + b,
//! over a batch of rows. The products go through the `gemm` crate's packed kernels (AVX-512 where
//! the CPU has it), large ones cut into parts run on rayon's pool;
//! `src/models/js/dense.ts` is the plain-loop mirror.

use super::Element;
use crate::error::CoreError;
use ndarray::{ArrayView2, ArrayViewMut2, Axis};
use rayon::iter::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};

/// y = x·Wᵀ + b: x [rows, in], w [out, in], b [out], y [rows, out] (overwritten).
pub fn forward<T: Element>(x: ArrayView2<'_, T>, w: ArrayView2<'_, T>, b: &[T], mut y: ArrayViewMut2<'_, T>) {
    for mut row in y.rows_mut() {
        row.iter_mut().zip(b).for_each(|(v, &bj)| *v = bj);
    }
    gemm(T::one(), &x, &w.t(), T::one(), &mut y);
}

/// The layer's gradients from dy = dLoss/dy [rows, out], overwriting `dw` [out, in] with dyᵀ·x
/// and `db` [out] with the column sums of dy (top to bottom); `dx` [rows, in], when given,
/// gets dy·W.
pub fn backward<T: Element>(
    x: ArrayView2<'_, T>,
    w: ArrayView2<'_, T>,
    dy: ArrayView2<'_, T>,
    mut dw: ArrayViewMut2<'_, T>,
    db: &mut [T],
    dx: Option<ArrayViewMut2<'_, T>>,
) {
    // β = 0: the GEMM writes every element of dw and dx without reading it (gemm's `read_dst`
    // is false then; the test below starts from NaN), so neither is zeroed first.
    gemm(T::one(), &dy.t(), &x, T::zero(), &mut dw);
    db.fill(T::zero());
    for row in dy.rows() {
        db.iter_mut().zip(row).for_each(|(s, &v)| *s = *s + v);
    }
    if let Some(mut dx) = dx {
        gemm(T::one(), &dy, &w, T::zero(), &mut dx);
    }
}

/// Multiply-adds (m·n·k) per part when a product is split over rayon's threads: about 40 µs
/// of one core's GEMM, well above what handing a part to another thread costs. The tutorial's
/// small network never splits; the MNIST net's 784→256 products do.
const MACS_PER_PART: usize = 1 << 21;

/// Parts are cut at multiples of this many columns (or rows), the widest micro-kernel tile.
const PART_ALIGN: usize = 16;

/// c ← α·a·b + β·c through `kernel` (the gemm crate's packed, single-threaded kernels), a large
/// product in parts on rayon's pool: see `gemm_in_parts`.
fn gemm<T: Element>(alpha: T, a: &ArrayView2<'_, T>, b: &ArrayView2<'_, T>, beta: T, c: &mut ArrayViewMut2<'_, T>) {
    let ((m, k), n) = (a.dim(), b.dim().1);
    gemm_in_parts(parts(m, n, k), alpha, a, b, beta, c);
}

/// How many parts `gemm` cuts an m×n×k product into (1: it runs on the calling thread).
pub fn parts(m: usize, n: usize, k: usize) -> usize {
    (m * n * k / MACS_PER_PART).clamp(1, rayon::current_num_threads())
}

/// `gemm` cut into up to `parts` blocks of columns of b and c (of rows of a and c when a is
/// the taller), one `kernel` call each, run in parallel. Each block packs only its share
/// of the larger operand. Every element of c still sums over the whole k in the same order,
/// so the result is bit-identical to one unsplit product whatever the thread count.
fn gemm_in_parts<T: Element>(
    parts: usize,
    alpha: T,
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
    beta: T,
    c: &mut ArrayViewMut2<'_, T>,
) {
    let (m, n) = c.dim();
    if parts < 2 {
        kernel(alpha, a, b, beta, c);
    } else if n >= m {
        let width = n.div_ceil(parts).next_multiple_of(PART_ALIGN);
        c.axis_chunks_iter_mut(Axis(1), width)
            .into_par_iter()
            .zip(b.axis_chunks_iter(Axis(1), width).into_par_iter())
            .for_each(|(mut c, b)| kernel(alpha, a, &b, beta, &mut c));
    } else {
        let height = m.div_ceil(parts).next_multiple_of(PART_ALIGN);
        c.axis_chunks_iter_mut(Axis(0), height)
            .into_par_iter()
            .zip(a.axis_chunks_iter(Axis(0), height).into_par_iter())
            .for_each(|(mut c, a)| kernel(alpha, &a, b, beta, &mut c));
    }
}

/// c ← α·a·b + β·c on one thread through the `gemm` crate's kernels (AVX-512 where the CPU has
/// it, which matrixmultiply, behind ndarray's `general_mat_mul`, lacks): on this project's
/// machine it trained the 20→64→3 net about 1.3× and the 100→200→3 net 1.8× faster.
fn kernel<T: Element>(alpha: T, a: &ArrayView2<'_, T>, b: &ArrayView2<'_, T>, beta: T, c: &mut ArrayViewMut2<'_, T>) {
    let ((m, k), n) = (a.dim(), b.dim().1);
    let ([a_rs, a_cs], [b_rs, b_cs], [c_rs, c_cs]) = (stride(a.strides()), stride(b.strides()), stride(c.strides()));
    // SAFETY: the pointers and strides describe the three views, which the borrows keep alive;
    // c is written only within its view. gemm computes dst := α'·dst + β'·lhs·rhs, reading dst
    // only when asked to: here α' = β and β' = α.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            c_cs,
            c_rs,
            beta != T::zero(),
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            beta,
            alpha,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

fn stride(s: &[isize]) -> [isize; 2] {
    [s[0], s[1]]
}

/// How a matrix operand of `matmul` is stored in its row-major buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// The buffer holds the matrix itself.
    AsIs,
    /// The buffer holds its transpose (the layers multiply by Wᵀ in `forward` and dyᵀ in `backward`).
    Transposed,
}

/// c = a·b through the layers' GEMM (`kernel`), with a [m, k], b [k, n] and
/// c [m, n] (overwritten) each in a row-major buffer, a and b possibly stored transposed as the
/// layers store them: x·Wᵀ is (AsIs, Transposed), dyᵀ·x (Transposed, AsIs), dy·W (AsIs, AsIs).
/// Exposed so the benchmark times exactly the products training runs.
pub fn matmul<T: Element>(
    a: (&[T], Stored),
    b: (&[T], Stored),
    c: &mut [T],
    [m, n, k]: [usize; 3],
) -> Result<(), CoreError> {
    for (what, length, expected) in [("a", a.0.len(), m * k), ("b", b.0.len(), k * n), ("c", c.len(), m * n)] {
        if length != expected {
            return Err(CoreError::invalid(what, format!("{expected} values for m {m}, n {n}, k {k}, got {length}")));
        }
    }
    fn operand<T>((data, stored): (&[T], Stored), rows: usize, cols: usize) -> ArrayView2<'_, T> {
        match stored {
            Stored::AsIs => ArrayView2::from_shape((rows, cols), data),
            Stored::Transposed => ArrayView2::from_shape((cols, rows), data).map(|v| v.reversed_axes()),
        }
        .expect("length checked")
    }
    let (a, b) = (operand(a, m, k), operand(b, k, n));
    let mut c = ArrayViewMut2::from_shape((m, n), c).expect("length checked");
    gemm(T::one(), &a, &b, T::zero(), &mut c);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr2, Array2};

    #[test]
    fn forward_and_backward_match_hand_computed_values() {
        let x = arr2(&[[1.0, 2.0], [3.0, -1.0]]);
        let w = arr2(&[[0.5, -1.0], [2.0, 0.0], [1.0, 1.0]]);
        let b = [0.1, 0.2, 0.3];
        let mut y = Array2::zeros((2, 3));
        forward(x.view(), w.view(), &b, y.view_mut());
        assert_eq!(y, arr2(&[[-1.4, 2.2, 3.3], [2.6, 6.2, 2.3]]));

        let dy = arr2(&[[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]]);
        let (mut dw, mut db, mut dx) =
            (Array2::from_elem((3, 2), f64::NAN), [0.0; 3], Array2::from_elem((2, 2), f64::NAN));
        backward(x.view(), w.view(), dy.view(), dw.view_mut(), &mut db, Some(dx.view_mut()));
        assert_eq!(dw, arr2(&[[2.5, 1.5], [6.0, -2.0], [2.0, -3.0]]));
        assert_eq!(db, [1.5, 2.0, 0.0]);
        assert_eq!(dx, arr2(&[[-0.5, -2.0], [5.25, 0.5]]));
    }

    #[test]
    fn matmul_reads_each_stored_layout() {
        let a = arr2(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]); // [2, 3]
        let b = arr2(&[[1.0, -1.0], [0.5, 2.0], [-2.0, 1.0]]); // [3, 2]
        let expected = a.dot(&b);
        let stored = |m: &Array2<f64>, how| match how {
            Stored::AsIs => m.iter().copied().collect::<Vec<_>>(),
            Stored::Transposed => m.t().iter().copied().collect(),
        };
        for how_a in [Stored::AsIs, Stored::Transposed] {
            for how_b in [Stored::AsIs, Stored::Transposed] {
                let mut c = vec![f64::NAN; 4];
                matmul((&stored(&a, how_a), how_a), (&stored(&b, how_b), how_b), &mut c, [2, 2, 3]).unwrap();
                assert_eq!(c, expected.iter().copied().collect::<Vec<_>>(), "{how_a:?} {how_b:?}");
            }
        }
        let error = matmul((&[0.0; 5], Stored::AsIs), (&[0.0; 6], Stored::AsIs), &mut [0.0; 4], [2, 2, 3]);
        assert!(error.unwrap_err().to_string().starts_with('a'));
    }

    #[test]
    fn a_product_in_parts_equals_the_whole_bit_for_bit() {
        let mut rng = crate::random::Rng::new(4);
        let mut random =
            |rows: usize, cols: usize| Array2::from_shape_simple_fn((rows, cols), || rng.uniform_f32() * 2.0 - 1.0);
        // Wide (split by columns) and tall (split by rows), with a transposed operand and β = 1
        // as the layers use them, sizes not multiples of the part alignment.
        for (m, n, k) in [(33, 250, 70), (301, 40, 50)] {
            let (a, b_stored, c0) = (random(m, k), random(n, k), random(m, n));
            let b = b_stored.t();
            let mut whole = c0.clone();
            gemm_in_parts(1, 1.0, &a.view(), &b, 1.0, &mut whole.view_mut());
            let mut reference = c0.clone();
            ndarray::linalg::general_mat_mul(1.0, &a.view(), &b, 1.0, &mut reference.view_mut());
            let close = whole.iter().zip(&reference).all(|(x, y)| (x - y).abs() <= 1e-4 * (1.0 + y.abs()));
            assert!(close, "{m}×{n}×{k}: the kernel agrees with ndarray's product");
            for parts in [2, 3, 7] {
                let mut split = c0.clone();
                gemm_in_parts(parts, 1.0, &a.view(), &b, 1.0, &mut split.view_mut());
                let same = whole.iter().zip(&split).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{m}×{n}×{k} in {parts} parts");
            }
        }
    }
}
