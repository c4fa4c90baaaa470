//! Pieces of `clipGradNorm`: per-tensor norms in a fixed order and the in-place scale.
//! The caller combines the norms into the clip coefficient (one place, for both backends).

use crate::elementwise::view_mut;
use crate::real::Real;
use crate::reduce::{max_abs, sum_of_abs, sum_of_squares};
use crate::zip_apply;

/// Which per-tensor reduction `clipGradNorm` needs for a norm type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormKind {
    /// Σ|g| (p = 1)
    SumAbs,
    /// Σg² (p = 2)
    SumSquares,
    /// max|g| (p = ∞)
    MaxAbs,
}

pub fn tensor_norm_part<T: Real>(kind: NormKind, g: &[T]) -> f64 {
    match kind {
        NormKind::SumAbs => sum_of_abs(g),
        NormKind::SumSquares => sum_of_squares(g),
        NormKind::MaxAbs => max_abs(g),
    }
}

/// g ← c·g, with c rounded to the element type once.
pub fn scale_in_place<T: Real>(g: &mut [T], coefficient: f64) {
    let c = T::of(coefficient);
    zip_apply!(Zip::from(view_mut(g)), |x: &mut T| *x = *x * c);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_parts_and_scale() {
        let mut g = vec![3.0f32, -4.0];
        assert_eq!(tensor_norm_part(NormKind::SumSquares, &g), 25.0);
        assert_eq!(tensor_norm_part(NormKind::SumAbs, &g), 7.0);
        assert_eq!(tensor_norm_part(NormKind::MaxAbs, &g), 4.0);
        scale_in_place(&mut g, 0.5);
        assert_eq!(g, vec![1.5, -2.0]);
    }
}
