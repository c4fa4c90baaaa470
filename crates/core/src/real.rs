use num_traits::Float;
use std::fmt::Debug;

/// The floating-point element types kernels run on: `f32` and `f64`.
pub trait Real: Float + Debug + Send + Sync + 'static {
    /// Rounds an `f64` scalar to this type (round to nearest, as JavaScript's `Math.fround`).
    fn of(x: f64) -> Self;
    /// Widens to `f64` exactly.
    fn wide(self) -> f64;
}

impl Real for f32 {
    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self as f64
    }
}

impl Real for f64 {
    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self
    }
}

/// `max` that returns `b` when either side is NaN, written as a comparison so that the
/// JavaScript mirror (`a > b ? a : b`) gives the same answer; `f32::max` would not.
#[inline(always)]
pub fn max<T: Real>(a: T, b: T) -> T {
    if a > b {
        a
    } else {
        b
    }
}

/// Sign with `sign(0) = 0` (Lion needs it; `f64::signum(0.0)` is `1.0`). NaN stays NaN.
#[inline(always)]
pub fn sign<T: Real>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else {
        x
    }
}

/// torch's `lerp` (its CPU kernel's two branches, for accuracy near both ends), as the
/// Schedule-Free rules and Muon use it; `src/optim/lerp.ts` mirrors it.
#[inline(always)]
pub fn lerp<T: Real>(start: T, end: T, weight: T) -> T {
    if weight < T::of(0.5) {
        start + weight * (end - start)
    } else {
        end - (end - start) * (T::one() - weight)
    }
}
