//! Adagrad (Duchi et al. 2011) with torch.optim.Adagrad's numerics: the accumulated sum of
//! squared gradients starts at `initialAccumulatorValue`, and eps is added outside the root.
//! The lr decay `γ / (1 + (t − 1)·lrDecay)` is a per-step scalar, computed by the caller.
//!
//! Scalars: [maximize, coupledWeightDecay (L2), eps, clr = γ / (1 + (t − 1)·lrDecay)].
//! State: [sum].

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::Real;
use crate::rules::prelude::Prelude;
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "adagrad";
scalars!(maximize, coupled_weight_decay, eps, clr);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    slot.check_elementwise_state(NAME, 1)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let eps = T::of(s.eps);
    let clr = T::of(s.clr);
    let sum = slot.state.pop().expect("checked: sum");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(sum)),
        |p: &mut T, &g: &T, acc: &mut T| {
            let g = prelude.apply(*p, g);
            *acc = *acc + g * g;
            *p = *p - clr * (g / (acc.sqrt() + eps));
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    #[test]
    fn first_step_from_a_zero_sum_moves_by_about_lr() {
        let mut p = vec![1.0f64, 1.0];
        let mut state = vec![vec![0.0; 2]];
        one_step("adagrad", &mut p, &[0.5, -4.0], &mut state, &[0.0, 0.0, 1e-10, 0.1]).unwrap();
        assert_eq!(state[0], vec![0.25, 16.0]);
        assert_eq!(p, vec![1.0 - 0.1 * (0.5 / (0.5 + 1e-10)), 1.0 - 0.1 * (-4.0 / (4.0 + 1e-10))]);
    }

    #[test]
    fn initial_accumulator_value_damps_the_first_step_and_maximize_flips_it() {
        let mut p = vec![0.0f32];
        let mut state = vec![vec![0.75f32]];
        one_step("adagrad", &mut p, &[0.5], &mut state, &[1.0, 0.0, 0.0, 1.0]).unwrap();
        // sum = 0.75 + 0.25 = 1, so the step is exactly clr · g.
        assert_eq!(state[0][0], 1.0);
        assert_eq!(p[0], 0.5);
    }

    #[test]
    fn missing_sum_is_an_error() {
        let mut p = vec![1.0f64];
        let err = one_step("adagrad", &mut p, &[1.0], &mut [], &[0.0, 0.0, 1e-10, 0.1]).unwrap_err();
        assert!(err.to_string().contains("1 state tensors"));
        assert_eq!(p, vec![1.0]);
    }
}
