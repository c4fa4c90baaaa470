//! A fully connected layer in PyTorch's layout: weight [out, in], bias [out], y = x·Wᵀ + b,
//! over a batch of rows. The products go through ndarray's `general_mat_mul` (the
//! matrixmultiply crate's packed GEMM kernels); `src/models/js/dense.ts` is the plain-loop mirror.

use super::Element;
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// y = x·Wᵀ + b: x [rows, in], w [out, in], b [out], y [rows, out] (overwritten).
pub fn forward<T: Element>(x: ArrayView2<'_, T>, w: ArrayView2<'_, T>, b: &[T], mut y: ArrayViewMut2<'_, T>) {
    for mut row in y.rows_mut() {
        row.iter_mut().zip(b).for_each(|(v, &bj)| *v = bj);
    }
    general_mat_mul(T::one(), &x, &w.t(), T::one(), &mut y);
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
    dw.fill(T::zero());
    general_mat_mul(T::one(), &dy.t(), &x, T::zero(), &mut dw);
    db.fill(T::zero());
    for row in dy.rows() {
        db.iter_mut().zip(row).for_each(|(s, &v)| *s = *s + v);
    }
    if let Some(mut dx) = dx {
        dx.fill(T::zero());
        general_mat_mul(T::one(), &dy, &w, T::zero(), &mut dx);
    }
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
        let (mut dw, mut db, mut dx) = (Array2::zeros((3, 2)), [0.0; 3], Array2::zeros((2, 2)));
        backward(x.view(), w.view(), dy.view(), dw.view_mut(), &mut db, Some(dx.view_mut()));
        assert_eq!(dw, arr2(&[[2.5, 1.5], [6.0, -2.0], [2.0, -3.0]]));
        assert_eq!(db, [1.5, 2.0, 0.0]);
        assert_eq!(dx, arr2(&[[-0.5, -2.0], [5.25, 0.5]]));
    }
}
