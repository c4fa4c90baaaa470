//! descent-core: the math of descent's optimizers, with no N-API in it.
//!
//! Every rule is an element-wise kernel over one parameter tensor, generic over `f32` and
//! `f64`. Per-step scalars (learning rate, bias corrections, decay factors) are computed once
//! by the caller and handed in as `f64`s, so the TypeScript mirror of each kernel sees exactly
//! the same numbers and stays bit-identical. Kernels never allocate state: the caller owns
//! every buffer.

pub mod checkpoint;
pub mod clip;
pub mod data;
pub mod detmath;
pub mod elementwise;
pub mod error;
pub mod nn;
pub mod nonfinite;
pub mod online;
pub mod ordered_matmul;
pub mod parallel;
pub mod random;
pub mod real;
pub mod reduce;
pub mod rules;
pub mod slot;
pub mod spin_pool;
pub mod vector;

pub use error::CoreError;
pub use real::Real;
pub use rules::{rule_index, step_slots, RULE_NAMES};
pub use slot::Slot;

/// Threads in rayon's global pool, which the parallel kernels use.
pub fn threads() -> usize {
    rayon::current_num_threads()
}
