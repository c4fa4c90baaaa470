//! Neural networks trained natively: dense layers, activations, losses, a multilayer
//! perceptron over one flat parameter buffer, and a training loop that runs a whole epoch
//! (forward, backward, optimizer step per batch) in one call. Mirrored by `src/models/js/`.

pub mod activation;
pub mod dense;
pub mod loss;
pub mod mlp;
pub mod train;

use crate::rules::RuleElement;
use ndarray::LinalgScalar;

/// The element types networks train in (f32 and f64): what ndarray's GEMM multiplies, what
/// the optimizer rules step, and the tanh each uses.
pub trait Element: RuleElement + LinalgScalar {
    /// tanh as hidden layers compute it.
    fn tanh_of(x: Self) -> Self;
}

impl Element for f32 {
    #[inline(always)]
    fn tanh_of(x: f32) -> f32 {
        activation::tanh_f32(x)
    }
}

impl Element for f64 {
    #[inline(always)]
    fn tanh_of(x: f64) -> f64 {
        x.tanh()
    }
}
