//! Neural networks trained natively: dense layers, activations, losses, a multilayer
//! perceptron over one flat parameter buffer, and a training loop that runs a whole epoch
//! (forward, backward, optimizer step per batch) in one call. Mirrored by `src/models/js/`.

pub mod activation;
pub mod dense;
pub mod loss;
pub mod mlp;
pub mod train;

use crate::rules::RuleElement;

/// Runs `f` on rayon's pool when `forks` (its kernels fork onto the pool), else here. Forking
/// from a pool thread is a push onto its own deque; from any other thread, every parallel
/// kernel wakes the pool and sleeps until it is done. So work that forks moves onto the pool
/// once, and this thread waits once.
pub(crate) fn on_pool_if<R: Send>(forks: bool, f: impl FnOnce() -> R + Send) -> R {
    if forks {
        rayon::scope(|_| f())
    } else {
        f()
    }
}
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
