//! Lion (Chen et al. 2023) with optax.lion's numerics: the update is the sign of an
//! interpolation c between momentum and gradient, plus decoupled weight decay, all scaled by
//! lr; the momentum itself is updated afterwards with a different β. sign(0) = 0 (optax's
//! `jnp.sign`), which `f64::signum` would get wrong.
//!
//! Scalars: [maximize, coupledWeightDecay (always 0: see prelude.rs), β₁, 1 − β₁, β₂, 1 − β₂,
//! weightDecay (decoupled), lr].
//! State: [expAvg].

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::{sign, Real};
use crate::rules::prelude::{check_uncoupled, Prelude};
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "lion";
scalars!(maximize, coupled_weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2, weight_decay, lr);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    check_uncoupled(NAME, slot.scalars)?;
    slot.check_elementwise_state(NAME, 1)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let (beta1, one_minus_beta1) = (T::of(s.beta1), T::of(s.one_minus_beta1));
    let (beta2, one_minus_beta2) = (T::of(s.beta2), T::of(s.one_minus_beta2));
    let weight_decay = T::of(s.weight_decay);
    let lr = T::of(s.lr);

    let exp_avg = slot.state.pop().expect("checked: expAvg");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(exp_avg)),
        |p: &mut T, &g: &T, m: &mut T| {
            let g = prelude.apply(*p, g);
            let c = beta1 * *m + one_minus_beta1 * g;
            // optax adds the decay to the update before scaling by −lr, so λ is scaled by lr too.
            *p = *p - lr * (sign(c) + weight_decay * *p);
            *m = beta2 * *m + one_minus_beta2 * g;
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    const SCALARS: [f64; 8] = [0.0, 0.0, 0.9, 0.1, 0.99, 0.01, 0.0, 0.5];

    #[test]
    fn steps_by_lr_times_the_sign_and_a_zero_interpolation_does_not_move() {
        let mut p = vec![1.0f64, 1.0, 1.0];
        let mut state = vec![vec![0.0, 0.0, 0.0]];
        one_step("lion", &mut p, &[3.0, -1e-6, 0.0], &mut state, &SCALARS).unwrap();
        assert_eq!(p, vec![0.5, 1.5, 1.0]);
        assert!((state[0][0] - 0.03).abs() < 1e-16);
    }

    #[test]
    fn momentum_is_updated_after_the_sign_is_taken() {
        // c = 0.9·1 + 0.1·(−1) > 0 steps down although g < 0; then m = 0.99 − 0.01.
        let mut p = vec![0.0f32];
        let mut state = vec![vec![1.0f32]];
        let mut s = SCALARS;
        s[6] = 0.1;
        one_step("lion", &mut p, &[-1.0], &mut state, &s).unwrap();
        assert_eq!(p[0], -0.5);
        assert_eq!(state[0][0], 0.99f32 - 0.01f32);
    }

    #[test]
    fn missing_momentum_is_an_error() {
        let mut p = vec![0.0f32];
        let err = one_step("lion", &mut p, &[1.0], &mut [], &SCALARS).unwrap_err();
        assert!(err.to_string().contains("1 state tensors"));
    }
}
