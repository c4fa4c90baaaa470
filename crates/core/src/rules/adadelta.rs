//! Adadelta (Zeiler 2012) with torch.optim.Adadelta's numerics: eps is inside both roots, the
//! step uses the NEW E[g²] and the OLD E[Δ²], and lr (default 1) scales the final update.
//!
//! Scalars: [maximize, coupledWeightDecay (L2), ρ, 1 − ρ, eps, lr].
//! State: [squareAvg, accDelta].

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::Real;
use crate::rules::prelude::Prelude;
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "adadelta";
scalars!(maximize, coupled_weight_decay, rho, one_minus_rho, eps, lr);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    slot.check_elementwise_state(NAME, 2)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let (rho, one_minus_rho) = (T::of(s.rho), T::of(s.one_minus_rho));
    let eps = T::of(s.eps);
    let lr = T::of(s.lr);
    let mut state = slot.state.drain(..);
    let square_avg = state.next().expect("checked: squareAvg");
    let acc_delta = state.next().expect("checked: accDelta");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(square_avg)).and(view_mut(acc_delta)),
        |p: &mut T, &g: &T, eg: &mut T, ed: &mut T| {
            let g = prelude.apply(*p, g);
            *eg = rho * *eg + one_minus_rho * (g * g);
            let delta = (*ed + eps).sqrt() / (*eg + eps).sqrt() * g;
            *ed = rho * *ed + one_minus_rho * (delta * delta);
            *p = *p - lr * delta;
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    #[test]
    fn first_step_is_root_eps_over_root_of_new_square_average() {
        let mut p = vec![1.0f64];
        let mut state = vec![vec![0.0], vec![0.0]];
        let (rho, eps) = (0.5, 0.25);
        one_step("adadelta", &mut p, &[3.0], &mut state, &[0.0, 0.0, rho, 1.0 - rho, eps, 1.0]).unwrap();
        // E_g = 0.5·9 = 4.5; Δ = √0.25 / √4.75 · 3; E_Δ = 0.5·Δ².
        let delta = 0.5 / 4.75f64.sqrt() * 3.0;
        assert_eq!(state, vec![vec![4.5], vec![0.5 * (delta * delta)]]);
        assert_eq!(p[0], 1.0 - delta);
    }

    #[test]
    fn maximize_and_weight_decay_act_before_the_averages() {
        let mut p = vec![2.0f32];
        let mut state = vec![vec![0.0f32], vec![0.0]];
        // −g + λθ = −1 + 0.5·2 = 0: nothing may move.
        one_step("adadelta", &mut p, &[1.0], &mut state, &[1.0, 0.5, 0.9, 0.1, 1e-6, 1.0]).unwrap();
        assert_eq!(state, vec![vec![0.0], vec![0.0]]);
        assert_eq!(p[0], 2.0);
    }

    #[test]
    fn missing_acc_delta_is_an_error() {
        let mut p = vec![1.0f64];
        let err = one_step("adadelta", &mut p, &[1.0], &mut [vec![0.0]], &[0.0, 0.0, 0.9, 0.1, 1e-6, 1.0]).unwrap_err();
        assert!(err.to_string().contains("2 state tensors"));
    }
}
