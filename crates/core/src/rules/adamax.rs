//! Adamax (Kingma & Ba 2015, §7.1), Adam with the infinity norm, as torch.optim.Adamax:
//! `u ← max(β₂u, |g| + eps)` with eps INSIDE the max (so u > 0 from the first step on), and
//! only the first moment is bias-corrected (u needs none).
//!
//! Scalars: [maximize, coupledWeightDecay (L2), β₁, 1 − β₁, β₂, eps, lr / (1 − β₁ᵗ)].
//! State: [expAvg, expInf].

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::{max, Real};
use crate::rules::prelude::Prelude;
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "adamax";
scalars!(maximize, coupled_weight_decay, beta1, one_minus_beta1, beta2, eps, step_size);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    slot.check_elementwise_state(NAME, 2)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let (beta1, one_minus_beta1) = (T::of(s.beta1), T::of(s.one_minus_beta1));
    let beta2 = T::of(s.beta2);
    let eps = T::of(s.eps);
    let step_size = T::of(s.step_size);
    let mut state = slot.state.drain(..);
    let exp_avg = state.next().expect("checked: expAvg");
    let exp_inf = state.next().expect("checked: expInf");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(exp_avg)).and(view_mut(exp_inf)),
        |p: &mut T, &g: &T, m: &mut T, u: &mut T| {
            let g = prelude.apply(*p, g);
            *m = beta1 * *m + one_minus_beta1 * g;
            *u = max(beta2 * *u, g.abs() + eps);
            *p = *p - step_size * (*m / *u);
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    #[test]
    fn first_step_moves_by_lr_times_the_sign_of_g() {
        let mut p = vec![1.0f64, 1.0];
        let mut state = vec![vec![0.0; 2], vec![0.0; 2]];
        let scalars = [0.0, 0.0, 0.5, 0.5, 0.999, 0.0, 0.1 / 0.5];
        one_step("adamax", &mut p, &[0.5, -2.0], &mut state, &scalars).unwrap();
        assert_eq!(state, vec![vec![0.25, -1.0], vec![0.5, 2.0]]);
        assert_eq!(p, vec![0.9, 1.1]);
    }

    #[test]
    fn eps_is_inside_the_max_so_a_zero_gradient_does_not_divide_by_zero() {
        let mut p = vec![1.0f32];
        let mut state = vec![vec![0.0f32], vec![0.0]];
        one_step("adamax", &mut p, &[0.0], &mut state, &[0.0, 0.0, 0.9, 0.1, 0.999, 1e-8, 0.02]).unwrap();
        assert_eq!(state[1][0], 1e-8);
        assert_eq!(p[0], 1.0);
    }

    #[test]
    fn missing_exp_inf_is_an_error() {
        let mut p = vec![1.0f64];
        let err =
            one_step("adamax", &mut p, &[1.0], &mut [vec![0.0]], &[0.0, 0.0, 0.9, 0.1, 0.999, 1e-8, 0.02]).unwrap_err();
        assert!(err.to_string().contains("2 state tensors"));
    }
}
