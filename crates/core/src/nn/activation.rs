//! Element-wise activations of hidden layers. Codes are shared with `src/models/network.ts`.
//!
//! Backward passes read the activation's *output* rather than its input: for every function
//! here f'(z) is a function of f(z), so a network only has to keep each layer's output. The
//! loops run through `elementwise::run`, compiled for the widest SIMD the CPU has.

use super::Element;
use crate::elementwise::{run, view, view_mut};
use crate::error::CoreError;
use crate::real::Real;

/// A hidden-layer activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Identity,
    Tanh,
    Relu,
    Sigmoid,
}

impl Activation {
    /// The activation with code `code` (0 identity, 1 tanh, 2 relu, 3 sigmoid).
    pub fn from_code(code: u32) -> Result<Self, CoreError> {
        match code {
            0 => Ok(Activation::Identity),
            1 => Ok(Activation::Tanh),
            2 => Ok(Activation::Relu),
            3 => Ok(Activation::Sigmoid),
            _ => Err(CoreError::invalid(
                "activation",
                format!("0 (identity), 1 (tanh), 2 (relu) or 3 (sigmoid), got {code}"),
            )),
        }
    }

    /// Replaces each z by f(z).
    pub fn apply<T: Element>(self, z: &mut [T]) {
        match self {
            Activation::Identity => {}
            Activation::Tanh => run((view_mut(z),), &|v: &mut T| *v = T::tanh_of(*v)),
            Activation::Relu => run((view_mut(z),), &|v: &mut T| *v = relu(*v)),
            Activation::Sigmoid => run((view_mut(z),), &|v: &mut T| *v = T::one() / (T::one() + (-*v).exp())),
        }
    }

    /// Multiplies each upstream gradient by f'(z), given the outputs y = f(z).
    pub fn backward<T: Element>(self, outputs: &[T], delta: &mut [T]) {
        match self {
            Activation::Identity => {}
            Activation::Tanh => {
                run((view_mut(delta), view(outputs)), &|d: &mut T, &y: &T| *d = *d * (T::one() - y * y))
            }
            // y > 0 exactly when z > 0; at z = 0 the derivative is taken as 0, as PyTorch does.
            Activation::Relu => run((view_mut(delta), view(outputs)), &|d: &mut T, &y: &T| {
                if y <= T::zero() {
                    *d = T::zero()
                }
            }),
            Activation::Sigmoid => {
                run((view_mut(delta), view(outputs)), &|d: &mut T, &y: &T| *d = *d * (y * (T::one() - y)))
            }
        }
    }
}

/// max(z, 0), propagating NaN (a comparison would turn NaN into 0 and hide a diverged run).
#[inline(always)]
fn relu<T: Real>(z: T) -> T {
    if z < T::zero() {
        T::zero()
    } else {
        z
    }
}

/// tanh for f32 as a rational function of degrees 13/6 on [−7.9053, 7.9053] (clamped outside,
/// where tanh rounds to ±1 anyway): Eigen's `generic_fast_tanh_float`, which TensorFlow uses.
/// Relative error ≤ 4.2e-7 (at most 7 ulp, near ±1); only +, ×, ÷ and comparisons, so it
/// vectorises (libm's scalar `tanhf` took half of a small network's training time) and gives
/// the same bits everywhere; `src/models/js/activation.ts` evaluates the same expression with
/// `Math.fround` after each operation.
#[inline(always)]
pub fn tanh_f32(a: f32) -> f32 {
    const CLAMP: f32 = 7.905_311;
    let x = a.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    let mut p = x2 * -2.760_768_5e-16 + 2.000_188e-13;
    p = x2 * p + -8.604_672e-11;
    p = x2 * p + 5.122_297e-8;
    p = x2 * p + 1.485_722_4e-5;
    p = x2 * p + 6.372_619_3e-4;
    p = x2 * p + 4.893_524_6e-3;
    p *= x;
    let mut q = x2 * 1.198_258_4e-6 + 1.185_347_1e-4;
    q = x2 * q + 2.268_434_6e-3;
    q = x2 * q + 4.893_525e-3;
    // Below 4e-4, tanh(a) rounds to a itself.
    if a.abs() < 4e-4 {
        a
    } else {
        p / q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_finite_differences() {
        for activation in [Activation::Identity, Activation::Tanh, Activation::Relu, Activation::Sigmoid] {
            for &z in &[-1.3f64, -0.2, 0.4, 2.1] {
                let h = 1e-6;
                let mut v = [z + h, z - h, z];
                activation.apply(&mut v);
                let numeric = (v[0] - v[1]) / (2.0 * h);
                let mut d = [1.0];
                activation.backward(&v[2..], &mut d);
                assert!((numeric - d[0]).abs() < 1e-8, "{activation:?} at {z}: {numeric} vs {}", d[0]);
            }
        }
    }

    #[test]
    fn f32_tanh_is_within_its_stated_error() {
        let mut worst = 0.0f64;
        for i in -200_000..=200_000 {
            let a = i as f32 * 6e-5;
            let exact = (a as f64).tanh();
            if exact != 0.0 {
                worst = worst.max(((tanh_f32(a) as f64 - exact) / exact).abs());
            }
        }
        assert!(worst < 4.2e-7, "{worst}");
        assert_eq!(tanh_f32(100.0), tanh_f32(7.905_311));
        assert!(tanh_f32(f32::NAN).is_nan());
        assert_eq!(tanh_f32(-1e-5), -1e-5);
    }

    #[test]
    fn unknown_codes_are_rejected() {
        assert!(Activation::from_code(4).is_err());
    }
}
