use crate::elementwise::PARALLEL_MIN;
use crate::real::Real;
use rayon::prelude::*;

/// Whether any element is NaN or ±∞.
pub fn has_non_finite<T: Real>(x: &[T]) -> bool {
    if x.len() >= PARALLEL_MIN {
        x.par_iter().any(|v| !v.is_finite())
    } else {
        x.iter().any(|v| !v.is_finite())
    }
}

/// Index of the first tensor holding a non-finite element, if any.
pub fn first_non_finite<T: Real>(tensors: &[&[T]]) -> Option<usize> {
    tensors.iter().position(|t| has_non_finite(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_bad_tensor() {
        let a = [1.0f32, 2.0];
        let b = [f32::INFINITY];
        let c = [f32::NAN];
        assert_eq!(first_non_finite::<f32>(&[&a, &b, &c]), Some(1));
        assert_eq!(first_non_finite::<f32>(&[&a]), None);
    }
}
